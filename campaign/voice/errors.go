package voice

import "errors"

var (
	// ErrConfig marks a Dialer configuration that cannot be used.
	ErrConfig = errors.New("voice: invalid config")
	// ErrPromptName marks a prompt name that is not a plain file name.
	ErrPromptName = errors.New("voice: invalid prompt name")
	// ErrTTS is returned when text cannot be turned into speech.
	ErrTTS = errors.New("voice: text to speech failed")
)
