package lists

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/outdial/outdial/store"
)

// CreateContactList creates a contact list from a CSV file read as a stream. A file
// that cannot be imported at all (no header, no phone column, a bad mapping) creates
// nothing and returns ErrBadFile. Otherwise the list is created and imported: the
// report says how many rows were written and which were rejected and why. The list
// ends Validated, or Invalid when nothing could be written (a strict import with bad
// rows, or no valid row).
func (s *Service) CreateContactList(ctx context.Context, n NewList, r io.Reader, opt ImportOptions) (store.List, Report, error) {
	return s.createList(ctx, s.contactKind(), n, r, opt)
}

// AppendContacts adds the rows of a CSV file to a contact list; existing rows are
// never changed. The list's mapping is used unless opt.Mapping is set.
func (s *Service) AppendContacts(ctx context.Context, listID int64, r io.Reader, opt ImportOptions) (Report, error) {
	return s.appendRows(ctx, s.contactKind(), listID, r, opt)
}

// contactKind imports contacts; an append that wrote rows validates the list.
func (s *Service) contactKind() csvKind {
	return csvKind{kind: store.ListContact, checkColumns: resolveColumns, reuseMapping: true,
		importCSV: func(ctx context.Context, l store.List, src source, opt ImportOptions) (Report, error) {
			return s.importContacts(ctx, l, src, opt, store.SourceCSV)
		},
		settlesOnAppend: func(rep Report) bool { return rep.Imported > 0 }}
}

// importContacts streams src into list l.
func (s *Service) importContacts(ctx context.Context, l store.List, src source, opt ImportOptions, from store.ListSource) (Report, error) {
	started := s.clock.Now().UTC()
	head := src.header()
	cols, err := opt.Mapping.resolve(head)
	if err != nil {
		return Report{}, err
	}
	var agents agentIndex
	if cols.agent >= 0 {
		if agents, err = s.agents(ctx); err != nil {
			return Report{}, err
		}
	}
	seen := map[uint64]uint32{}
	if l.Entries > 0 {
		err := s.st.EachNumber(ctx, l.ID, func(n string) error { seen[numberKey(n)] = 0; return nil })
		if err != nil {
			return Report{}, err
		}
	}
	_, account, err := s.st.ListTotals(ctx, store.ListContact)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Errors: []RowError{}}
	sink := &rejectSink{rep: &rep, maxKept: s.opt.MaxRejectsKept}
	p := startPipeline(ctx, src, s.workers, s.contactConverter(head, cols, agents))
	defer p.stop()
	next := func() (store.Contact, error) {
		for {
			res, err := p.nextValid(sink, opt.Strict)
			if err != nil {
				return store.Contact{}, err
			}
			if prev, dup := seen[res.key]; dup {
				rep.Duplicates++
				if !opt.AllowDuplicates {
					sink.add(res.rec, duplicateError(res.rec, head[cols.phones[0]], res.val.Phones[0], prev))
					continue
				}
			} else {
				seen[res.key] = uint32(res.rec.row)
			}
			if opt.Strict && rep.Rejected > 0 {
				continue // keep validating to report every bad row; nothing is written
			}
			if l.Entries+rep.Imported >= int64(s.limits.ContactsPerList) {
				return store.Contact{}, fmt.Errorf("%w: row %d would be contact %d of the list; a list holds at most %d (limits.contacts_per_list); split the file",
					ErrLimit, res.rec.row, l.Entries+rep.Imported+1, s.limits.ContactsPerList)
			}
			if account+rep.Imported >= int64(s.limits.ContactsPerAccount) {
				return store.Contact{}, fmt.Errorf("%w: row %d would be contact %d of the account; an account holds at most %d (limits.contacts_per_account); delete unused lists",
					ErrLimit, res.rec.row, account+rep.Imported+1, s.limits.ContactsPerAccount)
			}
			rep.Imported++
			return res.val, nil
		}
	}
	_, werr := s.st.WriteContacts(ctx, l.ID, int64(s.limits.ContactsPerAccount), next)
	return s.closeImport(ctx, l, from, started, opt, werr, &rep, sink)
}

func duplicateError(rec record, column, number string, prev uint32) RowError {
	where := "is already in the list"
	if prev > 0 {
		where = fmt.Sprintf("is already on row %d", prev)
	}
	return RowError{Row: rec.row, Line: rec.line, Column: column, Value: number,
		Reason: fmt.Sprintf("duplicate: %s %s; remove the repeated row", number, where)}
}

func allEmpty(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// checkShape checks a row's field count, encoding and field lengths.
func checkShape(rec record, head []string, maxChars int) *RowError {
	f := rec.fields
	if len(f) < len(head) {
		return &RowError{Row: rec.row, Line: rec.line, Column: head[len(f)],
			Reason: fmt.Sprintf("the row has %d values but the header has %d columns; add the missing values (leave a value empty with two commas in a row)", len(f), len(head))}
	}
	for i := len(head); i < len(f); i++ {
		if strings.TrimSpace(f[i]) != "" {
			return &RowError{Row: rec.row, Line: rec.line, Value: f[i],
				Reason: fmt.Sprintf("the row has %d values but the header has %d columns; put values that contain commas in double quotes, or name the extra column in the header", len(f), len(head))}
		}
	}
	for i := range head {
		v := f[i]
		if !utf8.ValidString(v) {
			pos := 0
			for pos < len(v) {
				r, size := utf8.DecodeRuneInString(v[pos:])
				if r == utf8.RuneError && size <= 1 {
					break
				}
				pos += size
			}
			return &RowError{Row: rec.row, Line: rec.line, Column: head[i], Value: strings.ToValidUTF8(v, "\uFFFD"),
				Reason: fmt.Sprintf("contains a byte that is not UTF-8 (0x%02X at byte %d); save the file as UTF-8 (CSV UTF-8 in Excel)", v[pos], pos+1)}
		}
		if maxChars > 0 {
			if n := utf8.RuneCountInString(v); n > maxChars {
				return &RowError{Row: rec.row, Line: rec.line, Column: head[i], Value: truncate(v, 40),
					Reason: fmt.Sprintf("has %d characters; at most %d are allowed (limits.list_field_chars)", n, maxChars)}
			}
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// contactConverter validates one record into a contact. Each worker gets its own
// number checker and time-zone cache.
func (s *Service) contactConverter(head []string, cols columns, agents agentIndex) func() func(record) result[store.Contact] {
	return func() func(record) result[store.Contact] {
		nc := newFastNumberChecker(s.opt.SuggestRegion)
		zones := map[string]bool{}
		return func(rec record) result[store.Contact] {
			res := result[store.Contact]{rec: rec}
			if res.blank, res.err = screen(rec, head, s.limits.ListFieldChars); res.blank || res.err != nil {
				return res
			}
			f := rec.fields
			bad := func(col int, reason string) result[store.Contact] {
				res.err = &RowError{Row: rec.row, Line: rec.line, Column: head[col], Value: f[col], Reason: reason}
				return res
			}
			c := store.Contact{Row: rec.row, Fields: make(map[string]string, len(head)-len(cols.phones))}
			for _, i := range cols.phones {
				v := strings.TrimSpace(f[i])
				if v == "" {
					continue
				}
				n, err := nc.normalise(v)
				if err != nil {
					return bad(i, reasonOf(err))
				}
				if !contains(c.Phones, n) {
					c.Phones = append(c.Phones, n)
				}
			}
			if len(c.Phones) == 0 {
				return bad(cols.phones[0], "is empty; every contact needs a phone number")
			}
			res.key = numberKey(c.Phones[0])
			if cols.first >= 0 {
				c.FirstName = strings.TrimSpace(f[cols.first])
			}
			if cols.last >= 0 {
				c.LastName = strings.TrimSpace(f[cols.last])
			}
			if cols.tz >= 0 {
				if tz := strings.TrimSpace(f[cols.tz]); tz != "" {
					ok, known := zones[tz]
					if !known {
						_, err := time.LoadLocation(tz)
						ok = err == nil && tz != "Local"
						zones[tz] = ok
					}
					if !ok {
						return bad(cols.tz, fmt.Sprintf("%q is not an IANA time zone; use a name such as America/Phoenix, Europe/London or Asia/Hong_Kong", tz))
					}
					c.TimeZone = tz
				}
			}
			if cols.priority >= 0 {
				p, err := parsePriority(f[cols.priority])
				if err != nil {
					return bad(cols.priority, err.Error())
				}
				c.Priority = p
			}
			if cols.agent >= 0 {
				if v := strings.TrimSpace(f[cols.agent]); v != "" {
					id, ok := agents.lookup(v)
					if !ok {
						return bad(cols.agent, fmt.Sprintf("%q is not the id or email of an agent; create the agent first or correct the value", v))
					}
					c.AgentID = &id
				}
			}
			for i, h := range head {
				if !cols.mapped[i] {
					c.Fields[h] = f[i]
				}
			}
			res.val = c
			return res
		}
	}
}

// parsePriority reads a customer priority: empty is 0, otherwise an integer 0-100.
func parsePriority(v string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	p, err := strconv.Atoi(v)
	if err != nil || p < 0 || p > 100 {
		return 0, fmt.Errorf("%q is not a priority; write a whole number from 0 to 100 (higher is called first)", v)
	}
	return p, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// UserInfo returns a contact's fields keyed by the list's column names, the way flows
// and templates see them (campaignUserInfo): mapped columns carry the validated
// values (phones in E.164) and phoneNumber is always the primary number.
func UserInfo(l store.List, c store.Contact) (map[string]string, error) {
	cfg, err := decodeConfig(l)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(c.Fields)+8)
	for k, v := range c.Fields {
		out[k] = v
	}
	m := cfg.Mapping
	for i, col := range m.Phones {
		if i < len(c.Phones) {
			out[col] = c.Phones[i]
		}
	}
	set := func(col, v string) {
		if col != "" {
			out[col] = v
		}
	}
	set(m.FirstName, c.FirstName)
	set(m.LastName, c.LastName)
	set(m.TimeZone, c.TimeZone)
	if m.Priority != "" {
		out[m.Priority] = strconv.Itoa(c.Priority)
	}
	if m.Agent != "" && c.AgentID != nil {
		out[m.Agent] = strconv.FormatInt(*c.AgentID, 10)
	}
	if len(c.Phones) > 0 {
		out["phoneNumber"] = c.Phones[0]
	}
	return out, nil
}
