package engine

import (
	"github.com/outdial/outdial/pacing"
	"github.com/outdial/outdial/sip"
)

// TrunkCaps are the pacing limits the trunks give a node: TrunkChannels is the sum of
// their max_channels, and zero (unlimited) when any trunk has no limit. Set it as
// Config.Caps so that pacing never orders more calls than the trunks can carry: a dial
// beyond them is refused by the sip client (sip.ErrNoCapacity) and only requeued.
func TrunkCaps(trunks []sip.Trunk) pacing.Caps {
	var c pacing.Caps
	for _, t := range trunks {
		if t.MaxChannels <= 0 {
			return pacing.Caps{}
		}
		c.TrunkChannels += t.MaxChannels
	}
	return c
}
