package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/outdial/outdial/pacing"
)

// diagnostics only; run with DIAG=1
func TestZZDiag(t *testing.T) {
	if os.Getenv("DIAG") == "" {
		t.Skip()
	}
	f := os.Getenv("DIAG_FILE")
	if f == "" {
		f = "baseline"
	}
	s := load(t, filepath.Join("../../configs/sim", f+".json"))
	if v := os.Getenv("AIM"); v != "" {
		s.Pacer.Aim, _ = strconv.ParseFloat(v, 64)
	}
	if v := os.Getenv("SLACK"); v != "" {
		s.Pacer.SlackScale, _ = strconv.ParseFloat(v, 64)
	}
	if v := os.Getenv("WARM"); v != "" {
		s.Pacer.Warmup, _ = strconv.Atoi(v)
	}
	if v := os.Getenv("RES"); v != "" {
		s.Pacer.Reserve, _ = strconv.ParseFloat(v, 64)
	}
	if v := os.Getenv("BUF"); v != "" {
		s.Pacer.Buffer, _ = strconv.ParseFloat(v, 64)
	}
	if v := os.Getenv("SPENDH"); v != "" {
		s.Pacer.SpendMinutes, _ = strconv.ParseFloat(v, 64)
	}
	if v := os.Getenv("SHARE"); v != "" {
		s.Pacer.BufferShare, _ = strconv.ParseFloat(v, 64)
	}
	if v := os.Getenv("SEEDS"); v != "" {
		n, _ := strconv.Atoi(v)
		s.Seeds = seeds(n)
	}
	m := len(s.Modes) - 1
	var tot [9]float64
	var lg [9]float64
	var fb, dec [9]int
	var t5, l5 [12]float64
	var th5 [12]float64
	var sl5 [12]float64
	for _, seed := range s.Seeds {
		r, err := newRun(s, s.Modes[m], seed)
		if err != nil {
			t.Fatal(err)
		}
		h := 0
		b5 := 0
		lt, ll := 0.0, 0.0
		lastTalk, lastLog := 0.0, 0.0
		lastF, lastD := 0, 0
		for len(r.q.ev) > 0 {
			e := r.q.pop()
			if e.at > s.ShiftS {
				break
			}
			for e.at > float64(h+1)*3600 && h < 8 {
				r.advance(float64(h+1) * 3600)
				tot[h] += r.st.TalkS - lastTalk
				lg[h] += r.st.LoggedInS - lastLog
				fb[h] += r.st.Fallbacks - lastF
				dec[h] += r.st.Decisions - lastD
				lastTalk, lastLog, lastF, lastD = r.st.TalkS, r.st.LoggedInS, r.st.Fallbacks, r.st.Decisions
				h++
			}
			for e.at > float64(b5+1)*300 && b5 < 12 {
				r.advance(float64(b5+1) * 300)
				t5[b5] += r.st.TalkS - lt
				l5[b5] += r.st.LoggedInS - ll
				th5[b5] += r.pacer.Forecast(0).Theta
				var st pacing.Stats
				r.ledger.Fill(r.now(), &st)
				sl5[b5] += 0.03*float64(st.Day.LiveAnswers) - float64(st.Day.Abandons)
				lt, ll = r.st.TalkS, r.st.LoggedInS
				b5++
			}
			r.advance(e.at)
			r.handle(e)
		}
		r.advance(s.ShiftS)
		r.finish()
		fmt.Printf("seed %d occ %.4f worst %.4f aband %d/%d\n", seed, r.st.TalkS/r.st.LoggedInS, r.st.WorstDay(), r.st.Abandons, r.st.LiveAnswers)
	}
	for b := 0; b < 12; b++ {
		fmt.Printf("min %d occ %.3f theta %.4f slack %.1f\n", b*5, t5[b]/l5[b], th5[b]/3, sl5[b]/3)
	}
	for h := 0; h < 8; h++ {
		fmt.Printf("hour %d occ %.3f fallback %.3f\n", h, tot[h]/lg[h], float64(fb[h])/float64(dec[h]))
	}
}
