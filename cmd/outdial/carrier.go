package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sync"

	"github.com/outdial/outdial/sip/carrier"
)

// runCarrier runs the simulated SIP carrier until ctx ends, printing one JSON line per call.
func runCarrier(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("carrier", flag.ContinueOnError)
	fs.SetOutput(errOut)
	listen := fs.String("listen", "127.0.0.1:5070", "UDP `address` to answer SIP on")
	scenario := fs.String("scenario", "", "scenario `FILE` (YAML or JSON, see configs/carrier.yaml); default: built-in")
	seed := fs.Uint64("seed", 1, "seed of the scenario's random choices")
	audio := fs.String("audio", "", "`DIR` of WAV files: human/*.wav and machine/*.wav, or *.wav; or \"builtin\" for the carrier's own synthesized hello and voicemail greeting")
	ports := fs.String("rtp-ports", "30000-39999", "RTP port `range`")
	listenTLS := fs.String("listen-tls", "", "TCP `address` to answer SIP over TLS on as well (needs --tls-cert and --tls-key)")
	certFile := fs.String("tls-cert", "", "PEM certificate `FILE` for --listen-tls")
	keyFile := fs.String("tls-key", "", "PEM private key `FILE` for --listen-tls")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	s := carrier.DefaultScenario()
	if *scenario != "" {
		var err error
		if s, err = carrier.LoadScenario(*scenario); err != nil {
			return err
		}
	}
	rtp, err := parsePortRange(*ports)
	if err != nil {
		return fmt.Errorf("%w: --rtp-ports: %v", errUsage, err)
	}
	var tlsConf *tls.Config
	if *listenTLS != "" {
		if *certFile == "" || *keyFile == "" {
			return fmt.Errorf("%w: --listen-tls needs --tls-cert and --tls-key", errUsage)
		}
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	var mu sync.Mutex
	enc := json.NewEncoder(out)
	srv, err := carrier.New(carrier.Config{Listen: *listen, ListenTLS: *listenTLS, TLS: tlsConf, Scenario: s, Seed: *seed, Audio: *audio, RTPPorts: rtp,
		Report: func(r carrier.Report) {
			mu.Lock()
			defer mu.Unlock()
			_ = enc.Encode(r)
		}})
	if err != nil {
		return err
	}
	fmt.Fprintf(errOut, "outdial carrier: answering SIP on udp %s (seed %d)\n", srv.Addr(), *seed)
	if tlsConf != nil {
		fmt.Fprintf(errOut, "outdial carrier: answering SIP over TLS on %s\n", srv.TLSAddr())
	}
	<-ctx.Done()
	return srv.Close()
}

// parsePortRange reads "MIN-MAX".
func parsePortRange(s string) ([2]uint16, error) {
	var lo, hi uint16
	if _, err := fmt.Sscanf(s, "%d-%d", &lo, &hi); err != nil || lo == 0 || hi < lo {
		return [2]uint16{}, fmt.Errorf("%q is not MIN-MAX such as 30000-39999", s)
	}
	return [2]uint16{lo, hi}, nil
}
