// Package engine is the per-node dialing engine of voice campaigns: it leases ready
// call records from the store into a hopper per running instance, asks pacing for dial
// orders on ticks and on events, repeats the dial-time checks (DNC, contactable hours;
// fail closed), writes the attempt row before the INVITE, places calls through a
// Dialer, and after the answer runs answering-machine detection and then an agentless
// flow, a hand-off to an agent of the campaign's queue, the safe-harbour message, or a
// voicemail drop. Every outcome goes through campaign.Service.Finish (retry rules,
// Auto-DNC) and into the metrics.
//
// One goroutine (Engine.Run) owns all state: campaigns, hoppers, agents, calls in
// flight. It is fed by channels: ticks, agent state changes from the console hub, and
// events from the calls. Each call runs in its own goroutine and reports back by events;
// nothing is shared behind locks.
//
// Records leased and not yet dialed (hoppers, preview offers) have their leases renewed
// every third of the TTL, so they stay this node's however long they wait; an answered
// person with no free agent may take an agent reserved for calls still ringing.
//
// A crash never re-dials an attempt in flight: Run starts by closing the attempts the
// node left dialing, ringing or answered as Unknown (campaign.Service.
// CloseInFlightAsUnknown); the retry rules alone decide whether they are dialed again.
// A dial the Dialer refuses before any INVITE leaves, for lack of an RTP port or a trunk
// channel, is no attempt: its row is voided (store VoidAttempt) and the record requeued.
//
// It talks to the outside world through interfaces it defines: Dialer (package
// campaign/voice implements it on sip, media and amd), Agents (the console hub),
// Clock and Store. It must not speak SIP, HTTP or SQL itself.
package engine
