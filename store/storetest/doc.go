// Package storetest is the conformance suite every store backend must pass. Backends
// call Run from their own tests; the suite uses only the store.Store interface.
package storetest
