package eval

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// WriteTable prints the reports side by side as a Markdown table, one column per preset.
func WriteTable(w io.Writer, reps []Report) error {
	var b strings.Builder
	b.WriteString("| |")
	for _, r := range reps {
		fmt.Fprintf(&b, " %s |", r.Preset)
	}
	b.WriteString("\n|---|")
	for range reps {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	row := func(name string, f func(r Report) string) {
		fmt.Fprintf(&b, "| %s |", name)
		for _, r := range reps {
			fmt.Fprintf(&b, " %s |", f(r))
		}
		b.WriteString("\n")
	}
	pct := func(x float64) string { return fmt.Sprintf("%.1f %%", 100*x) }
	ms := func(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }
	row("calls", func(r Report) string { return fmt.Sprint(r.N) })
	row("accuracy (95 % CI)", func(r Report) string {
		return fmt.Sprintf("%.1f %% (%.1f-%.1f)", 100*r.Accuracy, 100*r.AccLow, 100*r.AccHigh)
	})
	row("humans called machine", func(r Report) string {
		return fmt.Sprintf("%s (%d)", pct(r.HumanAsMachine), r.Confusion[0][ColMachine])
	})
	row("machines called human", func(r Report) string {
		return fmt.Sprintf("%s (%d)", pct(r.MachineAsHuman), r.Confusion[1][ColHuman])
	})
	row("human: H / M / NOTSURE / other", func(r Report) string { return counts(r.Confusion[0]) })
	row("machine: H / M / NOTSURE / other", func(r Report) string { return counts(r.Confusion[1]) })
	row("human decision after greeting end, median / p95", func(r Report) string {
		return ms(r.HumanAfterSpeechMedian) + " / " + ms(r.HumanAfterSpeechP95)
	})
	row("machine decision from answer, median / p95", func(r Report) string {
		return ms(r.MachineFromAnswerMedian) + " / " + ms(r.MachineFromAnswerP95)
	})
	row("machine decision from greeting start, median / p95", func(r Report) string {
		return ms(r.MachineAfterStartMedian) + " / " + ms(r.MachineAfterStartP95)
	})
	row("beep end within 100 ms", func(r Report) string {
		p, _, _ := Wilson(r.BeepEndWithin100, r.Beeped)
		return fmt.Sprintf("%d/%d (%s)", r.BeepEndWithin100, r.Beeped, pct(p))
	})
	row("beep onset error, median / p95", func(r Report) string {
		return ms(r.BeepOnsetErrMedian) + " / " + ms(r.BeepOnsetErrP95)
	})
	row("no-beep machines ended by silence", func(r Report) string {
		return fmt.Sprintf("%d/%d", r.MessageEndSilence, r.NoBeep)
	})
	row("human calls with a false beep", func(r Report) string { return fmt.Sprint(r.FalseBeepHumans) })
	_, err := io.WriteString(w, b.String())
	return err
}

func counts(c [numCols]int) string {
	return fmt.Sprintf("%d / %d / %d / %d", c[ColHuman], c[ColMachine], c[ColNotSure], c[ColOther])
}

// WriteMisses prints one line per call a preset got wrong: preset, file, label, kind and
// the decision with its figures.
func WriteMisses(w io.Writer, r *Result) error {
	var b strings.Builder
	for pi, p := range r.Presets {
		for i, o := range r.Outcomes[pi] {
			c := r.Calls[i]
			want := ColHuman
			if c.Label == LabelMachine {
				want = ColMachine
			}
			if column(o.Class.Result) == want {
				continue
			}
			fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%v\n", p.Name, c.File, c.Label, c.Kind, o.Class)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Channel is the part of a call's kind after the slash ("personal/platform" ->
// "platform"): where the corpus put the background noise. Kinds without one give "".
func (c Call) Channel() string {
	_, ch, _ := strings.Cut(c.Kind, "/")
	return ch
}

// WriteChannels prints, for each preset, one row per label and channel: calls, how many
// were classified right, and the median decision time from answer of the right ones.
func WriteChannels(w io.Writer, r *Result) error {
	type key struct{ label, channel string }
	var b strings.Builder
	b.WriteString("| preset | label | channel | calls | right | median decision (right ones) |\n|---|---|---|---|---|---|\n")
	for pi, p := range r.Presets {
		var keys []key
		calls := map[key]int{}
		right := map[key]int{}
		times := map[key][]time.Duration{}
		for i, o := range r.Outcomes[pi] {
			c := r.Calls[i]
			k := key{c.Label, c.Channel()}
			if _, ok := calls[k]; !ok {
				keys = append(keys, k)
			}
			calls[k]++
			want := ColHuman
			if c.Label == LabelMachine {
				want = ColMachine
			}
			if column(o.Class.Result) == want {
				right[k]++
				times[k] = append(times[k], o.Class.At)
			}
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].label != keys[j].label {
				return keys[i].label < keys[j].label
			}
			return keys[i].channel < keys[j].channel
		})
		for _, k := range keys {
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d ms |\n", p.Name, k.label, k.channel, calls[k], right[k], quantile(times[k], 0.5).Milliseconds())
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
