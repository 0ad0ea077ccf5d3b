package campaign

import "errors"

var (
	// ErrInvalidCampaign wraps every validation failure of a campaign definition; each
	// is a *FieldError naming the field and the fix.
	ErrInvalidCampaign = errors.New("campaign: invalid campaign")
	// ErrTransition is returned when an action is not allowed in the current status.
	ErrTransition = errors.New("campaign: action not allowed in this status")
	// ErrNotEditable is returned when a running campaign is edited, or a field that its
	// status locks is changed.
	ErrNotEditable = errors.New("campaign: campaign cannot be edited now")
	// ErrScheduled is returned when Play or Rerun is asked of a scheduled campaign: it
	// starts by itself at the scheduled time.
	ErrScheduled = errors.New("campaign: scheduled campaigns start by their schedule")
	// ErrNotReady is returned when a campaign is run without its caller ID, queue or
	// flow attached.
	ErrNotReady = errors.New("campaign: campaign is not ready to run")
	// ErrRefused is returned when running would break a rule across campaigns: a
	// contact list already in use by a running campaign, or the running-campaign limit.
	ErrRefused = errors.New("campaign: run refused")
	// ErrInUse is returned when a phone number or flow linked to an Active, Paused or
	// future-scheduled campaign is to be deleted.
	ErrInUse = errors.New("campaign: linked to a running or scheduled campaign")
	// ErrDoNotDial is returned by the dial-time checks: the number must not be dialed
	// now (DNC, outside contactable hours, or a check that could not be evaluated).
	ErrDoNotDial = errors.New("campaign: do not dial")
)
