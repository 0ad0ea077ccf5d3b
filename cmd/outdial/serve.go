package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/outdial/outdial/api"
	"github.com/outdial/outdial/config"
	"github.com/outdial/outdial/console"
	"github.com/outdial/outdial/store"
	"github.com/outdial/outdial/store/postgres"
	"github.com/outdial/outdial/store/sqlite"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// configFlags are the flags every server-side command shares; each sets a config key.
type configFlags struct {
	path      string
	overrides map[string]string
}

func addConfigFlags(fs *flag.FlagSet) *configFlags {
	cf := &configFlags{overrides: map[string]string{}}
	fs.StringVar(&cf.path, "config", "", "YAML configuration file (example: configs/outdial.yaml)")
	for flagName, key := range map[string]string{
		"listen":       "server.listen",
		"database-url": "database.url",
		"log-level":    "log.level",
		"log-format":   "log.format",
		"sip-listen":   "sip.listen",
	} {
		fs.Func(flagName, "sets "+key+" (overrides file and "+config.EnvName(key)+")", func(v string) error {
			cf.overrides[key] = v
			return nil
		})
	}
	fs.Func("set", "sets any key: --set key.path=value (repeatable)", func(v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok {
			return fmt.Errorf("%w: --set wants key.path=value, got %q", errUsage, v)
		}
		cf.overrides[k] = val
		return nil
	})
	return cf
}

func (cf *configFlags) load() (config.Config, error) {
	return config.Load(cf.path, os.Environ(), cf.overrides)
}

func newLogger(c config.Log, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore opens the backend that database.url names.
func openStore(ctx context.Context, url string) (store.Store, error) {
	switch {
	case strings.HasPrefix(url, "sqlite://"):
		return sqlite.Open(ctx, strings.TrimPrefix(url, "sqlite://"))
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return postgres.Open(ctx, url, postgres.Options{})
	}
	return nil, fmt.Errorf("database.url %q: unknown scheme; use sqlite://PATH or postgres://...", url)
}

func runServe(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(errOut)
	cf := addConfigFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	return serve(ctx, cfg, errOut, nil)
}

// serve runs the server until ctx ends, then drains. ready, when set, is called with
// the listening address and the store once the server accepts requests.
func serve(ctx context.Context, cfg config.Config, logOut io.Writer, ready func(addr string, st store.Store, log *slog.Logger) error) error {
	log := newLogger(cfg.Log, logOut)
	st, err := openStore(ctx, cfg.Database.URL)
	if err != nil {
		return err
	}
	defer st.Close()
	reg := api.NewRegistry(version, "")
	srv := api.New(api.Options{Store: st, Config: cfg, Logger: log, Registry: reg, Version: version})
	srv.HandleRaw("/", console.UIHandler(console.UIOptions{Version: version}))
	dial, err := startDialing(ctx, cfg, st, reg, log)
	if err != nil {
		return err
	}
	defer dial.Stop(cfg.Server.DrainTimeout)
	srv.HandleRaw("/console/ws", dial.Hub)
	srv.HandleRaw("/console/", console.SoftphoneHandler(console.SoftphoneOptions{Version: version}))
	// API-integration contact lists fetch their endpoints on their own schedule.
	syncCtx, stopSync := context.WithCancel(ctx)
	defer stopSync()
	go srv.ListService().RunSync(syncCtx, time.Minute)
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("server.listen %s: %w", cfg.Server.Listen, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("outdial listening", "addr", ln.Addr().String(), "store", st.Backend(), "version", version)
	if ready != nil {
		if err := ready(ln.Addr().String(), st, log); err != nil {
			hs.Close()
			return err
		}
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "drain_timeout", cfg.Server.DrainTimeout)
	dctx, cancel := context.WithTimeout(context.Background(), cfg.Server.DrainTimeout)
	defer cancel()
	if err := hs.Shutdown(dctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		hs.Close()
		return fmt.Errorf("drain: %w", err)
	}
	log.Info("stopped")
	return nil
}

func runVersion(_ context.Context, _ []string, out, _ io.Writer) error {
	fmt.Fprintln(out, "outdial", version)
	return nil
}
