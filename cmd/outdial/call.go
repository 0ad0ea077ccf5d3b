package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/sip"
	"github.com/outdial/outdial/sip/probe"
)

// runCall places test calls to a trunk and prints JSON lines: events, then a summary.
func runCall(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("call", flag.ContinueOnError)
	fs.SetOutput(errOut)
	trunk := fs.String("trunk", "", "trunk `URI` such as sip:127.0.0.1:5070 (required)")
	to := fs.String("to", "+1555010", "`number` to call (the call index is appended when --count > 1)")
	count := fs.Int("count", 1, "number of calls")
	rate := fs.Float64("rate", 0, "calls per second at most (0: as fast as --concurrency allows)")
	conc := fs.Int("concurrency", 1, "calls at once at most")
	play := fs.String("play", "", "WAV `FILE` to play on answered calls (8 kHz mono PCM16, mu-law or A-law)")
	record := fs.String("record", "", "`DIR` to record what answered calls send us, one WAV per call")
	duration := fs.Duration("duration", 0, "how long to hold answered calls (default 10s); a bare number is seconds")
	maxRing := fs.Duration("max-ring", 0, "ring time before CANCEL (default 30s)")
	listen := fs.String("listen", "127.0.0.1:0", "local SIP `address`; RTP uses the same IP")
	ports := fs.String("rtp-ports", "20000-29999", "RTP port `range`")
	user := fs.String("username", "", "digest username for the trunk")
	callerID := fs.String("caller-id", "", "caller ID (From and P-Asserted-Identity)")
	quiet := fs.Bool("quiet", false, "print only the summary line")
	// Let --duration take plain seconds as the examples do (--duration 30).
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--duration="); ok && isDigits(v) {
			args[i] = "--duration=" + v + "s"
		} else if (a == "--duration" || a == "-duration") && i+1 < len(args) && isDigits(args[i+1]) {
			args[i+1] += "s"
		}
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *trunk == "" {
		return fmt.Errorf("%w: --trunk is required, such as --trunk sip:127.0.0.1:5070", errUsage)
	}
	tr, err := sip.ParseTrunkURI("cli", *trunk)
	if err != nil {
		return fmt.Errorf("%w: --trunk: %v", errUsage, err)
	}
	tr.CallerID = *callerID
	if *user != "" {
		tr.Username, tr.Password = *user, os.Getenv("OUTDIAL_TRUNK_PASSWORD")
		if tr.Password == "" {
			return fmt.Errorf("%w: --username needs the password in OUTDIAL_TRUNK_PASSWORD", errUsage)
		}
	}
	rtp, err := parsePortRange(*ports)
	if err != nil {
		return fmt.Errorf("%w: --rtp-ports: %v", errUsage, err)
	}
	cfg := probe.Config{Trunk: tr, To: *to, Count: *count, Rate: *rate, Concurrency: *conc, Duration: *duration,
		MaxRing: *maxRing, RecordDir: *record, Listen: *listen, RTPPorts: rtp, Events: !*quiet}
	if *play != "" {
		if cfg.Play, err = media.LoadWAV(*play); err != nil {
			return fmt.Errorf("--play: %w", err)
		}
	}
	if *record != "" {
		if err := os.MkdirAll(*record, 0o755); err != nil {
			return fmt.Errorf("--record: %w", err)
		}
	}
	_, err = probe.Run(ctx, cfg, out)
	if errors.Is(err, context.Canceled) {
		return nil // interrupted: the summary so far was printed
	}
	return err
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
