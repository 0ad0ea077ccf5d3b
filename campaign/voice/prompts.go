package voice

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/media"
)

// TTS turns text into 8 kHz mono 16-bit speech.
type TTS interface {
	Speak(ctx context.Context, text string) ([]int16, error)
}

// Prompts finds recorded prompts (Dir/NAME.wav, 8 kHz mono PCM16, mu-law or A-law) and
// speaks text through TTS. Both are cached; it is safe for concurrent use.
type Prompts struct {
	Dir string
	TTS TTS
	// MaxCached bounds the cached renditions of text (default 1000).
	MaxCached int

	mu     sync.Mutex
	files  map[string]*media.WAV
	speech map[string]*media.WAV
}

// Prompt returns the recorded prompt name, or an error wrapping engine.ErrNoPrompt.
func (p *Prompts) Prompt(name string) (*media.WAV, error) {
	if name == "" || strings.ContainsAny(name, `/\ `) || strings.HasPrefix(name, ".") || len(name) > 100 {
		return nil, fmt.Errorf("%w: %q", engine.ErrNoPrompt, name)
	}
	p.mu.Lock()
	w := p.files[name]
	p.mu.Unlock()
	if w != nil {
		return w, nil
	}
	if p.Dir == "" {
		return nil, fmt.Errorf("%w: %q (no prompt folder configured)", engine.ErrNoPrompt, name)
	}
	w, err := media.LoadWAV(filepath.Join(p.Dir, strings.TrimSuffix(name, ".wav")+".wav"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %q in %s", engine.ErrNoPrompt, name, p.Dir)
	}
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	if p.files == nil {
		p.files = map[string]*media.WAV{}
	}
	p.files[name] = w
	p.mu.Unlock()
	return w, nil
}

// Say returns text as speech.
func (p *Prompts) Say(ctx context.Context, text string) (*media.WAV, error) {
	p.mu.Lock()
	w := p.speech[text]
	p.mu.Unlock()
	if w != nil {
		return w, nil
	}
	tts := p.TTS
	if tts == nil {
		tts = ToneSpeech{}
	}
	pcm, err := tts.Speak(ctx, text)
	if err != nil {
		return nil, err
	}
	w = &media.WAV{Samples: pcm}
	p.mu.Lock()
	if p.speech == nil || len(p.speech) >= max(p.MaxCached, 1000) {
		p.speech = map[string]*media.WAV{}
	}
	p.speech[text] = w
	p.mu.Unlock()
	return w, nil
}

// ToneSpeech stands in for a voice when no TTS is installed: a soft voiced sound per
// word (WordMS, default 120 ms, with 40 ms gaps), so the timing of a flow is kept.
type ToneSpeech struct {
	WordMS int
}

// Speak renders text.
func (t ToneSpeech) Speak(_ context.Context, text string) ([]int16, error) {
	wms := t.WordMS
	if wms <= 0 {
		wms = 120
	}
	words := len(strings.Fields(text))
	out := make([]int16, 0, words*(wms+40)*8)
	for range words {
		n := wms * 8
		for i := range n {
			env := math.Sin(math.Pi * float64(i) / float64(n))
			v := 0.0
			for h := 1; h <= 6; h++ {
				v += math.Sin(2*math.Pi*float64(h)*140*float64(i)/8000) / float64(h)
			}
			out = append(out, int16(3000*env*v))
		}
		out = append(out, make([]int16, 40*8)...)
	}
	return out, nil
}

// Espeak speaks through the espeak-ng program (Path; Voice default "en-us").
type Espeak struct {
	Path  string
	Voice string
}

// Speak runs espeak-ng and resamples its output to 8 kHz.
func (e Espeak) Speak(ctx context.Context, text string) ([]int16, error) {
	voice := e.Voice
	if voice == "" {
		voice = "en-us"
	}
	cmd := exec.CommandContext(ctx, e.Path, "--stdout", "-v", voice, "-s", "165", "--", text)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrTTS, e.Path, err)
	}
	rate, pcm, err := readPCM16(out)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTTS, err)
	}
	return resample(pcm, rate, media.SampleRate), nil
}

// readPCM16 reads a mono 16-bit PCM WAV of any rate.
func readPCM16(b []byte) (int, []int16, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return 0, nil, errors.New("not a WAV stream")
	}
	rate := 0
	for off := 12; off+8 <= len(b); {
		id, size := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:off+8]))
		body := b[off+8:]
		if size > len(body) || size < 0 || size == 0x7fffffff || size == -1 {
			size = len(body) // streamed output leaves sizes unset
		}
		switch id {
		case "fmt ":
			if size < 16 || binary.LittleEndian.Uint16(body[0:2]) != 1 || binary.LittleEndian.Uint16(body[2:4]) != 1 || binary.LittleEndian.Uint16(body[14:16]) != 16 {
				return 0, nil, errors.New("WAV is not mono 16-bit PCM")
			}
			rate = int(binary.LittleEndian.Uint32(body[4:8]))
		case "data":
			if rate == 0 {
				return 0, nil, errors.New("WAV data before its format")
			}
			pcm := make([]int16, size/2)
			_ = binary.Read(bytes.NewReader(body[:size/2*2]), binary.LittleEndian, pcm)
			return rate, pcm, nil
		}
		off += 8 + size + size%2
	}
	return 0, nil, errors.New("WAV without data")
}

// resample converts by linear interpolation (speech prompts only).
func resample(in []int16, from, to int) []int16 {
	if from == to || from <= 0 || len(in) == 0 {
		return in
	}
	n := int(int64(len(in)) * int64(to) / int64(from))
	out := make([]int16, n)
	step := float64(from) / float64(to)
	for i := range out {
		x := float64(i) * step
		k := int(x)
		if k+1 >= len(in) {
			out[i] = in[len(in)-1]
			continue
		}
		f := x - float64(k)
		out[i] = int16(float64(in[k])*(1-f) + float64(in[k+1])*f)
	}
	return out
}
