package campaign

import (
	"errors"
	"strings"
	"testing"
)

func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Settings)
		field  string
		rng    string
	}{
		{"defaults", func(*Settings) {}, "", ""},
		{"max concurrent above ceiling", func(s *Settings) { s.MaxConcurrentCalls = 26 }, "max_concurrent_calls", "1..25"},
		{"customer wait below 3", func(s *Settings) { s.PowerDialingCustomerWaitSeconds = 2 }, "power_dialing_customer_wait_seconds", "3..120"},
		{"agent idle below 5", func(s *Settings) { s.PowerDialingAgentIdleMaxSeconds = 4 }, "power_dialing_agent_idle_max_seconds", "5..3600"},
		{"cooldown above 30000", func(s *Settings) { s.ProactiveCooldownTime = 30001 }, "proactive_cooldown_time", "0..30000"},
		{"attempts 0", func(s *Settings) { s.UnansweredCallAttemptsToDNC = 0 }, "unanswered_call_attempts_to_dnc", "1..100"},
		{"attempts 101", func(s *Settings) { s.UnansweredCallAttemptsToDNC = 101 }, "unanswered_call_attempts_to_dnc", "1..100"},
		{"tone timeout", func(s *Settings) { s.VoiceMachineTimeouts.ToneMS = 10 }, "voice_machine_timeouts.tone_ms", "1000..120000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSettings()
			tt.change(&s)
			err := s.Validate(25)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.Is(err, ErrInvalidSettings) || !errors.As(err, &fe) {
				t.Fatalf("Validate() = %v, want a FieldError", err)
			}
			if fe.Field != tt.field || !strings.Contains(fe.Message, tt.rng) {
				t.Fatalf("FieldError = %+v, want field %s range %s", fe, tt.field, tt.rng)
			}
		})
	}
	s := DefaultSettings()
	s.MaxConcurrentCalls = 200
	if err := s.Validate(500); err != nil {
		t.Fatalf("a raised ceiling should allow 200: %v", err)
	}
}
