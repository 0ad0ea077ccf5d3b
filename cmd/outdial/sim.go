package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/outdial/outdial/pacing/sim"
)

// runSim runs a pacing simulation scenario and prints one JSON object per mode.
func runSim(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(errOut)
	path := fs.String("scenario", "", "scenario JSON file (see docs/pacing.md and configs/sim/)")
	seeds := fs.Int("seeds", 0, "run seeds 1..N instead of the scenario's seeds")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *path == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%w: outdial sim --scenario FILE.json [--seeds N]", errUsage)
	}
	if *seeds < 0 {
		return fmt.Errorf("%w: --seeds %d: use a positive count", errUsage, *seeds)
	}
	f, err := os.Open(*path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc, err := sim.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", *path, err)
	}
	if *seeds > 0 {
		sc.Seeds = sc.Seeds[:0]
		for i := 1; i <= *seeds; i++ {
			sc.Seeds = append(sc.Seeds, uint64(i))
		}
	}
	enc := json.NewEncoder(out)
	for m := range sc.Modes {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := sc.RunMode(m)
		if err != nil {
			return err
		}
		if err := enc.Encode(res); err != nil {
			return err
		}
	}
	return nil
}
