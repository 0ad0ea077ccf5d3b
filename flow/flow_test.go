package flow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseValid(t *testing.T) {
	for _, name := range []string{"testdata/reminder.json", "testdata/survey.yaml"} {
		doc, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f.Name == "" || len(f.Nodes) < 4 {
			t.Fatalf("%s parsed to %+v", name, f)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	b, err := os.ReadFile("testdata/invalid.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct{ Name, Doc, Node, Field string }
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.Doc))
		var ne *NodeError
		if !errors.Is(err, ErrInvalidFlow) || !errors.As(err, &ne) {
			t.Errorf("%s: err = %v, want a NodeError", c.Name, err)
			continue
		}
		if ne.Node != c.Node || ne.Field != c.Field || ne.Reason == "" {
			t.Errorf("%s: node %q field %q (%s), want node %q field %q", c.Name, ne.Node, ne.Field, ne.Reason, c.Node, c.Field)
		}
	}
}

// scripted is a fake Call: it answers Gather from a script and records every action.
type scripted struct {
	digits []string
	log    []string
	dnc    int
	fail   string // an action that returns an error
}

func (s *scripted) do(action string) error {
	s.log = append(s.log, action)
	if s.fail != "" && strings.HasPrefix(action, s.fail) {
		return errors.New("caller hung up")
	}
	return nil
}
func (s *scripted) Play(_ context.Context, p string) error   { return s.do("play " + p) }
func (s *scripted) Say(_ context.Context, text string) error { return s.do("say " + text) }
func (s *scripted) Gather(_ context.Context, max int, timeout time.Duration) (string, error) {
	if err := s.do(fmt.Sprintf("gather %d %s", max, timeout)); err != nil {
		return "", err
	}
	if len(s.digits) == 0 {
		return "", nil
	}
	d := s.digits[0]
	s.digits = s.digits[1:]
	return d, nil
}
func (s *scripted) Transfer(_ context.Context, q string) error { return s.do("transfer " + q) }
func (s *scripted) Hangup(context.Context) error               { return s.do("hangup") }
func (s *scripted) AddToDNC(context.Context) error             { s.dnc++; return s.do("dnc") }

var _ Call = (*scripted)(nil)
var _ DNCAdder = (*scripted)(nil)

func TestRun(t *testing.T) {
	doc, _ := os.ReadFile("testdata/reminder.json")
	f, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"firstName": "Ann", "balance": "$12.50"}
	tests := []struct {
		name        string
		digits      []string
		fail        string
		disposition string
		queue       string
		dnc         bool
		last        string
		err         string
	}{
		{"presses 1", []string{"1"}, "", "Transferred", "billing", false, "transfer billing", ""},
		{"presses 9", []string{"9"}, "", "Opted Out", "", true, "hangup", ""},
		{"presses star", []string{"*"}, "", "Opted Out", "", true, "hangup", ""},
		{"silent twice", nil, "", "", "", false, "hangup", ""},
		{"wrong key then 1", []string{"7", "1"}, "", "Transferred", "billing", false, "transfer billing", ""},
		{"hangs up during the menu", nil, "gather", "", "", false, "gather 1 5s", "caller hung up"},
	}
	for _, tt := range tests {
		call := &scripted{digits: tt.digits, fail: tt.fail}
		res, err := Run(context.Background(), f, call, vars)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), `"menu"`) {
				t.Errorf("%s: err = %v, want %q at node menu", tt.name, err, tt.err)
			}
		} else if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if res.Disposition != tt.disposition || res.TransferredTo != tt.queue || res.AddedToDNC != tt.dnc || (call.dnc == 1) != tt.dnc {
			t.Errorf("%s: result %+v (dnc calls %d)", tt.name, res, call.dnc)
		}
		if got := call.log[len(call.log)-1]; got != tt.last {
			t.Errorf("%s: last action %q, want %q (log %v)", tt.name, got, tt.last, call.log)
		}
		if call.log[0] != "say Hi Ann, your balance is $12.50." {
			t.Errorf("%s: greeting %q", tt.name, call.log[0])
		}
	}
	if vars["choice"] != "" {
		t.Fatal("Run changed the caller's vars")
	}
}

func TestRunYAMLTemplates(t *testing.T) {
	doc, _ := os.ReadFile("testdata/survey.yaml")
	f, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	call := &scripted{digits: []string{"42"}}
	res, err := Run(context.Background(), f, call, map[string]string{"firstName": "Bo"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"play survey-question", "gather 2 3s", "say You pressed 42. Thank you, Bo.", "hangup"}
	if fmt.Sprint(call.log) != fmt.Sprint(want) || res.Disposition != "Resolved" || !res.HungUp {
		t.Fatalf("log %v result %+v", call.log, res)
	}
}

func TestRunLoopBounded(t *testing.T) {
	f := &Flow{Name: "loop", Start: "a", Nodes: []Node{
		{ID: "a", Type: TypeSet, Variable: "x", Value: "1", Next: "b"},
		{ID: "b", Type: TypeSet, Variable: "y", Value: "{{x}}", Next: "a"},
	}}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), f, &scripted{}, nil)
	if !errors.Is(err, ErrTooManySteps) {
		t.Fatalf("err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, f, &scripted{}, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled run = %v", err)
	}
}

func TestRender(t *testing.T) {
	vars := map[string]string{"a": "1", "firstName": "Ann"}
	for in, want := range map[string]string{
		"{{a}}{{ a }}":                      "11",
		"Hi {{campaignUserInfo.firstName}}": "Hi Ann",
		"{{missing}}!":                      "!",
		"no template":                       "no template",
		"broken {{a":                        "broken {{a",
	} {
		if got := Render(in, vars); got != want {
			t.Errorf("Render(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/reminder.json", "testdata/survey.yaml"} {
		b, _ := os.ReadFile(name)
		f.Add(b)
	}
	f.Add([]byte(`{"name":"x","start":"a","nodes":[{"id":"a","type":"hangup"}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		fl, err := Parse(doc)
		if err == nil {
			if _, err := Run(context.Background(), fl, &scripted{digits: []string{"1", "9"}}, nil); err != nil && !errors.Is(err, ErrTooManySteps) {
				t.Fatalf("valid flow failed to run: %v", err)
			}
		}
	})
}
