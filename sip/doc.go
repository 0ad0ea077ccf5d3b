// Package sip terminates SIP trunks on emiago/sipgo: it places, cancels and hangs up
// calls, answers digest challenges, pings trunks with OPTIONS, builds and reads SDP
// offers and answers, maps final responses to dialer outcomes and enforces per-trunk
// channel and calls-per-second limits and the inbound source ACL.
//
// It owns signalling only. Audio is carried by package media. It knows nothing of
// campaigns, contacts or agents and must not import any domain package or store.
package sip
