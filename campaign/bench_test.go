package campaign_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/store"
	"github.com/outdial/outdial/store/sqlite"
)

func BenchmarkContactable(b *testing.B) {
	t := campaign.Timings{TimeZone: "America/New_York", Windows: []campaign.Window{
		{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "09:00", End: "12:00"},
		{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "13:00", End: "20:00"}}}
	now := time.Date(2026, 3, 7, 3, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		campaign.Contactable(now, "America/Los_Angeles", t, campaign.DefaultHardLimits())
	}
}

func BenchmarkNextAttempt(b *testing.B) {
	r := campaign.Rules{MaxAttempts: 3, DefaultDelay: time.Hour, Set: campaign.DispositionSet{Rules: []campaign.RetryRule{{Disposition: "No Answer", Attempts: 5}}}}
	hist := []campaign.Try{{Number: "+1", Outcome: "Busy"}, {Number: "+1", Outcome: "No Answer"}}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		campaign.NextAttempt(hist, []string{"+1", "+2"}, r, now)
	}
}

// BenchmarkSnapshot writes the scrubbed call list of a 10,000-contact list on SQLite.
func BenchmarkSnapshot(b *testing.B) {
	c := context.Background()
	st, err := sqlite.Open(c, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	l, _ := st.CreateList(c, store.List{Kind: store.ListContact, Name: "big", Status: store.ListValidated})
	d, _ := st.CreateList(c, store.List{Kind: store.ListDNC, Name: "dnc", Status: store.ListValidated})
	const n = 10000
	i := 0
	if _, err := st.WriteContacts(c, l.ID, 0, func() (store.Contact, error) {
		if i == n {
			return store.Contact{}, io.EOF
		}
		i++
		return store.Contact{Row: int64(i), Phones: []string{fmt.Sprintf("+1212555%04d", i)}, FirstName: "x", Fields: map[string]string{"k": "v"}}, nil
	}); err != nil {
		b.Fatal(err)
	}
	for j := 0; j < n; j += 10 {
		st.PutDNCEntry(c, store.DNCEntry{ListID: d.ID, Number: fmt.Sprintf("+1212555%04d", j)})
	}
	svc := campaign.NewService(st, campaign.Options{})
	cp, err := st.CreateCampaign(c, store.Campaign{Name: "bench", Priority: 5, Mode: "agentless", DNCListID: d.ID, ListIDs: []int64{l.ID},
		Definition: []byte(`{"outreach": {"timings": {"time_zone": "UTC"}}}`)})
	if err != nil {
		b.Fatal(err)
	}
	camp, err := campaign.FromStore(cp)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		inst, err := st.CreateInstance(c, cp.ID, "play", time.Now())
		if err != nil {
			b.Fatal(err)
		}
		rep, err := svc.Snapshot(c, camp, inst.ID)
		if err != nil || rep.Ready+rep.DNCExcluded != n {
			b.Fatalf("snapshot = %+v %v", rep, err)
		}
	}
	b.ReportMetric(float64(n), "contacts/op")
}
