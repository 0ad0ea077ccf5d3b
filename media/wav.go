package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// WAV format codes (the fmt chunk's audio format field).
const (
	wavFormatPCM        = 1
	wavFormatALaw       = 6
	wavFormatMuLaw      = 7
	wavFormatExtensible = 0xfffe
)

// maxWAVData caps the audio read from one WAV file: one hour of 16-bit 8 kHz audio.
const maxWAVData = 3600 * SampleRate * 2

// WAVFormat is what a WAV file's fmt chunk says.
type WAVFormat struct {
	AudioFormat   uint16 // 1 PCM, 6 A-law, 7 mu-law
	Channels      uint16
	SampleRate    uint32
	BitsPerSample uint16
}

// String describes the format in words, for error messages.
func (f WAVFormat) String() string {
	name := fmt.Sprintf("format code %d", f.AudioFormat)
	switch f.AudioFormat {
	case wavFormatPCM:
		name = fmt.Sprintf("PCM %d-bit", f.BitsPerSample)
	case wavFormatALaw:
		name = "A-law"
	case wavFormatMuLaw:
		name = "mu-law"
	case 2, 3, 0x11, 0x31, 0x55:
		names := map[uint16]string{2: "MS ADPCM", 3: "IEEE float", 0x11: "IMA ADPCM", 0x31: "GSM 6.10", 0x55: "MPEG layer 3"}
		name = fmt.Sprintf("%s (format code %d)", names[f.AudioFormat], f.AudioFormat)
	}
	return fmt.Sprintf("%s, %d Hz, %d channel(s)", name, f.SampleRate, f.Channels)
}

// WAV is a decoded prompt: 8 kHz mono 16-bit samples. One WAV can be played on many
// sessions at once; each Play gets its own reader from Source.
type WAV struct {
	Format  WAVFormat // as found in the file
	Samples []int16
}

// Duration returns the length of the audio.
func (w *WAV) Duration() time.Duration {
	return time.Duration(len(w.Samples)) * time.Second / SampleRate
}

// Source returns a new PCMSource reading the WAV from the start.
func (w *WAV) Source() *PCMReader { return NewPCMReader(w.Samples) }

// LoadWAV reads and decodes a WAV file; see ReadWAV.
func LoadWAV(path string) (*WAV, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("media: open prompt: %w", err)
	}
	defer f.Close()
	w, err := ReadWAV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return w, nil
}

// ReadWAV reads a RIFF WAVE stream holding 8 kHz mono audio as 16-bit PCM, mu-law or
// A-law and decodes it to 16-bit samples. Any other format is an error wrapping
// ErrWAVFormat that says what was found and how to convert it.
func ReadWAV(r io.Reader) (*WAV, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("%w: file shorter than a RIFF header (%v)", ErrWAVFormat, err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%w: not a RIFF WAVE file (starts with %q)", ErrWAVFormat, hdr[0:4])
	}
	var (
		f       WAVFormat
		haveFmt bool
	)
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			if !haveFmt {
				return nil, fmt.Errorf("%w: no fmt chunk", ErrWAVFormat)
			}
			return nil, fmt.Errorf("%w: no data chunk", ErrWAVFormat)
		}
		id, size := string(ch[0:4]), binary.LittleEndian.Uint32(ch[4:8])
		switch id {
		case "fmt ":
			if size < 16 || size > 1024 {
				return nil, fmt.Errorf("%w: fmt chunk of %d bytes (want 16-40)", ErrWAVFormat, size)
			}
			b := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, fmt.Errorf("%w: truncated fmt chunk", ErrWAVFormat)
			}
			f = WAVFormat{
				AudioFormat:   binary.LittleEndian.Uint16(b[0:]),
				Channels:      binary.LittleEndian.Uint16(b[2:]),
				SampleRate:    binary.LittleEndian.Uint32(b[4:]),
				BitsPerSample: binary.LittleEndian.Uint16(b[14:]),
			}
			if f.AudioFormat == wavFormatExtensible && size >= 26 {
				f.AudioFormat = binary.LittleEndian.Uint16(b[24:]) // sub-format GUID starts with the code
			}
			haveFmt = true
			if err := checkWAVFormat(f); err != nil {
				return nil, err
			}
		case "data":
			if !haveFmt {
				return nil, fmt.Errorf("%w: data chunk before fmt chunk", ErrWAVFormat)
			}
			if size > maxWAVData || size == 0xffffffff {
				size = maxWAVData // streamed files write 0xffffffff; read what is there
			}
			data, err := io.ReadAll(io.LimitReader(r, int64(size)))
			if err != nil {
				return nil, fmt.Errorf("media: read WAV data: %w", err)
			}
			return &WAV{Format: f, Samples: decodeWAVData(f, data)}, nil
		default:
			if _, err := io.CopyN(io.Discard, r, int64(size)+int64(size%2)); err != nil {
				return nil, fmt.Errorf("%w: truncated %q chunk", ErrWAVFormat, id)
			}
		}
	}
}

func checkWAVFormat(f WAVFormat) error {
	ok := f.Channels == 1 && f.SampleRate == SampleRate &&
		((f.AudioFormat == wavFormatPCM && f.BitsPerSample == 16) ||
			((f.AudioFormat == wavFormatMuLaw || f.AudioFormat == wavFormatALaw) && f.BitsPerSample == 8))
	if ok {
		return nil
	}
	return fmt.Errorf("%w: found %s; need 8000 Hz mono 16-bit PCM, mu-law or A-law "+
		"(convert with: sox in.wav -r 8000 -c 1 -b 16 -e signed-integer out.wav)", ErrWAVFormat, f)
}

func decodeWAVData(f WAVFormat, data []byte) []int16 {
	switch f.AudioFormat {
	case wavFormatPCM:
		out := make([]int16, len(data)/2)
		for i := range out {
			out[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
		}
		return out
	case wavFormatALaw:
		out := make([]int16, len(data))
		PCMA.Decode(out, data)
		return out
	default:
		out := make([]int16, len(data))
		PCMU.Decode(out, data)
		return out
	}
}

// PCMReader is a PCMSource over samples in memory.
type PCMReader struct {
	samples []int16
	pos     int
}

var _ PCMSource = (*PCMReader)(nil)

// NewPCMReader returns a source that plays samples once.
func NewPCMReader(samples []int16) *PCMReader { return &PCMReader{samples: samples} }

// ReadPCM copies the next samples into frame; io.EOF comes with the last of them.
func (r *PCMReader) ReadPCM(frame []int16) (int, error) {
	n := copy(frame, r.samples[r.pos:])
	r.pos += n
	if r.pos >= len(r.samples) {
		return n, io.EOF
	}
	return n, nil
}

// WAVWriter records 16-bit PCM at 8 kHz mono to a WAV file. It is a PCMHandler: attach
// it with Session.OnPCM, MultiPCM or a Mixer. Close writes the final sizes into the
// header. Safe for concurrent use; a write error is kept and returned by Close.
type WAVWriter struct {
	mu      sync.Mutex
	w       io.WriteSeeker
	closer  io.Closer
	buf     []byte
	samples int64
	err     error
	closed  bool
}

var _ PCMHandler = (*WAVWriter)(nil)

// NewWAVWriter writes a WAV header to w and returns the writer. Close does not close w.
func NewWAVWriter(w io.WriteSeeker) (*WAVWriter, error) {
	ww := &WAVWriter{w: w, buf: make([]byte, 2*FrameSamples)}
	if _, err := w.Write(wavHeader(0)); err != nil {
		return nil, fmt.Errorf("media: write WAV header: %w", err)
	}
	return ww, nil
}

// CreateWAV creates (or truncates) the file at path for recording; Close closes it.
func CreateWAV(path string) (*WAVWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("media: create recording: %w", err)
	}
	w, err := NewWAVWriter(f)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	w.closer = f
	return w, nil
}

// HandlePCM appends frame to the recording.
func (w *WAVWriter) HandlePCM(frame []int16) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil || w.closed {
		return
	}
	if cap(w.buf) < 2*len(frame) {
		w.buf = make([]byte, 2*len(frame))
	}
	b := w.buf[:2*len(frame)]
	for i, v := range frame {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	if _, err := w.w.Write(b); err != nil {
		w.err = fmt.Errorf("media: write recording: %w", err)
		return
	}
	w.samples += int64(len(frame))
}

// Samples returns the number of samples written so far.
func (w *WAVWriter) Samples() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.samples
}

// Close patches the header with the final sizes (and closes the file if CreateWAV
// opened it). Frames handed over after Close are ignored.
func (w *WAVWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.err
	}
	w.closed = true
	err := w.err
	if err == nil {
		if _, e := w.w.Seek(0, io.SeekStart); e != nil {
			err = fmt.Errorf("media: finish recording: %w", e)
		} else if _, e := w.w.Write(wavHeader(w.samples)); e != nil {
			err = fmt.Errorf("media: finish recording: %w", e)
		} else if _, e := w.w.Seek(0, io.SeekEnd); e != nil {
			err = fmt.Errorf("media: finish recording: %w", e)
		}
	}
	if w.closer != nil {
		err = errors.Join(err, w.closer.Close())
	}
	w.err = err
	return err
}

// wavHeader returns the 44-byte header of a PCM16 8 kHz mono WAV with n samples.
func wavHeader(n int64) []byte {
	dataSize := uint32(min(n*2, 0xffffffff-36))
	h := make([]byte, 44)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], 36+dataSize)
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], wavFormatPCM)
	binary.LittleEndian.PutUint16(h[22:], 1)
	binary.LittleEndian.PutUint32(h[24:], SampleRate)
	binary.LittleEndian.PutUint32(h[28:], SampleRate*2)
	binary.LittleEndian.PutUint16(h[32:], 2)
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], dataSize)
	return h
}
