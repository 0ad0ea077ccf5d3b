package engine_test

import (
	"testing"

	"github.com/outdial/outdial/campaign/engine"
	"github.com/outdial/outdial/sip"
)

func TestTrunkCaps(t *testing.T) {
	for _, tc := range []struct {
		name   string
		trunks []sip.Trunk
		want   int
	}{
		{"no trunks", nil, 0},
		{"one limited", []sip.Trunk{{Name: "a", MaxChannels: 30}}, 30},
		{"sum of limits", []sip.Trunk{{Name: "a", MaxChannels: 30}, {Name: "b", MaxChannels: 12}}, 42},
		{"one unlimited lifts the cap", []sip.Trunk{{Name: "a", MaxChannels: 30}, {Name: "b"}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := engine.TrunkCaps(tc.trunks); got.TrunkChannels != tc.want || got.CPS != 0 || got.MaxAgentless != 0 {
				t.Fatalf("TrunkCaps = %+v, want TrunkChannels %d only", got, tc.want)
			}
		})
	}
}
