package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/outdial/outdial/amd"
	"github.com/outdial/outdial/amd/eval"
	"github.com/outdial/outdial/media"
)

const amdUsage = `usage:
  outdial amd classify [--preset NAME] [--set key=value]... FILE.wav...
  outdial amd eval --manifest FILE [--presets default,asterisk] [--set key=value]... [--misses] [--channels]
  outdial amd params [--preset NAME]`

// runAMD dispatches the amd sub-subcommands.
func runAMD(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(errOut, amdUsage)
		return fmt.Errorf("%w: amd needs classify, eval or params", errUsage)
	}
	switch args[0] {
	case "classify":
		return amdClassify(ctx, args[1:], out, errOut)
	case "eval":
		return amdEval(ctx, args[1:], out, errOut)
	case "params":
		return amdParams(args[1:], out, errOut)
	case "-h", "--help", "help":
		fmt.Fprintln(errOut, amdUsage)
		return flag.ErrHelp
	}
	fmt.Fprintln(errOut, amdUsage)
	return fmt.Errorf("%w: unknown amd command %q", errUsage, args[0])
}

// setFlags collects repeated --set key=value flags.
type setFlags []string

func (s *setFlags) String() string     { return strings.Join(*s, ",") }
func (s *setFlags) Set(v string) error { *s = append(*s, v); return nil }

func amdPreset(name string, sets []string) (amd.Params, error) {
	p, err := amd.Preset(name)
	if err != nil {
		return p, fmt.Errorf("%w: --preset: %v", errUsage, err)
	}
	p.DetectMessageEnd = true
	if err := p.SetAll(sets); err != nil {
		return p, fmt.Errorf("%w: --set: %v", errUsage, err)
	}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("%w: %v", errUsage, err)
	}
	return p, nil
}

type classifyLine struct {
	File       string `json:"file"`
	Result     string `json:"result"`
	Cause      string `json:"cause"`
	DecisionMs int64  `json:"decision_ms"`
	BeepMs     *int64 `json:"beep_ms"`
	BeepEndMs  *int64 `json:"beep_end_ms"`
	Tone       string `json:"tone"`
	ToneHz     int    `json:"tone_hz,omitempty"`
	EndCause   string `json:"end_cause,omitempty"`
	EndMs      *int64 `json:"end_ms,omitempty"`
	Error      string `json:"error,omitempty"`
}

func amdClassify(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("amd classify", flag.ContinueOnError)
	fs.SetOutput(errOut)
	preset := fs.String("preset", amd.PresetDefault, "parameter preset: "+strings.Join(amd.PresetNames(), ", "))
	var sets setFlags
	fs.Var(&sets, "set", "override one parameter, key=value (repeatable; see outdial amd params)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: amd classify needs at least one WAV file", errUsage)
	}
	p, err := amdPreset(*preset, sets)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	failed := 0
	for _, name := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, err := classifyFile(name, p)
		if err != nil {
			failed++
			fmt.Fprintf(errOut, "outdial amd classify: %v\n", err)
			line = classifyLine{File: name, Error: err.Error()}
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be read", failed, fs.NArg())
	}
	return nil
}

func classifyFile(name string, p amd.Params) (classifyLine, error) {
	a, err := media.LoadWAV(name)
	if err != nil {
		return classifyLine{}, err
	}
	o, err := eval.Analyse(a.Samples, p, false)
	if err != nil {
		return classifyLine{}, err
	}
	line := classifyLine{File: name, Result: o.Class.Result.String(), Cause: o.Class.Cause.String(), DecisionMs: o.Class.At.Milliseconds()}
	if o.Class.Result == amd.ResultNone {
		line.Result, line.Cause = "NONE", "ENDOFAUDIO"
		line.DecisionMs = int64(len(a.Samples) / 8)
	}
	tone := o.Class.Tone
	if o.HasEnd {
		line.EndCause = o.End.Cause.String()
		ms := o.End.At.Milliseconds()
		line.EndMs = &ms
		if o.End.Tone.Kind != amd.ToneNone {
			tone = o.End.Tone
		}
	}
	if tone.Kind != amd.ToneNone {
		line.Tone = tone.Kind.String()
		line.ToneHz = int(tone.Hz)
	}
	if tone.Kind == amd.ToneBeep {
		on, end := tone.Onset.Milliseconds(), tone.End.Milliseconds()
		line.BeepMs, line.BeepEndMs = &on, &end
	}
	return line, nil
}

func amdEval(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("amd eval", flag.ContinueOnError)
	fs.SetOutput(errOut)
	manifest := fs.String("manifest", "", "manifest.csv written by scripts/amd-corpus.sh (WAV paths are relative to it)")
	presets := fs.String("presets", amd.PresetDefault+","+amd.PresetAsterisk, "comma-separated presets to compare")
	asJSON := fs.Bool("json", false, "print the reports as JSON instead of a table")
	misses := fs.Bool("misses", false, "also list every misclassified call")
	channels := fs.Bool("channels", false, "also print calls, right ones and median decision by label and channel (the kind after its slash)")
	var sets setFlags
	fs.Var(&sets, "set", "override one parameter of every preset, key=value (repeatable)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *manifest == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: amd eval needs --manifest FILE and no other arguments", errUsage)
	}
	var ps []eval.Preset
	for _, name := range strings.Split(*presets, ",") {
		name = strings.TrimSpace(name)
		p, err := amdPreset(name, sets)
		if err != nil {
			return err
		}
		ps = append(ps, eval.Preset{Name: name, Params: p})
	}
	f, err := os.Open(*manifest)
	if err != nil {
		return err
	}
	calls, err := eval.ReadManifest(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *manifest, err)
	}
	res, err := eval.Run(ctx, os.DirFS(filepath.Dir(*manifest)), calls, ps)
	if err != nil {
		return err
	}
	reps := res.Reports()
	if *misses {
		if err := eval.WriteMisses(out, res); err != nil {
			return err
		}
	}
	if *channels {
		if err := eval.WriteChannels(out, res); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(reps)
	}
	return eval.WriteTable(out, reps)
}

func amdParams(args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("amd params", flag.ContinueOnError)
	fs.SetOutput(errOut)
	preset := fs.String("preset", amd.PresetDefault, "parameter preset: "+strings.Join(amd.PresetNames(), ", "))
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	p, err := amd.Preset(*preset)
	if err != nil {
		return fmt.Errorf("%w: --preset: %v", errUsage, err)
	}
	for _, kv := range p.Pairs() {
		fmt.Fprintln(out, kv)
	}
	return nil
}
