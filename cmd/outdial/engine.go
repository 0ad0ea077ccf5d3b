package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outdial/outdial/amd"
	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/campaign/voice"
	"github.com/outdial/outdial/config"
	"github.com/outdial/outdial/console"
	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/pacing"
	"github.com/outdial/outdial/sip"
	"github.com/outdial/outdial/store"
)

// dialing is the running voice side of a node: SIP client, RTP ports, engine, agent hub.
type dialing struct {
	Hub    *console.Hub
	engine *engine.Engine
	sip    *sip.Client
	cancel context.CancelFunc
	done   chan struct{}
}

// startDialing starts the SIP client on the enabled trunks of the store, the RTP port
// pool, the dialing engine and the agent hub, with metrics on reg. Stop drains it.
func startDialing(ctx context.Context, cfg config.Config, st store.Store, reg prometheus.Registerer, log *slog.Logger) (*dialing, error) {
	stored, err := st.ListTrunks(ctx)
	if err != nil {
		return nil, err
	}
	var trunks []sip.Trunk
	for _, t := range stored {
		if !t.Enabled {
			continue
		}
		trunks = append(trunks, sip.Trunk{Name: t.Name, Address: t.Address, Transport: sip.Transport(t.Transport), Username: t.Username,
			Password: t.Password, FromDomain: t.FromDomain, MaxChannels: t.MaxChannels, MaxCPS: t.MaxCPS, Codecs: t.Codecs})
	}
	sc := sip.Config{Listen: cfg.SIP.Listen, ListenTCP: cfg.SIP.ListenTCP, ListenTLS: cfg.SIP.ListenTLS, Trunks: trunks,
		Metrics: sip.NewMetrics(reg), Logger: log}
	if err := sipTLS(cfg.SIP, &sc); err != nil {
		return nil, err
	}
	client, err := sip.NewClient(sc)
	if err != nil {
		return nil, fmt.Errorf("sip.listen %s: %w", cfg.SIP.Listen, err)
	}
	started := false
	defer func() {
		if !started {
			client.Close() // a later step failed
		}
	}()
	ip := client.Addr().Addr()
	ports, err := media.NewPortPool(media.PortPoolConfig{IP: ip, Min: uint16(cfg.SIP.RTPPortMin), Max: uint16(cfg.SIP.RTPPortMax)})
	if err != nil {
		return nil, err
	}
	mm, err := media.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	prompts := &voice.Prompts{Dir: "prompts"}
	if path, err := lookEspeak(); err == nil {
		prompts.TTS = voice.Espeak{Path: path}
	}
	svc := campaign.NewService(st, campaign.OptionsFrom(cfg))
	set, _ := svc.Settings(ctx)
	vt := set.VoiceMachineTimeouts
	pacer := media.NewPacer(0) // one send pacer for every RTP session of this process
	detector, err := cfg.AMD.Detector()
	if err != nil {
		return nil, err
	}
	amdMetrics, err := voice.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	d, err := voice.New(voice.Config{SIP: client, Ports: ports, Prompts: prompts, Media: mm, Pacer: pacer, Logger: log,
		AMD: &detector, Metrics: amdMetrics, Timeouts: amdTimeouts(vt.DecisionMS, vt.GreetingCompletionMS, vt.NoSpeechMS, vt.ToneMS)})
	if err != nil {
		return nil, err
	}
	// Browsers open WebRTC legs (SDP offer); plain RTP clients still get RTP legs.
	legs, err := console.NewWebRTCLegs(console.WebRTCConfig{RTP: console.RTPLegs{Ports: ports, Metrics: mm, Pacer: pacer}, Logger: log,
		PublicIPs: cfg.WebRTC.PublicIPList(), PortMin: uint16(cfg.WebRTC.PortMin), PortMax: uint16(cfg.WebRTC.PortMax)})
	if err != nil {
		return nil, err
	}
	hub := console.NewHub(console.HubConfig{Store: st, Legs: legs, Logger: log})
	node, _ := os.Hostname()
	if node == "" {
		node = "outdial"
	}
	e, err := engine.New(engine.Config{Node: node, Service: svc, Store: st, Dialer: d, Agents: hub, Caps: engine.TrunkCaps(trunks), Metrics: engine.NewMetrics(reg), Logger: log,
		Pacing: pacing.Config{FullRing: cfg.Pacing.FullRing}})
	if err != nil {
		return nil, err
	}
	hub.Attach(e)
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	dl := &dialing{Hub: hub, engine: e, sip: client, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(dl.done)
		if err := e.Run(rctx); err != nil && rctx.Err() == nil {
			log.Error("dialing engine stopped", "err", err)
		}
	}()
	started = true
	log.Info("dialing engine started", "node", node, "sip", client.Addr().String(), "trunks", len(trunks))
	return dl, nil
}

// Stop drains the engine (calls in progress finish, within timeout) and closes SIP.
func (d *dialing) Stop(timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := d.engine.Drain(ctx); err != nil {
		d.cancel()
	}
	<-d.done
	d.cancel()
	d.Hub.Close()
	d.sip.Close()
}

func lookEspeak() (string, error) { return exec.LookPath("espeak-ng") }

// amdTimeouts maps the Voice Machine Timeouts setting (milliseconds) onto amd.
func amdTimeouts(decision, greeting, noSpeech, tone int) (t amd.Timeouts) {
	ms := func(v int) time.Duration { return time.Duration(v) * time.Millisecond }
	t.Decision, t.GreetingCompletion, t.NoSpeech, t.Tone = ms(decision), ms(greeting), ms(noSpeech), ms(tone)
	return t
}

// sipTLS loads the SIP TLS material of the configuration: our certificate for
// sip.listen_tls, and sip.tls_ca_file's authorities trusted for tls trunks besides the
// system's.
func sipTLS(c config.SIP, sc *sip.Config) error {
	if c.ListenTLS != "" {
		cert, err := tls.LoadX509KeyPair(c.TLSCertFile, c.TLSKeyFile)
		if err != nil {
			return fmt.Errorf("sip.tls_cert_file, sip.tls_key_file: %w", err)
		}
		sc.ServerTLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if c.TLSCAFile != "" {
		pem, err := os.ReadFile(c.TLSCAFile)
		if err != nil {
			return fmt.Errorf("sip.tls_ca_file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("sip.tls_ca_file: %s holds no PEM certificate", c.TLSCAFile)
		}
		sc.TLSConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return nil
}
