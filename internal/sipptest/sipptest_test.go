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
}

func TestFreeUDPPortLeavesNeighboursFree(t *testing.T) {
	for range 5 {
		p := FreeUDPPort(t)
		if p%2 != 0 || !free(p) || !free(p+1) || !free(p+2) {
			t.Fatalf("FreeUDPPort = %d: odd, or it or a neighbour is taken", p)
		}
	}
}
