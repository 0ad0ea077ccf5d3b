// Package sip terminates SIP trunks on emiago/sipgo: it places, cancels and hangs up
// calls, answers digest challenges, pings trunks with OPTIONS, builds and reads SDP
// offers and answers, maps final responses to dialer outcomes and enforces per-trunk
// channel and calls-per-second limits and the inbound source ACL.
//
// It owns signalling only. Audio is carried by package media. It knows nothing of
// campaigns, contacts or agents and must not import any domain package or store.
//
// # Placing a call
//
//	c, _ := sip.NewClient(sip.Config{Listen: "0.0.0.0:5060", PublicHost: "203.0.113.5",
//		Trunks: trunks, Metrics: sip.NewMetrics(reg)})
//	defer c.Close()
//	call, err := c.Dial(ctx, sip.DialRequest{To: "+15551234567", RTP: port.Addr(), MaxRing: 25 * time.Second})
//	for ev := range call.Events() { // trying, ringing, early_media, failover, answered, hold, unhold, refreshed, ended
//		...
//	}
//	res := call.Result() // Outcome, Code, Reason, Trunk, Attempts, SetupTime()
//
// Dial picks the first trunk in the request's failover order that is up (OPTIONS) and
// has a free channel, waits for its calls-per-second limiter and sends the INVITE with
// an SDP offer of PCMU, PCMA (trunk order) and telephone-event/8000, From and
// P-Asserted-Identity carrying the caller ID. A 401/407 is answered once; a second
// challenge fails the call. 5xx, silence for Config.InviteTimeout, or a transport error
// move the call to the next trunk; every other final answer (486, 600, 603, 404, ...)
// is final. At MaxRing we CANCEL; a 200 OK that crosses the CANCEL is ACKed and ended
// with BYE at once. In-dialog re-INVITE and UPDATE are answered (hold and unhold are
// reported as events), BYE from either side ends the call, and RFC 4028 session timers
// are honoured: we refresh (UPDATE if the peer allows it, else re-INVITE) when we are
// the refresher and hang up when a refresh the peer owes us does not come.
//
// # Inbound
//
// Before sipgo parses anything, a read filter drops datagrams from sources outside the
// trunk ACL (trunk addresses and their Allow prefixes), datagrams over MaxMessageSize,
// requests whose start line is not SIP, and requests above the per-source rate; each
// drop is counted in outdial_sip_rejected_total{reason}. What passes: OPTIONS is
// answered 200, REGISTER 403, a new INVITE goes to Config.Inbound (default 603 Decline;
// it can never cause an outbound call), and in-dialog requests go to their call.
//
// Sub-packages: carrier is a simulated carrier (a UAS driven by a seeded scenario);
// probe places test calls and measures them (outdial call, the SIP benchmark).
package sip
