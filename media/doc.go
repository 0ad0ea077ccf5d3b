// Package media carries RTP on pion/rtp: the RTP port pool, symmetric RTP latching,
// G.711 encoding and decoding (zaf/g711), RFC 4733 telephone events, paced prompt
// playback, WAV recording and forwarding packets between two legs without decoding.
//
// It owns audio transport only. It must not import sip, any domain package or store.
//
// # Overview
//
// One [Session] is one call leg: one UDP socket, one remote peer, one outgoing RTP
// stream (own SSRC, sequence numbers and timestamps) and the statistics of the incoming
// stream. The audio format is fixed to what trunks speak: G.711 ([PCMU] or [PCMA]),
// 8 kHz mono, 20 ms frames of [FrameSamples] samples, plus RFC 4733 telephone events on
// a dynamic payload type ([DefaultEventPT] unless the SDP says otherwise).
//
// Typical use by the SIP layer:
//
//	pool, _ := media.NewPortPool(media.PortPoolConfig{IP: netip.MustParseAddr("127.0.0.1"), Min: 20000, Max: 29999})
//	port, _ := pool.Allocate()          // even RTP port (RTCP port+1 reserved if asked)
//	defer port.Close()                  // returns the number to the pool
//	local := port.Addr()                // goes into our SDP (c= and m=audio)
//
//	sess, _ := media.NewSession(port.RTP(), media.SessionConfig{
//		Codec:   media.PCMU,            // from the SDP answer
//		EventPT: 101,                   // telephone-event payload type from the SDP
//		Metrics: metrics,               // optional, see NewMetrics
//		RTCP:    port.RTCP(),           // optional, nil without RTCP
//		Pacer:   pacer,                 // optional: one media.NewPacer(0) for all sessions
//	})
//	defer sess.Close()                  // stops its goroutines, closes its sockets
//	sess.SetRemote(remoteFromSDP)       // 183/200 SDP; re-INVITE may call it again
//
//	sess.OnPCM(amdDetector)             // decoded 16-bit PCM, 160 samples per call
//	sess.OnDTMF(digitHandler)           // digits received (RFC 4733), de-duplicated
//	prompt, _ := media.LoadWAV("hello.wav")
//	err := sess.Play(ctx, prompt.Source()) // blocks until played, ctx cancelled or Close
//	err = sess.SendDTMF(ctx, "1#")      // blocks until the digits are sent
//	st := sess.Stats()                  // packets, bytes, lost, jitter, last arrival ...
//
// # Receive path
//
// One goroutine per session reads the socket into a reused buffer and a reused
// rtp.Packet. Until the first valid packet arrives the session sends to the address
// given by [Session.SetRemote]; the first valid RTP packet latches the session to its
// real source address (symmetric RTP, so NATed peers work) and from then on packets
// from any other source are dropped and counted ([Stats.ForeignDropped]). Calling
// SetRemote with a different address (re-INVITE) clears the latch.
//
// Accepted packets go to optional consumers, each replaceable at any time (nil
// removes it) and each called on the receive goroutine, so they must not block:
//
//   - [RTPHandler] (set with [Session.OnRTP]) gets every raw audio and telephone-event
//     packet, for forwarding;
//   - [PCMHandler] (set with [Session.OnPCM]) gets each audio packet decoded (PCMU or
//     PCMA by its payload type). The frame and the packet are only valid during the
//     call: copy what you keep. The whole path allocates nothing per packet.
//
// Telephone events go to a [DTMFDetector] that reports each digit once to the
// [DTMFHandler] set with [Session.OnDTMF].
//
// Handlers compose like small pipeline stages: [MultiPCM] fans a frame out to several
// consumers (AMD and a recorder), [NewDecoder] wraps a PCMHandler as an RTPHandler
// stage, [ForwardTo] turns any [RTPWriter] into an RTPHandler.
//
// # Send path
//
// A [Pacer] sends one frame every 20 ms (catching up on slots a busy machine reached
// late, up to three frames, so the stream keeps real time; older missed frames are
// skipped): a DTMF event packet while [Session.SendDTMF] runs, else the next frame
// of the [PCMSource] given to [Session.Play], else nothing while packets are being
// forwarded into the session with [Session.WriteRTP], else silence (so the peer's latching and media timeouts see a
// live stream). [LoadWAV] and [ReadWAV] decode PCM16, mu-law and A-law WAV files at
// 8 kHz mono (anything else is an error naming what was found); one [WAV] can be
// played on many sessions at once through [WAV.Source]. One Play or SendDTMF runs at a
// time per session (another returns [ErrBusy]); while one runs, packets forwarded into
// the session are dropped so the streams do not interleave.
//
// Give every session of a process the same Pacer (SessionConfig.Pacer, from
// [NewPacer]): its few goroutines, one per CPU by default, each own a wheel of
// sessions split into four slots 5 ms apart and send every session of a slot in one
// pass, so a thousand calls cost a few goroutine wake-ups per 20 ms instead of a
// thousand timers, and their packets are spread over the frame instead of leaving
// in one burst. A session without a Pacer gets one of its own (one goroutine per
// session). A Pacer holds goroutines only while it has sessions and needs no Close.
// The PCMSource of Play and the OnSentPCM handler run on the pacer goroutine, which
// a shared Pacer shares with other sessions: they must not block.
//
// # RTCP
//
// Loss (from sequence gaps, RFC 3550 A.3), jitter (A.8), duplicates and reordering of
// the incoming stream are measured with or without RTCP. Give the session the RTCP
// socket (SessionConfig.RTCP = port.RTCP(), from a pool with RTCP on) and it also
// sends sender/receiver reports every [DefaultRTCPInterval] to the peer's RTP port + 1
// (or [Session.SetRemoteRTCP]), and reads the peer's, which fill Stats.RemoteLost,
// RemoteJitter and RTT.
//
// # Forwarding
//
// [Session.WriteRTP] makes a session an [RTPWriter]: the payload is sent on this leg
// with this leg's SSRC, sequence and timestamp (re-anchored when the upstream source
// changes, after a pause, or after the leg sent frames of its own such as a prompt,
// so the outgoing sequence never repeats a number), transcoding PCMU<->PCMA by table
// lookup only if the two legs disagree.
// [Bridge] connects two [Endpoint]s both ways without decoding. A WebRTC track writer
// plugs in through [RTPWriter]; wrap it with [NewRestamper] when it does not rewrite
// sequence numbers and timestamps itself.
//
// # Recording
//
// [WAVWriter] ([CreateWAV], [NewWAVWriter]) is a PCMHandler writing PCM16 8 kHz mono
// WAV; attach it with OnPCM (or through MultiPCM) and Close it at the end of the call. [Session.OnSentPCM] reports the frames this session generates
// (prompts, silence), and [Mixer] sums the two directions into one recording.
//
// # Metrics
//
// [NewMetrics] registers outdial_rtp_packets_total{direction="in"|"out"},
// outdial_rtp_lost_packets_total and outdial_rtp_dropped_packets_total{reason} with
// the Registerer it is given; pass the same *Metrics to every session.
package media
