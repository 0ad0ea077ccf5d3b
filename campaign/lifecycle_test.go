package campaign

import (
	"errors"
	"testing"

	"github.com/outdial/outdial/store"
)

func TestLifecycle(t *testing.T) {
	statuses := []Status{ready, active, paused, rerun, completed}
	actions := []Action{ActionPlay, ActionPause, ActionResume, ActionStop, ActionRerun, ActionStart, ActionComplete}
	// The spec's lifecycle, as (from, action) -> to; everything absent is refused.
	want := map[Status]map[Action]Status{
		ready:     {ActionPlay: active, ActionStart: active},
		active:    {ActionPause: paused, ActionStop: ready, ActionComplete: completed, ActionStart: active},
		paused:    {ActionResume: active, ActionStop: ready, ActionComplete: completed, ActionStart: active},
		rerun:     {ActionPause: paused, ActionStop: ready, ActionComplete: completed, ActionStart: active},
		completed: {ActionRerun: rerun, ActionStart: active},
	}
	for _, s := range statuses {
		for _, a := range actions {
			tr, err := Next(s, a, false)
			to, ok := want[s][a]
			if !ok {
				if !errors.Is(err, ErrTransition) {
					t.Errorf("%s + %s = %+v, %v; want ErrTransition", s, a, tr, err)
				}
				continue
			}
			if err != nil || tr.To != to {
				t.Errorf("%s + %s = %+v, %v; want %s", s, a, tr, err, to)
			}
			// New runs come from play, rerun and start only; stop and complete end them.
			switch a {
			case ActionPlay, ActionRerun, ActionStart:
				if tr.Effect != EffectNewInstance {
					t.Errorf("%s + %s effect %s", s, a, tr.Effect)
				}
			case ActionStop, ActionComplete:
				if tr.Effect != EffectEndInstance {
					t.Errorf("%s + %s effect %s", s, a, tr.Effect)
				}
			}
		}
	}
	if tr, _ := Next(paused, ActionResume, true); tr.To != store.CampaignRerun {
		t.Fatalf("resume of a paused rerun = %s", tr.To)
	}
	if _, err := Next(completed, ActionPlay, false); err == nil || !errors.Is(err, ErrTransition) {
		t.Fatalf("play on completed = %v", err)
	}
	if _, err := Next(ready, "explode", false); !errors.Is(err, ErrTransition) {
		t.Fatalf("unknown action = %v", err)
	}
	for _, tt := range []struct {
		s               Status
		editable, limit bool
	}{{ready, true, false}, {active, false, false}, {rerun, false, false}, {paused, true, true}, {completed, true, false}} {
		e, l := Editable(tt.s)
		if e != tt.editable || l != tt.limit {
			t.Errorf("Editable(%s) = %v %v", tt.s, e, l)
		}
	}
}
