package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestConfigPrint(t *testing.T) {
	t.Setenv("OUTDIAL_DATABASE_URL", "postgres://outdial:hunter2@127.0.0.1:5432/outdial")
	code, out, errOut := runCLI(t, "config", "print", "--set", "security.secret_key=0123456789abcdef0123456789abcdef")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, "hunter2") || strings.Contains(out, "0123456789abcdef") {
		t.Fatalf("secrets printed:\n%s", out)
	}
	if !strings.Contains(out, "outdial:****@127.0.0.1") {
		t.Fatalf("env override missing:\n%s", out)
	}
}

func TestInvalidConfigRejectedAtStart(t *testing.T) {
	code, _, errOut := runCLI(t, "serve", "--set", "server.drain_timeout=0s", "--set", "limits.dnc_lists=0")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, want := range []string{"server.drain_timeout", "1s..10m", "limits.dnc_lists", "1..1000000"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("error output lacks %q:\n%s", want, errOut)
		}
	}
	if code, _, _ := runCLI(t, "nonsense"); code != 2 {
		t.Fatalf("unknown command exit %d, want 2", code)
	}
}

func TestServeDrainsOnCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errOut bytes.Buffer
	db := "sqlite://" + filepath.Join(t.TempDir(), "serve.db")
	go func() { done <- run(ctx, []string{"serve", "--listen", addr, "--database-url", db}, &out, &errOut) }()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		resp, err = http.Get("http://" + addr + "/readyz")
		if err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server never answered: %v\n%s", err, errOut.String())
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/readyz = %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit %d: %s", code, errOut.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
	if !strings.Contains(errOut.String(), "stopped") {
		t.Errorf("no shutdown log:\n%s", errOut.String())
	}
}

func TestUsersAndTokensCreate(t *testing.T) {
	db := "sqlite://" + filepath.Join(t.TempDir(), "ops.db")
	t.Setenv("OUTDIAL_NEW_PASSWORD", "short")
	if code, _, errOut := runCLI(t, "users", "create", "--database-url", db, "--username", "ops", "--role", "admin"); code != 1 || !strings.Contains(errOut, "password") {
		t.Fatalf("short password: exit %d: %s", code, errOut)
	}
	t.Setenv("OUTDIAL_NEW_PASSWORD", "a-long-enough-password")
	if code, _, errOut := runCLI(t, "users", "create", "--database-url", db, "--username", "ops", "--role", "emperor"); code != 1 || !strings.Contains(errOut, "role") {
		t.Fatalf("bad role: exit %d: %s", code, errOut)
	}
	code, out, errOut := runCLI(t, "users", "create", "--database-url", db, "--username", "ops", "--role", "admin")
	if code != 0 || !strings.Contains(out, "created user ops") {
		t.Fatalf("users create: exit %d: %s %s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "tokens", "create", "--database-url", db, "--username", "ops", "--ttl", "1h")
	token := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(token, "od_") {
		t.Fatalf("tokens create: exit %d: %q %s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "tokens", "create", "--database-url", db, "--username", "nobody"); code != 1 || !strings.Contains(errOut, "nobody") {
		t.Fatalf("token for unknown user: exit %d: %s", code, errOut)
	}
}
