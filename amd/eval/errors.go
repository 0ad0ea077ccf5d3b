package eval

import "errors"

// Errors returned by ReadManifest and Run; test them with errors.Is.
var (
	// ErrManifest: the manifest is not the CSV scripts/amd-corpus.sh writes.
	ErrManifest = errors.New("eval: bad manifest")
	// ErrNoCalls: the manifest lists no calls.
	ErrNoCalls = errors.New("eval: manifest lists no calls")
)
