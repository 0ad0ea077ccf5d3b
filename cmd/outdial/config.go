package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

func runConfig(_ context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] != "print" {
		return fmt.Errorf("%w: outdial config print [--config FILE] [flags]", errUsage)
	}
	fs := flag.NewFlagSet("config print", flag.ContinueOnError)
	fs.SetOutput(errOut)
	cf := addConfigFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	b, err := cfg.Masked().YAML()
	if err != nil {
		return err
	}
	_, err = out.Write(b)
	return err
}
