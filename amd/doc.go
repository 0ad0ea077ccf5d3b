// Package amd detects answering machines, voicemail beeps, fax tones and special
// information tones in 8 kHz 16-bit PCM audio fed as 20 ms frames.
//
// A Detector is fed frames after answer and reports, at most once, HUMAN, MACHINE,
// NOTSURE, FAX or SIT, each with a Cause, the time from answer and the Figures the rule
// compared. With Params.DetectMessageEnd it keeps listening after MACHINE and reports
// MACHINE_END when the greeting is over (end of a beep, silence, or the tone timeout),
// so a voicemail message can start. ToneDetector finds beeps, fax and SIT tones on
// their own, for example on early media.
//
// Two presets: "asterisk" is Asterisk app_amd's energy state machine with its compiled
// defaults, reimplemented from its description; "default" adds an adaptive noise floor
// (minimum statistics with a limited rise), a second floor and voice test on the band
// below 1 kHz for broadband noise, zero-crossing noise rejection, exclusion of pure
// tones from speech, greeting span instead of voiced time, a music-bed rule (voice in
// every frame for 2.5 s), a silence wait that grows with the greeting so a beep can
// arrive, and beep/fax/SIT decisions. Tones are
// found by estimating a frame's frequency from its zero crossings and measuring the
// energy share at that frequency with one Goertzel filter.
//
// It is pure computation: no I/O, no goroutines, no clock reads, no allocation per
// frame. Time is the count of samples fed. It imports no other package of outdial.
// WAV files are read by media.ReadWAV; corpus evaluation lives in amd/eval.
package amd
