package campaign

import (
	"errors"
	"fmt"
)

// SettingsKey is the store key of the global settings document.
const SettingsKey = "global"

// Settings are the account-wide campaign settings of the spec's "Settings" page.
type Settings struct {
	// MaxConcurrentCalls caps simultaneous calls of agentless campaigns (progressive and
	// preview are unaffected). Default 10; at most the server's
	// limits.max_concurrent_calls_ceiling (25 unless the operator raised it).
	MaxConcurrentCalls int `json:"max_concurrent_calls"`
	// TotalMessagesPerMinute caps SMS sent per minute.
	TotalMessagesPerMinute int `json:"total_messages_per_minute"`
	// PowerDialingCustomerWaitSeconds is how long an answered customer waits for an
	// agent before the call ends (min 3).
	PowerDialingCustomerWaitSeconds int `json:"power_dialing_customer_wait_seconds"`
	// PowerDialingAgentIdleMaxSeconds is how long an agent may idle before being released
	// back to the queue (min 5).
	PowerDialingAgentIdleMaxSeconds int `json:"power_dialing_agent_idle_max_seconds"`
	// ProactiveCooldownTime spaces proactive widgets for one visitor (0..30000).
	ProactiveCooldownTime int `json:"proactive_cooldown_time"`
	// UnansweredCallAttemptsToDNC: unanswered attempts before a number joins the global
	// DNC list (1..100).
	UnansweredCallAttemptsToDNC int `json:"unanswered_call_attempts_to_dnc"`
	// UnansweredDNCKeepMonths: how long such numbers stay on the DNC list; 0 = no expiry.
	UnansweredDNCKeepMonths int `json:"unanswered_dnc_keep_months"`
	// VoiceMachineTimeouts bound answering-machine handling.
	VoiceMachineTimeouts VoiceMachineTimeouts `json:"voice_machine_timeouts"`
}

// VoiceMachineTimeouts are the spec's four answering-machine waits, in milliseconds.
type VoiceMachineTimeouts struct {
	// DecisionMS: how long to wait for a human/machine decision.
	DecisionMS int `json:"decision_ms"`
	// GreetingCompletionMS: silence that ends a greeting.
	GreetingCompletionMS int `json:"greeting_completion_ms"`
	// NoSpeechMS: how long to wait for speech to begin.
	NoSpeechMS int `json:"no_speech_ms"`
	// ToneMS: how long to wait for a beep or tone.
	ToneMS int `json:"tone_ms"`
}

// DefaultSettings returns the spec's defaults.
func DefaultSettings() Settings {
	return Settings{
		MaxConcurrentCalls:              10,
		TotalMessagesPerMinute:          1,
		PowerDialingCustomerWaitSeconds: 5,
		PowerDialingAgentIdleMaxSeconds: 30,
		ProactiveCooldownTime:           0,
		UnansweredCallAttemptsToDNC:     30,
		UnansweredDNCKeepMonths:         0,
		// The timeouts leave the default AMD preset whole (docs/amd.md): it may wait
		// for 5.5 s of greeting, so a 5 s decision timeout would turn every long
		// greeting without an early beep into NOTSURE, which is handled as a human;
		// 1.5 s of silence ends a greeting with no beep.
		VoiceMachineTimeouts: VoiceMachineTimeouts{
			DecisionMS:           8000,
			GreetingCompletionMS: 1500,
			NoSpeechMS:           2500,
			ToneMS:               20000,
		},
	}
}

// FieldError is a validation failure of one field, with the allowed range.
type FieldError struct {
	Field   string
	Value   any
	Message string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: %v %s", e.Field, e.Value, e.Message)
}

// ErrInvalidSettings wraps every settings validation failure.
var ErrInvalidSettings = errors.New("campaign: invalid settings")

// Validate checks every setting against its range. maxConcurrentCeiling is the
// server's limits.max_concurrent_calls_ceiling. It returns every failure, each a
// *FieldError wrapped with ErrInvalidSettings.
func (s Settings) Validate(maxConcurrentCeiling int) error {
	var errs []error
	check := func(field string, v, lo, hi int) {
		if v < lo || v > hi {
			errs = append(errs, fmt.Errorf("%w: %w", ErrInvalidSettings,
				&FieldError{Field: field, Value: v, Message: fmt.Sprintf("is out of range; allowed %d..%d", lo, hi)}))
		}
	}
	check("max_concurrent_calls", s.MaxConcurrentCalls, 1, maxConcurrentCeiling)
	check("total_messages_per_minute", s.TotalMessagesPerMinute, 1, 100000)
	check("power_dialing_customer_wait_seconds", s.PowerDialingCustomerWaitSeconds, 3, 120)
	check("power_dialing_agent_idle_max_seconds", s.PowerDialingAgentIdleMaxSeconds, 5, 3600)
	check("proactive_cooldown_time", s.ProactiveCooldownTime, 0, 30000)
	check("unanswered_call_attempts_to_dnc", s.UnansweredCallAttemptsToDNC, 1, 100)
	check("unanswered_dnc_keep_months", s.UnansweredDNCKeepMonths, 0, 120)
	t := s.VoiceMachineTimeouts
	check("voice_machine_timeouts.decision_ms", t.DecisionMS, 1000, 30000)
	check("voice_machine_timeouts.greeting_completion_ms", t.GreetingCompletionMS, 100, 5000)
	check("voice_machine_timeouts.no_speech_ms", t.NoSpeechMS, 500, 10000)
	check("voice_machine_timeouts.tone_ms", t.ToneMS, 1000, 120000)
	return errors.Join(errs...)
}
