// Package wav reads the WAV files that AMD tools analyse: 8 kHz mono audio in 16-bit
// PCM, G.711 mu-law (format 7) or G.711 A-law (format 6), decoded to 16-bit samples with
// zaf/g711. Any other layout is refused with an error that names what the file holds.
//
// It is the I/O edge of package amd: the detector itself never reads files.
package wav
