package lists

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/outdial/outdial/store"
)

// CreateMappingList creates an agent mapping list (phone number -> agent id or email,
// customer priority), filled from a CSV file when r is not nil. Unknown agents are
// row errors.
func (s *Service) CreateMappingList(ctx context.Context, n NewList, r io.Reader, opt ImportOptions) (store.List, Report, error) {
	return s.createList(ctx, s.mappingKind(), n, r, opt)
}

// AppendMappings adds the rows of a CSV file to a mapping list.
func (s *Service) AppendMappings(ctx context.Context, listID int64, r io.Reader, opt ImportOptions) (Report, error) {
	return s.appendRows(ctx, s.mappingKind(), listID, r, opt)
}

// mappingKind imports agent mappings, which need an agent column; an append leaves
// the list's status as it is.
func (s *Service) mappingKind() csvKind {
	return csvKind{kind: store.ListMapping, manual: true, checkColumns: checkMappingColumns, importCSV: s.importMappings}
}

func checkMappingColumns(m Mapping, head []string) error {
	if _, err := m.resolve(head); err != nil {
		return err
	}
	if m.Agent == "" {
		return fmt.Errorf("%w: no column is mapped to agent; name a column agent_id (an agent id or email) or map one (for example --map Owner=agent)", ErrBadFile)
	}
	return nil
}

func (s *Service) importMappings(ctx context.Context, l store.List, src source, opt ImportOptions) (Report, error) {
	started := s.clock.Now().UTC()
	head := src.header()
	cols, err := opt.Mapping.resolve(head)
	if err != nil {
		return Report{}, err
	}
	agents, err := s.agents(ctx)
	if err != nil {
		return Report{}, err
	}
	seen := map[uint64]uint32{}
	if err := s.st.EachNumber(ctx, l.ID, func(n string) error { seen[numberKey(n)] = 0; return nil }); err != nil {
		return Report{}, err
	}
	rep := Report{Errors: []RowError{}}
	sink := &rejectSink{rep: &rep, maxKept: s.opt.MaxRejectsKept}
	p := startPipeline(ctx, src, s.workers, func() func(record) result[store.AgentMapping] {
		nc := newFastNumberChecker(s.opt.SuggestRegion)
		return func(rec record) result[store.AgentMapping] {
			res := result[store.AgentMapping]{rec: rec}
			if res.blank, res.err = screen(rec, head, s.limits.ListFieldChars); res.blank || res.err != nil {
				return res
			}
			f := rec.fields
			bad := func(col int, reason string) result[store.AgentMapping] {
				res.err = &RowError{Row: rec.row, Line: rec.line, Column: head[col], Value: f[col], Reason: reason}
				return res
			}
			n, err := nc.normalise(f[cols.phones[0]])
			if err != nil {
				return bad(cols.phones[0], reasonOf(err))
			}
			v := strings.TrimSpace(f[cols.agent])
			id, ok := agents.lookup(v)
			if !ok {
				return bad(cols.agent, fmt.Sprintf("%q is not the id or email of an agent; create the agent first or correct the value", v))
			}
			m := store.AgentMapping{Number: n, AgentID: id}
			if cols.priority >= 0 {
				if m.Priority, err = parsePriority(f[cols.priority]); err != nil {
					return bad(cols.priority, err.Error())
				}
			}
			res.key, res.val = numberKey(n), m
			return res
		}
	})
	defer p.stop()
	next := func() (store.AgentMapping, error) {
		for {
			res, err := p.nextValid(sink, opt.Strict)
			if err != nil {
				return store.AgentMapping{}, err
			}
			if prev, dup := seen[res.key]; dup {
				rep.Duplicates++
				sink.add(res.rec, duplicateError(res.rec, head[cols.phones[0]], res.val.Number, prev))
				continue
			}
			seen[res.key] = uint32(res.rec.row)
			if opt.Strict && rep.Rejected > 0 {
				continue
			}
			rep.Imported++
			return res.val, nil
		}
	}
	_, werr := s.st.WriteAgentMappings(ctx, l.ID, next)
	return s.closeImport(ctx, l, store.SourceCSV, started, opt, werr, &rep, sink)
}

// PutMapping adds (m.ID 0) or edits one mapping; agent is an agent id or email.
func (s *Service) PutMapping(ctx context.Context, listID, id int64, number, agent string, priority int) (store.AgentMapping, error) {
	if _, err := s.listOf(ctx, listID, store.ListMapping); err != nil {
		return store.AgentMapping{}, err
	}
	n, err := Normalise(number, s.opt.SuggestRegion)
	if err != nil {
		return store.AgentMapping{}, fmt.Errorf("number: %w", err)
	}
	agents, err := s.agents(ctx)
	if err != nil {
		return store.AgentMapping{}, err
	}
	aid, ok := agents.lookup(agent)
	if !ok {
		return store.AgentMapping{}, fmt.Errorf("%w: agent: %q is not the id or email of an agent", ErrInvalid, agent)
	}
	if priority < 0 || priority > 100 {
		return store.AgentMapping{}, fmt.Errorf("%w: priority: %d is outside 0-100", ErrInvalid, priority)
	}
	return s.st.PutAgentMapping(ctx, store.AgentMapping{ID: id, ListID: listID, Number: n, AgentID: aid, Priority: priority})
}
