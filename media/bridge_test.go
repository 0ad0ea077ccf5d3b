package media_test

import (
	"context"
	"sync"
	"testing"

	"github.com/outdial/outdial/media"
	"github.com/pion/rtp"
	"github.com/zaf/g711"
)

// TestBridge connects a customer phone A to our customer leg B, bridges B with our
// agent leg C, and checks that the agent phone D hears A (restamped into C's stream,
// transcoded if C speaks the other law) and that A receives D's digits.
func TestBridge(t *testing.T) {
	tests := []struct {
		name            string
		customer, agent media.Codec
	}{
		{"PCMU both legs", media.PCMU, media.PCMU},
		{"PCMU to PCMA", media.PCMU, media.PCMA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGoroutines(t)
			a, b := newPair(t, media.SessionConfig{Codec: tt.customer}, media.SessionConfig{Codec: tt.customer})
			c, d := newPair(t, media.SessionConfig{Codec: tt.agent, EventPT: 100}, media.SessionConfig{Codec: tt.agent, EventPT: 100})
			heard := newPCMCollector()
			d.OnPCM(heard)
			var (
				mu     sync.Mutex
				digits string
			)
			a.OnDTMF(media.DTMFHandlerFunc(func(dg media.Digit) { mu.Lock(); digits += string(dg.Digit); mu.Unlock() }))
			ssrcs := make(chan uint32, 1000)
			d.OnRTP(media.RTPHandlerFunc(func(p *rtp.Packet) error {
				select {
				case ssrcs <- p.SSRC:
				default:
				}
				return nil
			}))

			unbridge := media.Bridge(b, c)
			defer unbridge()

			prompt := tone(10*media.FrameSamples, 700, 7000)
			if err := a.Play(context.Background(), media.NewPCMReader(prompt)); err != nil {
				t.Fatal(err)
			}
			want := g711RoundTrip(tt.customer, prompt)
			if tt.customer != tt.agent {
				want = transcodeUtoA(tt.customer, prompt)
			}
			waitFor(t, "A's prompt at D", func() bool { return indexOf(heard.snapshot(), want) >= 0 })

			if err := d.SendDTMF(context.Background(), "42"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "D's digits at A", func() bool { mu.Lock(); defer mu.Unlock(); return len(digits) >= 2 })
			mu.Lock()
			if digits != "42" {
				t.Errorf("A received digits %q, want %q", digits, "42")
			}
			mu.Unlock()

			d.OnRTP(nil)
			// drain without closing: a handler call already under way may still send
			for drained := false; !drained; {
				select {
				case s := <-ssrcs:
					if s != c.SSRC() {
						t.Fatalf("D received SSRC %x, want C's %x", s, c.SSRC())
					}
				default:
					drained = true
				}
			}
			if st := d.Stats(); st.Lost != 0 || st.OutOfOrder != 0 || st.Duplicates != 0 {
				t.Errorf("D's stream through the bridge: lost %d ooo %d dup %d, want a continuous stream", st.Lost, st.OutOfOrder, st.Duplicates)
			}
		})
	}
}

// transcodeUtoA is what D decodes when A sends mu-law and the bridge converts it to A-law.
func transcodeUtoA(_ media.Codec, samples []int16) []int16 {
	out := make([]int16, len(samples))
	for i, s := range samples {
		out[i] = g711.DecodeAlawFrame(g711.Ulaw2AlawFrame(g711.EncodeUlawFrame(s)))
	}
	return out
}

// trackWriter stands in for a WebRTC track: it passes numbering through.
type trackWriter struct {
	pkts []rtp.Header
}

func (w *trackWriter) WriteRTP(p *rtp.Packet) error { w.pkts = append(w.pkts, p.Header); return nil }

func TestRestamperKeepsOutgoingStreamContinuous(t *testing.T) {
	w := &trackWriter{}
	r := media.NewRestamper(w, 0xabc)
	in := func(ssrc uint32, seq uint16, ts uint32) {
		if err := r.WriteRTP(&rtp.Packet{Header: rtp.Header{PayloadType: 0, SSRC: ssrc, SequenceNumber: seq, Timestamp: ts}, Payload: make([]byte, 160)}); err != nil {
			t.Fatal(err)
		}
	}
	in(1, 100, 1000)
	in(1, 101, 1160)
	in(1, 103, 1480) // one lost upstream: the gap carries through
	in(2, 9000, 777) // new upstream source (answer after early media)
	in(2, 9001, 937)
	h := w.pkts
	for i, p := range h {
		if p.SSRC != 0xabc {
			t.Fatalf("packet %d SSRC %x", i, p.SSRC)
		}
	}
	if h[1].SequenceNumber != h[0].SequenceNumber+1 || h[2].SequenceNumber != h[0].SequenceNumber+3 {
		t.Errorf("sequence numbers %d %d %d: want +1 then a gap of one", h[0].SequenceNumber, h[1].SequenceNumber, h[2].SequenceNumber)
	}
	if h[3].SequenceNumber != h[2].SequenceNumber+1 || h[4].SequenceNumber != h[3].SequenceNumber+1 {
		t.Errorf("source change broke the numbering: %d %d %d", h[2].SequenceNumber, h[3].SequenceNumber, h[4].SequenceNumber)
	}
	if h[2].Timestamp-h[0].Timestamp != 480 || h[4].Timestamp-h[3].Timestamp != 160 {
		t.Errorf("timestamps %v not carried through", []uint32{h[0].Timestamp, h[2].Timestamp, h[3].Timestamp, h[4].Timestamp})
	}
	if d := h[3].Timestamp - h[2].Timestamp; d == 0 || d > 0x80000000 {
		t.Errorf("timestamp after the source change moved by %d, want forward", d)
	}
	if !h[0].Marker || !h[3].Marker || h[1].Marker {
		t.Errorf("markers %v %v %v: want set at each new source only", h[0].Marker, h[1].Marker, h[3].Marker)
	}
}
