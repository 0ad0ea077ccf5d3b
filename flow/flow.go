package flow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Node types of an agentless flow.
const (
	// TypePlay plays a recorded prompt (Prompt).
	TypePlay = "play"
	// TypeSay speaks Text, with {{field}} replaced by contact fields and variables.
	TypeSay = "say"
	// TypeGather plays an optional Prompt or Text, then reads up to MaxDigits DTMF
	// digits within TimeoutMS into Variable; NoInput is next when none came.
	TypeGather = "gather"
	// TypeBranch goes to the first Case whose value matches Variable, else Default.
	TypeBranch = "branch"
	// TypeSet sets Variable to Value (templated).
	TypeSet = "set"
	// TypeDisposition sets the call's disposition.
	TypeDisposition = "set_disposition"
	// TypeAddDNC adds the called number to the campaign's DNC list.
	TypeAddDNC = "add_dnc"
	// TypeTransfer hands the call to a queue of agents; the flow ends.
	TypeTransfer = "transfer"
	// TypeHangup ends the call.
	TypeHangup = "hangup"
)

// Flow is an agentless experience flow: nodes from Start, each naming the next.
type Flow struct {
	Name        string `json:"name" yaml:"name"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	Start       string `json:"start" yaml:"start"`
	Nodes       []Node `json:"nodes" yaml:"nodes"`
}

// Node is one step. Which fields apply depends on Type (see the Type constants).
type Node struct {
	ID          string `json:"id" yaml:"id"`
	Type        string `json:"type" yaml:"type"`
	Next        string `json:"next,omitempty" yaml:"next,omitempty"`
	Prompt      string `json:"prompt,omitempty" yaml:"prompt,omitempty"`
	Text        string `json:"text,omitempty" yaml:"text,omitempty"`
	MaxDigits   int    `json:"max_digits,omitempty" yaml:"max_digits,omitempty"`
	TimeoutMS   int    `json:"timeout_ms,omitempty" yaml:"timeout_ms,omitempty"`
	Variable    string `json:"variable,omitempty" yaml:"variable,omitempty"`
	NoInput     string `json:"no_input,omitempty" yaml:"no_input,omitempty"`
	Cases       []Case `json:"cases,omitempty" yaml:"cases,omitempty"`
	Default     string `json:"default,omitempty" yaml:"default,omitempty"`
	Value       string `json:"value,omitempty" yaml:"value,omitempty"`
	Disposition string `json:"disposition,omitempty" yaml:"disposition,omitempty"`
	Queue       string `json:"queue,omitempty" yaml:"queue,omitempty"`
}

// Case is one branch: Equals one value, or In a set of values.
type Case struct {
	Equals string   `json:"equals,omitempty" yaml:"equals,omitempty"`
	In     []string `json:"in,omitempty" yaml:"in,omitempty"`
	Next   string   `json:"next" yaml:"next"`
}

// NodeError is a validation failure: the node (empty for the flow itself), the field
// and the reason with the fix.
type NodeError struct {
	Node   string
	Field  string
	Reason string
}

func (e *NodeError) Error() string {
	if e.Node == "" {
		return fmt.Sprintf("flow: %s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("flow: node %q: %s: %s", e.Node, e.Field, e.Reason)
}

func bad(node, field, format string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrInvalidFlow, &NodeError{Node: node, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// Limits of a flow.
const (
	MaxNodes     = 500
	MaxDocument  = 256 << 10
	MaxTextChars = 2000
)

// Parse reads a flow document, JSON (first character '{') or YAML, strictly (unknown
// fields are errors), and validates it.
func Parse(doc []byte) (*Flow, error) {
	if len(doc) > MaxDocument {
		return nil, bad("", "document", "is %d bytes; at most %d are allowed", len(doc), MaxDocument)
	}
	var f Flow
	trimmed := bytes.TrimSpace(doc)
	if len(trimmed) == 0 {
		return nil, bad("", "document", "is empty; send a flow with name, start and nodes")
	}
	if trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, bad("", "document", "is not a valid JSON flow: %v", err)
		}
		if dec.More() {
			return nil, bad("", "document", "has data after the flow object")
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(trimmed))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil {
			return nil, bad("", "document", "is not a valid YAML flow: %v", err)
		}
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

var (
	idPattern  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	varPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]{0,63}$`)
)

// Validate checks the flow: unique ids, known types, the fields each type needs,
// references to existing nodes, templates, and that every node is reachable.
func (f *Flow) Validate() error {
	if strings.TrimSpace(f.Name) == "" || len(f.Name) > 100 {
		return bad("", "name", "must be 1 to 100 characters")
	}
	if len(f.Nodes) == 0 {
		return bad("", "nodes", "is empty; add at least a hangup node")
	}
	if len(f.Nodes) > MaxNodes {
		return bad("", "nodes", "has %d nodes; at most %d are allowed", len(f.Nodes), MaxNodes)
	}
	index := map[string]int{}
	for i, n := range f.Nodes {
		if !idPattern.MatchString(n.ID) {
			return bad(n.ID, fmt.Sprintf("nodes[%d].id", i), "%q is not an id; use 1 to 64 letters, digits, _ or -", n.ID)
		}
		if _, dup := index[n.ID]; dup {
			return bad(n.ID, "id", "is used by two nodes; ids must be unique")
		}
		index[n.ID] = i
	}
	if f.Start == "" {
		return bad("", "start", "is required; name the first node")
	}
	if _, ok := index[f.Start]; !ok {
		return bad("", "start", "%q is not a node id", f.Start)
	}
	ref := func(n Node, field, target string, required bool) error {
		if target == "" {
			if required {
				return bad(n.ID, field, "is required for a %s node; name the node that follows", n.Type)
			}
			return nil
		}
		if _, ok := index[target]; !ok {
			return bad(n.ID, field, "%q is not a node id", target)
		}
		return nil
	}
	for _, n := range f.Nodes {
		if err := n.validate(ref); err != nil {
			return err
		}
	}
	// Every node must be reachable from start: an orphan is usually a typo.
	seen := map[string]bool{}
	stack := []string{f.Start}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[id] {
			continue
		}
		seen[id] = true
		stack = append(stack, f.Nodes[index[id]].targets()...)
	}
	for _, n := range f.Nodes {
		if !seen[n.ID] {
			return bad(n.ID, "id", "cannot be reached from start %q; link it or remove it", f.Start)
		}
	}
	return nil
}

func (n Node) targets() []string {
	var out []string
	for _, t := range []string{n.Next, n.NoInput, n.Default} {
		if t != "" {
			out = append(out, t)
		}
	}
	for _, c := range n.Cases {
		out = append(out, c.Next)
	}
	return out
}

func (n Node) validate(ref func(Node, string, string, bool) error) error {
	text := func(field, v string, required bool) error {
		if v == "" {
			if required {
				return bad(n.ID, field, "is required for a %s node", n.Type)
			}
			return nil
		}
		if len(v) > MaxTextChars {
			return bad(n.ID, field, "is %d characters; at most %d are allowed", len(v), MaxTextChars)
		}
		if err := checkTemplate(v); err != nil {
			return bad(n.ID, field, "%v", err)
		}
		return nil
	}
	unused := func(fields map[string]bool) error {
		for name, set := range fields {
			if set {
				return bad(n.ID, name, "does not apply to a %s node; remove it", n.Type)
			}
		}
		return nil
	}
	switch n.Type {
	case TypePlay:
		if n.Prompt == "" {
			return bad(n.ID, "prompt", "is required for a play node; name a recorded prompt")
		}
		return ref(n, "next", n.Next, true)
	case TypeSay:
		if err := text("text", n.Text, true); err != nil {
			return err
		}
		return ref(n, "next", n.Next, true)
	case TypeGather:
		if err := text("text", n.Text, false); err != nil {
			return err
		}
		if n.MaxDigits < 1 || n.MaxDigits > 32 {
			return bad(n.ID, "max_digits", "%d is out of range; allowed 1..32", n.MaxDigits)
		}
		if n.TimeoutMS < 500 || n.TimeoutMS > 60000 {
			return bad(n.ID, "timeout_ms", "%d is out of range; allowed 500..60000", n.TimeoutMS)
		}
		if n.Variable != "" && !varPattern.MatchString(n.Variable) {
			return bad(n.ID, "variable", "%q is not a variable name; use letters, digits and _", n.Variable)
		}
		if err := ref(n, "no_input", n.NoInput, false); err != nil {
			return err
		}
		return ref(n, "next", n.Next, true)
	case TypeBranch:
		if !varPattern.MatchString(n.Variable) {
			return bad(n.ID, "variable", "%q is not a variable name; name the variable to branch on (e.g. digits)", n.Variable)
		}
		if len(n.Cases) == 0 {
			return bad(n.ID, "cases", "is empty; add at least one case")
		}
		for i, c := range n.Cases {
			field := fmt.Sprintf("cases[%d]", i)
			if (c.Equals == "") == (len(c.In) == 0) {
				return bad(n.ID, field, "needs exactly one of equals or in")
			}
			if err := ref(n, field+".next", c.Next, true); err != nil {
				return err
			}
		}
		if err := unused(map[string]bool{"next": n.Next != ""}); err != nil {
			return err
		}
		return ref(n, "default", n.Default, true)
	case TypeSet:
		if !varPattern.MatchString(n.Variable) {
			return bad(n.ID, "variable", "%q is not a variable name", n.Variable)
		}
		if err := text("value", n.Value, false); err != nil {
			return err
		}
		return ref(n, "next", n.Next, true)
	case TypeDisposition:
		if strings.TrimSpace(n.Disposition) == "" || len(n.Disposition) > 50 {
			return bad(n.ID, "disposition", "must be 1 to 50 characters")
		}
		return ref(n, "next", n.Next, true)
	case TypeAddDNC:
		return ref(n, "next", n.Next, true)
	case TypeTransfer:
		if strings.TrimSpace(n.Queue) == "" {
			return bad(n.ID, "queue", "is required for a transfer node; name the queue")
		}
		return unused(map[string]bool{"next": n.Next != ""})
	case TypeHangup:
		return unused(map[string]bool{"next": n.Next != ""})
	case "":
		return bad(n.ID, "type", "is required; use play, say, gather, branch, set, set_disposition, add_dnc, transfer or hangup")
	}
	return bad(n.ID, "type", "%q is not a node type; use play, say, gather, branch, set, set_disposition, add_dnc, transfer or hangup", n.Type)
}

// checkTemplate checks that every {{ has a matching }} around a variable name.
func checkTemplate(s string) error {
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			if strings.Contains(s, "}}") {
				return errors.New("has }} without {{")
			}
			return nil
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return errors.New("has {{ without }}; write {{firstName}}")
		}
		name := strings.TrimSpace(s[i+2 : i+j])
		if !varPattern.MatchString(name) {
			return fmt.Errorf("{{%s}} is not a field or variable name; write {{firstName}}", name)
		}
		s = s[i+j+2:]
	}
}

// Render replaces {{name}} with vars[name] (also {{campaignUserInfo.name}}); unknown
// names become empty.
func Render(s string, vars map[string]string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		name := strings.TrimSpace(s[i+2 : i+j])
		v, ok := vars[name]
		if !ok {
			v = vars[strings.TrimPrefix(name, "campaignUserInfo.")]
		}
		b.WriteString(v)
		s = s[i+j+2:]
	}
}

// matches reports whether a branch case holds for v.
func (c Case) matches(v string) bool {
	if c.Equals != "" {
		return v == c.Equals
	}
	for _, x := range c.In {
		if v == x {
			return true
		}
	}
	return false
}
