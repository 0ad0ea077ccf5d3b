package media

import "testing"

func TestReceiveStats(t *testing.T) {
	tests := []struct {
		name                    string
		seqs                    []uint16
		wantExpected            uint64
		wantLost                int64
		wantDup, wantOutOfOrder uint64
	}{
		{"in order", []uint16{1, 2, 3, 4}, 4, 0, 0, 0},
		{"gap", []uint16{1, 2, 5, 6}, 6, 2, 0, 0},
		{"wrap", []uint16{65534, 65535, 0, 1}, 4, 0, 0, 0},
		{"gap across wrap", []uint16{65534, 1}, 4, 2, 0, 0},
		{"duplicate", []uint16{1, 2, 2, 3}, 3, 0, 1, 0},
		{"late packet fills gap", []uint16{1, 3, 2, 4}, 4, 0, 0, 1},
		{"late duplicate", []uint16{1, 3, 2, 2, 4}, 4, 0, 1, 1},
		{"packet older than the start", []uint16{10, 11, 9}, 2, 0, 0, 1},
		{"huge jump restarts numbering", []uint16{1, 2, 20000, 20001}, 4, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r receiveStats
			for i, s := range tt.seqs {
				r.update(7, s, uint32(s)*160, int64(i)*160)
			}
			if r.expected() != tt.wantExpected || r.lost() != tt.wantLost ||
				r.duplicates != tt.wantDup || r.outOfOrder != tt.wantOutOfOrder {
				t.Errorf("expected %d lost %d dup %d ooo %d; want %d %d %d %d",
					r.expected(), r.lost(), r.duplicates, r.outOfOrder,
					tt.wantExpected, tt.wantLost, tt.wantDup, tt.wantOutOfOrder)
			}
		})
	}
}

func TestReceiveStatsJitter(t *testing.T) {
	tests := []struct {
		name       string
		arrivals   []int64 // in timestamp units, one packet every 160 units of media time
		minJ, maxJ int64   // bounds on jitter in timestamp units
	}{
		{"steady", []int64{0, 160, 320, 480, 640, 800}, 0, 0},
		// alternating +-40 units of transit: |D| = 80 each step after the first;
		// J converges towards 80 from below
		{"alternating", alternating(400, 40), 70, 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r receiveStats
			for i, a := range tt.arrivals {
				r.update(1, uint16(i), uint32(i)*160, a)
			}
			j := r.jitter >> 4
			if j < tt.minJ || j > tt.maxJ {
				t.Errorf("jitter %d timestamp units, want %d..%d", j, tt.minJ, tt.maxJ)
			}
		})
	}
}

func alternating(n int, dev int64) []int64 {
	a := make([]int64, n)
	for i := range a {
		a[i] = int64(i) * 160
		if i%2 == 1 {
			a[i] += dev
		} else {
			a[i] -= dev
		}
	}
	return a
}

func TestReceiveStatsSSRCChangeKeepsTotals(t *testing.T) {
	var r receiveStats
	for _, s := range []uint16{1, 2, 4} { // one lost
		r.update(1, s, 0, 0)
	}
	for _, s := range []uint16{900, 901, 903} { // new source, one lost
		r.update(2, s, 0, 0)
	}
	if r.expected() != 8 || r.lost() != 2 {
		t.Errorf("expected %d lost %d, want 8 and 2", r.expected(), r.lost())
	}
}
