package sip_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/outdial/outdial/sip"
)

func TestTrunkValidate(t *testing.T) {
	good := sip.Trunk{Name: "carrier-a", Address: "203.0.113.7:5060", Transport: sip.TransportUDP,
		Username: "u", Password: "p", CallerID: "+15551234567", MaxChannels: 30, MaxCPS: 5, Codecs: []string{"PCMA", "PCMU"}, Allow: []string{"203.0.113.0/24"}}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid trunk: %v", err)
	}
	cases := []struct {
		name  string
		edit  func(*sip.Trunk)
		field string
	}{
		{"no name", func(t *sip.Trunk) { t.Name = "" }, "field name"},
		{"name with space", func(t *sip.Trunk) { t.Name = "a b" }, "field name"},
		{"address without port", func(t *sip.Trunk) { t.Address = "203.0.113.7" }, "field address"},
		{"address bad port", func(t *sip.Trunk) { t.Address = "203.0.113.7:99999" }, "field address"},
		{"transport", func(t *sip.Trunk) { t.Transport = "sctp" }, "field transport"},
		{"password without user", func(t *sip.Trunk) { t.Username = "" }, "field username/password"},
		{"caller id injection", func(t *sip.Trunk) { t.CallerID = "+1555\r\nX-Evil: 1" }, "field caller_id"},
		{"negative channels", func(t *sip.Trunk) { t.MaxChannels = -1 }, "field max_channels"},
		{"negative cps", func(t *sip.Trunk) { t.MaxCPS = -2 }, "field max_cps"},
		{"unknown codec", func(t *sip.Trunk) { t.Codecs = []string{"G729"} }, "field codecs"},
		{"codec twice", func(t *sip.Trunk) { t.Codecs = []string{"PCMU", "pcmu"} }, "field codecs"},
		{"bad allow", func(t *sip.Trunk) { t.Allow = []string{"not-an-ip"} }, "field allow"},
		{"bad from domain", func(t *sip.Trunk) { t.FromDomain = "a b" }, "field from_domain"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := good
			tc.edit(&tr)
			err := tr.Validate()
			if !errors.Is(err, sip.ErrInvalidTrunk) {
				t.Fatalf("err = %v, want ErrInvalidTrunk", err)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("err = %q, want it to name %q", err, tc.field)
			}
		})
	}
}

func TestParseTrunkURI(t *testing.T) {
	cases := []struct {
		in        string
		addr      string
		transport sip.Transport
		bad       bool
	}{
		{in: "sip:127.0.0.1:5070", addr: "127.0.0.1:5070"},
		{in: "sip:carrier.example.net", addr: "carrier.example.net:5060"},
		{in: "sip:127.0.0.1:5070;transport=tcp", addr: "127.0.0.1:5070", transport: sip.TransportTCP},
		{in: "127.0.0.1:5070", bad: true},
		{in: "sip:127.0.0.1:5070;transport=carrier-pigeon", bad: true},
	}
	for _, tc := range cases {
		tr, err := sip.ParseTrunkURI("cli", tc.in)
		if tc.bad {
			if !errors.Is(err, sip.ErrInvalidTrunk) {
				t.Errorf("ParseTrunkURI(%q) err = %v, want ErrInvalidTrunk", tc.in, err)
			}
			continue
		}
		if err != nil || tr.Address != tc.addr || tr.Transport != tc.transport {
			t.Errorf("ParseTrunkURI(%q) = %+v, %v; want address %s transport %q", tc.in, tr, err, tc.addr, tc.transport)
		}
	}
}
