package media_test

import (
	"errors"
	"testing"

	"github.com/outdial/outdial/media"
	"github.com/pion/rtp"
)

func TestDecoderStage(t *testing.T) {
	samples := tone(media.FrameSamples, 1000, 9000)
	tests := []struct {
		name string
		pt   uint8
		want []int16 // nil: nothing delivered
	}{
		{"PCMU", 0, g711RoundTrip(media.PCMU, samples)},
		{"PCMA", 8, g711RoundTrip(media.PCMA, samples)},
		{"telephone-event ignored", 101, nil},
		{"comfort noise ignored", 13, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newPCMCollector()
			dec := media.NewDecoder(got)
			payload := make([]byte, len(samples))
			if c, err := media.CodecForPayloadType(tt.pt); err == nil {
				c.Encode(payload, samples)
			}
			if err := dec.HandleRTP(&rtp.Packet{Header: rtp.Header{PayloadType: tt.pt}, Payload: payload}); err != nil {
				t.Fatal(err)
			}
			if s := got.snapshot(); !equalPCM(s, tt.want) {
				t.Errorf("delivered %d samples, want %d", len(s), len(tt.want))
			}
		})
	}
}

func TestMultiRTPRunsAllAndJoinsErrors(t *testing.T) {
	errA, errB := errors.New("a"), errors.New("b")
	calls := 0
	h := media.MultiRTP(
		media.RTPHandlerFunc(func(*rtp.Packet) error { calls++; return errA }),
		nil,
		media.RTPHandlerFunc(func(*rtp.Packet) error { calls++; return nil }),
		media.RTPHandlerFunc(func(*rtp.Packet) error { calls++; return errB }),
	)
	err := h.HandleRTP(&rtp.Packet{})
	if calls != 3 || !errors.Is(err, errA) || !errors.Is(err, errB) {
		t.Errorf("calls %d, err %v: want 3 calls and both errors", calls, err)
	}
	w := &trackWriter{}
	if err := media.ForwardTo(w).HandleRTP(&rtp.Packet{Header: rtp.Header{SequenceNumber: 7}}); err != nil || len(w.pkts) != 1 || w.pkts[0].SequenceNumber != 7 {
		t.Errorf("ForwardTo did not pass the packet on: %v %v", err, w.pkts)
	}
}

func TestParseCodec(t *testing.T) {
	tests := []struct {
		in   string
		want media.Codec
		err  bool
	}{
		{"PCMU", media.PCMU, false},
		{" pcma ", media.PCMA, false},
		{"G729", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		c, err := media.ParseCodec(tt.in)
		if (err != nil) != tt.err || (err == nil && c != tt.want) {
			t.Errorf("ParseCodec(%q) = %v, %v", tt.in, c, err)
		}
		if err != nil && !errors.Is(err, media.ErrCodec) {
			t.Errorf("ParseCodec(%q) error %v is not ErrCodec", tt.in, err)
		}
	}
}
