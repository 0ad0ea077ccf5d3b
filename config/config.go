package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/outdial/outdial/amd"
)

// Config is outdial's whole server configuration. Every field has a default (see
// Default), a YAML key (the yaml tag), an environment variable (OUTDIAL_ followed by the
// key path in upper case with dots as underscores, e.g. OUTDIAL_SERVER_LISTEN) and a
// rule in Validate.
type Config struct {
	Server     Server     `yaml:"server"`
	Database   Database   `yaml:"database"`
	Log        Log        `yaml:"log"`
	Security   Security   `yaml:"security"`
	SIP        SIP        `yaml:"sip"`
	WebRTC     WebRTC     `yaml:"webrtc"`
	Compliance Compliance `yaml:"compliance"`
	AMD        AMD        `yaml:"amd"`
	Pacing     Pacing     `yaml:"pacing"`
	Limits     Limits     `yaml:"limits"`
}

// Server configures the HTTP server.
type Server struct {
	// Listen is the HTTP listen address, host:port.
	Listen string `yaml:"listen"`
	// DrainTimeout bounds the graceful shutdown: requests still running after it are cut.
	DrainTimeout time.Duration `yaml:"drain_timeout"`
	// MaxBodyBytes caps JSON request bodies; larger bodies get HTTP 413.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxUploadBytes caps file uploads (CSV lists).
	MaxUploadBytes int64 `yaml:"max_upload_bytes"`
}

// Database selects the store backend.
type Database struct {
	// URL is sqlite://PATH (embedded, the default; PATH is everything after the
	// scheme, e.g. sqlite://./data/outdial.db or sqlite:///var/lib/outdial.db) or postgres://...
	URL string `yaml:"url" secret:"password"`
}

// Log configures structured logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

// Security holds keys and password rules.
type Security struct {
	// SecretKey encrypts secrets at rest (list integration credentials, trunk passwords).
	// 32 bytes or more; outdial dev generates one under ./data when it is empty.
	SecretKey string `yaml:"secret_key" secret:"all"`
	// BcryptCost is the cost of password hashes.
	BcryptCost int `yaml:"bcrypt_cost"`
	// MinPasswordLength is the shortest password accepted for a user.
	MinPasswordLength int `yaml:"min_password_length"`
}

// SIP configures the SIP user agent and RTP ports.
type SIP struct {
	// Listen is the SIP UDP listen address, host:port.
	Listen string `yaml:"listen"`
	// RTPPortMin and RTPPortMax bound the RTP port pool.
	RTPPortMin int `yaml:"rtp_port_min"`
	RTPPortMax int `yaml:"rtp_port_max"`
	// ListenTCP, when set, takes SIP over TCP (tcp trunks' in-dialog requests).
	ListenTCP string `yaml:"listen_tcp"`
	// ListenTLS, when set, takes SIP over TLS with TLSCertFile and TLSKeyFile (PEM), so
	// tls trunks can send in-dialog requests (BYE, re-INVITE) over TLS to us.
	ListenTLS   string `yaml:"listen_tls"`
	TLSCertFile string `yaml:"tls_cert_file"`
	TLSKeyFile  string `yaml:"tls_key_file"`
	// TLSCAFile (PEM) adds certificate authorities trusted for tls trunks, besides the
	// system's.
	TLSCAFile string `yaml:"tls_ca_file"`
}

// WebRTC configures the agents' browser audio legs. ICE uses host candidates only (no
// STUN or TURN): agents must reach one of the addresses announced, on a port of the
// range.
type WebRTC struct {
	// PublicIPs, comma-separated, are announced instead of the host's own addresses
	// (1:1 NAT: the addresses agents reach this server at). Empty: the host's addresses.
	PublicIPs string `yaml:"public_ips"`
	// PortMin and PortMax bound the UDP ports of the legs (a signed-in agent's leg
	// takes one per local address offered); 0 and 0 take any ephemeral port. Open
	// this range to the agents in the firewall.
	PortMin int `yaml:"port_min"`
	PortMax int `yaml:"port_max"`
}

// PublicIPList returns PublicIPs as a list (spaces trimmed, empty items dropped).
func (w WebRTC) PublicIPList() []string {
	var out []string
	for _, ip := range strings.Split(w.PublicIPs, ",") {
		if ip = strings.TrimSpace(ip); ip != "" {
			out = append(out, ip)
		}
	}
	return out
}

// Compliance holds rules no campaign setting can loosen.
type Compliance struct {
	// CallingHoursFloor and CallingHoursCeiling bound every contactable window, in the
	// contact's local time (HH:MM, 24-hour): no call before the floor or after the
	// ceiling, whatever a campaign's windows say. The TCPA's 08:00-21:00 by default.
	CallingHoursFloor   string `yaml:"calling_hours_floor"`
	CallingHoursCeiling string `yaml:"calling_hours_ceiling"`
}

// Pacing tunes the dialing pacer (docs/pacing.md).
type Pacing struct {
	// FullRing lets every unanswered predictive call ring for its campaign's whole Max
	// Ring Time. By default (false) the pacer hangs up a predictive call that has rung
	// the 15 s legal minimum when a live answer on it would likely find no agent: fewer
	// abandoned calls and more talk time, at the price of a retry for the few people
	// who would have answered late.
	FullRing bool `yaml:"full_ring"`
}

// AMD chooses the answering-machine detector's parameters for calls placed by this
// server (the campaign's Voice Machine Timeouts settings are applied on top).
type AMD struct {
	// Preset is the parameter set to start from: default or asterisk.
	Preset string `yaml:"preset"`
	// Params, comma-separated key=value pairs with the keys of `outdial amd params`,
	// change single parameters of the preset, for example
	// "recordedGreeting=0,greeting=5000" for lists of businesses on VoIP lines.
	Params string `yaml:"params"`
}

// Detector returns the detector parameters a says, or an error naming the key.
func (a AMD) Detector() (amd.Params, error) {
	p, err := amd.Preset(a.Preset)
	if err != nil {
		return amd.Params{}, fmt.Errorf("amd.preset: %w", err)
	}
	var sets []string
	for _, kv := range strings.Split(a.Params, ",") {
		if kv = strings.TrimSpace(kv); kv != "" {
			sets = append(sets, kv)
		}
	}
	if err := p.SetAll(sets); err != nil {
		return amd.Params{}, fmt.Errorf("amd.params: %w", err)
	}
	if err := p.Validate(); err != nil {
		return amd.Params{}, fmt.Errorf("amd.params: %w", err)
	}
	return p, nil
}

// Limits are the account-wide ceilings the spec names. Operators may raise them within
// the bounds Validate enforces.
type Limits struct {
	// MaxConcurrentCallsCeiling is the highest value the Max Concurrent Calls setting may
	// take (the spec's 25); raise it up to the trunk capacity.
	MaxConcurrentCallsCeiling int `yaml:"max_concurrent_calls_ceiling"`
	// MaxActiveVoiceCampaigns is how many voice campaigns may run at once.
	MaxActiveVoiceCampaigns int `yaml:"max_active_voice_campaigns"`
	ContactsPerList         int `yaml:"contacts_per_list"`
	ContactsPerAccount      int `yaml:"contacts_per_account"`
	ContactLists            int `yaml:"contact_lists"`
	ListColumns             int `yaml:"list_columns"`
	ListFieldChars          int `yaml:"list_field_chars"`
	DNCEntriesPerList       int `yaml:"dnc_entries_per_list"`
	DNCEntriesPerAccount    int `yaml:"dnc_entries_per_account"`
	DNCLists                int `yaml:"dnc_lists"`
}

// Default returns the configuration used when nothing overrides it.
func Default() Config {
	return Config{
		Server: Server{
			Listen:         "127.0.0.1:8080",
			DrainTimeout:   10 * time.Second,
			MaxBodyBytes:   1 << 20,
			MaxUploadBytes: 256 << 20,
		},
		Database:   Database{URL: "sqlite://./data/outdial.db"},
		Log:        Log{Level: "info", Format: "text"},
		Security:   Security{BcryptCost: 10, MinPasswordLength: 8},
		SIP:        SIP{Listen: "127.0.0.1:5060", RTPPortMin: 20000, RTPPortMax: 30000},
		WebRTC:     WebRTC{PortMin: 30002, PortMax: 32001},
		Compliance: Compliance{CallingHoursFloor: "08:00", CallingHoursCeiling: "21:00"},
		AMD:        AMD{Preset: "default"},
		Limits: Limits{
			MaxConcurrentCallsCeiling: 25,
			MaxActiveVoiceCampaigns:   50,
			ContactsPerList:           1_000_000,
			ContactsPerAccount:        5_000_000,
			ContactLists:              1_000,
			ListColumns:               150,
			ListFieldChars:            300,
			DNCEntriesPerList:         1_000_000,
			DNCEntriesPerAccount:      2_000_000,
			DNCLists:                  1_000,
		},
	}
}
