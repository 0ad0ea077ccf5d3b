package eval

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"math"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/outdial/outdial/amd"
	"github.com/outdial/outdial/media"
)

// Labels in a manifest.
const (
	LabelHuman   = "human"
	LabelMachine = "machine"
)

// Call is one labelled call of a manifest. Times are from answer; a field that does not
// apply (no speech, no beep) is negative.
type Call struct {
	File  string
	Label string
	Kind  string
	// SpeechStart and SpeechEnd bound the greeting (for humans: the first utterance).
	SpeechStart time.Duration
	SpeechEnd   time.Duration
	BeepOnset   time.Duration
	BeepEnd     time.Duration
}

// HasBeep reports whether the call's greeting ends in a beep.
func (c Call) HasBeep() bool { return c.BeepEnd >= 0 }

// ReadManifest reads the CSV manifest. It needs the columns file and label; the
// columns speech_end_ms, beep_onset_ms, beep_end_ms and kind are used when present.
func ReadManifest(r io.Reader) ([]Call, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: reading the header: %v", ErrManifest, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{"file", "label"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%w: no %q column in the header %q", ErrManifest, need, strings.Join(head, ","))
		}
	}
	get := func(rec []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var calls []Call
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: row %d: %v", ErrManifest, row, err)
		}
		c := Call{File: get(rec, "file"), Label: get(rec, "label"), Kind: get(rec, "kind")}
		if c.File == "" {
			return nil, fmt.Errorf("%w: row %d: empty file", ErrManifest, row)
		}
		if c.Label != LabelHuman && c.Label != LabelMachine {
			return nil, fmt.Errorf("%w: row %d, column label: %q is neither %s nor %s", ErrManifest, row, c.Label, LabelHuman, LabelMachine)
		}
		for _, f := range []struct {
			name string
			dst  *time.Duration
		}{{"speech_start_ms", &c.SpeechStart}, {"speech_end_ms", &c.SpeechEnd}, {"beep_onset_ms", &c.BeepOnset}, {"beep_end_ms", &c.BeepEnd}} {
			*f.dst = -1
			v := get(rec, f.name)
			if v == "" {
				continue
			}
			ms, err := strconv.Atoi(v)
			if err != nil || ms < 0 {
				return nil, fmt.Errorf("%w: row %d, column %s: %q is not a whole number of milliseconds", ErrManifest, row, f.name, v)
			}
			*f.dst = time.Duration(ms) * time.Millisecond
		}
		calls = append(calls, c)
	}
	if len(calls) == 0 {
		return nil, ErrNoCalls
	}
	return calls, nil
}

// Outcome is what one preset made of one call.
type Outcome struct {
	// Class is the classification (Human, Machine, NotSure, Fax, SIT, or MachineEnd when
	// a beep came first); ResultNone if the audio ended first.
	Class amd.Decision
	// End is the MachineEnd report, if any.
	End    amd.Decision
	HasEnd bool
	// FalseBeeps counts beeps (or CNG) a standalone tone detector found anywhere in the
	// call; it is filled for human calls only.
	FalseBeeps int
}

// Analyse runs a Detector with p (and DetectMessageEnd on) over samples in 20 ms frames.
// For human calls it also counts beeps over the whole call.
func Analyse(samples []int16, p amd.Params, human bool) (Outcome, error) {
	p.DetectMessageEnd = true
	d, err := amd.New(p)
	if err != nil {
		return Outcome{}, err
	}
	var o Outcome
	for i := 0; i+amd.FrameSamples <= len(samples) && !d.Done(); i += amd.FrameSamples {
		dec, ok := d.Feed(samples[i : i+amd.FrameSamples])
		if !ok {
			continue
		}
		if o.Class.Result == amd.ResultNone {
			o.Class = dec
		}
		if dec.Result == amd.MachineEnd {
			o.End, o.HasEnd = dec, true
		}
	}
	if human {
		td, err := amd.NewToneDetector(p)
		if err != nil {
			return Outcome{}, err
		}
		for i := 0; i+amd.FrameSamples <= len(samples); i += amd.FrameSamples {
			if ev, ok := td.Feed(samples[i : i+amd.FrameSamples]); ok && (ev.Kind == amd.ToneBeep || ev.Kind == amd.ToneFaxCNG) {
				o.FalseBeeps++
			}
		}
	}
	return o, nil
}

// Preset is a named parameter set to evaluate.
type Preset struct {
	Name   string
	Params amd.Params
}

// Result holds the outcomes of every call for every preset, in manifest order.
type Result struct {
	Calls    []Call
	Presets  []Preset
	Outcomes [][]Outcome // [preset][call]
}

// Run decodes every call of the manifest from fsys and analyses it with every preset,
// using up to GOMAXPROCS goroutines.
func Run(ctx context.Context, fsys fs.FS, calls []Call, presets []Preset) (*Result, error) {
	if len(calls) == 0 {
		return nil, ErrNoCalls
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := &Result{Calls: calls, Presets: presets, Outcomes: make([][]Outcome, len(presets))}
	for i := range presets {
		res.Outcomes[i] = make([]Outcome, len(calls))
	}
	work := make(chan int)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := res.analyseCall(fsys, i); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
feed:
	for i := range calls {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		case err := <-errs:
			close(work)
			wg.Wait()
			return nil, err
		}
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case err := <-errs:
		return nil, err
	default:
	}
	return res, nil
}

func (r *Result) analyseCall(fsys fs.FS, i int) error {
	c := r.Calls[i]
	f, err := fsys.Open(c.File)
	if err != nil {
		return fmt.Errorf("eval: %s: %w", c.File, err)
	}
	a, err := media.ReadWAV(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("eval: %s: %w", c.File, err)
	}
	for pi, p := range r.Presets {
		o, err := Analyse(a.Samples, p.Params, c.Label == LabelHuman)
		if err != nil {
			return fmt.Errorf("eval: preset %s: %w", p.Name, err)
		}
		r.Outcomes[pi][i] = o
	}
	return nil
}

// Columns of the confusion matrix.
const (
	ColHuman = iota
	ColMachine
	ColNotSure
	ColOther // fax, SIT, or no decision before the audio ended
	numCols
)

// Report sums up one preset.
type Report struct {
	Preset string
	N      int
	// Confusion[0] is the human row, Confusion[1] the machine row; columns are ColHuman,
	// ColMachine, ColNotSure, ColOther.
	Confusion [2][numCols]int
	// Accuracy counts NOTSURE and other results as wrong; AccLow/AccHigh is its Wilson
	// 95 % interval.
	Accuracy, AccLow, AccHigh float64
	// HumanAsMachine is the share of human calls classified as machines (the costly
	// error); MachineAsHuman the share of machine calls classified as human.
	HumanAsMachine, MachineAsHuman float64
	// HumanAfterSpeech: decision time after the end of the human's first utterance
	// (humans who spoke); MachineFromAnswer: machine calls' decision time from answer;
	// MachineAfterSpeechStart: from the start of the greeting.
	HumanAfterSpeechMedian, HumanAfterSpeechP95   time.Duration
	MachineFromAnswerMedian, MachineFromAnswerP95 time.Duration
	MachineAfterStartMedian, MachineAfterStartP95 time.Duration
	// Beeped is the number of machine calls with a beep; BeepEndWithin100 how many of
	// them the detector ended on that beep with the end within 100 ms.
	Beeped, BeepEndWithin100 int
	BeepOnsetErrMedian       time.Duration
	BeepOnsetErrP95          time.Duration
	// FalseBeepHumans counts human calls on which any beep was found.
	FalseBeepHumans int
	// MessageEndSilence counts machine calls without a beep that ended by silence.
	NoBeep, MessageEndSilence int
}

// Reports sums up every preset of r.
func (r *Result) Reports() []Report {
	out := make([]Report, len(r.Presets))
	for pi, p := range r.Presets {
		out[pi] = r.report(p.Name, r.Outcomes[pi])
	}
	return out
}

func column(res amd.Result) int {
	switch {
	case res == amd.Human:
		return ColHuman
	case res.IsMachine():
		return ColMachine
	case res == amd.NotSure:
		return ColNotSure
	}
	return ColOther
}

func (r *Result) report(name string, outs []Outcome) Report {
	rep := Report{Preset: name, N: len(outs)}
	var humanT, machineT, machineS, onsetErr []time.Duration
	var humans, machines int
	for i, o := range outs {
		c := r.Calls[i]
		col := column(o.Class.Result)
		row := 0
		if c.Label == LabelMachine {
			row = 1
			machines++
		} else {
			humans++
		}
		rep.Confusion[row][col]++
		if row == 0 {
			if o.FalseBeeps > 0 {
				rep.FalseBeepHumans++
			}
			if c.SpeechEnd >= 0 && o.Class.Result != amd.ResultNone {
				humanT = append(humanT, o.Class.At-c.SpeechEnd)
			}
			continue
		}
		if o.Class.Result != amd.ResultNone {
			machineT = append(machineT, o.Class.At)
			if c.SpeechStart >= 0 {
				machineS = append(machineS, o.Class.At-c.SpeechStart)
			}
		}
		if !c.HasBeep() {
			rep.NoBeep++
			if o.HasEnd && o.End.Cause == amd.CauseSilence {
				rep.MessageEndSilence++
			}
			continue
		}
		rep.Beeped++
		if o.HasEnd && o.End.Cause == amd.CauseBeep {
			if absDur(o.End.Tone.End-c.BeepEnd) <= 100*time.Millisecond {
				rep.BeepEndWithin100++
			}
			onsetErr = append(onsetErr, absDur(o.End.Tone.Onset-c.BeepOnset))
		}
	}
	correct := rep.Confusion[0][ColHuman] + rep.Confusion[1][ColMachine]
	rep.Accuracy, rep.AccLow, rep.AccHigh = Wilson(correct, rep.N)
	if humans > 0 {
		rep.HumanAsMachine = float64(rep.Confusion[0][ColMachine]) / float64(humans)
	}
	if machines > 0 {
		rep.MachineAsHuman = float64(rep.Confusion[1][ColHuman]) / float64(machines)
	}
	rep.HumanAfterSpeechMedian, rep.HumanAfterSpeechP95 = quantile(humanT, 0.5), quantile(humanT, 0.95)
	rep.MachineFromAnswerMedian, rep.MachineFromAnswerP95 = quantile(machineT, 0.5), quantile(machineT, 0.95)
	rep.MachineAfterStartMedian, rep.MachineAfterStartP95 = quantile(machineS, 0.5), quantile(machineS, 0.95)
	rep.BeepOnsetErrMedian, rep.BeepOnsetErrP95 = quantile(onsetErr, 0.5), quantile(onsetErr, 0.95)
	return rep
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// quantile returns the q-quantile (nearest rank) of ds, or 0 for none.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	k := int(math.Ceil(q*float64(len(s)))) - 1
	if k < 0 {
		k = 0
	}
	return s[k]
}

// Wilson returns the share k/n and its Wilson score 95 % interval.
func Wilson(k, n int) (p, lo, hi float64) {
	if n == 0 {
		return 0, 0, 0
	}
	const z = 1.959963984540054
	nf := float64(n)
	p = float64(k) / nf
	den := 1 + z*z/nf
	mid := (p + z*z/(2*nf)) / den
	half := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / den
	return p, math.Max(0, mid-half), math.Min(1, mid+half)
}
