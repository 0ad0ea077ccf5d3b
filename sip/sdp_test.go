package sip_test

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/outdial/outdial/sip"
)

func TestParseMedia(t *testing.T) {
	cases := []struct {
		file   string
		addr   string
		codecs []string
		dtmf   int // -1: none
		dir    sip.Direction
		hold   bool
		err    error
	}{
		{file: "pcma_first.sdp", addr: "192.0.2.10:30000", codecs: []string{"PCMA", "PCMU"}, dtmf: 101, dir: sip.SendRecv},
		{file: "hold_zero_addr_static_pt.sdp", addr: "0.0.0.0:30000", codecs: []string{"PCMU"}, dtmf: -1, dir: sip.SendRecv, hold: true},
		{file: "media_level_c_sendonly.sdp", addr: "192.0.2.11:30002", codecs: []string{"PCMU"}, dtmf: 96, dir: sip.SendOnly, hold: true},
		{file: "ipv6.sdp", addr: "[2001:db8::1]:30000", codecs: []string{"PCMU", "PCMA"}, dtmf: -1, dir: sip.SendRecv},
		{file: "g729_only.sdp", err: sip.ErrNoCommonCodec},
		{file: "video_only.sdp", err: sip.ErrInvalidSDP},
		{file: "garbage.sdp", err: sip.ErrInvalidSDP},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "sdp", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			m, err := sip.ParseMedia(b)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range m.Codecs {
				names = append(names, c.Name)
			}
			dtmf := -1
			if m.HasDTMF {
				dtmf = int(m.DTMF)
			}
			if m.Addr.String() != tc.addr || !reflect.DeepEqual(names, tc.codecs) || dtmf != tc.dtmf || m.Direction != tc.dir || m.OnHold() != tc.hold {
				t.Errorf("got addr %v codecs %v dtmf %d dir %s hold %v; want %s %v %d %s %v", m.Addr, names, dtmf, m.Direction, m.OnHold(), tc.addr, tc.codecs, tc.dtmf, tc.dir, tc.hold)
			}
		})
	}
}

func TestOfferRoundTrip(t *testing.T) {
	addr := netip.MustParseAddrPort("127.0.0.1:40000")
	offer := sip.NewOffer(addr, []sip.Codec{sip.PCMA, sip.PCMU})
	got, err := sip.ParseMedia(offer.Marshal(42, 1))
	if err != nil {
		t.Fatal(err)
	}
	if got.Addr != addr || got.Codec() != sip.PCMA || len(got.Codecs) != 2 || !got.HasDTMF || got.DTMF != 101 || got.PTime != 20 {
		t.Errorf("round trip = %+v", got)
	}
}

func TestAnswer(t *testing.T) {
	local := netip.MustParseAddrPort("127.0.0.1:41000")
	cases := []struct {
		name      string
		offer     sip.Media
		supported []sip.Codec
		codec     sip.Codec
		dir       sip.Direction
		err       error
	}{
		{"first offered we support", sip.Media{Codecs: []sip.Codec{sip.PCMA, sip.PCMU}, Direction: sip.SendRecv}, []sip.Codec{sip.PCMU, sip.PCMA}, sip.PCMA, sip.SendRecv, nil},
		{"hold: sendonly answered recvonly", sip.Media{Codecs: []sip.Codec{sip.PCMU}, Direction: sip.SendOnly}, []sip.Codec{sip.PCMU}, sip.PCMU, sip.RecvOnly, nil},
		{"inactive stays inactive", sip.Media{Codecs: []sip.Codec{sip.PCMU}, Direction: sip.Inactive}, []sip.Codec{sip.PCMU}, sip.PCMU, sip.Inactive, nil},
		{"no common codec", sip.Media{Codecs: []sip.Codec{sip.PCMA}}, []sip.Codec{sip.PCMU}, sip.Codec{}, "", sip.ErrNoCommonCodec},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := sip.Answer(tc.offer, local, tc.supported)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err == nil && (a.Codec() != tc.codec || a.Direction != tc.dir || a.Addr != local) {
				t.Errorf("answer = %+v, want codec %v dir %s", a, tc.codec, tc.dir)
			}
		})
	}
}

// FuzzParseMedia: no SDP body may panic the parser, and whatever parses must survive
// an answer and a marshal/parse round trip.
func FuzzParseMedia(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "sdp", "*.sdp"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := sip.ParseMedia(b)
		if err != nil {
			return
		}
		a, err := sip.Answer(m, netip.MustParseAddrPort("127.0.0.1:40000"), []sip.Codec{sip.PCMU, sip.PCMA})
		if err != nil {
			t.Fatalf("parsed media with codecs %v cannot be answered: %v", m.Codecs, err)
		}
		if _, err := sip.ParseMedia(a.Marshal(1, 1)); err != nil {
			t.Fatalf("our answer does not parse: %v", err)
		}
	})
}
