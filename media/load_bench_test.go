package media_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/outdial/outdial/media"
)

// BenchmarkConcurrentSessions runs N pairs of sessions on loopback, each pair a call
// with G.711 flowing both ways at 50 packets/s per direction and every received
// frame decoded, for a few seconds, and reports the loss. It sizes the media side of
// the 1,000-concurrent-call target. Tune it with
//
//	OUTDIAL_MEDIA_LOAD_PAIRS=100,1000   pair counts (default 50,250,1000)
//	OUTDIAL_MEDIA_LOAD_SECONDS=5        seconds per run (default 3)
//	OUTDIAL_MEDIA_LOAD_PACER=shared     shared (one Pacer for all sessions) or
//	                                    session (a Pacer per session); default both
//
// Reported figures: loss_pct (lost/expected over all sessions), send_pct (packets
// sent against the 50/s each session should send: below 100 means the pacers
// could not keep up), pkts/s (sent+received) and cpu_pct (process CPU over wall
// time; 200 is both cores of a 2-core machine).
func BenchmarkConcurrentSessions(b *testing.B) {
	pairs := []int{50, 250, 1000}
	if v := os.Getenv("OUTDIAL_MEDIA_LOAD_PAIRS"); v != "" {
		pairs = pairs[:0]
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				b.Fatalf("OUTDIAL_MEDIA_LOAD_PAIRS=%q: want numbers like 100,1000", v)
			}
			pairs = append(pairs, n)
		}
	}
	dur := 3 * time.Second
	if v := os.Getenv("OUTDIAL_MEDIA_LOAD_SECONDS"); v != "" {
		s, err := strconv.Atoi(v)
		if err != nil || s < 1 {
			b.Fatalf("OUTDIAL_MEDIA_LOAD_SECONDS=%q: want a whole number of seconds", v)
		}
		dur = time.Duration(s) * time.Second
	}
	pacers := []string{"shared", "session"}
	if v := os.Getenv("OUTDIAL_MEDIA_LOAD_PACER"); v != "" {
		if v != "shared" && v != "session" {
			b.Fatalf("OUTDIAL_MEDIA_LOAD_PACER=%q: want shared or session", v)
		}
		pacers = []string{v}
	}
	for _, n := range pairs {
		for _, pc := range pacers {
			b.Run(fmt.Sprintf("pairs=%d/pacer=%s", n, pc), func(b *testing.B) {
				var p *media.Pacer
				if pc == "shared" {
					p = media.NewPacer(0)
				}
				runLoad(b, n, dur, p)
			})
		}
	}
}

type sumPCM struct{ sum int64 }

func (s *sumPCM) HandlePCM(f []int16) {
	for _, v := range f {
		s.sum += int64(v)
	}
}

func runLoad(b *testing.B, pairs int, dur time.Duration, pacer *media.Pacer) {
	sessions := make([]*media.Session, 0, 2*pairs)
	for range pairs {
		x, y := newPair(b, media.SessionConfig{Pacer: pacer}, media.SessionConfig{Codec: media.PCMA, Pacer: pacer})
		x.OnPCM(&sumPCM{})
		y.OnPCM(&sumPCM{})
		sessions = append(sessions, x, y)
	}
	// let every stream start and latch before measuring
	time.Sleep(200 * time.Millisecond)
	start := make([]media.Stats, len(sessions))
	for i, s := range sessions {
		start[i] = s.Stats()
	}
	ru0 := rusage()
	t0 := time.Now()
	b.ResetTimer()
	time.Sleep(dur)
	b.StopTimer()
	wall := time.Since(t0)
	cpu := rusage() - ru0

	var expected, lost, sent, received uint64
	for i, s := range sessions {
		st := s.Stats()
		expected += st.Expected - start[i].Expected
		lost += uint64(st.Lost - start[i].Lost)
		sent += st.PacketsSent - start[i].PacketsSent
		received += st.PacketsReceived - start[i].PacketsReceived
	}
	for _, s := range sessions {
		_ = s.Close()
	}
	ideal := float64(len(sessions)) * wall.Seconds() * 50
	lossPct := 0.0
	if expected > 0 {
		lossPct = 100 * float64(lost) / float64(expected)
	}
	b.ReportMetric(lossPct, "loss_pct")
	b.ReportMetric(100*float64(sent)/ideal, "send_pct")
	b.ReportMetric(float64(sent+received)/wall.Seconds(), "pkts/s")
	b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "cpu_pct")
	b.Logf("%d pairs, %v: sent %d, received %d, expected %d, lost %d", pairs, wall.Round(time.Millisecond), sent, received, expected, lost)
}

// rusage returns the process's user+system CPU time.
func rusage() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
