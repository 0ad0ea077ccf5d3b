// Package pacing decides how many calls to place, for which campaign and for which
// agent, from a snapshot of campaigns, agents and recent statistics at a given time.
//
// It is pure computation: no I/O, no goroutines, no clock reads; the time of a decision
// is an argument. It imports no other package of outdial.
package pacing
