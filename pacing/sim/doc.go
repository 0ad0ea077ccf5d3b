// Package sim is a discrete-event simulator of an outbound contact centre on a virtual
// clock with seeded randomness. It drives the real pacing package, never a copy of it,
// and reports occupancy, abandonment and waiting figures per dialing mode.
//
// It is pure computation: no I/O beyond decoding a scenario, no goroutines, no clock reads.
package sim
