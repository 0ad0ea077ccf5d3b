package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Temporary experiment harness (removed before hand-back).
func TestZZExp(t *testing.T) {
	if os.Getenv("OUTDIAL_EXP") == "" {
		t.Skip()
	}
	files, _ := filepath.Glob("../../configs/sim/*.json")
	if f := os.Getenv("OUTDIAL_EXP_ONLY"); f != "" {
		files = []string{"../../configs/sim/" + f + ".json"}
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		sc, err := DecodeBytes(b)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := strconv.Atoi(os.Getenv("OUTDIAL_EXP_WARMUP")); err == nil {
			sc.Pacer.Warmup = v
		}
		if v, err := strconv.ParseFloat(os.Getenv("OUTDIAL_EXP_AIM"), 64); err == nil {
			sc.Pacer.Aim = v
		}
		for m := range sc.Modes {
			if sc.Modes[m].Mode != "predictive" {
				continue
			}
			r, err := sc.RunMode(m)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("%-14s occ %.4f worst %.4f overall %.4f fb %.4f occ/seed %v worst/seed %v\n", filepath.Base(f), r.Occupancy, r.AbandonRateWorstDay, r.AbandonRate, r.FallbackShare, r.OccupancyBySeed, r.WorstDayBySeed)
		}
	}
}
