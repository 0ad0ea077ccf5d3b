package lists

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/outdial/outdial/store"
)

// CreateDNCList creates a DNC list, filled from a CSV file when r is not nil.
func (s *Service) CreateDNCList(ctx context.Context, n NewList, r io.Reader, opt ImportOptions) (store.List, Report, error) {
	return s.createList(ctx, s.dncKind(), n, r, opt)
}

// AppendDNC adds the numbers of a CSV file to a DNC list. Numbers already on the list
// are counted as duplicates and skipped.
func (s *Service) AppendDNC(ctx context.Context, listID int64, r io.Reader, opt ImportOptions) (Report, error) {
	return s.appendRows(ctx, s.dncKind(), listID, r, opt)
}

// dncKind imports DNC entries; a completed append validates the list.
func (s *Service) dncKind() csvKind {
	return csvKind{kind: store.ListDNC, manual: true, checkColumns: resolveColumns, importCSV: s.importDNC,
		settlesOnAppend: func(rep Report) bool { return rep.Status == store.ImportCompleted }}
}

func (s *Service) importDNC(ctx context.Context, l store.List, src source, opt ImportOptions) (Report, error) {
	started := s.clock.Now().UTC()
	head := src.header()
	cols, err := opt.Mapping.resolve(head)
	if err != nil {
		return Report{}, err
	}
	seen := map[uint64]uint32{}
	if l.Entries > 0 {
		if err := s.st.EachNumber(ctx, l.ID, func(n string) error { seen[numberKey(n)] = 0; return nil }); err != nil {
			return Report{}, err
		}
	}
	_, account, err := s.st.ListTotals(ctx, store.ListDNC)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Errors: []RowError{}}
	sink := &rejectSink{rep: &rep, maxKept: s.opt.MaxRejectsKept}
	p := startPipeline(ctx, src, s.workers, func() func(record) result[store.DNCEntry] {
		nc := newFastNumberChecker(s.opt.SuggestRegion)
		return func(rec record) result[store.DNCEntry] {
			res := result[store.DNCEntry]{rec: rec}
			if res.blank, res.err = screen(rec, head, s.limits.ListFieldChars); res.blank || res.err != nil {
				return res
			}
			i := cols.phones[0]
			v := rec.fields[i]
			n, err := nc.normalise(v)
			if err != nil {
				res.err = &RowError{Row: rec.row, Line: rec.line, Column: head[i], Value: v, Reason: reasonOf(err)}
				return res
			}
			e := store.DNCEntry{Number: n, Source: "csv"}
			if cols.expires >= 0 {
				if exp := strings.TrimSpace(rec.fields[cols.expires]); exp != "" {
					t, err := parseExpiry(exp)
					if err != nil {
						res.err = &RowError{Row: rec.row, Line: rec.line, Column: head[cols.expires], Value: exp, Reason: err.Error()}
						return res
					}
					e.ExpiresAt = &t
				}
			}
			res.key, res.val = numberKey(n), e
			return res
		}
	})
	defer p.stop()
	next := func() (store.DNCEntry, error) {
		for {
			res, err := p.nextValid(sink, opt.Strict)
			if err != nil {
				return store.DNCEntry{}, err
			}
			if _, dup := seen[res.key]; dup {
				rep.Duplicates++ // already blocked: nothing to add
				continue
			}
			seen[res.key] = uint32(res.rec.row)
			if opt.Strict && rep.Rejected > 0 {
				continue
			}
			if l.Entries+rep.Imported >= int64(s.limits.DNCEntriesPerList) {
				return store.DNCEntry{}, fmt.Errorf("%w: row %d would be entry %d of the DNC list; a DNC list holds at most %d (limits.dnc_entries_per_list)",
					ErrLimit, res.rec.row, l.Entries+rep.Imported+1, s.limits.DNCEntriesPerList)
			}
			if account+rep.Imported >= int64(s.limits.DNCEntriesPerAccount) {
				return store.DNCEntry{}, fmt.Errorf("%w: row %d would be DNC entry %d of the account; an account holds at most %d (limits.dnc_entries_per_account)",
					ErrLimit, res.rec.row, account+rep.Imported+1, s.limits.DNCEntriesPerAccount)
			}
			rep.Imported++
			return res.val, nil
		}
	}
	_, werr := s.st.WriteDNCEntries(ctx, l.ID, int64(s.limits.DNCEntriesPerAccount), next)
	return s.closeImport(ctx, l, store.SourceCSV, started, opt, werr, &rep, sink)
}

// parseExpiry reads an expiry as RFC 3339 or a date (the end of that day, UTC).
func parseExpiry(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	if d, err := time.Parse("2006-01-02", v); err == nil {
		return d.Add(24 * time.Hour).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date; write 2026-12-31 or 2026-12-31T18:00:00Z", v)
}

// AddDNC puts one number on a DNC list, in any usual form; adding a listed number
// again replaces its expiry (nil: never expires). source says who added it
// ("agent", "auto-enrollment", "api").
func (s *Service) AddDNC(ctx context.Context, listID int64, number string, expires *time.Time, source string) (store.DNCEntry, error) {
	n, err := Normalise(number, s.opt.SuggestRegion)
	if err != nil {
		return store.DNCEntry{}, fmt.Errorf("number: %w", err)
	}
	l, err := s.listOf(ctx, listID, store.ListDNC)
	if err != nil {
		return store.DNCEntry{}, err
	}
	if l.Entries >= int64(s.limits.DNCEntriesPerList) {
		return store.DNCEntry{}, fmt.Errorf("%w: the DNC list holds %d entries, the most allowed (limits.dnc_entries_per_list)", ErrLimit, l.Entries)
	}
	if _, total, err := s.st.ListTotals(ctx, store.ListDNC); err != nil {
		return store.DNCEntry{}, err
	} else if total >= int64(s.limits.DNCEntriesPerAccount) {
		return store.DNCEntry{}, fmt.Errorf("%w: the account holds %d DNC entries, the most allowed (limits.dnc_entries_per_account)", ErrLimit, total)
	}
	if expires != nil {
		t := expires.UTC()
		expires = &t
	}
	return s.st.PutDNCEntry(ctx, store.DNCEntry{ListID: listID, Number: n, ExpiresAt: expires, Source: source})
}

// AddToGlobalDNC puts a number on the global DNC list; keep is how long it stays (0:
// for ever). Automatic enrollment after unanswered attempts uses it.
func (s *Service) AddToGlobalDNC(ctx context.Context, number string, keep time.Duration, source string) (store.DNCEntry, error) {
	g, err := s.st.GlobalDNC(ctx)
	if err != nil {
		return store.DNCEntry{}, err
	}
	var exp *time.Time
	if keep > 0 {
		t := s.clock.Now().Add(keep)
		exp = &t
	}
	return s.AddDNC(ctx, g.ID, number, exp, source)
}

// Blocked reports whether number may not be dialled now: it is on the global DNC list
// (unless skipGlobal, for SMS and web campaigns) or on one of lists. It fails closed:
// any error means blocked.
func (s *Service) Blocked(ctx context.Context, number string, lists []int64, skipGlobal bool) (bool, store.DNCEntry, error) {
	n, err := Normalise(number, "")
	if err != nil {
		return true, store.DNCEntry{}, err
	}
	ids := append([]int64(nil), lists...)
	if !skipGlobal {
		g, err := s.st.GlobalDNC(ctx)
		if err != nil {
			return true, store.DNCEntry{}, err
		}
		ids = append([]int64{g.ID}, ids...)
	}
	e, err := s.st.DNCMatch(ctx, n, ids, s.clock.Now())
	if errors.Is(err, store.ErrNotFound) {
		return false, store.DNCEntry{}, nil
	}
	if err != nil {
		return true, store.DNCEntry{}, err
	}
	return true, e, nil
}

// ScrubCount is how many contacts one DNC list excluded.
type ScrubCount struct {
	ListID   int64  `json:"list_id"`
	ListName string `json:"list_name"`
	Global   bool   `json:"global"`
	Excluded int64  `json:"excluded"`
}

// ScrubResult reports a scrub: how many contacts were examined, kept and excluded,
// and which list excluded them (the first that matched, global first).
type ScrubResult struct {
	Contacts int64        `json:"contacts"`
	Kept     int64        `json:"kept"`
	Excluded int64        `json:"excluded"`
	ByList   []ScrubCount `json:"by_list"`
	// NumbersRemoved counts alternative numbers dropped from contacts that were kept
	// because another of their numbers is callable.
	NumbersRemoved int64 `json:"numbers_removed"`
}

// ScrubOptions select the DNC lists of a scrub.
type ScrubOptions struct {
	// DNCLists are the campaign's DNC lists, applied after the global one.
	DNCLists []int64
	// SkipGlobal leaves the global list out (SMS and proactive web campaigns).
	SkipGlobal bool
}

// scrubTallier is a store that counts a scrub inside the database instead of
// streaming both sides out (store/sqldb does). add receives groups of count contacts
// with numbers numbers, blocked of them blocked, the first by dncLists[first] (-1:
// none). It returns false, before calling add, when it cannot; Scrub then streams.
type scrubTallier interface {
	ScrubTally(ctx context.Context, contactLists, dncLists []int64, at time.Time, add func(first, blocked, numbers int, count int64)) (bool, error)
}

// Scrub streams the contacts of contactLists minus the numbers on the global DNC list
// and then the campaign's DNC lists, as they stand now (expired entries do not
// block). keep receives every contact that may be called, with blocked numbers
// removed from its dialing order; a contact whose numbers are all blocked is excluded.
// keep may be nil to count only.
func (s *Service) Scrub(ctx context.Context, contactLists []int64, opt ScrubOptions, keep func(store.Contact) error) (ScrubResult, error) {
	var res ScrubResult
	ids := append([]int64(nil), opt.DNCLists...)
	if !opt.SkipGlobal {
		g, err := s.st.GlobalDNC(ctx)
		if err != nil {
			return res, err
		}
		ids = append([]int64{g.ID}, slices.DeleteFunc(ids, func(id int64) bool { return id == g.ID })...)
	}
	lists := make([]store.List, len(ids))
	for i, id := range ids {
		l, err := s.listOf(ctx, id, store.ListDNC)
		if err != nil {
			return res, err
		}
		lists[i] = l
		res.ByList = append(res.ByList, ScrubCount{ListID: l.ID, ListName: l.Name, Global: l.Global})
	}
	if t, ok := s.st.(scrubTallier); ok && keep == nil {
		done, err := t.ScrubTally(ctx, contactLists, ids, s.clock.Now(), func(first, blocked, numbers int, count int64) {
			res.Contacts += count
			if blocked == numbers {
				res.Excluded += count
				res.ByList[first].Excluded += count
				return
			}
			res.Kept += count
			res.NumbersRemoved += int64(blocked) * count
		})
		if err != nil || done {
			return res, err
		}
		res = ScrubResult{ByList: res.ByList}
	}
	sets := make([][]uint64, len(ids))
	for i, id := range ids {
		l := lists[i]
		set := make([]uint64, 0, l.Entries)
		err := s.st.EachActiveDNCNumber(ctx, []int64{id}, s.clock.Now(), func(_ int64, n string) error {
			set = append(set, numberKey(n))
			return nil
		})
		if err != nil {
			return res, err
		}
		slices.Sort(set)
		sets[i] = set
	}
	blockedBy := func(n string) int {
		k := numberKey(n)
		for i, set := range sets {
			if _, ok := slices.BinarySearch(set, k); ok {
				return i
			}
		}
		return -1
	}
	// check counts one contact's numbers and returns the callable ones (nil: excluded).
	check := func(phones []string) []string {
		res.Contacts++
		first := -1
		kept := phones[:0:0]
		for _, p := range phones {
			if by := blockedBy(p); by >= 0 {
				if first < 0 {
					first = by
				}
				continue
			}
			kept = append(kept, p)
		}
		if len(kept) == 0 {
			res.Excluded++
			res.ByList[first].Excluded++
			return nil
		}
		res.NumbersRemoved += int64(len(phones) - len(kept))
		res.Kept++
		return kept
	}
	var err error
	if keep == nil {
		err = s.st.EachContactPhones(ctx, contactLists, func(_ int64, phones []string) error {
			check(phones)
			return nil
		})
	} else {
		err = s.st.EachContact(ctx, contactLists, func(c store.Contact) error {
			if kept := check(c.Phones); kept != nil {
				c.Phones = kept
				return keep(c)
			}
			return nil
		})
	}
	return res, err
}
