package engine_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/internal/sipptest"
	"github.com/outdial/outdial/media"
	"github.com/outdial/outdial/sip/carrier"
	"github.com/outdial/outdial/store"
)

// sippClass is what the far-end scenario (testdata/sipp_far_end.xml) does with a number,
// by its last digit, and what the campaign must record for it.
type sippClass struct {
	outcome, disposition string
}

func sippClassOf(number string) sippClass {
	switch number[len(number)-1] {
	case '0':
		return sippClass{campaign.OutcomeBusy, ""}
	case '1':
		return sippClass{campaign.OutcomeNoAnswer, ""}
	case '2':
		return sippClass{campaign.OutcomeInvalidNumber, ""}
	case '3':
		return sippClass{campaign.OutcomeMachine, ""}
	case '4':
		return sippClass{campaign.OutcomeConnected, ""} // hangs up during the flow
	case '5':
		return sippClass{campaign.OutcomeInvalidNumber, ""} // SIT on early media, cancelled
	}
	return sippClass{campaign.OutcomeConnected, campaign.DispositionResolved} // pressed 1
}

// TestAgentlessAgainstSipp runs the agentless campaign with sipp as the far end: sipp
// answers, busies, rings out or rejects by number, plays a person (who presses 1 or
// hangs up) or an answering machine from pcap files, and logs every message it gets.
// From sipp's own log: no DNC or out-of-hours number was dialed, every allowed number
// was dialed exactly as often as the retry rules say for its outcome, each attempt
// recorded the outcome sipp played, and the dashboard counts equal the INVITEs.
func TestAgentlessAgainstSipp(t *testing.T) {
	t.Parallel()
	n := 40 // OUTDIAL_E2E_CONTACTS scales it, as in TestAgentlessEndToEnd
	if v, err := strconv.Atoi(os.Getenv("OUTDIAL_E2E_CONTACTS")); err == nil && v >= 40 && v <= 5000 {
		n = v
	}
	polls := 30 * n // 1.5 s of wall time per contact at most
	// sipp must outlive the longest run the polls allow, and the drain after it: a sipp
	// killed at a fixed timeout mid-run answers nothing more, and every later call ends
	// Failed (4 s without a response) and is retried into sipp's silence.
	far := startSippFarEnd(t, time.Duration(polls)*50*time.Millisecond+time.Minute)
	clock := mondayMorning()
	r := newRigTo(t, far.addr, clock, blockSipp)
	s := setupAgentless(t, r, n, 20, func(d *campaign.Definition) {
		d.Name = "agentless sipp"
		// A machine gets its voicemail once; busy and no answer are retried (default).
		d.Dispositions.Rules = []campaign.RetryRule{{Disposition: campaign.OutcomeMachine, Attempts: 0}}
	})
	inst, elapsed := runAgentless(t, r, s, polls, far.gone)
	ctx := context.Background()

	got := far.invites(t) // number -> INVITEs (one per Call-ID)
	total := 0
	for num, n := range got {
		total += n
		if !s.pop.allowed[num] {
			t.Errorf("sipp received an INVITE for %s: it is on a DNC list, outside its hours or not in the list", num)
		}
	}
	rules := s.camp.Rules()
	rows, _, err := r.Store.Executions(ctx, store.ExecutionFilter{InstanceID: inst, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var connected, dialed int64
	outcomes := map[string]int{}
	for _, rec := range rows {
		num := rec.Phones[0]
		atts, err := r.Store.RecordAttempts(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(atts) != got[num] {
			t.Errorf("%s: %d attempt rows, sipp received %d INVITEs", num, len(atts), got[num])
		}
		if len(atts) > 0 {
			dialed++
		}
		if !s.pop.allowed[num] {
			continue
		}
		class := sippClassOf(num)
		// The rules alone say how often a number with this outcome is dialed.
		var hist []campaign.Try
		for range 20 {
			if campaign.NextAttempt(hist, rec.Phones, rules, clock.Now()).Final {
				break
			}
			hist = append(hist, campaign.Try{Number: num, Outcome: class.outcome, Disposition: class.disposition, At: clock.Now()})
		}
		if len(atts) != len(hist) {
			t.Errorf("%s (%s): dialed %d times, the retry rules want %d", num, class.outcome, len(atts), len(hist))
		}
		for i, a := range atts {
			outcomes[a.Outcome]++
			if a.Outcome != class.outcome || (class.disposition != "" && a.Disposition != class.disposition) {
				t.Errorf("%s attempt %d: %q/%q, sipp played %q/%q", num, i+1, a.Outcome, a.Disposition, class.outcome, class.disposition)
			}
			if a.Outcome == campaign.OutcomeConnected {
				connected++
			}
		}
		if rec.State != store.RecordDone {
			t.Errorf("%s: record %s, want done", num, rec.State)
		}
	}
	for _, num := range s.pop.far {
		for _, rec := range rows {
			if rec.Phones[0] == num && rec.Skips == 0 {
				t.Errorf("%s (out of hours) was not reported skipped", num)
			}
		}
	}
	st, err := r.Store.InstanceStats(ctx, inst)
	if err != nil {
		t.Fatal(err)
	}
	if st.Attempts != int64(total) || st.Connected != connected || st.Dialed != dialed || st.Records != int64(len(rows)) {
		t.Errorf("stats %+v; sipp received %d INVITEs, %d connected, %d records dialed of %d", st, total, connected, dialed, len(rows))
	}
	var metricSum float64
	for _, o := range campaign.SystemOutcomes() {
		if o != campaign.OutcomeDNCExcluded && o != campaign.OutcomeFilterSkipped {
			metricSum += testutil.ToFloat64(r.Metrics.Dials.WithLabelValues(s.camp.Name, o))
		}
	}
	if int(metricSum) != total {
		t.Errorf("outdial_campaign_dials_total sums to %v, sipp received %d INVITEs", metricSum, total)
	}
	for _, o := range []string{campaign.OutcomeBusy, campaign.OutcomeNoAnswer, campaign.OutcomeInvalidNumber, campaign.OutcomeMachine, campaign.OutcomeConnected} {
		if outcomes[o] == 0 {
			t.Errorf("no attempt ended %s; the scenario plays every outcome", o)
		}
	}
	t.Logf("sipp: %d contacts (%d allowed), %d INVITEs in %v; stats: dialed %d, attempts %d, connected %d, outcomes %v",
		len(rows), len(s.pop.allowed), total, elapsed.Round(time.Millisecond), st.Dialed, st.Attempts, st.Connected, st.Outcomes)
}

// sippFarEnd is a sipp process playing testdata/sipp_far_end.xml.
type sippFarEnd struct {
	*sipptest.Peer
	addr string
}

// startSippFarEnd starts sipp with the far-end scenario; it is killed after timeout.
func startSippFarEnd(t *testing.T, timeout time.Duration) *sippFarEnd {
	t.Helper()
	sf, err := filepath.Abs(filepath.Join("testdata", "sipp_far_end.xml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	silence, speech := carrier.Silence, carrier.Speech
	writePcap(t, filepath.Join(dir, "press.pcap"), pcapAudio{pcm: [][]int16{silence(400), speech(500, 180), silence(1600)}, digit: 1},
		pcapAudio{pcm: [][]int16{silence(3000)}})
	writePcap(t, filepath.Join(dir, "hello.pcap"), pcapAudio{pcm: [][]int16{silence(400), speech(500, 180), silence(2000)}, digit: -1})
	// A network intercept: the three special information tones (913.8, 1370.6,
	// 1776.7 Hz), then an announcement that goes on until the call is cancelled.
	writePcap(t, filepath.Join(dir, "sit.pcap"), pcapAudio{pcm: [][]int16{silence(200), carrier.Tone(913.8, 276), carrier.Tone(1370.6, 276),
		carrier.Tone(1776.7, 380), silence(300), speech(6000, 150)}, digit: -1})
	writePcap(t, filepath.Join(dir, "machine.pcap"), pcapAudio{pcm: [][]int16{silence(300), speech(1400, 120), silence(350), speech(2400, 120),
		silence(300), carrier.Tone(1000, 400), silence(4000)}, digit: -1})
	p := sipptest.Start(t, sipptest.Options{Args: []string{"-sf", sf}, Dir: dir, Timeout: timeout})
	return &sippFarEnd{Peer: p, addr: p.Addr.String()}
}

// gone returns an error once sipp has ended: it never ends by itself (the scenario
// has no call limit), so it was killed at its timeout or crashed.
func (f *sippFarEnd) gone() error {
	exited, err := f.Exited()
	if !exited {
		return nil
	}
	log, _ := os.ReadFile(f.ErrLog)
	return fmt.Errorf("sipp exited (%v); output: %s; error log: %.2000s", err, f.Output(), log)
}

// invites reads sipp's message log: the INVITEs it received, per number, counting
// each Call-ID once (retransmissions are the same call).
func (f *sippFarEnd) invites(t *testing.T) map[string]int {
	t.Helper()
	b, err := os.ReadFile(f.MsgLog)
	if err != nil {
		t.Fatalf("sipp message log: %v", err)
	}
	seen := map[string]bool{}
	out := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	number := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "INVITE sip:"):
			user, _, _ := strings.Cut(strings.TrimPrefix(line, "INVITE sip:"), "@")
			number = user
		case number != "" && (strings.HasPrefix(line, "Call-ID:") || strings.HasPrefix(line, "i:")):
			id := strings.TrimSpace(line[strings.Index(line, ":")+1:])
			if !seen[id] {
				seen[id] = true
				out[number]++
			}
			number = ""
		case strings.HasPrefix(line, "SIP/2.0 ") || strings.HasPrefix(line, "ACK ") || strings.HasPrefix(line, "BYE "):
			number = ""
		}
	}
	if len(seen) == 0 {
		t.Fatalf("sipp logged no INVITE; output: %s", f.Output())
	}
	return out
}

// pcapAudio is one stretch of a pcap: PCM (sent as PCMU) and then, when digit >= 0,
// that DTMF digit as RFC 4733 events (payload type 101).
type pcapAudio struct {
	pcm   [][]int16
	digit int
}

// writePcap writes RTP packets, 20 ms apart, as an Ethernet/IPv4/UDP capture that
// sipp's play_pcap_audio sends to the caller's media address.
func writePcap(t *testing.T, path string, parts ...pcapAudio) {
	t.Helper()
	var b bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr[0:], 0xa1b2c3d4)
	le.PutUint16(hdr[4:], 2)
	le.PutUint16(hdr[6:], 4)
	le.PutUint32(hdr[16:], 65535)
	le.PutUint32(hdr[20:], 1) // Ethernet
	b.Write(hdr)
	var seq uint16
	var ts uint32
	at := time.Duration(0)
	packet := func(pt byte, marker bool, payload []byte, stamp uint32) {
		rtp := make([]byte, 12+len(payload))
		rtp[0] = 0x80
		rtp[1] = pt
		if marker {
			rtp[1] |= 0x80
		}
		binary.BigEndian.PutUint16(rtp[2:], seq)
		binary.BigEndian.PutUint32(rtp[4:], stamp)
		binary.BigEndian.PutUint32(rtp[8:], 0x5eed1234)
		copy(rtp[12:], payload)
		seq++
		frame := ethernetUDP(rtp)
		rec := make([]byte, 16)
		le.PutUint32(rec[0:], uint32(at/time.Second))
		le.PutUint32(rec[4:], uint32((at%time.Second)/time.Microsecond))
		le.PutUint32(rec[8:], uint32(len(frame)))
		le.PutUint32(rec[12:], uint32(len(frame)))
		b.Write(rec)
		b.Write(frame)
		at += 20 * time.Millisecond
	}
	enc := make([]byte, 160)
	for _, part := range parts {
		var pcm []int16
		for _, p := range part.pcm {
			pcm = append(pcm, p...)
		}
		pcm = carrier.Noisy(pcm)
		for i := 0; i+160 <= len(pcm); i += 160 {
			media.PCMU.Encode(enc, pcm[i:i+160])
			packet(0, false, enc, ts)
			ts += 160
		}
		if part.digit < 0 {
			continue
		}
		// 100 ms of event, then three end packets.
		for i := 1; i <= 8; i++ {
			ev := []byte{byte(part.digit), 10, 0, 0}
			if i > 5 {
				ev[1] |= 0x80
			}
			binary.BigEndian.PutUint16(ev[2:], uint16(160*min(i, 5)))
			packet(101, i == 1, ev, ts)
		}
		ts += 160 * 8
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ethernetUDP wraps a UDP payload in Ethernet, IPv4 (127.0.0.1 to itself) and UDP
// headers; sipp replaces addresses and ports when it plays the packet.
func ethernetUDP(payload []byte) []byte {
	f := make([]byte, 14+20+8+len(payload))
	binary.BigEndian.PutUint16(f[12:], 0x0800)
	ip := f[14:34]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+8+len(payload)))
	ip[8], ip[9] = 64, 17
	copy(ip[12:], []byte{127, 0, 0, 1})
	copy(ip[16:], []byte{127, 0, 0, 1})
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	udp := f[34:42]
	binary.BigEndian.PutUint16(udp[0:], 6000)
	binary.BigEndian.PutUint16(udp[2:], 6000)
	binary.BigEndian.PutUint16(udp[4:], uint16(8+len(payload)))
	copy(f[42:], payload)
	return f
}
