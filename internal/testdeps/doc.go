// Package testdeps lets tests find the external programs and services they need
// (sipp, chromium, espeak-ng, sox, PostgreSQL). A test that cannot find one skips with
// a message naming it and how to install it, unless OUTDIAL_REQUIRE_DEPS=1 is set (CI
// sets it), in which case the test fails instead. It is used by tests only.
package testdeps
