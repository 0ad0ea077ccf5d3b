package campaign_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/lists"
	"github.com/outdial/outdial/store"
)

// brokenDNC is a DNC source that cannot answer.
type brokenDNC struct{}

func (brokenDNC) Blocked(context.Context, string, []int64, bool) (bool, store.DNCEntry, error) {
	return false, store.DNCEntry{}, errors.New("connection refused")
}

var _ campaign.DNCChecker = brokenDNC{}
var _ campaign.DNCChecker = (*lists.Service)(nil)

func TestCheckDialFailsClosed(t *testing.T) {
	backends(t, func(t *testing.T, st store.Store) {
		w := setup(t, st)
		c := context.Background()
		a, err := w.svc.Create(c, w.def("dial"))
		if err != nil {
			t.Fatal(err)
		}
		rec := store.CallRecord{Phones: []string{"+12125550101"}}
		tests := []struct {
			name     string
			opt      campaign.Options
			number   string
			tz       string
			ok       bool
			final    bool
			reasonOK bool
		}{
			{"store DNC, allowed", campaign.Options{}, "+12125550101", "", true, false, true},
			{"lists service DNC, allowed", campaign.Options{DNC: lists.New(st, lists.Options{})}, "+12125550101", "", true, false, true},
			{"lists service, campaign DNC", campaign.Options{DNC: lists.New(st, lists.Options{})}, w.onCampaignDNC, "", false, true, true},
			{"lists service, global DNC", campaign.Options{DNC: lists.New(st, lists.Options{})}, w.onGlobalDNC, "", false, true, true},
			{"lists service, not a number", campaign.Options{DNC: lists.New(st, lists.Options{})}, "12", "", false, false, true},
			{"DNC source down", campaign.Options{DNC: brokenDNC{}}, "+12125550101", "", false, false, true},
			{"unknown contact zone", campaign.Options{}, "+12125550101", "Atlantis/Harbor", false, false, true},
		}
		for _, tt := range tests {
			tt.opt.Now = func() time.Time { return w.now }
			svc := campaign.NewService(st, tt.opt)
			r := rec
			r.TimeZone = tt.tz
			v := svc.CheckDial(c, a, r, tt.number, w.now)
			if v.OK != tt.ok || v.Final != tt.final || (!v.OK && v.Reason == "") {
				t.Errorf("%s: verdict %+v", tt.name, v)
			}
			if !v.OK && !v.Final && !v.Next.After(w.now) {
				t.Errorf("%s: a refused dial must come back later, next = %v", tt.name, v.Next)
			}
		}
	})
}
