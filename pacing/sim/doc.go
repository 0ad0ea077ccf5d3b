// Package sim is a discrete-event simulator of an outbound contact centre on a virtual
// clock with seeded randomness. It drives the real pacing package, never a copy of it,
// and reports occupancy, abandonment and waiting figures per dialing mode.
//
// A Scenario (JSON, unknown keys rejected; see docs/pacing.md) gives agents, shift,
// seeds, modes, outcome shares and their drift, ring, detection, talk, wrap and patience
// distributions, and agent logins and logouts. Each run feeds the pacer only what an
// engine could observe (an Estimator and a Ledger fed by call events). Contacts are
// drawn in dial order from a stream seeded by the run's seed, and the pacer's own random
// source is seeded the same way, so all modes of one seed dial the same contacts with
// the same draws (common random numbers).
//
// It is pure computation: no I/O beyond decoding a scenario, no goroutines, no clock reads.
package sim
