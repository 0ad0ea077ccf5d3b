package media

import (
	"fmt"
	"strings"
	"time"

	"github.com/zaf/g711"
)

// Audio framing shared by every session: G.711 at 8 kHz mono in 20 ms frames.
const (
	SampleRate     = 8000                  // samples per second
	FrameDuration  = 20 * time.Millisecond // one RTP packet of audio
	FrameSamples   = 160                   // samples (and G.711 bytes) per frame
	DefaultEventPT = 101                   // telephone-event payload type when the SDP gives none
)

// Codec is a G.711 variant, numbered by its static RTP payload type.
type Codec uint8

// The two codecs a trunk leg speaks.
const (
	PCMU Codec = 0 // G.711 mu-law
	PCMA Codec = 8 // G.711 A-law
)

// ParseCodec returns the codec named by an SDP rtpmap encoding name ("PCMU", "pcma").
func ParseCodec(name string) (Codec, error) {
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "PCMU":
		return PCMU, nil
	case "PCMA":
		return PCMA, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrCodec, name)
}

// CodecForPayloadType returns the codec of a static payload type (0 or 8).
func CodecForPayloadType(pt uint8) (Codec, error) {
	switch Codec(pt) {
	case PCMU, PCMA:
		return Codec(pt), nil
	}
	return 0, fmt.Errorf("%w: payload type %d", ErrCodec, pt)
}

// PayloadType returns the static RTP payload type of c.
func (c Codec) PayloadType() uint8 { return uint8(c) }

// String returns the SDP encoding name.
func (c Codec) String() string {
	switch c {
	case PCMU:
		return "PCMU"
	case PCMA:
		return "PCMA"
	}
	return fmt.Sprintf("Codec(%d)", uint8(c))
}

func (c Codec) valid() bool { return c == PCMU || c == PCMA }

// Silence returns the byte that encodes a zero sample.
func (c Codec) Silence() byte {
	if c == PCMA {
		return g711.EncodeAlawFrame(0)
	}
	return g711.EncodeUlawFrame(0)
}

// Decode decodes G.711 bytes in src into dst and returns the number of samples
// written, min(len(src), len(dst)). It allocates nothing.
func (c Codec) Decode(dst []int16, src []byte) int {
	n := min(len(src), len(dst))
	if c == PCMA {
		for i := range n {
			dst[i] = g711.DecodeAlawFrame(src[i])
		}
		return n
	}
	for i := range n {
		dst[i] = g711.DecodeUlawFrame(src[i])
	}
	return n
}

// Encode encodes samples in src as G.711 into dst and returns the number of bytes
// written, min(len(src), len(dst)). It allocates nothing.
func (c Codec) Encode(dst []byte, src []int16) int {
	n := min(len(src), len(dst))
	if c == PCMA {
		for i := range n {
			dst[i] = g711.EncodeAlawFrame(src[i])
		}
		return n
	}
	for i := range n {
		dst[i] = g711.EncodeUlawFrame(src[i])
	}
	return n
}

// transcode converts G.711 bytes from one law to the other, in place into dst.
func transcode(dst, src []byte, from, to Codec) int {
	n := min(len(src), len(dst))
	switch {
	case from == to:
		copy(dst, src[:n])
	case from == PCMU:
		for i := range n {
			dst[i] = g711.Ulaw2AlawFrame(src[i])
		}
	default:
		for i := range n {
			dst[i] = g711.Alaw2UlawFrame(src[i])
		}
	}
	return n
}
