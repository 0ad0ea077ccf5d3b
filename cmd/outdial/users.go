package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/outdial/outdial/api"
	"github.com/outdial/outdial/store"
)

func runUsers(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: outdial users create --username NAME --role admin|manager|supervisor|agent [--password-stdin]", errUsage)
	}
	fs := flag.NewFlagSet("users create", flag.ContinueOnError)
	fs.SetOutput(errOut)
	cf := addConfigFlags(fs)
	username := fs.String("username", "", "login name")
	role := fs.String("role", "", "admin, manager, supervisor or agent")
	display := fs.String("name", "", "display name")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input (otherwise OUTDIAL_NEW_PASSWORD)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	password := os.Getenv("OUTDIAL_NEW_PASSWORD")
	if *fromStdin {
		b, err := io.ReadAll(io.LimitReader(os.Stdin, 1024))
		if err != nil {
			return err
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	u := store.User{Username: *username, DisplayName: *display, Role: store.Role(*role)}
	if err := api.ValidateUser(&u, password, true, cfg.Security.MinPasswordLength, cfg.Security.BcryptCost); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg.Database.URL)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err = st.CreateUser(ctx, u)
	if err != nil {
		return err
	}
	if u.Role == store.RoleAgent {
		if _, err := st.CreateAgent(ctx, store.Agent{UserID: u.ID, Name: firstNonEmpty(u.DisplayName, u.Username)}); err != nil {
			return err
		}
	}
	st.AppendAudit(ctx, store.AuditEntry{Actor: "cli", Action: "users create", Resource: "users", ResourceID: fmt.Sprint(u.ID)})
	fmt.Fprintf(out, "created user %s (id %d, role %s)\n", u.Username, u.ID, u.Role)
	return nil
}

func runTokens(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: outdial tokens create --username NAME [--name LABEL] [--ttl 720h]", errUsage)
	}
	fs := flag.NewFlagSet("tokens create", flag.ContinueOnError)
	fs.SetOutput(errOut)
	cf := addConfigFlags(fs)
	username := fs.String("username", "", "the user the token acts as")
	name := fs.String("name", "cli", "a label for the token")
	ttl := fs.Duration("ttl", 0, "lifetime (0 = no expiry)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg.Database.URL)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.UserByUsername(ctx, *username)
	if err != nil {
		return fmt.Errorf("--username %q: %w", *username, err)
	}
	secret, tok, err := api.CreateToken(ctx, st, u.ID, *name, *ttl, time.Now())
	if err != nil {
		return err
	}
	st.AppendAudit(ctx, store.AuditEntry{Actor: "cli", Action: "tokens create", Resource: "tokens", ResourceID: fmt.Sprint(tok.ID)})
	fmt.Fprintln(out, secret)
	return nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
