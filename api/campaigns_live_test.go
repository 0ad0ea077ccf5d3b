package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial/api"
	"github.com/outdial/outdial/store"
)

// sseEvent is one server-sent event.
type sseEvent struct {
	name, data string
}

// readEvents parses a text/event-stream into events (comments counted apart) until
// the body ends.
func readEvents(body *bufio.Reader, events chan<- sseEvent, comments chan<- string) {
	defer close(events)
	var ev sseEvent
	for {
		line, err := body.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "":
			if ev.name != "" || ev.data != "" {
				events <- ev
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, ":"):
			select {
			case comments <- line:
			default:
			}
		case strings.HasPrefix(line, "event: "):
			ev.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			ev.data += strings.TrimPrefix(line, "data: ")
		}
	}
}

func TestCampaignLive(t *testing.T) {
	h := newHarness(t)
	list, dnc, caller := campaignWorld(t, h)
	doc, _ := json.Marshal(map[string]string{"document": flowYAML})
	code, b := h.do(store.RoleManager, "POST", "/api/v1/flows", string(doc))
	if code != 201 {
		t.Fatalf("flow = %d %s", code, b)
	}
	var fl struct{ ID int64 }
	json.Unmarshal(b, &fl)
	code, b = h.do(store.RoleManager, "POST", "/api/v1/campaigns", fmt.Sprintf(`{"name": "Live", "list_ids": [%d],
		"dialing": {"mode": "agentless", "flow_id": %d}, "contacts": {"dnc_list_id": %d}, "outreach": {"caller_id": %d,
		"timings": {"time_zone": "America/New_York"}}}`, list, fl.ID, dnc, caller))
	if code != 201 {
		t.Fatalf("create = %d %s", code, b)
	}
	var camp struct{ ID int64 }
	json.Unmarshal(b, &camp)
	path := fmt.Sprintf("/api/v1/campaigns/%d", camp.ID)

	// Roles and a missing campaign are refused before the stream starts.
	for _, tc := range []struct {
		role store.Role
		path string
		code int
	}{
		{"", path + "/live", http.StatusUnauthorized},
		{store.RoleAgent, path + "/live", http.StatusForbidden},
		{store.RoleSupervisor, "/api/v1/campaigns/9999/live", http.StatusNotFound},
		{store.RoleSupervisor, path + "/live?instance=x", http.StatusBadRequest},
	} {
		if code, b := h.do(tc.role, "GET", tc.path, ""); code != tc.code {
			t.Errorf("%s GET %s = %d %s, want %d", tc.role, tc.path, code, b, tc.code)
		}
	}
	if code, b := h.do(store.RoleManager, "POST", path+"/play", ""); code != 200 {
		t.Fatalf("play = %d %s", code, b)
	}

	baseline := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", h.url+path+"/live", nil)
	req.Header.Set("Authorization", "Bearer "+h.tokens[store.RoleSupervisor])
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("live = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := make(chan sseEvent, 16)
	go readEvents(bufio.NewReader(resp.Body), events, make(chan string, 1))
	next := func(what string) api.Dashboard {
		t.Helper()
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("stream ended waiting for %s", what)
			}
			var d api.Dashboard
			if ev.name != "dashboard" || json.Unmarshal([]byte(ev.data), &d) != nil {
				t.Fatalf("waiting for %s: event %q %s", what, ev.name, ev.data)
			}
			return d
		case <-time.After(10 * time.Second):
			t.Fatalf("no event for %s", what)
		}
		return api.Dashboard{}
	}
	first := next("the first dashboard")
	if first.CampaignID != camp.ID || first.Instance == nil || first.Stats.Attempts != 0 || first.Progress.Total == 0 {
		t.Fatalf("first event: %+v", first)
	}

	// Calls complete one by one (through the store, as the engine writes them): each
	// one is an event with the new numbers, and nothing is sent while nothing changes.
	st := h.store
	c := context.Background()
	now := time.Now()
	recs, err := st.LeaseRecords(c, store.LeaseRequest{InstanceID: first.Instance.ID, Node: "n", Limit: 10, Now: now.Add(time.Minute), TTL: time.Hour})
	if err != nil || len(recs) < 2 {
		t.Fatalf("lease: %d records, %v", len(recs), err)
	}
	for i, outcome := range []string{"Connected", "Busy"} {
		a, err := st.BeginAttempt(c, store.AttemptStart{RecordID: recs[i].ID, Node: "n", Number: recs[i].Phones[0], At: now})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.FinishAttempt(c, store.AttemptEnd{AttemptID: a.ID, State: store.AttemptFinal, Outcome: outcome, At: now.Add(time.Second), Final: true}); err != nil {
			t.Fatal(err)
		}
		d := next(outcome)
		if d.Stats.Attempts != int64(i+1) || d.Stats.Connected != 1 || d.Progress.Done < int64(i+1) {
			t.Errorf("after call %d (%s): stats %+v, progress %+v", i+1, outcome, d.Stats, d.Progress)
		}
		if i == 1 && (d.ConnectedPct == 0 || d.UnconnectedPct == 0 || len(d.Matrix) == 0) {
			t.Errorf("after a connected and a busy call: %+v", d)
		}
	}
	select {
	case ev := <-events:
		t.Errorf("event %q without a change: %s", ev.name, ev.data)
	case <-time.After(2500 * time.Millisecond):
	}

	// The client goes away: the handler ends and its goroutines with it.
	cancel()
	resp.Body.Close()
	client.CloseIdleConnections()
	for range 200 {
		if runtime.NumGoroutine() <= baseline {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseline {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after the client left, %d before it came:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
	}
}
