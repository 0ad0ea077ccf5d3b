// Package pacing decides how many calls to place, for which campaign and for which
// agent, from a snapshot of campaigns, agents and recent statistics at a given time.
//
// It is pure computation: no I/O, no goroutines, no clock reads; the time of a decision
// is an argument. It imports no other package of outdial.
//
// A Pacer turns a Snapshot (campaigns with mode, priority, ratio, caps, compliance rule,
// ready contacts and statistics; agents with state and time in state; calls in flight
// by stage; global caps) into a Decision: dial orders (campaign, count, optionally the
// reserved agent and mapped contact), preview offers and hangups (predictive calls
// still ringing to cut). Modes:
//
//   - Agentless: fill up to the campaign's Max Concurrent Calls and the global cap.
//   - Progressive: one call per free agent, the agent reserved (system busy).
//   - Power: Ratio (1-10, fractional ratios rounded at random) calls per free agent,
//     the agent reserved for the first answer.
//   - Preview: the next record (mapped customers first, then customer priority) is
//     offered to each free agent.
//   - Predictive: for each campaign, the pool of agents whose next call it supplies is
//     forecast at a few points of the answer-time distribution: agents on a call free
//     up with the chance that talk ends (given the talk time so far) in time to cover
//     wrap-up; agents in wrap-up free up when their wrap ends; calls ringing become
//     live answers with the chance implied by their ring time so far. Lines are added
//     while the forecast chance that the newest call's live answer finds no agent
//     within the grace stays under a threshold. An integral controller moves that
//     threshold so the recent abandonment rate sits at Config.Aim of the target, and
//     the compliance allowance (target x live answers - abandons, per calendar day and,
//     for RuleUS, rolling 30 days) scales it down as it runs out; with no allowance,
//     during warm-up, or without agents the campaign dials progressively. Lines never
//     exceed MaxLinesPerAgent per pool agent. When a human answering now would be
//     riskier than that threshold, unreserved calls that have rung the minimum ring
//     (15 s at least, the US and UK rule) are listed in Decision.Hangups, unless
//     Config.FullRing.
//
// Multi-campaign rules: an agent takes calls from its highest-priority campaign with
// work, equal priorities at random (the injected rand source); when trunk channels, CPS
// or the agentless cap are short, capacity is drawn by lottery weighted by priority, so
// each campaign converges to priority / sum of priorities. A mapped customer is dialed
// only for its agent, who is reserved for it.
//
// Ledger does the abandonment accounting (Abandoned: a live answer not connected within
// the grace, default 2 s) and Estimator keeps the statistics, both from events with
// times passed in. A steady-state Decide allocates nothing.
package pacing
