package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand of the outdial binary. Run receives the arguments after the
// subcommand name and writes its output to out (stdout) and errOut (stderr).
type command struct {
	Summary string
	Run     func(ctx context.Context, args []string, out, errOut io.Writer) error
}

// commands lists every subcommand. Each lives in its own file, named after it.
func commands() map[string]command {
	return map[string]command{
		"serve":   {"run the server", runServe},
		"dev":     {"run the server with the embedded store, demo data and a simulated carrier", runDev},
		"config":  {"configuration tools: config print", runConfig},
		"users":   {"user accounts: users create", runUsers},
		"tokens":  {"API tokens: tokens create", runTokens},
		"lists":   {"contact, DNC and agent mapping lists: lists import", runLists},
		"version": {"print the version", runVersion},
		"sim":     {"pacing simulation: outdial sim --scenario FILE.json", runSim},
		"amd":     {"answering-machine detection tools: amd classify, amd eval", runAMD},
		"carrier": {"simulated SIP carrier", runCarrier},
		"call":    {"place test calls to a trunk, JSON lines out", runCall},
	}
}

// errUsage marks an error caused by wrong command-line use; main exits 2 for it.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, out, errOut io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(errOut, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(errOut, "outdial: unknown command %q\n\n", args[0])
		usage(errOut, cmds)
		return 2
	}
	if err := c.Run(ctx, args[1:], out, errOut); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(errOut, "outdial %s: %v\n", args[0], err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: outdial COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].Summary)
	}
}
