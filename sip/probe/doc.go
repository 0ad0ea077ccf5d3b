// Package probe places test calls through a trunk and measures them: one call or many
// at a given rate and concurrency, optionally playing a WAV and recording what the far
// end sends, reporting every call event and a final summary (outcomes, setup time
// percentiles, achieved calls per second, RTP packets sent, received and lost).
//
// It is the engine of `outdial call` and of the SIP load benchmark. It uses package sip
// for signalling and package media for RTP, and must not import any domain package or
// store.
package probe
