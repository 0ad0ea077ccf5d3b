package media

import (
	"crypto/rand"
	"encoding/binary"
)

// randomUint32 returns a random value for an SSRC, initial sequence number or
// initial timestamp (RFC 3550 asks for random initial values).
func randomUint32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}
