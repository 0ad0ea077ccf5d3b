// Package eval measures answering-machine detection on a labelled corpus: it reads the
// manifest written by scripts/amd-corpus.sh, runs package amd over every call with one
// or more parameter presets, and reports the confusion matrix, accuracy with a Wilson
// 95 % interval, the two error rates, decision times and beep timing.
//
// It reads WAV files (through io/fs, decoded by media.ReadWAV) and may use several
// goroutines; package amd stays pure.
package eval
