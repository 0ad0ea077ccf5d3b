package main

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseSweep(t *testing.T) {
	tests := []struct {
		in      string
		want    []float64
		wantErr bool
	}{
		{in: "", want: nil},
		{in: "1.5:2:0.1", want: []float64{1.5, 1.6, 1.7, 1.8, 1.9, 2}},
		{in: "2:3:0.5", want: []float64{2, 2.5, 3}},
		{in: "2:2:1", want: []float64{2}},
		{in: "1:2", wantErr: true},
		{in: "a:2:0.1", wantErr: true},
		{in: "0.5:2:0.1", wantErr: true},
		{in: "2:11:1", wantErr: true},
		{in: "3:2:0.1", wantErr: true},
		{in: "1:2:0", wantErr: true},
		{in: "1:10:0.001", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseSweep(tt.in)
		if tt.wantErr {
			if !errors.Is(err, errUsage) {
				t.Errorf("parseSweep(%q) error %v, want a usage error", tt.in, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseSweep(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestSimCommandPowerSweep(t *testing.T) {
	code, out, errOut := runCLI(t, "sim", "--scenario", "../../pacing/sim/testdata/small.json", "--power-sweep", "1:1.5:0.5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{`"mode":"progressive"`, `"mode":"power","ratio":1,`, `"mode":"power","ratio":1.5,`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}
