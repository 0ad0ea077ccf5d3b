package wav

import "errors"

// Errors returned by Decode; they are wrapped with details, test them with errors.Is.
var (
	// ErrNotWAV: the data is not a RIFF/WAVE file.
	ErrNotWAV = errors.New("wav: not a RIFF WAVE file")
	// ErrUnsupported: a WAVE file in a layout other than 8 kHz mono PCM16, mu-law or A-law.
	ErrUnsupported = errors.New("wav: unsupported format")
	// ErrMalformed: a chunk is missing, truncated or inconsistent.
	ErrMalformed = errors.New("wav: malformed file")
	// ErrTooLarge: the audio is longer than the limit given to Decode.
	ErrTooLarge = errors.New("wav: audio too long")
)
