package flow

import (
	"context"
	"fmt"
	"time"
)

// Call is what a flow needs from a live call. The engine implements it over a SIP call
// and its media; tests script it.
type Call interface {
	// Play plays a recorded prompt by name.
	Play(ctx context.Context, prompt string) error
	// Say speaks text (TTS, or a prerecorded rendition).
	Say(ctx context.Context, text string) error
	// Gather returns up to max DTMF digits pressed before timeout ("" when none).
	Gather(ctx context.Context, max int, timeout time.Duration) (string, error)
	// Transfer hands the call to a queue of agents.
	Transfer(ctx context.Context, queue string) error
	Hangup(ctx context.Context) error
}

// DNCAdder, when a Call implements it, puts the called number on the campaign's DNC
// list at once (an add_dnc node). Calls without it report Result.AddedToDNC only.
type DNCAdder interface {
	AddToDNC(ctx context.Context) error
}

// MaxSteps bounds the nodes one run may visit (menus may loop).
const MaxSteps = 1000

// Result is what a run did.
type Result struct {
	// Disposition is the last set_disposition value ("" when none).
	Disposition string
	AddedToDNC  bool
	// TransferredTo names the queue of a transfer node.
	TransferredTo string
	HungUp        bool
	// Path lists the node ids visited, in order.
	Path []string
	// Vars are the variables at the end (contact fields plus what the flow set).
	Vars map[string]string
}

// Run executes f on call from its start node. vars are the contact's fields
// (campaignUserInfo); they are copied, not changed. A Call error ends the run and is
// returned with the node it happened at; Result holds what was done until then.
func Run(ctx context.Context, f *Flow, call Call, vars map[string]string) (Result, error) {
	res := Result{Vars: make(map[string]string, len(vars)+4)}
	for k, v := range vars {
		res.Vars[k] = v
	}
	index := make(map[string]int, len(f.Nodes))
	for i, n := range f.Nodes {
		index[n.ID] = i
	}
	id := f.Start
	for step := 0; id != ""; step++ {
		if step >= MaxSteps {
			return res, fmt.Errorf("%w: %d nodes visited, last %q; add a way out of the loop", ErrTooManySteps, MaxSteps, id)
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		i, ok := index[id]
		if !ok {
			return res, bad(id, "next", "is not a node id")
		}
		n := f.Nodes[i]
		res.Path = append(res.Path, n.ID)
		next, err := step1(ctx, n, call, &res)
		if err != nil {
			return res, fmt.Errorf("flow: node %q (%s): %w", n.ID, n.Type, err)
		}
		id = next
	}
	return res, nil
}

// step1 runs one node and returns the next node id ("" ends the run).
func step1(ctx context.Context, n Node, call Call, res *Result) (string, error) {
	switch n.Type {
	case TypePlay:
		return n.Next, call.Play(ctx, n.Prompt)
	case TypeSay:
		return n.Next, call.Say(ctx, Render(n.Text, res.Vars))
	case TypeGather:
		if n.Prompt != "" {
			if err := call.Play(ctx, n.Prompt); err != nil {
				return "", err
			}
		}
		if n.Text != "" {
			if err := call.Say(ctx, Render(n.Text, res.Vars)); err != nil {
				return "", err
			}
		}
		digits, err := call.Gather(ctx, n.MaxDigits, time.Duration(n.TimeoutMS)*time.Millisecond)
		if err != nil {
			return "", err
		}
		name := n.Variable
		if name == "" {
			name = "digits"
		}
		res.Vars[name] = digits
		if digits == "" && n.NoInput != "" {
			return n.NoInput, nil
		}
		return n.Next, nil
	case TypeBranch:
		v := res.Vars[n.Variable]
		for _, c := range n.Cases {
			if c.matches(v) {
				return c.Next, nil
			}
		}
		return n.Default, nil
	case TypeSet:
		res.Vars[n.Variable] = Render(n.Value, res.Vars)
		return n.Next, nil
	case TypeDisposition:
		res.Disposition = n.Disposition
		return n.Next, nil
	case TypeAddDNC:
		if a, ok := call.(DNCAdder); ok {
			if err := a.AddToDNC(ctx); err != nil {
				return "", err
			}
		}
		res.AddedToDNC = true
		return n.Next, nil
	case TypeTransfer:
		if err := call.Transfer(ctx, n.Queue); err != nil {
			return "", err
		}
		res.TransferredTo = n.Queue
		return "", nil
	case TypeHangup:
		res.HungUp = true
		return "", call.Hangup(ctx)
	}
	return "", fmt.Errorf("unknown node type %q", n.Type)
}
