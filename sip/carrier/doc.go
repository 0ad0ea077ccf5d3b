// Package carrier is a simulated SIP carrier: a user agent server on real UDP that
// answers INVITEs the way a scenario says (answer, busy, no answer, failure; ring time;
// human or machine audio from a folder of WAV files; talk time; which side hangs up;
// DTMF echo), seeded so that the n-th call always gets the same plan.
//
// It stands in for the far end in development (outdial dev, outdial carrier), in tests
// of package sip and of outdial call, and in load benchmarks. It speaks SIP through
// sipgo and RTP through package media, and it must not import any domain package or
// store. It is a simulation: it has no ACL, no authentication and no limits.
package carrier
