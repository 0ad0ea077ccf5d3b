package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxScrubAltContacts bounds the contacts with alternative numbers that ScrubTally
// checks one number at a time; beyond it the caller streams the contacts instead.
const maxScrubAltContacts = 50_000

// ScrubTally counts a scrub of contactLists against dncLists (in that order of
// precedence; entries that have expired at time at do not block) inside the
// database, without reading the DNC lists out: contacts with one number are grouped
// by the first list that blocks it in one query (a LEFT JOIN per DNC list, probing
// the unique (list_id, number) index, so a join adds at most one row), and contacts
// with alternative numbers have each number looked up. SQLite only: reading rows out
// through database/sql costs it about 2 µs a row, while PostgreSQL streams them
// cheaply and its hash join of millions of entries spills to disk at the default
// work_mem, so there the caller's streaming scrub is faster. add receives groups of count contacts that have numbers numbers, of
// which blocked are blocked, the first of them by dncLists[firstBlockedBy] (-1 when
// none is). It returns false, before calling add, when a list has more than
// maxScrubAltContacts contacts with alternative numbers.
func (s *DB) ScrubTally(ctx context.Context, contactLists, dncLists []int64, at time.Time, add func(firstBlockedBy, blocked, numbers int, count int64)) (bool, error) {
	if s.dialect.Name != "sqlite" {
		// PostgreSQL streams rows cheaply, and at the default work_mem its hash join of
		// 2,000,000 entries spills to disk: the caller's streaming scrub is faster.
		return false, nil
	}
	at = at.UTC()
	type alt struct{ phone, alt string }
	alts := make([][]alt, len(contactLists))
	for i, list := range contactLists {
		rows, err := s.sql.QueryContext(ctx, `SELECT phone, alt_phones FROM contacts WHERE list_id = $1 AND alt_phones <> '' LIMIT $2`, list, maxScrubAltContacts+1)
		if err != nil {
			return false, s.mapErr(err, "contacts")
		}
		for rows.Next() {
			var a alt
			if err := rows.Scan(&a.phone, &a.alt); err != nil {
				rows.Close()
				return false, err
			}
			alts[i] = append(alts[i], a)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return false, s.mapErr(err, "contacts")
		}
		if len(alts[i]) > maxScrubAltContacts {
			return false, nil
		}
	}
	// One number: grouped by the first list that blocks it.
	args := []any{at}
	var sel, joins strings.Builder
	sel.WriteString(`SELECT CASE`)
	for i, id := range dncLists {
		args = append(args, id)
		d := "d" + strconv.Itoa(i)
		fmt.Fprintf(&sel, ` WHEN %s.id IS NOT NULL THEN %d`, d, i)
		fmt.Fprintf(&joins, ` LEFT JOIN dnc_entries %s ON %s.list_id = $%d AND %s.number = c.phone AND (%s.expires_at IS NULL OR %s.expires_at > $1)`,
			d, d, len(args), d, d, d)
	}
	sel.WriteString(` ELSE -1 END AS blocked_by, COUNT(*) FROM contacts c`)
	args = append(args, int64(0))
	query := sel.String() + joins.String() + ` WHERE c.list_id = $` + strconv.Itoa(len(args)) + ` AND c.alt_phones = '' GROUP BY 1`
	type group struct {
		by    int
		count int64
	}
	var groups []group
	for _, list := range contactLists {
		args[len(args)-1] = list
		rows, err := s.sql.QueryContext(ctx, query, args...)
		if err != nil {
			return false, s.mapErr(err, "scrub")
		}
		for rows.Next() {
			var g group
			if err := rows.Scan(&g.by, &g.count); err != nil {
				rows.Close()
				return false, err
			}
			groups = append(groups, g)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return false, s.mapErr(err, "scrub")
		}
	}
	// Several numbers: each looked up.
	type one struct{ by, blocked, numbers int }
	var singles []one
	if len(dncLists) > 0 {
		in, largs := inList([]any{"", at}, dncLists)
		stmt, err := s.sql.PrepareContext(ctx, `SELECT DISTINCT list_id FROM dnc_entries WHERE number = $1 AND list_id IN `+in+` AND (expires_at IS NULL OR expires_at > $2)`)
		if err != nil {
			return false, s.mapErr(err, "scrub")
		}
		defer stmt.Close()
		blockedBy := func(number string) (int, error) {
			largs[0] = number
			rows, err := stmt.QueryContext(ctx, largs...)
			if err != nil {
				return -1, s.mapErr(err, "scrub")
			}
			defer rows.Close()
			first := -1
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return -1, err
				}
				for i, l := range dncLists {
					if l == id && (first < 0 || i < first) {
						first = i
					}
				}
			}
			return first, rows.Err()
		}
		for _, as := range alts {
			for _, a := range as {
				o := one{by: -1}
				for _, n := range append([]string{a.phone}, strings.Fields(a.alt)...) {
					o.numbers++
					by, err := blockedBy(n)
					if err != nil {
						return false, err
					}
					if by >= 0 {
						o.blocked++
						if o.by < 0 {
							o.by = by
						}
					}
				}
				singles = append(singles, o)
			}
		}
	} else {
		for _, as := range alts {
			for _, a := range as {
				singles = append(singles, one{by: -1, numbers: 1 + len(strings.Fields(a.alt))})
			}
		}
	}
	for _, g := range groups {
		blocked := 0
		if g.by >= 0 {
			blocked = 1
		}
		add(g.by, blocked, 1, g.count)
	}
	for _, o := range singles {
		add(o.by, o.blocked, o.numbers, 1)
	}
	return true, nil
}
