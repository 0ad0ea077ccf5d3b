package sip_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial/sip"
	"github.com/outdial/outdial/sip/carrier"
)

// selfSigned makes a certificate for 127.0.0.1 valid for an hour, and a pool that
// trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "carrier.test"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestTLSTrunk places calls over SIP over TLS to our simulated carrier on loopback, a
// real TLS handshake against a certificate the test makes: with the certificate
// trusted the call is answered, carries the INVITE, 200 and ACK over TLS and ends with
// our BYE; a client that does not trust it fails the call (transport error, no
// failover target) and the carrier never sees an INVITE.
func TestTLSTrunk(t *testing.T) {
	cert, pool := selfSigned(t)
	var mu sync.Mutex
	var reports []carrier.Report
	car, err := carrier.New(carrier.Config{Listen: "127.0.0.1:0", ListenTLS: "127.0.0.1:0",
		TLS:      &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		Scenario: carrier.Scenario{Answer: 1, RingMS: [2]int{20, 40}, TalkMS: [2]int{30000, 30000}},
		RTPPorts: [2]uint16{33000, 33099},
		Report: func(r carrier.Report) {
			mu.Lock()
			reports = append(reports, r)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer car.Close()
	trunk := sip.Trunk{Name: "carrier-tls", Address: car.TLSAddr().String(), Transport: sip.TransportTLS, CallerID: "+15550001111"}

	cases := []struct {
		name    string
		roots   *x509.CertPool
		outcome sip.Outcome
		reports int
	}{
		{name: "trusted certificate", roots: pool, outcome: sip.OutcomeConnected, reports: 1},
		{name: "untrusted certificate", roots: x509.NewCertPool(), outcome: sip.OutcomeFailed, reports: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, sip.Config{Trunks: []sip.Trunk{trunk},
				TLSConfig: &tls.Config{RootCAs: tc.roots, MinVersion: tls.VersionTLS12}})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			call, err := c.Dial(ctx, sip.DialRequest{To: "+15551234567", RTP: testRTP, MaxDuration: 10 * time.Second})
			if err != nil {
				if tc.outcome == sip.OutcomeConnected {
					t.Fatal(err)
				}
				t.Logf("dial refused: %v", err)
			} else {
				drive(t, call, sip.EventAnswered)
				res := call.Result()
				if res.Outcome != tc.outcome {
					t.Errorf("outcome %s (%d %s), want %s", res.Outcome, res.Code, res.Reason, tc.outcome)
				}
				if tc.outcome == sip.OutcomeConnected && res.HangupBy != "local" {
					t.Errorf("hangup_by %q, want local (our BYE over TLS)", res.HangupBy)
				}
			}
			// The carrier reports a call once it has ended on its side.
			deadline := time.Now().Add(5 * time.Second)
			for {
				mu.Lock()
				n := len(reports)
				var last carrier.Report
				if n > 0 {
					last = reports[n-1]
				}
				mu.Unlock()
				if n >= tc.reports || time.Now().After(deadline) {
					if n != tc.reports {
						t.Fatalf("carrier saw %d calls, want %d in all", n, tc.reports)
					}
					if tc.outcome == sip.OutcomeConnected && (last.Outcome != "answered" || last.HangupBy != "caller") {
						t.Errorf("carrier report %+v; want answered, hung up by the caller", last)
					}
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// TestTLSTrunkFarEndBye: with a TLS listener of our own (ListenTLS, our certificate),
// the Contact of a call on a tls trunk names it, so the carrier's own BYE reaches us
// over TLS: the call ends hung up by the remote side. (Without the listener the BYE
// has nowhere to go and the call runs to its MaxDuration.)
func TestTLSTrunkFarEndBye(t *testing.T) {
	cert, pool := selfSigned(t)
	conf := &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, MinVersion: tls.VersionTLS12}
	reports := make(chan carrier.Report, 1)
	car, err := carrier.New(carrier.Config{Listen: "127.0.0.1:0", ListenTLS: "127.0.0.1:0", TLS: conf,
		Scenario: carrier.Scenario{Answer: 1, RingMS: [2]int{20, 40}, TalkMS: [2]int{300, 300}, CarrierHangup: 1},
		RTPPorts: [2]uint16{33100, 33199},
		Report:   func(r carrier.Report) { reports <- r }})
	if err != nil {
		t.Fatal(err)
	}
	defer car.Close()
	c := newTestClient(t, sip.Config{ListenTLS: "127.0.0.1:0", ServerTLS: conf, TLSConfig: conf,
		Trunks: []sip.Trunk{{Name: "carrier-tls", Address: car.TLSAddr().String(), Transport: sip.TransportTLS}}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	call, err := c.Dial(ctx, sip.DialRequest{To: "+15551234567", RTP: testRTP, MaxDuration: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	drive(t, call, "")
	res := call.Result()
	if res.Outcome != sip.OutcomeConnected || res.HangupBy != "remote" {
		t.Errorf("result %s, hung up by %q (%s); want connected, ended by the carrier's BYE", res.Outcome, res.HangupBy, res.Reason)
	}
	select {
	case r := <-reports:
		if r.Outcome != "answered" || r.HangupBy != "carrier" {
			t.Errorf("carrier report %+v; want answered, hung up by the carrier", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the carrier never reported the call")
	}
}

// TestListenTLSNeedsCertificate: a TLS listener without a certificate is a config error
// that names the field.
func TestListenTLSNeedsCertificate(t *testing.T) {
	_, err := sip.NewClient(sip.Config{Listen: "127.0.0.1:0", ListenTLS: "127.0.0.1:0", OptionsInterval: -1})
	if !errors.Is(err, sip.ErrInvalidConfig) || !strings.Contains(err.Error(), "listen_tls") {
		t.Fatalf("NewClient = %v; want ErrInvalidConfig naming listen_tls", err)
	}
}
