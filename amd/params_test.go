package amd

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAsteriskPresetHasAsteriskDefaults(t *testing.T) {
	p := mustPreset(t, PresetAsterisk)
	want := map[string]int{
		"initialSilence": 2500, "greeting": 1500, "afterGreetingSilence": 800,
		"totalAnalysisTime": 5000, "minimumWordLength": 100, "betweenWordsSilence": 50,
		"maximumNumberOfWords": 2, "silenceThreshold": 256, "maximumWordLength": 5000,
	}
	got := map[string]string{}
	for _, kv := range p.Pairs() {
		k, v, _ := strings.Cut(kv, "=")
		got[k] = v
	}
	for k, v := range want {
		if got[k] != strconv.Itoa(v) {
			t.Errorf("%s = %s, want %d", k, got[k], v)
		}
	}
	if !p.Classic || p.BeepDecides || p.FaxDetect || p.SITDetect || p.InitialSilenceHuman {
		t.Errorf("asterisk preset must be the plain classic detector: %+v", p)
	}
}

func TestPresetsValidate(t *testing.T) {
	for _, name := range PresetNames() {
		p := mustPreset(t, name)
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Preset("fast-and-loose"); !errors.Is(err, ErrUnknownPreset) {
		t.Errorf("unknown preset: got %v, want ErrUnknownPreset", err)
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		kv      string
		wantErr error
		inMsg   []string
		check   func(p Params) bool
	}{
		{"greeting=2000", nil, nil, func(p Params) bool { return p.Greeting == 2000 }},
		{"GREETING = 2100", nil, nil, func(p Params) bool { return p.Greeting == 2100 }},
		{"classic=true", nil, nil, func(p Params) bool { return p.Classic }},
		{"faxDetect=0", nil, nil, func(p Params) bool { return !p.FaxDetect }},
		{"greeting=abc", ErrBadValue, []string{"greeting", "100 to 60000"}, nil},
		{"silenceThreshold=0", ErrBadValue, []string{"silenceThreshold", "1 to 32767"}, nil},
		{"classic=maybe", ErrBadValue, []string{"classic", "true or false"}, nil},
		{"loudness=3", ErrUnknownParam, []string{"loudness", "initialSilence"}, nil},
		{"greeting", ErrBadValue, []string{"key=value"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.kv, func(t *testing.T) {
			p := mustPreset(t, PresetDefault)
			err := p.SetAll([]string{tt.kv})
			if tt.wantErr == nil {
				if err != nil || !tt.check(p) {
					t.Errorf("err %v, params %+v", err, p)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			for _, s := range tt.inMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestValidateRelations(t *testing.T) {
	p := mustPreset(t, PresetDefault)
	p.BeepMinLength, p.BeepMaxLength = 500, 200
	if err := p.Validate(); !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), "beepMinLength") {
		t.Errorf("got %v", err)
	}
	p = mustPreset(t, PresetDefault)
	p.Greeting = 5
	if err := p.Validate(); !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), "greeting=5") {
		t.Errorf("got %v", err)
	}
	if _, err := New(p); !errors.Is(err, ErrBadValue) {
		t.Errorf("New accepted bad params: %v", err)
	}
}

func TestApplyTimeouts(t *testing.T) {
	p := mustPreset(t, PresetDefault)
	before := p
	err := p.ApplyTimeouts(Timeouts{Decision: 7 * time.Second, GreetingCompletion: 2 * time.Second, NoSpeech: 3 * time.Second, Tone: 45 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if p.TotalAnalysisTime != 7000 || p.MessageEndSilence != 2000 || p.InitialSilence != 3000 || p.ToneTimeout != 45000 || !p.DetectMessageEnd {
		t.Errorf("got %+v", p)
	}
	q := before
	if err := q.ApplyTimeouts(Timeouts{}); err != nil || q != before {
		t.Errorf("zero timeouts changed params: %v %+v", err, q)
	}
	if err := q.ApplyTimeouts(Timeouts{NoSpeech: time.Millisecond}); !errors.Is(err, ErrBadValue) {
		t.Errorf("1 ms no-speech timeout accepted: %v", err)
	}
}

func TestPairsRoundTrip(t *testing.T) {
	for _, name := range PresetNames() {
		p := mustPreset(t, name)
		var q Params
		if err := q.SetAll(p.Pairs()); err != nil {
			t.Fatal(err)
		}
		if q != p {
			t.Errorf("%s: round trip gave %+v, want %+v", name, q, p)
		}
	}
}
