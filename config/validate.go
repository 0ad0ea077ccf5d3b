package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// Validate checks every key and returns all problems at once, each naming the key
// path and the allowed range.
func (c Config) Validate() error {
	var errs []error
	bad := func(key string, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrInvalid, key, fmt.Sprintf(format, args...)))
	}
	intRange := func(key string, v, lo, hi int) {
		if v < lo || v > hi {
			bad(key, "%d is out of range; allowed %d..%d", v, lo, hi)
		}
	}
	hostPort := func(key, v string) {
		_, port, err := net.SplitHostPort(v)
		if err != nil {
			bad(key, "%q is not host:port (for example 127.0.0.1:8080)", v)
			return
		}
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			bad(key, "port %q is out of range; allowed 0..65535", port)
		}
	}

	hostPort("server.listen", c.Server.Listen)
	if d := c.Server.DrainTimeout; d < time.Second || d > 10*time.Minute {
		bad("server.drain_timeout", "%s is out of range; allowed 1s..10m", d)
	}
	if n := c.Server.MaxBodyBytes; n < 1<<10 || n > 64<<20 {
		bad("server.max_body_bytes", "%d is out of range; allowed 1024..67108864", n)
	}
	if n := c.Server.MaxUploadBytes; n < 1<<10 || n > 8<<30 {
		bad("server.max_upload_bytes", "%d is out of range; allowed 1024..8589934592", n)
	}

	switch {
	case strings.HasPrefix(c.Database.URL, "sqlite://"):
		if strings.TrimPrefix(c.Database.URL, "sqlite://") == "" {
			bad("database.url", "sqlite:// needs a file path, for example sqlite://./data/outdial.db")
		}
	case strings.HasPrefix(c.Database.URL, "postgres://"), strings.HasPrefix(c.Database.URL, "postgresql://"):
	default:
		bad("database.url", "%q has an unknown scheme; allowed sqlite://PATH or postgres://USER@HOST/DB", c.Database.URL)
	}

	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not allowed; allowed debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "%q is not allowed; allowed text, json", c.Log.Format)
	}

	if k := c.Security.SecretKey; k != "" && len(k) < 32 {
		bad("security.secret_key", "is %d characters; it needs at least 32", len(k))
	}
	intRange("security.bcrypt_cost", c.Security.BcryptCost, 4, 16)
	intRange("security.min_password_length", c.Security.MinPasswordLength, 8, 128)

	hostPort("sip.listen", c.SIP.Listen)
	intRange("sip.rtp_port_min", c.SIP.RTPPortMin, 1024, 65534)
	intRange("sip.rtp_port_max", c.SIP.RTPPortMax, 1025, 65535)
	if c.SIP.RTPPortMax-c.SIP.RTPPortMin < 2 {
		bad("sip.rtp_port_max", "%d must be at least sip.rtp_port_min+2 (%d)", c.SIP.RTPPortMax, c.SIP.RTPPortMin+2)
	}
	if c.SIP.ListenTCP != "" {
		hostPort("sip.listen_tcp", c.SIP.ListenTCP)
	}
	if c.SIP.ListenTLS != "" {
		hostPort("sip.listen_tls", c.SIP.ListenTLS)
		if c.SIP.TLSCertFile == "" || c.SIP.TLSKeyFile == "" {
			bad("sip.tls_cert_file", "sip.listen_tls needs a certificate and key; set sip.tls_cert_file and sip.tls_key_file (PEM files)")
		}
	}
	for _, kf := range [][2]string{{"sip.tls_cert_file", c.SIP.TLSCertFile}, {"sip.tls_key_file", c.SIP.TLSKeyFile}, {"sip.tls_ca_file", c.SIP.TLSCAFile}} {
		if kf[1] == "" {
			continue
		}
		if _, err := os.Stat(kf[1]); err != nil {
			bad(kf[0], "%q cannot be read: %v", kf[1], err)
		}
	}

	for _, ip := range c.WebRTC.PublicIPList() {
		if _, err := netip.ParseAddr(ip); err != nil {
			bad("webrtc.public_ips", "%q is not an IP address; write addresses separated by commas, for example 203.0.113.10", ip)
		}
	}
	if w := c.WebRTC; w.PortMin != 0 || w.PortMax != 0 {
		intRange("webrtc.port_min", w.PortMin, 1024, 65534)
		intRange("webrtc.port_max", w.PortMax, 1025, 65535)
		switch {
		case w.PortMax <= w.PortMin:
			bad("webrtc.port_max", "%d must be above webrtc.port_min (%d); set both to 0 for any port", w.PortMax, w.PortMin)
		case w.PortMin <= c.SIP.RTPPortMax+1 && c.SIP.RTPPortMin <= w.PortMax: // RTCP may take the port above an RTP port
			bad("webrtc.port_min", "%d..%d overlaps the RTP ports sip.rtp_port_min..max (%d..%d, and the RTCP port above them); use a separate range",
				w.PortMin, w.PortMax, c.SIP.RTPPortMin, c.SIP.RTPPortMax+1)
		}
	}

	if _, err := c.AMD.Detector(); err != nil {
		errs = append(errs, fmt.Errorf("%w: %v", ErrInvalid, err))
	}

	floor, errF := time.Parse("15:04", c.Compliance.CallingHoursFloor)
	if errF != nil {
		bad("compliance.calling_hours_floor", "%q is not a time of day; write it as HH:MM, for example 08:00", c.Compliance.CallingHoursFloor)
	}
	ceiling, errC := time.Parse("15:04", c.Compliance.CallingHoursCeiling)
	if errC != nil {
		bad("compliance.calling_hours_ceiling", "%q is not a time of day; write it as HH:MM, for example 21:00", c.Compliance.CallingHoursCeiling)
	}
	if errF == nil && errC == nil && !floor.Before(ceiling) {
		bad("compliance.calling_hours_ceiling", "%s must be later than compliance.calling_hours_floor (%s)", c.Compliance.CallingHoursCeiling, c.Compliance.CallingHoursFloor)
	}

	intRange("limits.max_concurrent_calls_ceiling", c.Limits.MaxConcurrentCallsCeiling, 1, 100_000)
	intRange("limits.max_active_voice_campaigns", c.Limits.MaxActiveVoiceCampaigns, 1, 10_000)
	intRange("limits.contacts_per_list", c.Limits.ContactsPerList, 1, 100_000_000)
	intRange("limits.contacts_per_account", c.Limits.ContactsPerAccount, 1, 1_000_000_000)
	intRange("limits.contact_lists", c.Limits.ContactLists, 1, 1_000_000)
	intRange("limits.list_columns", c.Limits.ListColumns, 2, 1_000)
	intRange("limits.list_field_chars", c.Limits.ListFieldChars, 1, 100_000)
	intRange("limits.dnc_entries_per_list", c.Limits.DNCEntriesPerList, 1, 100_000_000)
	intRange("limits.dnc_entries_per_account", c.Limits.DNCEntriesPerAccount, 1, 1_000_000_000)
	intRange("limits.dnc_lists", c.Limits.DNCLists, 1, 1_000_000)
	return errors.Join(errs...)
}
