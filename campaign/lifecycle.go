package campaign

import (
	"fmt"
	"strings"

	"github.com/outdial/outdial/store"
)

// Status is a campaign's status: the spec's Ready, Active, Paused, Rerun, Completed.
type Status = store.CampaignStatus

// Action is what a manager (or the scheduler, or the engine) does to a campaign.
type Action string

const (
	ActionPlay   Action = "play"
	ActionPause  Action = "pause"
	ActionResume Action = "resume"
	ActionStop   Action = "stop"
	ActionRerun  Action = "rerun"
	// ActionStart is the scheduler starting an occurrence.
	ActionStart Action = "start"
	// ActionComplete is the engine finding every contact done, or the end reached.
	ActionComplete Action = "complete"
)

// Effect is what a transition does to the campaign's instance.
type Effect string

const (
	// EffectNewInstance starts a new run from the full list (previous run ended).
	EffectNewInstance Effect = "new_instance"
	EffectPause       Effect = "pause_instance"
	EffectResume      Effect = "resume_instance"
	// EffectEndInstance ends the run; Stop resets the campaign to Ready.
	EffectEndInstance Effect = "end_instance"
)

// Transition is one row of the lifecycle table.
type Transition struct {
	From   Status `json:"from"`
	Action Action `json:"action"`
	To     Status `json:"to"`
	Effect Effect `json:"effect"`
}

const (
	ready     = store.CampaignReady
	active    = store.CampaignActive
	paused    = store.CampaignPaused
	rerun     = store.CampaignRerun
	completed = store.CampaignCompleted
)

// Transitions returns the lifecycle table. Resume from Paused returns to Rerun when
// the paused run was a rerun (see Next).
func Transitions() []Transition {
	return []Transition{
		{ready, ActionPlay, active, EffectNewInstance},
		{completed, ActionRerun, rerun, EffectNewInstance},
		{active, ActionPause, paused, EffectPause},
		{rerun, ActionPause, paused, EffectPause},
		{paused, ActionResume, active, EffectResume},
		{active, ActionStop, ready, EffectEndInstance},
		{rerun, ActionStop, ready, EffectEndInstance},
		{paused, ActionStop, ready, EffectEndInstance},
		{active, ActionComplete, completed, EffectEndInstance},
		{rerun, ActionComplete, completed, EffectEndInstance},
		{paused, ActionComplete, completed, EffectEndInstance},
		{ready, ActionStart, active, EffectNewInstance},
		{completed, ActionStart, active, EffectNewInstance},
		{active, ActionStart, active, EffectNewInstance},
		{rerun, ActionStart, active, EffectNewInstance},
		{paused, ActionStart, active, EffectNewInstance},
	}
}

// Next returns the transition for action in status from. pausedRerun says the paused
// run was started by Rerun, so Resume returns to Rerun. An action not allowed gives
// ErrTransition naming the statuses that allow it.
func Next(from Status, a Action, pausedRerun bool) (Transition, error) {
	var allowed []string
	for _, t := range Transitions() {
		if t.Action != a {
			continue
		}
		if t.From == from {
			if a == ActionResume && pausedRerun {
				t.To = rerun
			}
			return t, nil
		}
		allowed = append(allowed, string(t.From))
	}
	if len(allowed) == 0 {
		return Transition{}, fmt.Errorf("%w: %q is not an action; use play, pause, resume, stop or rerun", ErrTransition, a)
	}
	hint := ""
	if from == completed && a == ActionPlay {
		hint = "; use rerun to start a completed campaign again"
	}
	return Transition{}, fmt.Errorf("%w: cannot %s a campaign that is %s; %s is allowed from %s%s",
		ErrTransition, a, from, a, strings.Join(allowed, ", "), hint)
}

// Editable reports which edits status allows: none while a run is live (Active,
// Rerun), limited ones while Paused (see lockedWhilePaused), all otherwise.
func Editable(s Status) (ok, limited bool) {
	switch s {
	case active, rerun:
		return false, false
	case paused:
		return true, true
	}
	return true, false
}
