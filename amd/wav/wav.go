package wav

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/zaf/g711"
)

// WAVE format tags.
const (
	FormatPCM        = 1
	FormatALaw       = 6
	FormatMuLaw      = 7
	formatExtensible = 0xFFFE
)

// MaxSamples is the default limit on decoded samples: one hour at 8 kHz.
const MaxSamples = 3600 * 8000

// Audio is a decoded file.
type Audio struct {
	// Format is the WAVE format tag the file used (FormatPCM, FormatALaw, FormatMuLaw).
	Format int
	// Samples are 16-bit linear samples at 8 kHz.
	Samples []int16
}

// FormatName names a WAVE format tag for messages.
func FormatName(tag int) string {
	switch tag {
	case FormatPCM:
		return "PCM"
	case 3:
		return "IEEE float"
	case FormatALaw:
		return "A-law"
	case FormatMuLaw:
		return "mu-law"
	case 2:
		return "MS ADPCM"
	case 0x11:
		return "IMA ADPCM"
	case 0x31:
		return "GSM 6.10"
	case 0x55:
		return "MPEG layer 3"
	case formatExtensible:
		return "extensible"
	}
	return fmt.Sprintf("format tag %d", tag)
}

type fmtChunk struct {
	tag, channels, bits int
	rate                int
}

// Decode reads a WAV file from r. maxSamples bounds the decoded length (0 means
// MaxSamples). A data chunk shorter than its header claims is accepted as is.
func Decode(r io.Reader, maxSamples int) (*Audio, error) {
	if maxSamples <= 0 {
		maxSamples = MaxSamples
	}
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("%w: the file is %s, shorter than a RIFF header", ErrNotWAV, short(err))
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%w: it starts with %q, not RIFF....WAVE", ErrNotWAV, printable(hdr[:]))
	}
	var f *fmtChunk
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			if f == nil {
				return nil, fmt.Errorf("%w: no fmt chunk", ErrMalformed)
			}
			return nil, fmt.Errorf("%w: no data chunk", ErrMalformed)
		}
		id := string(ch[0:4])
		size := int64(binary.LittleEndian.Uint32(ch[4:8]))
		switch id {
		case "fmt ":
			c, err := readFmt(r, size)
			if err != nil {
				return nil, err
			}
			if err := c.check(); err != nil {
				return nil, err
			}
			f = c
		case "data":
			if f == nil {
				return nil, fmt.Errorf("%w: data chunk before fmt chunk", ErrMalformed)
			}
			return readData(r, f, size, maxSamples)
		default:
			if err := skip(r, size+size%2); err != nil {
				return nil, fmt.Errorf("%w: chunk %q truncated", ErrMalformed, printable(ch[0:4]))
			}
		}
	}
}

func readFmt(r io.Reader, size int64) (*fmtChunk, error) {
	if size < 16 || size > 1024 {
		return nil, fmt.Errorf("%w: fmt chunk of %d bytes (want 16 to 1024)", ErrMalformed, size)
	}
	buf := make([]byte, size+size%2)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("%w: fmt chunk truncated", ErrMalformed)
	}
	c := &fmtChunk{
		tag:      int(binary.LittleEndian.Uint16(buf[0:2])),
		channels: int(binary.LittleEndian.Uint16(buf[2:4])),
		rate:     int(binary.LittleEndian.Uint32(buf[4:8])),
		bits:     int(binary.LittleEndian.Uint16(buf[14:16])),
	}
	if c.tag == formatExtensible && size >= 40 {
		// The sub-format GUID starts with the real format tag.
		c.tag = int(binary.LittleEndian.Uint16(buf[24:26]))
	}
	return c, nil
}

func (c *fmtChunk) check() error {
	want := map[int]int{FormatPCM: 16, FormatMuLaw: 8, FormatALaw: 8}
	bits, known := want[c.tag]
	found := fmt.Sprintf("%s, %d bit, %d Hz, %d channel(s)", FormatName(c.tag), c.bits, c.rate, c.channels)
	const fix = "; convert it to 8 kHz mono PCM16, mu-law or A-law (for example: sox IN -r 8000 -c 1 -e mu-law OUT.wav)"
	switch {
	case !known:
		return fmt.Errorf("%w: found %s%s", ErrUnsupported, found, fix)
	case c.bits != bits:
		return fmt.Errorf("%w: found %s, %s needs %d bit%s", ErrUnsupported, found, FormatName(c.tag), bits, fix)
	case c.rate != 8000:
		return fmt.Errorf("%w: found %s, need 8000 Hz%s", ErrUnsupported, found, fix)
	case c.channels != 1:
		return fmt.Errorf("%w: found %s, need 1 channel%s", ErrUnsupported, found, fix)
	}
	return nil
}

func readData(r io.Reader, f *fmtChunk, size int64, maxSamples int) (*Audio, error) {
	bytesPer := f.bits / 8
	limit := int64(maxSamples) * int64(bytesPer)
	if size == 0 || size == 0xFFFFFFFF {
		size = limit + 1 // unknown length (streamed file): read to the end
	}
	if size > limit {
		// read one byte more than allowed to tell "too long" from "exactly the limit"
		size = limit + 1
	}
	raw, err := io.ReadAll(io.LimitReader(r, size))
	if err != nil {
		return nil, fmt.Errorf("%w: reading data: %v", ErrMalformed, err)
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("%w: more than %d samples (%d s)", ErrTooLarge, maxSamples, maxSamples/8000)
	}
	a := &Audio{Format: f.tag}
	switch f.tag {
	case FormatPCM:
		n := len(raw) / 2
		a.Samples = make([]int16, n)
		for i := range n {
			a.Samples[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
		}
	case FormatMuLaw:
		a.Samples = make([]int16, len(raw))
		for i, b := range raw {
			a.Samples[i] = g711.DecodeUlawFrame(b)
		}
	case FormatALaw:
		a.Samples = make([]int16, len(raw))
		for i, b := range raw {
			a.Samples[i] = g711.DecodeAlawFrame(b)
		}
	}
	return a, nil
}

func skip(r io.Reader, n int64) error {
	m, err := io.CopyN(io.Discard, r, n)
	if m == n {
		return nil
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func short(err error) string {
	if err == io.EOF {
		return "empty"
	}
	return "truncated"
}

func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 32 || c > 126 {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}

// Encode writes samples as an 8 kHz mono WAV file in the given format (FormatPCM,
// FormatMuLaw or FormatALaw). Tests and tools use it to make fixtures.
func Encode(w io.Writer, samples []int16, format int) error {
	var data []byte
	bits := 8
	switch format {
	case FormatPCM:
		bits = 16
		data = make([]byte, 2*len(samples))
		for i, s := range samples {
			binary.LittleEndian.PutUint16(data[2*i:], uint16(s))
		}
	case FormatMuLaw:
		data = make([]byte, len(samples))
		for i, s := range samples {
			data[i] = g711.EncodeUlawFrame(s)
		}
	case FormatALaw:
		data = make([]byte, len(samples))
		for i, s := range samples {
			data[i] = g711.EncodeAlawFrame(s)
		}
	default:
		return fmt.Errorf("%w: cannot write %s", ErrUnsupported, FormatName(format))
	}
	hdr := make([]byte, 0, 44)
	hdr = append(hdr, "RIFF"...)
	hdr = binary.LittleEndian.AppendUint32(hdr, uint32(36+len(data)+len(data)%2))
	hdr = append(hdr, "WAVEfmt "...)
	hdr = binary.LittleEndian.AppendUint32(hdr, 16)
	hdr = binary.LittleEndian.AppendUint16(hdr, uint16(format))
	hdr = binary.LittleEndian.AppendUint16(hdr, 1)
	hdr = binary.LittleEndian.AppendUint32(hdr, 8000)
	hdr = binary.LittleEndian.AppendUint32(hdr, uint32(8000*bits/8))
	hdr = binary.LittleEndian.AppendUint16(hdr, uint16(bits/8))
	hdr = binary.LittleEndian.AppendUint16(hdr, uint16(bits))
	hdr = append(hdr, "data"...)
	hdr = binary.LittleEndian.AppendUint32(hdr, uint32(len(data)))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	if len(data)%2 == 1 {
		data = append(data, 0)
	}
	_, err := w.Write(data)
	return err
}
