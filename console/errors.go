package console

import "errors"

// ErrTemplate reports an embedded page, template or asset that cannot be loaded: a
// build defect that the package tests catch.
var ErrTemplate = errors.New("console: web UI template")
