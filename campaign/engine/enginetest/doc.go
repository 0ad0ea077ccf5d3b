// Package enginetest builds, for tests, what an end-to-end run of the dialing engine
// needs on loopback: a store, a simulated SIP carrier (sip/carrier) with synthetic
// human and machine audio, a SIP client with one trunk to it (or to a far end the test
// runs itself, such as sipp), an RTP port pool, a voice dialer, a caller ID, and an
// engine configured for fast tests. Reports is the carrier's log of the calls it got.
//
// It is test support only: production code must not import it. It owns no rule of
// the engine; tests of other packages (the agent console's browser tests) use it so
// that they drive the real engine instead of copying its setup.
package enginetest
