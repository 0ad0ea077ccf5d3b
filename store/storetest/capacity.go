package storetest

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial/store"
)

// testAgentlessCapacity: the account's Max Concurrent Calls holds across nodes. Live
// agentless attempts of this node and of every node alive count; attempts of agent
// modes, of a node whose heartbeat ran out and closed attempts do not; and nodes that
// begin attempts at the same moment never pass the cap together.
func testAgentlessCapacity(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "agentless_capacity")
	t0 := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	var recs []store.CallRecord
	for i := range 12 {
		recs = append(recs, store.CallRecord{ContactID: int64(i + 1), Phones: []string{fmt.Sprintf("+1415555%04d", 8000+i)}, NextAttemptAt: t0})
	}
	_, inst := runningInstance(c, t, s, "capacity", recs)
	leased := map[string][]store.CallRecord{}
	for _, node := range []string{"n1", "n2", "n3"} {
		leased[node] = must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst.ID, Node: node, Limit: 4, Now: t0, TTL: time.Hour}))
		if len(leased[node]) != 4 {
			t.Fatalf("%s leased %d records, want 4", node, len(leased[node]))
		}
		must(0, s.NodeAlive(c, node, t0.Add(time.Minute)))
	}
	begin := func(node string, i int, agentless bool, at time.Time) (store.Attempt, error) {
		return s.BeginAttempt(c, store.AttemptStart{RecordID: leased[node][i].ID, Node: node, At: at, Agentless: agentless, MaxAgentless: 3})
	}
	// Two nodes fill the cap of 3; a third agentless attempt is refused on either.
	a1 := must(begin("n1", 0, true, t0))
	must(begin("n1", 1, true, t0))
	must(begin("n2", 0, true, t0))
	if _, err := begin("n2", 1, true, t0); !errors.Is(err, store.ErrCapacity) {
		t.Errorf("fourth agentless attempt: %v, want ErrCapacity", err)
	}
	if _, err := begin("n3", 0, true, t0); !errors.Is(err, store.ErrCapacity) {
		t.Errorf("agentless attempt on a third node: %v, want ErrCapacity", err)
	}
	// A refused attempt leaves its record leased and untouched.
	if r := must(s.CallRecordByID(c, leased["n3"][0].ID)); r.State != store.RecordLeased || r.Attempts != 0 {
		t.Errorf("refused record = %+v, want leased with no attempt", r)
	}
	// Attempts of agent modes neither count nor are capped.
	must(begin("n3", 1, false, t0))
	// Closing one frees a place.
	must(s.FinishAttempt(c, store.AttemptEnd{AttemptID: a1.ID, State: store.AttemptFinal, Outcome: "Busy", At: t0.Add(time.Second), Final: true}))
	must(begin("n3", 0, true, t0.Add(2*time.Second)))
	// n1's heartbeat runs out: its live attempt stops counting for the others, but a
	// node always counts its own.
	later := t0.Add(2 * time.Minute)
	must(0, s.NodeAlive(c, "n2", later.Add(time.Minute)))
	must(0, s.NodeAlive(c, "n3", later.Add(time.Minute)))
	must(begin("n2", 2, true, later)) // live: n1 (dead, not counted), n2, n3 -> 2 before
	if _, err := begin("n1", 2, true, later); !errors.Is(err, store.ErrCapacity) {
		t.Errorf("n1 with its own live attempt and two on live nodes: %v, want ErrCapacity", err)
	}
	// What each node sees of the others: n2 holds 2 live agentless attempts, n3 1 (its
	// agent-mode attempt does not count), n1 1 but is dead.
	for node, want := range map[string]int{"n1": 3, "n2": 1, "n3": 2} {
		if got := must(s.LiveAgentlessElsewhere(c, node, later)); got != want {
			t.Errorf("LiveAgentlessElsewhere(%s) = %d, want %d", node, got, want)
		}
	}

	// Concurrent nodes never pass the cap together.
	var race []store.CallRecord
	for i := range 16 {
		race = append(race, store.CallRecord{ContactID: int64(100 + i), Phones: []string{fmt.Sprintf("+1415555%04d", 8100+i)}, NextAttemptAt: t0})
	}
	_, inst3 := runningInstance(c, t, s, "capacity3", race)
	nodes := []string{"r1", "r2", "r3", "r4"}
	byNode := map[string][]store.CallRecord{}
	for _, node := range nodes {
		byNode[node] = must(s.LeaseRecords(c, store.LeaseRequest{InstanceID: inst3.ID, Node: node, Limit: 4, Now: later, TTL: time.Hour}))
		must(0, s.NodeAlive(c, node, later.Add(time.Hour)))
	}
	// Finish every attempt of the first part so only the race counts.
	for _, a := range must(s.InFlightAttempts(c, "")) {
		must(s.FinishAttempt(c, store.AttemptEnd{AttemptID: a.ID, State: store.AttemptFinal, Outcome: "Busy", At: later, Final: true}))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	begun := 0
	for _, node := range nodes {
		for _, r := range byNode[node] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.BeginAttempt(c, store.AttemptStart{RecordID: r.ID, Node: node, At: later, Agentless: true, MaxAgentless: 5})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					begun++
				case !errors.Is(err, store.ErrCapacity):
					t.Errorf("BeginAttempt: %v", err)
				}
			}()
		}
	}
	wg.Wait()
	live := 0
	for _, a := range must(s.InFlightAttempts(c, "")) {
		if a.InstanceID == inst3.ID {
			live++
		}
	}
	if begun != 5 || live != 5 {
		t.Errorf("%d attempts begun by 4 nodes at once (%d live), want exactly the cap of 5", begun, live)
	}
}

// testListCapacity: the account-wide entry cap of a bulk write holds when imports run
// at the same moment: each fits alone, together they would not, and exactly one
// commits; a write over the cap writes nothing.
func testListCapacity(t *testing.T, open Opener) {
	c := ctx(t)
	s := open(t, "list_capacity")
	contacts := func(from, n int) []store.Contact {
		var out []store.Contact
		for i := range n {
			out = append(out, store.Contact{Row: int64(i + 2), Phones: []string{fmt.Sprintf("+1212555%04d", from+i)}})
		}
		return out
	}
	base := must(s.CreateList(c, store.List{Kind: store.ListContact, Name: "base"}))
	must(s.WriteContacts(c, base.ID, 1000, sliceSource(contacts(0, 400))))
	// Over the cap on its own: refused, nothing written.
	big := must(s.CreateList(c, store.List{Kind: store.ListContact, Name: "big"}))
	_, err := s.WriteContacts(c, big.ID, 1000, sliceSource(contacts(1000, 601)))
	wantErr(t, err, store.ErrCapacity)
	if l := must(s.ListByID(c, big.ID)); l.Entries != 0 {
		t.Errorf("refused write left %d entries", l.Entries)
	}
	// Two imports of 400 at once: either fits (800), both would not (1200).
	var lists [2]store.List
	for i := range lists {
		lists[i] = must(s.CreateList(c, store.List{Kind: store.ListContact, Name: fmt.Sprintf("race%d", i)}))
	}
	// Each source waits at its end for the other (at most 2 s: SQLite runs one write
	// transaction at a time), so that both imports reach their check together.
	errs := make(chan error, 2)
	var wg, atEnd sync.WaitGroup
	atEnd.Add(2)
	for i, l := range lists {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := sliceSource(contacts(2000+i*1000, 400))
			ended := false
			_, err := s.WriteContacts(c, l.ID, 1000, func() (store.Contact, error) {
				ct, err := src()
				if errors.Is(err, io.EOF) && !ended {
					ended = true
					atEnd.Done()
					both := make(chan struct{})
					go func() { atEnd.Wait(); close(both) }()
					select {
					case <-both:
					case <-time.After(2 * time.Second):
					}
				}
				return ct, err
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	ok, refused := 0, 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, store.ErrCapacity):
			refused++
		default:
			t.Errorf("concurrent import: %v", err)
		}
	}
	_, total := must2(s.ListTotals(c, store.ListContact))
	if ok != 1 || refused != 1 || total != 800 {
		t.Errorf("%d imports committed, %d refused, %d contacts in the account; want 1, 1 and 800 (cap 1000)", ok, refused, total)
	}
	// DNC entries have their own cap.
	dnc := must(s.CreateList(c, store.List{Kind: store.ListDNC, Name: "optouts"}))
	_, err = s.WriteDNCEntries(c, dnc.ID, 1, sliceSource([]store.DNCEntry{{Number: "+14155550199"}, {Number: "+14155550198"}}))
	wantErr(t, err, store.ErrCapacity)
}
