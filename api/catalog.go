package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial/lists"
	"github.com/outdial/outdial/store"
)

// This file registers the account's catalog resources: users, agents, queues, trunks,
// phone numbers and the audit log.

var usernamePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._@-]{1,63}$`)

func checkName(field, v string, max int) error {
	if strings.TrimSpace(v) == "" {
		return invalid(field, "is required")
	}
	if len(v) > max {
		return invalid(field, "is %d characters; at most %d are allowed", len(v), max)
	}
	return nil
}

// checkE164 normalises a phone number to E.164 or explains the fix.
func checkE164(field, v string) (string, error) {
	n, err := lists.Normalise(v, "")
	if err != nil {
		return "", invalid(field, "%s", strings.TrimPrefix(err.Error(), "lists: "))
	}
	return n, nil
}

func (s *Server) resourceRoutes() {
	registerResource(s, resource[store.Queue]{
		name: "queues", one: "queue", readRole: store.RoleSupervisor, writeRole: store.RoleManager,
		list: s.store.ListQueues, get: s.store.QueueByID, create: s.store.CreateQueue, update: s.store.UpdateQueue, remove: s.store.DeleteQueue,
		setID: func(v *store.Queue, id int64) { v.ID = id }, idOf: func(v store.Queue) int64 { return v.ID },
		validate: func(_ context.Context, q *store.Queue, _ *store.Queue) error {
			q.Name = strings.TrimSpace(q.Name)
			if err := checkName("name", q.Name, 100); err != nil {
				return err
			}
			if len(q.Description) > 1000 {
				return invalid("description", "is %d characters; at most 1000 are allowed", len(q.Description))
			}
			return nil
		},
	})
	registerResource(s, resource[store.Trunk]{
		name: "trunks", one: "trunk", readRole: store.RoleManager, writeRole: store.RoleAdmin,
		list: s.store.ListTrunks, get: s.store.TrunkByID, create: s.store.CreateTrunk, update: s.store.UpdateTrunk, remove: s.store.DeleteTrunk,
		setID: func(v *store.Trunk, id int64) { v.ID = id }, idOf: func(v store.Trunk) int64 { return v.ID },
		redact:   func(v store.Trunk) store.Trunk { v.Password = ""; return v },
		validate: validateTrunk,
	})
	registerResource(s, resource[store.PhoneNumber]{
		name: "phone-numbers", one: "phone number", readRole: store.RoleSupervisor, writeRole: store.RoleManager,
		list: s.store.ListPhoneNumbers, get: s.store.PhoneNumberByID, create: s.store.CreatePhoneNumber, update: s.store.UpdatePhoneNumber, remove: s.deletePhoneNumber,
		setID: func(v *store.PhoneNumber, id int64) { v.ID = id }, idOf: func(v store.PhoneNumber) int64 { return v.ID },
		validate: func(_ context.Context, p *store.PhoneNumber, _ *store.PhoneNumber) error {
			n, err := checkE164("number", p.Number)
			if err != nil {
				return err
			}
			p.Number = n
			switch p.Direction {
			case store.DirectionOutbound, store.DirectionInboundOutbound, store.DirectionInbound:
			case "":
				p.Direction = store.DirectionOutbound
			default:
				return invalid("direction", "%q is not allowed; allowed outbound, inbound-outbound, inbound", p.Direction)
			}
			if len(p.Description) > 200 {
				return invalid("description", "is %d characters; at most 200 are allowed", len(p.Description))
			}
			return nil
		},
	})
	registerResource(s, resource[store.Agent]{
		name: "agents", one: "agent", readRole: store.RoleSupervisor, writeRole: store.RoleManager,
		list: s.store.ListAgents, get: s.store.AgentByID, create: s.store.CreateAgent, update: s.store.UpdateAgent, remove: s.store.DeleteAgent,
		setID: func(v *store.Agent, id int64) { v.ID = id }, idOf: func(v store.Agent) int64 { return v.ID },
		validate: func(ctx context.Context, a *store.Agent, old *store.Agent) error {
			if old != nil {
				a.UserID = old.UserID
			}
			u, err := s.store.UserByID(ctx, a.UserID)
			if errors.Is(err, store.ErrNotFound) {
				return invalid("user_id", "user %d does not exist; create the user first (POST /api/v1/users)", a.UserID)
			}
			if err != nil {
				return err
			}
			if u.Role != store.RoleAgent {
				return invalid("user_id", "user %s has role %s; only users with role agent can be agents", u.Username, u.Role)
			}
			if a.Name == "" {
				a.Name = u.DisplayName
			}
			if err := checkName("name", a.Name, 100); err != nil {
				return err
			}
			if a.QueueIDs == nil {
				a.QueueIDs = []int64{}
			}
			for i, q := range a.QueueIDs {
				if _, err := s.store.QueueByID(ctx, q); errors.Is(err, store.ErrNotFound) {
					return invalid(fmt.Sprintf("queue_ids[%d]", i), "queue %d does not exist", q)
				} else if err != nil {
					return err
				}
			}
			return nil
		},
	})
	s.userRoutes()
	s.Handle(Route{Method: "GET", Path: "/api/v1/audit", Tag: "audit", Role: store.RoleAdmin,
		Summary: "Audit log, newest first; query: since, until (RFC 3339), resource, limit", Response: []store.AuditEntry{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			var f store.AuditFilter
			q := r.URL.Query()
			for _, p := range []struct {
				key string
				dst *time.Time
			}{{"since", &f.Since}, {"until", &f.Until}} {
				if v := q.Get(p.key); v != "" {
					t, err := time.Parse(time.RFC3339, v)
					if err != nil {
						return invalid(p.key, "%q is not an RFC 3339 time; write it like 2026-11-30T09:00:00Z", v)
					}
					*p.dst = t
				}
			}
			f.Resource = q.Get("resource")
			if v := q.Get("limit"); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > 10000 {
					return invalid("limit", "%q is out of range; allowed 1..10000", v)
				}
				f.Limit = n
			}
			es, err := s.store.ListAudit(r.Context(), f)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, es)
			return nil
		}})
}

var codecNames = map[string]bool{"PCMU": true, "PCMA": true}

func validateTrunk(_ context.Context, t *store.Trunk, old *store.Trunk) error {
	t.Name = strings.TrimSpace(t.Name)
	if err := checkName("name", t.Name, 100); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(t.Address)
	if err != nil || host == "" {
		return invalid("address", "%q is not host:port; write it like sip.carrier.example:5060", t.Address)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return invalid("address", "port %q is out of range; allowed 1..65535", port)
	}
	switch t.Transport {
	case "":
		t.Transport = "udp"
	case "udp", "tcp", "tls":
	default:
		return invalid("transport", "%q is not allowed; allowed udp, tcp, tls", t.Transport)
	}
	if t.MaxChannels == 0 {
		t.MaxChannels = 100
	}
	if t.MaxChannels < 1 || t.MaxChannels > 100000 {
		return invalid("max_channels", "%d is out of range; allowed 1..100000", t.MaxChannels)
	}
	if t.MaxCPS == 0 {
		t.MaxCPS = 10
	}
	if t.MaxCPS < 0.1 || t.MaxCPS > 10000 {
		return invalid("max_cps", "%g is out of range; allowed 0.1..10000", t.MaxCPS)
	}
	if len(t.Codecs) == 0 {
		t.Codecs = []string{"PCMU", "PCMA"}
	}
	seen := map[string]bool{}
	for i, c := range t.Codecs {
		c = strings.ToUpper(c)
		if !codecNames[c] {
			return invalid(fmt.Sprintf("codecs[%d]", i), "%q is not supported; allowed PCMU, PCMA", t.Codecs[i])
		}
		if seen[c] {
			return invalid(fmt.Sprintf("codecs[%d]", i), "%s is listed twice", c)
		}
		seen[c] = true
		t.Codecs[i] = c
	}
	if t.Priority < 0 || t.Priority > 1000 {
		return invalid("priority", "%d is out of range; allowed 0..1000 (lower is tried first)", t.Priority)
	}
	if t.Password != "" && t.Username == "" {
		return invalid("username", "is required when a password is set")
	}
	if old != nil && t.Password == "" && t.Username == old.Username {
		// An update that leaves the password out keeps the stored one: the API never
		// returns it, so clients cannot send it back.
		t.Password = old.Password
	}
	return nil
}
