package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/outdial/outdial/pacing/sim"
)

// runSim runs a pacing simulation scenario and prints one JSON object per mode.
func runSim(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(errOut)
	path := fs.String("scenario", "", "scenario JSON file (see docs/pacing.md and configs/sim/)")
	seeds := fs.Int("seeds", 0, "run seeds 1..N instead of the scenario's seeds")
	sweep := fs.String("power-sweep", "", "FROM:TO:STEP: replace the scenario's power modes by ratios FROM to TO in steps of STEP (e.g. 1.5:3:0.1)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *path == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%w: outdial sim --scenario FILE.json [--seeds N] [--power-sweep FROM:TO:STEP]", errUsage)
	}
	ratios, err := parseSweep(*sweep)
	if err != nil {
		return err
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
	if ratios != nil {
		modes := sc.Modes[:0:0]
		for _, m := range sc.Modes {
			if m.Mode != "power" {
				modes = append(modes, m)
			}
		}
		for _, r := range ratios {
			modes = append(modes, sim.ModeSpec{Mode: "power", Ratio: r})
		}
		sc.Modes = modes
		if err := sc.Validate(); err != nil {
			return fmt.Errorf("--power-sweep: %w", err)
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

// parseSweep parses FROM:TO:STEP into the ratios FROM, FROM+STEP, ... up to TO; an
// empty string means no sweep.
func parseSweep(v string) ([]float64, error) {
	if v == "" {
		return nil, nil
	}
	parts := strings.Split(v, ":")
	var f [3]float64
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: --power-sweep %q: use FROM:TO:STEP, e.g. 1.5:3:0.1", errUsage, v)
	}
	for i, p := range parts {
		x, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: --power-sweep %q: %q is not a number; use FROM:TO:STEP, e.g. 1.5:3:0.1", errUsage, v, p)
		}
		f[i] = x
	}
	from, to, step := f[0], f[1], f[2]
	if from < 1 || to > 10 || from > to || step <= 0 || (to-from)/step > 200 {
		return nil, fmt.Errorf("%w: --power-sweep %q: use 1 <= FROM <= TO <= 10 and a positive STEP (at most 200 ratios)", errUsage, v)
	}
	var out []float64
	for i := 0; ; i++ {
		r := math.Round((from+float64(i)*step)*1e6) / 1e6
		if r > to+1e-9 {
			break
		}
		out = append(out, r)
	}
	return out, nil
}
