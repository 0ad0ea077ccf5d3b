package sipptest

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial/internal/testdeps"
)

// Options say how to run sipp. The signalling and media addresses are added by Start.
type Options struct {
	// Args are sipp's arguments other than -i, -p, -mi, -mp, -nostdin and the logs,
	// e.g. {"-sf", "scenario.xml", "-m", "1"} or {"-sn", "uas", "-rtp_echo"}.
	Args []string
	// Dir is sipp's working folder (pcap files next to the scenario); empty: a new
	// temporary folder.
	Dir string
	// Timeout bounds the whole run (default 60 s); sipp is killed after it, and
	// whatever is sent to it later gets no answer (see Peer.Exited). Size it to the
	// longest run the test allows, not to the usual one.
	Timeout time.Duration
}

// Peer is a running sipp.
type Peer struct {
	Addr   netip.AddrPort // SIP
	Media  netip.AddrPort // RTP
	Dir    string
	ErrLog string // -error_file
	MsgLog string // -message_file
	out    *lockedBuffer
	done   chan error
}

// Start runs sipp and returns once it listens. A missing sipp skips the test (fails it
// with OUTDIAL_REQUIRE_DEPS=1).
func Start(t *testing.T, o Options) *Peer {
	t.Helper()
	bin := testdeps.Program(t, "sipp")
	if o.Timeout == 0 {
		o.Timeout = 60 * time.Second
	}
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	for try := 1; ; try++ {
		p, portTaken := start(t, bin, o)
		if !portTaken {
			return p
		}
		if try == 3 {
			t.Fatalf("sipp could not bind its ports 3 times: %s", p.Output())
		}
	}
}

func start(t *testing.T, bin string, o Options) (*Peer, bool) {
	t.Helper()
	port, mport := FreeUDPPort(t), FreeUDPPort(t)
	lo := netip.MustParseAddr("127.0.0.1")
	p := &Peer{
		Addr: netip.AddrPortFrom(lo, uint16(port)), Media: netip.AddrPortFrom(lo, uint16(mport)), Dir: o.Dir,
		ErrLog: filepath.Join(o.Dir, "errors-"+strconv.Itoa(port)+".log"),
		MsgLog: filepath.Join(o.Dir, "messages-"+strconv.Itoa(port)+".log"),
		out:    &lockedBuffer{max: 1 << 12}, done: make(chan error, 1),
	}
	args := append([]string{"-i", "127.0.0.1", "-p", strconv.Itoa(port), "-mi", "127.0.0.1", "-mp", strconv.Itoa(mport),
		"-nostdin", "-trace_err", "-error_file", p.ErrLog, "-trace_msg", "-message_file", p.MsgLog}, o.Args...)
	ctx, cancel := context.WithTimeout(context.Background(), o.Timeout)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = o.Dir
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait(); cancel() }()
	// exited handles sipp ending at start: a port taken since the pick is worth a retry.
	exited := func(err error) bool {
		if log, _ := os.ReadFile(p.ErrLog); bytes.Contains(log, []byte("Address already in use")) ||
			bytes.Contains([]byte(p.Output()), []byte("Address already in use")) {
			return true
		}
		p.done <- err
		t.Fatalf("sipp exited at start: %v: %s", err, p.Output())
		return false
	}
	for i := 0; i < 300 && free(port); i++ {
		select {
		case err := <-p.done:
			return p, exited(err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	// The port is busy, but maybe not by sipp (a socket of another test that took it
	// since the pick): sipp then fails to bind and exits at once.
	select {
	case err := <-p.done:
		return p, exited(err)
	case <-time.After(100 * time.Millisecond):
	}
	t.Cleanup(func() {
		cancel()
		err := <-p.done
		p.done <- err
	})
	if free(port) {
		t.Fatalf("sipp does not listen on %d: %s", port, p.Output())
	}
	return p, false
}

// Wait returns sipp's verdict (nil when every call followed the scenario), logging its
// error and message logs when it failed.
func (p *Peer) Wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			log, _ := os.ReadFile(p.ErrLog)
			t.Logf("sipp errors:\n%.4000s", log)
			if msgs, err := os.ReadFile(p.MsgLog); err == nil {
				t.Logf("sipp messages:\n%.8000s", msgs)
			}
		}
		return err
	case <-time.After(90 * time.Second):
		return errors.New("sipp did not exit")
	}
}

// Exited reports whether sipp has ended (by itself, or killed at Options.Timeout) and
// with what verdict. A test that drives traffic at sipp checks it before blaming the
// code under test: calls sent after sipp ended reach nobody.
func (p *Peer) Exited() (bool, error) {
	select {
	case err := <-p.done:
		p.done <- err
		return true, err
	default:
		return false, nil
	}
}

// Output is what sipp printed (the first 4 KiB).
func (p *Peer) Output() string { return p.out.String() }

// FreeUDPPort returns an even port on 127.0.0.1 that was free a moment ago for UDP and
// TCP (sipp's signalling uses one or the other), with the next two free as well (sipp
// binds its media port, +1 and +2).
func FreeUDPPort(t *testing.T) int {
	t.Helper()
	for range 100 {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := c.LocalAddr().(*net.UDPAddr).Port
		c.Close()
		if port%2 == 0 && port < 65000 && free(port) && free(port+1) && free(port+2) {
			return port
		}
	}
	t.Fatal("no free UDP port triple on 127.0.0.1")
	return 0
}

// free reports whether port is free on 127.0.0.1 for both UDP and TCP (sipp -t t1
// binds its signalling port on TCP only).
func free(port int) bool {
	c, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	c.Close()
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// lockedBuffer keeps the first max bytes written to it.
type lockedBuffer struct {
	mu  sync.Mutex
	max int
	b   bytes.Buffer
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if room := w.max - w.b.Len(); room > 0 {
		w.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
