package probe_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/sip"
	"github.com/outdial/outdial/sip/carrier"
	"github.com/outdial/outdial/sip/probe"
)

// tone writes a short 440 Hz WAV for the carrier and the prober to play.
func tone(t *testing.T, path string, d time.Duration) *media.WAV {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	w, err := media.CreateWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]int16, 160)
	for i := 0; i < int(d/(20*time.Millisecond)); i++ {
		for j := range frame {
			frame[j] = int16(8000 * math.Sin(2*math.Pi*440*float64(i*160+j)/8000))
		}
		w.HandlePCM(frame)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	wav, err := media.LoadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	return wav
}

// TestProbeAgainstCarrier runs our call placer against our simulated carrier over real
// UDP on loopback: the outcomes must be exactly those the seeded scenario planned.
func TestProbeAgainstCarrier(t *testing.T) {
	audio := t.TempDir()
	tone(t, filepath.Join(audio, "human", "hello.wav"), 300*time.Millisecond)
	prompt := tone(t, filepath.Join(t.TempDir(), "prompt.wav"), 200*time.Millisecond)
	scenario := carrier.Scenario{
		Answer: 4, Busy: 2, NoAnswer: 1, Failure: 2, FailureCodes: []int{404, 503, 603},
		RingMS: [2]int{5, 30}, NoAnswerMS: [2]int{40, 60}, TalkMS: [2]int{150, 250},
		CarrierHangup: 0.5, EarlyMedia: 0.2,
	}
	const seed, count = 11, 14
	car, err := carrier.New(carrier.Config{Listen: "127.0.0.1:0", Scenario: scenario, Seed: seed, Audio: audio,
		RTPPorts: [2]uint16{31000, 31999}})
	if err != nil {
		t.Fatal(err)
	}
	defer car.Close()

	want := probe.Summary{Attempted: count}
	for n := uint64(0); n < count; n++ {
		p := scenario.Plan(seed, n)
		switch {
		case p.Kind == carrier.KindAnswer:
			want.Answered++
		case p.Kind == carrier.KindBusy:
			want.Busy++
		case p.Kind == carrier.KindNoAnswer:
			want.NoAnswer++
		case p.Code == 603:
			want.Rejected++
		default:
			want.Failed++
		}
	}
	if want.Answered == 0 || want.Busy == 0 || want.Failed == 0 {
		t.Fatalf("seed %d plans too few kinds of call: %+v; pick another seed", seed, want)
	}

	trunk := sip.Trunk{Name: "carrier", Address: car.Addr().String()}
	rec := t.TempDir()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	got, err := probe.Run(ctx, probe.Config{Trunk: trunk, Count: count, Concurrency: 1, Duration: 200 * time.Millisecond,
		Play: prompt, RecordDir: rec, Events: true, RTPPorts: [2]uint16{21000, 21999}}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if got.Attempted != want.Attempted || got.Answered != want.Answered || got.Busy != want.Busy ||
		got.NoAnswer != want.NoAnswer || got.Failed != want.Failed || got.Rejected != want.Rejected {
		t.Errorf("summary %+v\nwant counts %+v", got, want)
	}
	if got.RTPSent == 0 || got.RTPReceived == 0 {
		t.Errorf("no media both ways: sent %d received %d", got.RTPSent, got.RTPReceived)
	}
	if got.SetupP50MS <= 0 || got.SetupP99MS < got.SetupP50MS {
		t.Errorf("setup percentiles p50 %v p99 %v", got.SetupP50MS, got.SetupP99MS)
	}
	// Every line is JSON; the last is the summary; every call has exactly one "ended".
	ended := map[int]int{}
	var last map[string]any
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		last = nil
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if last["event"] == "ended" {
			ended[int(last["call"].(float64))]++
		}
	}
	if last["type"] != "summary" {
		t.Errorf("last line %v is not the summary", last)
	}
	if len(ended) != count {
		t.Errorf("%d calls ended, want %d", len(ended), count)
	}
	files, _ := filepath.Glob(filepath.Join(rec, "*.wav"))
	if len(files) != want.Answered {
		t.Errorf("%d recordings, want one per answered call (%d)", len(files), want.Answered)
	}
	for _, f := range files {
		if w, err := media.LoadWAV(f); err != nil || len(w.Samples) == 0 {
			t.Errorf("recording %s: %v (%d samples)", f, err, len(w.Samples))
		}
	}
}
