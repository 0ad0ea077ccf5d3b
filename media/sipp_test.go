package media_test

import (
	"context"
	"net"
	"net/netip"
	"os/exec"
	"strconv"
	"sync"
	"testing"

	"github.com/outdial/outdial/internal/testdeps"
	"github.com/outdial/outdial/media"
)

// freeUDPPort returns a port that was free a moment ago, with port+2 free too (sipp
// binds its media port and media port + 2).
func freeUDPPort(t *testing.T) int {
	t.Helper()
	for range 50 {
		c := listenLoopback(t)
		p := c.LocalAddr().(*net.UDPAddr).Port
		_ = c.Close()
		if p%2 != 0 || p > 65000 {
			continue
		}
		c2, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p + 2})
		if err != nil {
			continue
		}
		_ = c2.Close()
		return p
	}
	t.Fatal("no free UDP port pair found")
	return 0
}

// TestSippRTPEcho plays a prompt and DTMF to a real foreign RTP stack, sipp's RTP
// echo, and checks that what comes back from sipp's address is our own audio and
// digits: the session latches to sipp, decodes, and detects events from a peer that
// is not itself.
func TestSippRTPEcho(t *testing.T) {
	sipp := testdeps.Program(t, "sipp")
	checkGoroutines(t)
	mport, sport, cport := freeUDPPort(t), freeUDPPort(t), freeUDPPort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, sipp, "-sn", "uas", "-rtp_echo", "-nostdin",
		"-i", "127.0.0.1", "-p", strconv.Itoa(sport), "-mi", "127.0.0.1", "-mp", strconv.Itoa(mport),
		"-cp", strconv.Itoa(cport), "-timeout", "60s")
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })

	echo := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(mport))
	s := newSession(t, media.SessionConfig{Codec: media.PCMU, NoSilence: true})
	s.SetRemote(echo)
	got := newPCMCollector()
	s.OnPCM(got)
	var (
		mu     sync.Mutex
		digits string
	)
	s.OnDTMF(media.DTMFHandlerFunc(func(d media.Digit) { mu.Lock(); digits += string(d.Digit); mu.Unlock() }))

	// sipp may still be starting: send until its echo comes back, bounded
	prompt := tone(25*media.FrameSamples, 500, 8000)
	want := g711RoundTrip(media.PCMU, prompt)
	for try := 0; indexOf(got.snapshot(), want) < 0; try++ {
		if try == 20 {
			t.Fatalf("no echo of the prompt from sipp at %v (stats %+v)", echo, s.Stats())
		}
		if err := s.Play(ctx, media.NewPCMReader(prompt)); err != nil {
			t.Fatal(err)
		}
		if try == 0 {
			waitFor(t, "sipp's echo", func() bool { return s.Stats().PacketsReceived > 0 || s.Stats().PacketsSent > 60 })
		}
	}
	if st := s.Stats(); st.Latched != echo {
		t.Errorf("latched to %v, want sipp's media port %v", st.Latched, echo)
	}
	if err := s.SendDTMF(ctx, "7*"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "echoed digits", func() bool { mu.Lock(); defer mu.Unlock(); return len(digits) >= 2 })
	mu.Lock()
	defer mu.Unlock()
	if digits != "7*" {
		t.Errorf("echoed digits %q, want %q", digits, "7*")
	}
}
