package sip_test

import (
	"testing"

	"github.com/outdial/outdial/sip"
)

func TestOutcomeForStatus(t *testing.T) {
	cases := []struct {
		code int
		want sip.Outcome
	}{
		{200, sip.OutcomeConnected}, {202, sip.OutcomeConnected},
		{486, sip.OutcomeBusy}, {600, sip.OutcomeBusy},
		{480, sip.OutcomeNoAnswer}, {408, sip.OutcomeNoAnswer}, {487, sip.OutcomeNoAnswer},
		{403, sip.OutcomeRejected}, {603, sip.OutcomeRejected},
		{404, sip.OutcomeFailed}, {410, sip.OutcomeFailed}, {484, sip.OutcomeFailed}, {604, sip.OutcomeFailed},
		{500, sip.OutcomeFailed}, {503, sip.OutcomeFailed}, {401, sip.OutcomeFailed}, {488, sip.OutcomeFailed},
		{0, sip.OutcomeFailed},
	}
	for _, tc := range cases {
		if got := sip.OutcomeForStatus(tc.code); got != tc.want {
			t.Errorf("OutcomeForStatus(%d) = %s, want %s", tc.code, got, tc.want)
		}
	}
}
