package lists

import (
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// maxMatcherStates bounds the automaton of one pattern; a pattern that needs more
// states is matched by its regular expression instead (same answer, slower).
const maxMatcherStates = 4096

// Position kinds of a digit string: they decide which ^ and $ assertions hold.
const (
	atBegin    = iota // position 0 of a non-empty string
	atMiddle          // strictly inside
	atEnd             // after the last digit of a non-empty string
	atBeginEnd        // the empty string
	positionKinds
)

// digitMatcher answers regexp.MatchString for one pattern on strings of ASCII digits,
// with a deterministic automaton built lazily from the pattern's compiled program
// (regexp/syntax, parsed and simplified exactly as regexp.Compile does). It simulates
// the same program the regexp package runs, so the answers are the same: a state is
// the set of program threads alive at a position, and a match anywhere (MatchString
// is an unanchored search) is found by restarting the program at every position.
// Patterns with assertions other than ^ and $ (e.g. \b) use the regexp.
//
// Not safe for concurrent use: each numberChecker has its own matchers.
type digitMatcher struct {
	prog   *syntax.Prog
	re     *regexp.Regexp // fallback when the program cannot be used or grows too big
	index  map[string]int32
	states []matcherState
}

// matcherState is a set of program counters that threads are waiting on (before
// following empty transitions), with its transitions per position kind, filled in
// on first use.
type matcherState struct {
	pcs   []uint32
	done  [positionKinds]bool
	match [positionKinds]bool
	next  [positionKinds][10]int32
}

func newDigitMatcher(pattern string) (*digitMatcher, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	m := &digitMatcher{re: re}
	parsed, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return m, nil
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return m, nil
	}
	for _, in := range prog.Inst {
		if in.Op == syntax.InstEmptyWidth &&
			syntax.EmptyOp(in.Arg)&^(syntax.EmptyBeginText|syntax.EmptyEndText|syntax.EmptyBeginLine|syntax.EmptyEndLine) != 0 {
			return m, nil // word boundaries depend on the neighbouring characters
		}
	}
	m.prog = prog
	m.index = map[string]int32{}
	m.state([]uint32{uint32(prog.Start)})
	return m, nil
}

// match reports whether the pattern matches somewhere in digits, which must hold only
// the bytes '0' to '9'.
func (m *digitMatcher) match(digits string) bool {
	if m.prog == nil {
		return m.re.MatchString(digits)
	}
	n := len(digits)
	st := int32(0)
	for i := 0; i <= n; i++ {
		kind := atMiddle
		switch {
		case n == 0:
			kind = atBeginEnd
		case i == 0:
			kind = atBegin
		case i == n:
			kind = atEnd
		}
		if !m.states[st].done[kind] {
			if !m.expand(st, kind) {
				m.prog = nil // too many states: the regexp answers from now on
				return m.re.MatchString(digits)
			}
		}
		s := &m.states[st]
		if s.match[kind] {
			return true
		}
		if i == n {
			return false
		}
		st = s.next[kind][digits[i]-'0']
	}
	return false
}

// emptyContext is what the ^ and $ assertions see at a position kind; the input has
// no line breaks, so line and text boundaries coincide.
func emptyContext(kind int) syntax.EmptyOp {
	switch kind {
	case atBegin:
		return syntax.EmptyBeginText | syntax.EmptyBeginLine
	case atEnd:
		return syntax.EmptyEndText | syntax.EmptyEndLine
	case atBeginEnd:
		return syntax.EmptyBeginText | syntax.EmptyBeginLine | syntax.EmptyEndText | syntax.EmptyEndLine
	}
	return 0
}

// expand computes state st's match flag and transitions at a position kind. It
// returns false when the automaton would exceed maxMatcherStates.
func (m *digitMatcher) expand(st int32, kind int) bool {
	ctx := emptyContext(kind)
	// Threads alive here: the state's own plus a fresh start (unanchored search).
	var runes []uint32
	matched := false
	seen := make(map[uint32]bool, 16)
	var walk func(pc uint32)
	walk = func(pc uint32) {
		if seen[pc] {
			return
		}
		seen[pc] = true
		in := &m.prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			walk(in.Out)
			walk(in.Arg)
		case syntax.InstNop, syntax.InstCapture:
			walk(in.Out)
		case syntax.InstEmptyWidth:
			if syntax.EmptyOp(in.Arg)&^ctx == 0 {
				walk(in.Out)
			}
		case syntax.InstMatch:
			matched = true
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			runes = append(runes, pc)
		}
	}
	for _, pc := range m.states[st].pcs {
		walk(pc)
	}
	walk(uint32(m.prog.Start))
	var next [10]int32
	if kind == atBegin || kind == atMiddle {
		for d := 0; d < 10; d++ {
			var to []uint32
			for _, pc := range runes {
				in := &m.prog.Inst[pc]
				if in.MatchRune(rune('0' + d)) {
					to = append(to, in.Out)
				}
			}
			id := m.state(to)
			if id < 0 {
				return false
			}
			next[d] = id
		}
	}
	s := &m.states[st]
	s.match[kind], s.next[kind], s.done[kind] = matched, next, true
	return true
}

// state returns the id of the state with these program counters, adding it when
// new; -1 when the automaton is full.
func (m *digitMatcher) state(pcs []uint32) int32 {
	pcs = sortedUnique(pcs)
	var b strings.Builder
	for _, pc := range pcs {
		b.WriteString(strconv.FormatUint(uint64(pc), 36))
		b.WriteByte(',')
	}
	key := b.String()
	if id, ok := m.index[key]; ok {
		return id
	}
	if len(m.states) >= maxMatcherStates {
		return -1
	}
	id := int32(len(m.states))
	m.states = append(m.states, matcherState{pcs: pcs})
	m.index[key] = id
	return id
}

func sortedUnique(pcs []uint32) []uint32 {
	for i := 1; i < len(pcs); i++ {
		for j := i; j > 0 && pcs[j] < pcs[j-1]; j-- {
			pcs[j], pcs[j-1] = pcs[j-1], pcs[j]
		}
	}
	out := pcs[:0]
	for i, pc := range pcs {
		if i == 0 || pc != pcs[i-1] {
			out = append(out, pc)
		}
	}
	return out
}
