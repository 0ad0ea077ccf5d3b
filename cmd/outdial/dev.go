package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/outdial/outdial/api"
	"github.com/outdial/outdial/config"
	"github.com/outdial/outdial/store"
)

// devDataDir holds the embedded store and the generated secret key of `outdial dev`.
const devDataDir = "data"

func runDev(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(errOut)
	cf := addConfigFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	if cfg.Security.SecretKey == "" {
		key, err := devSecretKey(devDataDir)
		if err != nil {
			return err
		}
		cfg.Security.SecretKey = key
	}
	sim, err := startDevCarrier()
	if err != nil {
		return fmt.Errorf("simulated carrier on 127.0.0.1:5070: %w", err)
	}
	defer sim.Close()
	if err := seedDemoTrunk(ctx, cfg); err != nil {
		return fmt.Errorf("demo trunk: %w", err)
	}
	return serve(ctx, cfg, errOut, func(addr string, st store.Store, log *slog.Logger) error {
		demo, err := seedDemo(ctx, st, cfg)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		printDemo(out, addr, demo)
		camp, err := seedDemoCampaign(ctx, st, cfg)
		if err != nil {
			return fmt.Errorf("demo campaign: %w", err)
		}
		fmt.Fprintf(out, "  demo campaign: %s dialing the simulated carrier at %s\n", camp, sim.Addr())
		return nil
	})
}

// devSecretKey reads or creates the development secret key under dir.
func devSecretKey(dir string) (string, error) {
	path := filepath.Join(dir, "secret.key")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return string(b), nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	key := hex.EncodeToString(b[:])
	return key, os.WriteFile(path, []byte(key), 0o600)
}

// demoData is what seedDemo made, for printing.
type demoData struct {
	AdminToken string
	Admin      string
	AdminPass  string
	Agents     []string // "login / password"
}

// demoPassword is the password of every demo account. It is printed at start and is
// only ever used by `outdial dev`.
const demoPassword = "outdial-demo"

// seedDemo creates the demo account (idempotently) and a fresh admin token.
func seedDemo(ctx context.Context, st store.Store, cfg config.Config) (demoData, error) {
	d := demoData{Admin: "admin", AdminPass: demoPassword}
	admin, err := ensureUser(ctx, st, cfg, "admin", "Demo Admin", store.RoleAdmin)
	if err != nil {
		return d, err
	}
	if _, err := ensureUser(ctx, st, cfg, "manager", "Demo Manager", store.RoleManager); err != nil {
		return d, err
	}
	queue, err := ensureQueue(ctx, st, "Sales")
	if err != nil {
		return d, err
	}
	for i := 1; i <= 3; i++ {
		name := fmt.Sprintf("agent%d", i)
		u, err := ensureUser(ctx, st, cfg, name, fmt.Sprintf("Agent %d", i), store.RoleAgent)
		if err != nil {
			return d, err
		}
		if _, err := st.AgentByUserID(ctx, u.ID); errors.Is(err, store.ErrNotFound) {
			if _, err := st.CreateAgent(ctx, store.Agent{UserID: u.ID, Name: u.DisplayName, QueueIDs: []int64{queue.ID}}); err != nil {
				return d, err
			}
		} else if err != nil {
			return d, err
		}
		d.Agents = append(d.Agents, name+" / "+demoPassword)
	}
	trunks, err := st.ListTrunks(ctx)
	if err != nil {
		return d, err
	}
	var trunkID *int64
	for _, t := range trunks {
		if t.Name == "sim-carrier" {
			trunkID = &t.ID
		}
	}
	if trunkID == nil {
		t, err := st.CreateTrunk(ctx, store.Trunk{Name: "sim-carrier", Address: "127.0.0.1:5070", Transport: "udp",
			MaxChannels: 200, MaxCPS: 50, Codecs: []string{"PCMU", "PCMA"}, Enabled: true})
		if err != nil {
			return d, err
		}
		trunkID = &t.ID
	}
	nums, err := st.ListPhoneNumbers(ctx)
	if err != nil {
		return d, err
	}
	if len(nums) == 0 {
		if _, err := st.CreatePhoneNumber(ctx, store.PhoneNumber{Number: "+14155550100", Description: "Demo caller ID",
			Direction: store.DirectionOutbound, TrunkID: trunkID}); err != nil {
			return d, err
		}
	}
	secret, _, err := api.CreateToken(ctx, st, admin.ID, "dev", 24*time.Hour, time.Now())
	if err != nil {
		return d, err
	}
	d.AdminToken = secret
	return d, nil
}

func ensureUser(ctx context.Context, st store.Store, cfg config.Config, username, display string, role store.Role) (store.User, error) {
	u, err := st.UserByUsername(ctx, username)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return u, err
	}
	u = store.User{Username: username, DisplayName: display, Role: role}
	if err := api.ValidateUser(&u, demoPassword, true, cfg.Security.MinPasswordLength, cfg.Security.BcryptCost); err != nil {
		return u, err
	}
	return st.CreateUser(ctx, u)
}

func ensureQueue(ctx context.Context, st store.Store, name string) (store.Queue, error) {
	qs, err := st.ListQueues(ctx)
	if err != nil {
		return store.Queue{}, err
	}
	for _, q := range qs {
		if q.Name == name {
			return q, nil
		}
	}
	return st.CreateQueue(ctx, store.Queue{Name: name, Description: "Demo queue"})
}

func printDemo(w io.Writer, addr string, d demoData) {
	fmt.Fprintf(w, `
outdial dev is running at http://%[1]s
  health:      curl http://%[1]s/healthz
  API docs:    http://%[1]s/api/v1/openapi.json
  admin token: %[2]s   (valid 24 h)
               curl -H 'Authorization: Bearer %[2]s' http://%[1]s/api/v1/settings
  admin login: %[3]s / %[4]s
  agents:      %[5]v
Press Ctrl-C to stop.
`, addr, d.AdminToken, d.Admin, d.AdminPass, d.Agents)
}
