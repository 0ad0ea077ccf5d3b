package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		env       []string
		overrides map[string]string
		check     func(t *testing.T, c Config)
		wantErr   error
		errHas    []string
	}{
		{
			name: "file",
			file: "testdata/valid.yaml",
			check: func(t *testing.T, c Config) {
				if c.Server.Listen != "127.0.0.1:9090" || c.Server.DrainTimeout != 5*time.Second {
					t.Errorf("server = %+v", c.Server)
				}
				if c.Log.Level != "info" {
					t.Errorf("log.level default lost: %q", c.Log.Level)
				}
			},
		},
		{
			name: "env beats file, flag beats env",
			file: "testdata/valid.yaml",
			env:  []string{"OUTDIAL_SERVER_LISTEN=127.0.0.1:7000", "OUTDIAL_LOG_LEVEL=debug", "PATH=/bin", "OUTDIAL_REQUIRE_DEPS=1"},
			overrides: map[string]string{
				"server.listen": "127.0.0.1:7001",
			},
			check: func(t *testing.T, c Config) {
				if c.Server.Listen != "127.0.0.1:7001" {
					t.Errorf("server.listen = %q, want the flag's value", c.Server.Listen)
				}
				if c.Log.Level != "debug" {
					t.Errorf("log.level = %q, want env's debug", c.Log.Level)
				}
			},
		},
		{
			name: "amd from the environment",
			env:  []string{"OUTDIAL_AMD_PARAMS=recordedGreeting=0, greeting=5000", "OUTDIAL_AMD_CORPUS_COUNT=120"},
			check: func(t *testing.T, c Config) {
				p, err := c.AMD.Detector()
				if err != nil || p.RecordedGreeting != 0 || p.Greeting != 5000 || !p.BeepDecides {
					t.Errorf("detector %+v, %v: want the default preset with recordedGreeting 0 and greeting 5000", p, err)
				}
			},
		},
		{name: "unknown yaml key", file: "testdata/unknown_key.yaml", wantErr: ErrUnknownKey, errHas: []string{"lisen"}},
		{name: "out of range in file", file: "testdata/bad_range.yaml", wantErr: ErrInvalid, errHas: []string{"limits.max_active_voice_campaigns", "1..10000"}},
		{name: "unknown env", env: []string{"OUTDIAL_SERVER_LISTN=x"}, wantErr: ErrUnknownKey, errHas: []string{"OUTDIAL_SERVER_LISTN"}},
		{name: "env wrong type", env: []string{"OUTDIAL_SERVER_DRAIN_TIMEOUT=ten"}, wantErr: ErrInvalid, errHas: []string{"server.drain_timeout", "10s"}},
		{name: "flag out of range", overrides: map[string]string{"server.drain_timeout": "0s"}, wantErr: ErrInvalid, errHas: []string{"server.drain_timeout", "1s..10m"}},
		{name: "bad db scheme", overrides: map[string]string{"database.url": "mysql://x"}, wantErr: ErrInvalid, errHas: []string{"database.url", "sqlite://"}},
		{name: "short secret", overrides: map[string]string{"security.secret_key": "short"}, wantErr: ErrInvalid, errHas: []string{"security.secret_key", "32"}},
		{name: "unknown flag key", overrides: map[string]string{"nope.key": "1"}, wantErr: ErrUnknownKey},
		{name: "amd preset unknown", overrides: map[string]string{"amd.preset": "vicidial"}, wantErr: ErrInvalid, errHas: []string{"amd.preset", "default, asterisk"}},
		{name: "amd param unknown", overrides: map[string]string{"amd.params": "greeting=5000,recordedGreting=0"}, wantErr: ErrInvalid, errHas: []string{"amd.params", "recordedGreting"}},
		{name: "amd param out of range", overrides: map[string]string{"amd.params": "greeting=10"}, wantErr: ErrInvalid, errHas: []string{"amd.params", "greeting", "100 to 60000"}},
		{name: "calling hours not a time", overrides: map[string]string{"compliance.calling_hours_floor": "8am"}, wantErr: ErrInvalid, errHas: []string{"compliance.calling_hours_floor", "HH:MM"}},
		{name: "calling hours inverted", overrides: map[string]string{"compliance.calling_hours_floor": "22:00"}, wantErr: ErrInvalid, errHas: []string{"compliance.calling_hours_ceiling", "later"}},
		{name: "listen_tls without a certificate", overrides: map[string]string{"sip.listen_tls": "127.0.0.1:5061"}, wantErr: ErrInvalid, errHas: []string{"sip.tls_cert_file", "sip.tls_key_file"}},
		{name: "tls ca file missing", overrides: map[string]string{"sip.tls_ca_file": "/nonexistent/ca.pem"}, wantErr: ErrInvalid, errHas: []string{"sip.tls_ca_file", "cannot be read"}},
		{name: "listen_tcp not host:port", overrides: map[string]string{"sip.listen_tcp": "5060"}, wantErr: ErrInvalid, errHas: []string{"sip.listen_tcp", "host:port"}},
		{name: "rtp range inverted", overrides: map[string]string{"sip.rtp_port_min": "30000", "sip.rtp_port_max": "20000"}, wantErr: ErrInvalid, errHas: []string{"sip.rtp_port_max"}},
		{
			name: "webrtc from env",
			env:  []string{"OUTDIAL_WEBRTC_PUBLIC_IPS= 203.0.113.10 ,2001:db8::1,", "OUTDIAL_WEBRTC_PORT_MIN=40000", "OUTDIAL_WEBRTC_PORT_MAX=40999"},
			check: func(t *testing.T, c Config) {
				if got := c.WebRTC.PublicIPList(); len(got) != 2 || got[0] != "203.0.113.10" || got[1] != "2001:db8::1" {
					t.Errorf("public IPs %q", got)
				}
				if c.WebRTC.PortMin != 40000 || c.WebRTC.PortMax != 40999 {
					t.Errorf("webrtc ports %+v", c.WebRTC)
				}
			},
		},
		{
			name:      "webrtc any port",
			overrides: map[string]string{"webrtc.port_min": "0", "webrtc.port_max": "0"},
			check: func(t *testing.T, c Config) {
				if c.WebRTC.PortMin != 0 || c.WebRTC.PortMax != 0 || len(c.WebRTC.PublicIPList()) != 0 {
					t.Errorf("webrtc %+v", c.WebRTC)
				}
			},
		},
		{name: "webrtc public ip not an ip", overrides: map[string]string{"webrtc.public_ips": "203.0.113.10,agents.example.com"}, wantErr: ErrInvalid, errHas: []string{"webrtc.public_ips", "agents.example.com"}},
		{name: "webrtc range inverted", overrides: map[string]string{"webrtc.port_min": "41000", "webrtc.port_max": "40000"}, wantErr: ErrInvalid, errHas: []string{"webrtc.port_max", "webrtc.port_min"}},
		{name: "webrtc privileged port", overrides: map[string]string{"webrtc.port_min": "80", "webrtc.port_max": "40000"}, wantErr: ErrInvalid, errHas: []string{"webrtc.port_min", "1024..65534"}},
		{name: "webrtc overlaps rtp", overrides: map[string]string{"webrtc.port_min": "29000", "webrtc.port_max": "31000"}, wantErr: ErrInvalid, errHas: []string{"webrtc.port_min", "sip.rtp_port_min"}},
		{name: "webrtc on the rtcp port", overrides: map[string]string{"webrtc.port_min": "30001", "webrtc.port_max": "31000"}, wantErr: ErrInvalid, errHas: []string{"overlaps"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.file, tt.env, tt.overrides)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				for _, s := range tt.errHas {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not mention %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestMasked(t *testing.T) {
	c, err := Load("testdata/valid.yaml", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Masked().YAML()
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	for _, secret := range []string{"hunter2", "0123456789abcdef"} {
		if strings.Contains(out, secret) {
			t.Errorf("masked output leaks %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "postgres://outdial:****@127.0.0.1:5432/outdial") {
		t.Errorf("database url not masked as expected:\n%s", out)
	}
	if c.Security.SecretKey == "****" {
		t.Error("Masked changed the original")
	}
}

func TestEveryKeyHasEnvAndSet(t *testing.T) {
	for _, k := range Keys() {
		c := Default()
		if err := Set(&c, k, "1"); errors.Is(err, ErrUnknownKey) {
			t.Errorf("Set(%q) does not find its own key", k)
		}
		if !strings.HasPrefix(EnvName(k), "OUTDIAL_") {
			t.Errorf("EnvName(%q) = %q", k, EnvName(k))
		}
	}
}
