// Package flow defines and runs agentless experience flows and two-way SMS flows:
// play, say, gather, branch, set variable, transfer to a queue, hang up.
//
// It talks to calls and messages through interfaces it defines; it must not write SQL
// or speak SIP or HTTP itself.
package flow
