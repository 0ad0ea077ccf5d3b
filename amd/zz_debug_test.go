package amd

import (
	"fmt"
	"os"
	"testing"

	"github.com/outdial/outdial/media"
)

func TestZZDebug(t *testing.T) {
	f := os.Getenv("DBG_WAV")
	if f == "" {
		t.Skip()
	}
	w, err := media.LoadWAV(f)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := Preset(PresetDefault)
	if err := p.SetAll(splitComma(os.Getenv("DBG_SET"))); os.Getenv("DBG_SET") != "" && err != nil {
		t.Fatal(err)
	}
	d, _ := New(p)
	for i := 0; i+160 <= len(w.Samples); i += 160 {
		fr := w.Samples[i : i+160]
		st := analyse(fr, p.ToneLevel, d.lo, d.hi)
		floor := d.floor.value()
		dec, ok := d.Feed(fr)
		fmt.Printf("%5d low %5.1f lfl %5.1f lvl %5.1f floor %5.1f zcr %.2f hz %6.0f pur %.2f v %v tonal? run %d words %d span %d\n", i/8, st.lowLevel, d.lowFloor.value(), st.level, floor, st.zcr, st.hz, st.purity, d.prevVoice, d.voiceRun, d.words, d.span())
		if ok {
			fmt.Println(dec)
		}
		if d.Done() {
			break
		}
	}
}

func TestZZGaps(t *testing.T) {
	m := os.Getenv("DBG_MANIFEST")
	if m == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(m)
	dir := m[:len(m)-len("manifest.csv")]
	lines := splitLines(string(b))[1:]
	for _, ln := range lines {
		fs := splitComma(ln)
		if len(fs) < 5 || fs[4] == "" {
			continue
		}
		w, err := media.LoadWAV(dir + fs[0])
		if err != nil {
			t.Fatal(err)
		}
		p, _ := Preset(PresetDefault)
		p.Greeting = 60000
		p.LongGreetingSilence = 60000
		p.AfterGreetingSilence = 60000
		p.TotalAnalysisTime = 120000
		p.BeepDecides = false
		d, _ := New(p)
		var vs []bool
		for i := 0; i+160 <= len(w.Samples); i += 160 {
			d.Feed(w.Samples[i : i+160])
			vs = append(vs, d.prevVoice)
		}
		// gaps after the first voice, within the first 3 s of voice start
		first := -1
		for i, v := range vs {
			if v {
				first = i
				break
			}
		}
		out := ""
		if first >= 0 {
			gap := 0
			for i := first; i < len(vs) && i < first+150; i++ {
				if vs[i] {
					if gap >= 5 {
						out += fmt.Sprintf(" %d@%d", gap*20, (i-first)*20)
					}
					gap = 0
				} else {
					gap++
				}
			}
		}
		run, best := 0, 0
		for _, v := range vs {
			if v {
				run++
				best = max(best, run)
			} else {
				run = 0
			}
		}
		_ = out
		fmt.Printf("RUN %s %s %d\n", fs[2], fs[0], best*20)
	}
}

func splitLines(s string) []string {
	var out []string
	cur := ""
	for _, c := range s {
		if c == '\n' {
			out = append(out, cur)
			cur = ""
		} else {
			cur += string(c)
		}
	}
	return out
}

func splitComma(s string) []string {
	var out []string
	cur := ""
	for _, c := range s {
		if c == ',' {
			out = append(out, cur)
			cur = ""
		} else {
			cur += string(c)
		}
	}
	return append(out, cur)
}
