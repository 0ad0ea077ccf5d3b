package lists

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// sealedPrefix marks a sealed secret (version 1: AES-256-GCM, HKDF-SHA256 key).
const sealedPrefix = "sealed:v1:"

// Sealer encrypts integration secrets at rest with AES-256-GCM under a key derived
// from the server's security.secret_key.
type Sealer struct{ aead cipher.AEAD }

// NewSealer derives the key from secretKey (at least 32 bytes).
func NewSealer(secretKey string) (*Sealer, error) {
	if len(secretKey) < 32 {
		return nil, fmt.Errorf("%w: security.secret_key has %d bytes; at least 32 are needed to store integration secrets", ErrInvalid, len(secretKey))
	}
	key, err := hkdf.Key(sha256.New, []byte(secretKey), nil, "outdial lists integration secrets v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plain; the result is text safe to store.
func (s *Sealer) Seal(plain string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, []byte(plain), nil)
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out), nil
}

// Open decrypts what Seal returned.
func (s *Sealer) Open(sealed string) (string, error) {
	b64, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", fmt.Errorf("%w: secret is not sealed", ErrInvalid)
	}
	b, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", fmt.Errorf("%w: sealed secret is damaged", ErrInvalid)
	}
	plain, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("%w: sealed secret does not open with this security.secret_key", ErrInvalid)
	}
	return string(plain), nil
}
