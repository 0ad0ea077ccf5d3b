// Package pgtest gives a test a PostgreSQL store of its own: a fresh schema in the
// database OUTDIAL_TEST_DATABASE_URL names, migrated, and dropped when the test ends,
// so runs never collide. Without the variable the test is skipped, or failed when
// OUTDIAL_REQUIRE_DEPS=1 (package testdeps). Test code only.
package pgtest
