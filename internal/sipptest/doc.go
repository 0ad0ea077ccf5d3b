// Package sipptest starts sipp (Debian's sip-tester) as a real SIP peer for tests on
// 127.0.0.1: it picks free ports, binds sipp's logs to a temporary folder, restarts sipp
// on fresh ports when a port was taken between the pick and the bind, and stops it when
// the test ends. It is used by tests only.
package sipptest
