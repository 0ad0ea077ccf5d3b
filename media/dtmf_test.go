package media_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/outdial/outdial/media"
	"github.com/pion/rtp"
)

func TestTelephoneEventMarshal(t *testing.T) {
	tests := []struct {
		name  string
		ev    media.TelephoneEvent
		bytes []byte
	}{
		{"digit 5 start", media.TelephoneEvent{Event: 5, Volume: 10, Duration: 160}, []byte{5, 10, 0, 160}},
		{"hash end", media.TelephoneEvent{Event: 11, End: true, Volume: 10, Duration: 800}, []byte{11, 0x8a, 0x03, 0x20}},
		{"max volume and duration", media.TelephoneEvent{Event: 16, Volume: 63, Duration: 0xffff}, []byte{16, 63, 0xff, 0xff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ev.Marshal(); !bytes.Equal(got, tt.bytes) {
				t.Errorf("Marshal = % x, want % x", got, tt.bytes)
			}
			var back media.TelephoneEvent
			if err := back.Unmarshal(tt.bytes); err != nil || back != tt.ev {
				t.Errorf("Unmarshal = %+v, %v; want %+v", back, err, tt.ev)
			}
		})
	}
}

func TestTelephoneEventUnmarshalRejectsShort(t *testing.T) {
	for _, b := range [][]byte{nil, {1}, {1, 2, 3}} {
		var ev media.TelephoneEvent
		if err := ev.Unmarshal(b); !errors.Is(err, media.ErrEventPayload) {
			t.Errorf("Unmarshal(% x) = %v, want ErrEventPayload", b, err)
		}
	}
	// the reserved bit is ignored, extra bytes (a second event) are ignored
	var ev media.TelephoneEvent
	if err := ev.Unmarshal([]byte{3, 0x40 | 5, 0, 80, 9, 9, 9, 9}); err != nil || ev.Volume != 5 || ev.End || ev.Event != 3 {
		t.Errorf("Unmarshal with R bit and extra bytes = %+v, %v", ev, err)
	}
}

func FuzzTelephoneEventUnmarshal(f *testing.F) {
	f.Add([]byte{5, 10, 0, 160})
	f.Add([]byte{11, 0x8a, 0x03, 0x20})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var ev media.TelephoneEvent
		if err := ev.Unmarshal(b); err != nil {
			return
		}
		// what parsed must re-marshal to the same first 4 bytes, reserved bit cleared
		want := append([]byte(nil), b[:4]...)
		want[1] &^= 0x40
		if got := ev.Marshal(); !bytes.Equal(got, want) {
			t.Fatalf("round trip % x -> %+v -> % x", b[:4], ev, got)
		}
		// and feeding it to a detector never panics
		d := media.NewDTMFDetector(media.DTMFHandlerFunc(func(media.Digit) {}))
		_ = d.HandleRTP(&rtp.Packet{Header: rtp.Header{Timestamp: 1}, Payload: b})
	})
}

func TestDigitEventMapping(t *testing.T) {
	for i, d := range "0123456789*#ABCD" {
		ev, err := media.EventForDigit(d)
		if err != nil || int(ev) != i {
			t.Errorf("EventForDigit(%c) = %d, %v; want %d", d, ev, err, i)
		}
		if back, ok := media.DigitForEvent(ev); !ok || back != d {
			t.Errorf("DigitForEvent(%d) = %c, %v", ev, back, ok)
		}
	}
	if ev, err := media.EventForDigit('b'); err != nil || ev != 13 {
		t.Errorf("lower-case b: %d, %v", ev, err)
	}
	for _, d := range "xE ,-" {
		if _, err := media.EventForDigit(d); !errors.Is(err, media.ErrDigit) {
			t.Errorf("EventForDigit(%q) = %v, want ErrDigit", d, err)
		}
	}
	if _, ok := media.DigitForEvent(16); ok {
		t.Error("flash (16) maps to a digit")
	}
}

// evPacket is one telephone-event packet for detector tests.
type evPacket struct {
	ts    uint32
	event uint8
	end   bool
	dur   uint16
}

func TestDTMFDetector(t *testing.T) {
	tests := []struct {
		name    string
		packets []evPacket
		want    string
		wantDur []time.Duration
	}{
		{
			name: "one digit, three end packets",
			packets: []evPacket{
				{1000, 1, false, 160}, {1000, 1, false, 320}, {1000, 1, true, 800}, {1000, 1, true, 800}, {1000, 1, true, 800},
			},
			want: "1", wantDur: []time.Duration{100 * time.Millisecond},
		},
		{
			name: "same digit twice is two events",
			packets: []evPacket{
				{1000, 7, false, 160}, {1000, 7, true, 480}, {1000, 7, true, 480},
				{3000, 7, false, 160}, {3000, 7, true, 480},
			},
			want: "77",
		},
		{
			name: "all end packets lost: reported when the next event starts",
			packets: []evPacket{
				{1000, 2, false, 160}, {1000, 2, false, 320},
				{5000, 3, false, 160}, {5000, 3, true, 320},
			},
			want: "23", wantDur: []time.Duration{40 * time.Millisecond, 40 * time.Millisecond},
		},
		{
			name:    "start packet lost, only end packets",
			packets: []evPacket{{1000, 11, true, 800}, {1000, 11, true, 800}},
			want:    "#",
		},
		{
			name:    "flash is not a digit",
			packets: []evPacket{{1000, 16, true, 800}, {2000, 10, true, 800}},
			want:    "*",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []media.Digit
			d := media.NewDTMFDetector(media.DTMFHandlerFunc(func(dg media.Digit) { got = append(got, dg) }))
			for i, p := range tt.packets {
				pkt := &rtp.Packet{
					Header:  rtp.Header{Version: 2, PayloadType: 101, SequenceNumber: uint16(i), Timestamp: p.ts, SSRC: 1},
					Payload: media.TelephoneEvent{Event: p.event, End: p.end, Duration: p.dur}.Marshal(),
				}
				if err := d.HandleRTP(pkt); err != nil {
					t.Fatal(err)
				}
			}
			var s string
			for i, dg := range got {
				s += string(dg.Digit)
				if i < len(tt.wantDur) && dg.Duration != tt.wantDur[i] {
					t.Errorf("digit %d duration %v, want %v", i, dg.Duration, tt.wantDur[i])
				}
			}
			if s != tt.want {
				t.Errorf("digits %q, want %q", s, tt.want)
			}
		})
	}
}
