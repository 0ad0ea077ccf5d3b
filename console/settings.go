package console

// settingField is one input of the Settings page. The ranges are help text only: the
// API (campaign.Settings.Validate) is the judge, and TestSettingsHelpMatchesValidate
// keeps this text true to it.
type settingField struct {
	// Name is the JSON path in the settings document, e.g. voice_machine_timeouts.tone_ms.
	Name  string
	Label string
	Help  string
	Unit  string
	Min   int
	// Max is the upper bound; 0 means the server's limits.max_concurrent_calls_ceiling.
	Max int
}

// settingSection is one panel of the Settings page, as the spec groups them.
type settingSection struct {
	Title  string
	Intro  string
	Fields []settingField
}

var settingSections = []settingSection{
	{Title: "Global Settings", Fields: []settingField{
		{Name: "max_concurrent_calls", Label: "Max Concurrent Calls", Unit: "calls", Min: 1,
			Help: "Maximum simultaneous calls for agentless campaigns (progressive and preview are unaffected). Default 10; the highest allowed is the server's ceiling (25 unless the operator raised limits.max_concurrent_calls_ceiling)."},
		{Name: "total_messages_per_minute", Label: "Total Messages Per Minute", Unit: "messages", Min: 1, Max: 100000,
			Help: "Maximum SMS messages sent per minute. Default 1."},
		{Name: "power_dialing_customer_wait_seconds", Label: "Power Dialing Customer Wait Time", Unit: "seconds", Min: 3, Max: 120,
			Help: "How long a customer waits on hold for an agent before the call ends. Default 5 seconds."},
		{Name: "power_dialing_agent_idle_max_seconds", Label: "Power Dialing Agent Idle Max Time", Unit: "seconds", Min: 5, Max: 3600,
			Help: "Maximum agent idle time before the agent is released back to the queue. Default 30 seconds."},
	}},
	{Title: "Proactive Cooldown Time", Intro: "How often proactive widgets may appear to the same visitor in a session. Applies to all proactive campaigns.", Fields: []settingField{
		{Name: "proactive_cooldown_time", Label: "Proactive Cooldown Time", Min: 0, Max: 30000, Help: "Default 0 (no cooldown)."},
	}},
	{Title: "Unanswered Call Attempts", Intro: "Numbers that repeatedly fail to connect during voice campaigns are added to the Global DNC list.", Fields: []settingField{
		{Name: "unanswered_call_attempts_to_dnc", Label: "No. of Attempts to Trigger DNC Enrollment", Unit: "attempts", Min: 1, Max: 100, Help: "Default 30."},
		{Name: "unanswered_dnc_keep_months", Label: "How Long to Keep in DNC", Unit: "months", Min: 0, Max: 120, Help: "0 means no expiry."},
	}},
	{Title: "Voice Machine Timeouts", Intro: "How long the dialer waits at each stage of an answering machine or IVR interaction.", Fields: []settingField{
		{Name: "voice_machine_timeouts.decision_ms", Label: "Decision Timeout", Unit: "ms", Min: 1000, Max: 30000,
			Help: "How long to wait for the human/machine decision before returning control."},
		{Name: "voice_machine_timeouts.greeting_completion_ms", Label: "Greeting Completion Timeout", Unit: "ms", Min: 100, Max: 5000,
			Help: "Silence after a greeting that ends it."},
		{Name: "voice_machine_timeouts.no_speech_ms", Label: "No Speech Timeout", Unit: "ms", Min: 500, Max: 10000,
			Help: "How long to wait for speech to begin."},
		{Name: "voice_machine_timeouts.tone_ms", Label: "Tone Timeout", Unit: "ms", Min: 1000, Max: 120000,
			Help: "Maximum time to wait for a beep or tone."},
	}},
}
