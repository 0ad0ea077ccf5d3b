package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outdial/outdial/config"
	"github.com/outdial/outdial/sip"
)

// TestSIPTLSFiles: the SIP TLS files are loaded at start, and a bad one stops the start
// with the key that names it.
func TestSIPTLSFiles(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		c    config.SIP
		want string
	}{
		{"ca file without certificates", config.SIP{TLSCAFile: junk}, "sip.tls_ca_file"},
		{"listener certificate unreadable", config.SIP{ListenTLS: "127.0.0.1:0", TLSCertFile: junk, TLSKeyFile: junk}, "sip.tls_cert_file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sc sip.Config
			err := sipTLS(tc.c, &sc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("sipTLS = %v; want an error naming %s", err, tc.want)
			}
		})
	}
	var sc sip.Config
	if err := sipTLS(config.SIP{}, &sc); err != nil || sc.TLSConfig != nil || sc.ServerTLS != nil {
		t.Fatalf("no TLS settings: %v, %+v", err, sc)
	}
}
