// Package amd detects answering machines, beeps, fax tones and special information
// tones in 8 kHz 16-bit PCM audio fed as 20 ms frames.
//
// It is pure computation: no I/O, no goroutines, no clock reads. Time is the count of
// frames it has been fed. It imports no other package of outdial.
package amd
