package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/store"
)

// This file registers GET /api/v1/campaigns/{id}/live: the campaign dashboard as
// server-sent events, pushed whenever its numbers change.

// Live stream timing: the store is polled every LivePoll and a comment is sent after
// LiveKeepAlive without an event, so that proxies keep the connection open.
const (
	LivePoll      = time.Second
	LiveKeepAlive = 15 * time.Second
)

func (s *Server) campaignLiveRoutes() {
	svc := s.campaignService()
	s.Handle(Route{Method: "GET", Path: "/api/v1/campaigns/{id}/live", Tag: "campaigns", Role: store.RoleSupervisor, Response: Dashboard{},
		Summary: "Live campaign dashboard as server-sent events (text/event-stream): an event \"dashboard\" whose data is the " +
			"campaign details of GET /api/v1/campaigns/{id}/dashboard, sent at once and then whenever a number changes " +
			"(checked every second), and a keep-alive comment every 15 s; query instance pins a run, by default the " +
			"stream follows the current one",
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			return s.serveLive(w, r, svc, LivePoll, LiveKeepAlive)
		}})
}

// serveLive streams the dashboard of the campaign in the path until the client goes
// away (its request context ends) or a write fails.
func (s *Server) serveLive(w http.ResponseWriter, r *http.Request, svc *campaign.Service, poll, keepAlive time.Duration) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	// Errors found before the stream starts are answered as JSON errors.
	d, err := s.dashboard(ctx, svc, id, r)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	var last []byte
	seq := 0
	send := func(d Dashboard) error {
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if bytes.Equal(b, last) {
			return nil
		}
		last = b
		seq++
		if _, err := fmt.Fprintf(w, "id: %d\nevent: dashboard\ndata: %s\n\n", seq, b); err != nil {
			return err
		}
		return rc.Flush()
	}
	if err := send(d); err != nil {
		return nil // the client is gone; nothing more can be answered
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	quiet := time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		d, err = s.dashboard(ctx, svc, id, r)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			// A deleted campaign or a store error ends the stream with an event the
			// client can show; EventSource reconnects by itself.
			msg, _ := json.Marshal(map[string]string{"message": trimPrefix(err)})
			_, _ = fmt.Fprintf(w, "event: error\ndata: %s\n\n", msg)
			_ = rc.Flush()
			return nil
		}
		before := seq
		if err := send(d); err != nil {
			return nil
		}
		if seq != before {
			quiet = time.Now()
			continue
		}
		if time.Since(quiet) >= keepAlive {
			quiet = time.Now()
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
			if err := rc.Flush(); err != nil {
				return nil
			}
		}
	}
}
