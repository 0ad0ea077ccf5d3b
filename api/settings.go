package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/store"
)

// Settings returns the stored global settings, or the defaults when none are stored.
func (s *Server) Settings(ctx context.Context) (campaign.Settings, error) {
	return LoadSettings(ctx, s.store)
}

// LoadSettings reads the global settings document, falling back to the defaults.
func LoadSettings(ctx context.Context, st store.Settings) (campaign.Settings, error) {
	set := campaign.DefaultSettings()
	b, err := st.Setting(ctx, campaign.SettingsKey)
	if errors.Is(err, store.ErrNotFound) {
		return set, nil
	}
	if err != nil {
		return set, err
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return set, err
	}
	return set, nil
}

func (s *Server) settingsRoutes() {
	s.Handle(Route{Method: "GET", Path: "/api/v1/settings", Tag: "settings", Role: store.RoleSupervisor,
		Summary: "Global campaign settings", Response: campaign.Settings{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			set, err := s.Settings(r.Context())
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, set)
			return nil
		}})
	s.Handle(Route{Method: "PUT", Path: "/api/v1/settings", Tag: "settings", Role: store.RoleManager,
		Summary: "Change global campaign settings; fields left out keep their values; out-of-range values are refused and nothing is saved",
		Request: campaign.Settings{}, Response: campaign.Settings{},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			set, err := s.Settings(r.Context())
			if err != nil {
				return err
			}
			if err := s.Decode(w, r, &set); err != nil {
				return err
			}
			if err := set.Validate(s.cfg.Limits.MaxConcurrentCallsCeiling); err != nil {
				return settingsError(err)
			}
			b, err := json.Marshal(set)
			if err != nil {
				return err
			}
			if err := s.store.PutSetting(r.Context(), campaign.SettingsKey, b); err != nil {
				return err
			}
			NoteAudit(r, campaign.SettingsKey, string(b))
			writeJSON(w, http.StatusOK, set)
			return nil
		}})
}

// settingsError turns settings validation failures into one 400 naming the first field
// and listing all.
func settingsError(err error) error {
	var fields []*campaign.FieldError
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			var fe *campaign.FieldError
			if errors.As(e, &fe) {
				fields = append(fields, fe)
			}
		}
	}
	if len(fields) == 0 {
		return invalid("", "%v", err)
	}
	e := invalid(fields[0].Field, "%v %s", fields[0].Value, fields[0].Message)
	for _, fe := range fields {
		e.Details = append(e.Details, ErrorDetail{Field: fe.Field, Message: fe.Error()})
	}
	return e
}
