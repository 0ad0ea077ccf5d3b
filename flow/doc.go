// Package flow defines and runs agentless experience flows: play a prompt, say
// templated text, gather DTMF with a timeout, branch on digits or variables, set a
// variable, set the disposition, add the number to the DNC list, transfer to a queue,
// hang up. (Two-way SMS flows are to reuse the same nodes.)
//
// A flow is a JSON or YAML document (see docs/campaigns.md and testdata/):
//
//	{"name": "Reminder", "start": "greet", "nodes": [
//	  {"id": "greet", "type": "say", "text": "Hi {{firstName}}", "next": "menu"},
//	  {"id": "menu", "type": "gather", "max_digits": 1, "timeout_ms": 5000, "next": "route"},
//	  {"id": "route", "type": "branch", "variable": "digits",
//	   "cases": [{"equals": "1", "next": "agent"}], "default": "bye"},
//	  {"id": "agent", "type": "transfer", "queue": "billing"},
//	  {"id": "bye", "type": "hangup"}]}
//
// Parse validates strictly and names the node, the field and the fix of the first
// problem (*NodeError). Run executes a flow over a Call, the interface the dialing
// engine implements on a live SIP call; contact fields (campaignUserInfo) come in as
// variables for {{name}} templates.
//
// It talks to calls through interfaces it defines; it must not write SQL or speak SIP
// or HTTP itself.
package flow
