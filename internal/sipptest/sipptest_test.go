package sipptest

import (
	"net"
	"testing"
	"time"
)

// TestStartAndWait starts sipp's built-in UAS for one call, checks that it holds the
// port Start reports, sends it a request its scenario does not expect (an OPTIONS where
// it waits for an INVITE) and checks that Wait reports the failed run.
func TestStartAndWait(t *testing.T) {
	p := Start(t, Options{Args: []string{"-sn", "uas", "-m", "1"}, Timeout: 20 * time.Second})
	if free(int(p.Addr.Port())) {
		t.Fatalf("sipp does not hold %v", p.Addr)
	}
	if gone, err := p.Exited(); gone {
		t.Fatalf("Exited = true (%v) while sipp waits for its call", err)
	}
	c, err := net.Dial("udp", p.Addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	local := c.LocalAddr().String()
	msg := "OPTIONS sip:probe@" + p.Addr.String() + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK-sipptest\r\n" +
		"From: <sip:t@" + local + ">;tag=1\r\nTo: <sip:probe@" + p.Addr.String() + ">\r\n" +
		"Call-ID: sipptest-1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(t); err == nil {
		t.Fatalf("Wait = nil after an unexpected message; output: %s", p.Output())
	}
	if gone, err := p.Exited(); !gone || err == nil {
		t.Fatalf("Exited = %v, %v after a failed run; want true and its error", gone, err)
	}
}

// TestTimeoutEndsSipp: a peer outlives no Timeout; Exited reports it, so a test can
// tell "sipp is gone" from a failure of the code under test.
func TestTimeoutEndsSipp(t *testing.T) {
	p := Start(t, Options{Args: []string{"-sn", "uas"}, Timeout: 300 * time.Millisecond})
	for range 100 {
		if gone, _ := p.Exited(); gone {
			if !free(int(p.Addr.Port())) {
				t.Fatalf("sipp ended but %v is still held", p.Addr)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("sipp still runs 5 s after its 300 ms Timeout")
}

func TestFreeUDPPortLeavesNeighboursFree(t *testing.T) {
	for range 5 {
		p := FreeUDPPort(t)
		if p%2 != 0 || !free(p) || !free(p+1) || !free(p+2) {
			t.Fatalf("FreeUDPPort = %d: odd, or it or a neighbour is taken", p)
		}
	}
}
