// Package voice implements the dialing engine's Dialer on real calls: sip places the
// call, media carries its RTP, amd classifies the answered audio (human, machine, fax,
// SIT) and finds the end of a machine greeting for a voicemail drop. A Call plays
// recorded prompts and spoken text (Prompts: WAV files, and TTS through espeak-ng when
// installed), gathers RFC 4733 DTMF digits, exposes the customer's audio leg for the
// bridge to an agent and plays hold audio while the agent holds (prompt hold.wav, else
// the generated HoldTone).
//
// It knows calls, not campaigns: it maps SIP results to the campaign outcomes and
// nothing more, and must not touch the store.
package voice
