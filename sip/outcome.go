package sip

import "time"

// Outcome is the dialer disposition of one call attempt. The names follow the spec's
// Outbound Dialer Dispositions, plus Rejected for explicit refusals.
type Outcome string

// Outcomes of a call.
const (
	OutcomeConnected Outcome = "connected"
	OutcomeBusy      Outcome = "busy"
	OutcomeNoAnswer  Outcome = "no_answer"
	OutcomeFailed    Outcome = "failed"
	OutcomeRejected  Outcome = "rejected"
)

// OutcomeForStatus maps a SIP final status code to an outcome:
//
//	2xx                              Connected
//	486, 600                         Busy
//	408, 480, 487                    No Answer (487 follows our CANCEL at the ring timeout)
//	403, 603                         Rejected
//	404, 410, 484, 604, other 4xx-6xx, 5xx  Failed
func OutcomeForStatus(code int) Outcome {
	switch {
	case code >= 200 && code < 300:
		return OutcomeConnected
	}
	switch code {
	case 486, 600:
		return OutcomeBusy
	case 408, 480, 487:
		return OutcomeNoAnswer
	case 403, 603:
		return OutcomeRejected
	}
	return OutcomeFailed
}

// failsOver reports whether a final status from a trunk lets us try the next trunk: the
// trunk (not the callee) could not handle the call. Answers from the callee (486, 600,
// 603, 404, ...) are final and never retried elsewhere.
func failsOver(code int) bool {
	return code >= 500 && code < 600
}

// Result is how a call ended. Code and Reason are the SIP status that decided the
// outcome (for a connected call, the 200), or 0 with a descriptive reason when no SIP
// response decided it (timeouts, transport errors).
type Result struct {
	Outcome Outcome `json:"outcome"`
	Code    int     `json:"code"`
	Reason  string  `json:"reason"`
	// Trunk is the trunk of the last attempt; Attempts counts trunks tried.
	Trunk    string `json:"trunk"`
	Attempts int    `json:"attempts"`
	// CallID is the Call-ID of the last INVITE.
	CallID string `json:"call_id"`
	// HangupBy is "local" or "remote" for connected calls.
	HangupBy string `json:"hangup_by,omitempty"`
	// HangupReason explains how a connected call ended (bye, hangup, max duration, session expired, ...).
	HangupReason string `json:"hangup_reason,omitempty"`
	// Invited is when the first INVITE left; Answered when the 200 OK arrived (zero if
	// never); Ended when the call ended.
	Invited  time.Time `json:"invited"`
	Answered time.Time `json:"answered,omitzero"`
	Ended    time.Time `json:"ended"`
}

// SetupTime is the time from the first INVITE to the 200 OK, or 0 for calls never answered.
func (r Result) SetupTime() time.Duration {
	if r.Answered.IsZero() {
		return 0
	}
	return r.Answered.Sub(r.Invited)
}
