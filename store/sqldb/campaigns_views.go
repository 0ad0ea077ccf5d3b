package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/outdial/outdial/store"
)

// This file holds the campaign dashboard queries, the saved filters of the campaign
// table and the agentless flow documents.

// InstanceStats computes the overview and outcome figures of one instance.
func (s *DB) InstanceStats(ctx context.Context, instanceID int64) (store.InstanceStats, error) {
	st := store.InstanceStats{InstanceID: instanceID, Outcomes: []store.Count{}, Dispositions: []store.Count{}}
	if _, err := s.InstanceByID(ctx, instanceID); err != nil {
		return st, err
	}
	var skips int64
	err := s.sql.QueryRowContext(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(skips), 0)
		FROM call_records WHERE instance_id = $1`, instanceID).Scan(&st.Records, &st.Done, &st.Dialed, &skips)
	if err != nil {
		return st, s.mapErr(err, "instance stats")
	}
	var avg sql.NullFloat64
	err = s.sql.QueryRowContext(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN outcome = 'Connected' THEN 1 ELSE 0 END), 0),
		AVG(CASE WHEN outcome = 'Connected' THEN duration_ms END)
		FROM call_attempts WHERE instance_id = $1 AND state IN ('final', 'unknown')`, instanceID).Scan(&st.Attempts, &st.Connected, &avg)
	if err != nil {
		return st, s.mapErr(err, "instance stats")
	}
	st.Unconnected = st.Attempts - st.Connected + skips
	if avg.Valid {
		st.AvgDurationMS = avg.Float64
	}
	counts := func(q string) (map[string]int64, error) {
		rows, err := s.sql.QueryContext(ctx, q, instanceID)
		if err != nil {
			return nil, s.mapErr(err, "instance stats")
		}
		defer rows.Close()
		m := map[string]int64{}
		for rows.Next() {
			var name string
			var n int64
			if err := rows.Scan(&name, &n); err != nil {
				return nil, err
			}
			m[name] += n
		}
		return m, rows.Err()
	}
	outcomes, err := counts(`SELECT outcome, COUNT(*) FROM call_attempts WHERE instance_id = $1 AND state IN ('final', 'unknown') AND outcome <> '' GROUP BY outcome`)
	if err != nil {
		return st, err
	}
	// Records closed before any dial (DNC Excluded, Filter Skipped, Retry Cancelled...).
	excluded, err := counts(`SELECT disposition, COUNT(*) FROM call_records WHERE instance_id = $1 AND attempts = 0 AND state = 'done' AND disposition <> '' GROUP BY disposition`)
	if err != nil {
		return st, err
	}
	for k, v := range excluded {
		outcomes[k] += v
	}
	agent, err := counts(`SELECT disposition, COUNT(*) FROM call_attempts WHERE instance_id = $1 AND state IN ('final', 'unknown') AND disposition <> '' GROUP BY disposition`)
	if err != nil {
		return st, err
	}
	st.Outcomes, st.Dispositions = topCounts(outcomes, 5), topCounts(agent, 5)
	return st, nil
}

// topCounts returns the n largest counts, ties by name.
func topCounts(m map[string]int64, n int) []store.Count {
	out := make([]store.Count, 0, len(m))
	for k, v := range m {
		out = append(out, store.Count{Name: k, Count: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// DispositionMatrix counts conversations by their latest attempt and disposition.
func (s *DB) DispositionMatrix(ctx context.Context, instanceID int64) ([]store.MatrixCell, error) {
	cells, err := collect(ctx, s.sql, func(r rowScanner) (store.MatrixCell, error) {
		var c store.MatrixCell
		err := r.Scan(&c.Attempt, &c.Disposition, &c.Count)
		return c, err
	}, `SELECT attempts, disposition, COUNT(*) FROM call_records WHERE instance_id = $1 AND attempts > 0
		GROUP BY attempts, disposition ORDER BY attempts, disposition`, instanceID)
	return cells, s.mapErr(err, "disposition matrix")
}

// Executions filters, then searches, then sorts the records of an instance.
func (s *DB) Executions(ctx context.Context, f store.ExecutionFilter) ([]store.CallRecord, int64, error) {
	args := []any{f.InstanceID}
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	where := []string{`instance_id = $1`}
	inList := func(col string, vs []any) {
		if len(vs) == 0 {
			return
		}
		ph := make([]string, len(vs))
		for i, v := range vs {
			ph[i] = arg(v)
		}
		where = append(where, col+` IN (`+strings.Join(ph, ", ")+`)`)
	}
	inList("disposition", anySlice(f.Dispositions))
	inList("priority", anySlice(f.Priorities))
	if !f.Since.IsZero() {
		where = append(where, `last_started_at >= `+arg(utc(f.Since)))
	}
	if !f.Until.IsZero() {
		where = append(where, `last_started_at < `+arg(utc(f.Until)))
	}
	if f.Search != "" {
		p := arg(campaignLike(f.Search))
		where = append(where, `(phone LIKE `+p+` ESCAPE '\' OR LOWER(first_name) LIKE `+p+` ESCAPE '\' OR LOWER(last_name) LIKE `+p+` ESCAPE '\')`)
	}
	cond := strings.Join(where, " AND ")
	var total int64
	if err := s.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM call_records WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, s.mapErr(err, "executions")
	}
	dir, rdir := "DESC", "ASC"
	var order string
	switch f.Sort {
	case "", store.SortStartTime:
		// Newest first by default; never-started rows last either way.
		if f.Desc {
			dir, rdir = rdir, dir
		}
		order = `CASE WHEN last_started_at IS NULL THEN 1 ELSE 0 END, last_started_at ` + dir + `, id`
	case store.SortPriority:
		if f.Desc {
			dir, rdir = rdir, dir
		}
		order = `priority ` + dir + `, id`
	case store.SortDisposition:
		if f.Desc {
			rdir = "DESC"
		}
		order = `disposition ` + rdir + `, id`
	default:
		return nil, 0, fmt.Errorf("sqldb: execution sort %q is not start_time, priority or disposition", f.Sort)
	}
	args = append(args, pageLimit(f.Limit), max(f.Offset, 0))
	rs, err := collect(ctx, s.sql, scanRecord, `SELECT `+recordCols+` FROM call_records WHERE `+cond+` ORDER BY `+order+
		fmt.Sprintf(` LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	return rs, total, s.mapErr(err, "executions")
}

const savedFilterCols = `id, user_id, name, is_default, statuses, priorities, modes, created_at, updated_at`

func scanSavedFilter(r rowScanner) (store.SavedFilter, error) {
	var f store.SavedFilter
	var statuses, priorities, modes string
	err := r.Scan(&f.ID, &f.UserID, &f.Name, &f.Default, &statuses, &priorities, &modes, &f.CreatedAt, &f.UpdatedAt)
	f.Statuses, f.Modes, f.Priorities = []store.CampaignStatus{}, strings.Fields(modes), []int{}
	for _, v := range strings.Fields(statuses) {
		f.Statuses = append(f.Statuses, store.CampaignStatus(v))
	}
	for _, v := range strings.Fields(priorities) {
		n, _ := strconv.Atoi(v)
		f.Priorities = append(f.Priorities, n)
	}
	f.CreatedAt, f.UpdatedAt = f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	return f, err
}

func joinWords[T any](vs []T) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " ")
}

// CreateSavedFilter stores a filter; names are unique per user.
func (s *DB) CreateSavedFilter(ctx context.Context, f store.SavedFilter) (store.SavedFilter, error) {
	var out store.SavedFilter
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := utc(s.now())
		if f.Default {
			if _, err := tx.ExecContext(ctx, `UPDATE campaign_saved_filters SET is_default = FALSE WHERE user_id = $1`, f.UserID); err != nil {
				return s.mapErr(err, "saved filters")
			}
		}
		var err error
		out, err = scanSavedFilter(tx.QueryRowContext(ctx, `INSERT INTO campaign_saved_filters (user_id, name, is_default, statuses, priorities, modes, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING `+savedFilterCols,
			f.UserID, f.Name, f.Default, joinWords(f.Statuses), joinWords(f.Priorities), joinWords(f.Modes), now))
		if err != nil && s.dialect.IsForeignKeyViolation(err) {
			return fmt.Errorf("%w: user %d", store.ErrNotFound, f.UserID)
		}
		return s.mapErr(err, fmt.Sprintf("saved filter %q", f.Name))
	})
	return out, err
}

// SavedFilterByID returns one filter.
func (s *DB) SavedFilterByID(ctx context.Context, id int64) (store.SavedFilter, error) {
	f, err := scanSavedFilter(s.sql.QueryRowContext(ctx, `SELECT `+savedFilterCols+` FROM campaign_saved_filters WHERE id = $1`, id))
	return f, s.mapErr(err, fmt.Sprintf("saved filter %d", id))
}

// SavedFilters returns a user's filters by name.
func (s *DB) SavedFilters(ctx context.Context, userID int64) ([]store.SavedFilter, error) {
	fs, err := collect(ctx, s.sql, scanSavedFilter, `SELECT `+savedFilterCols+` FROM campaign_saved_filters WHERE user_id = $1 ORDER BY name, id`, userID)
	return fs, s.mapErr(err, "saved filters")
}

// UpdateSavedFilter replaces a filter's name and conditions (not its default mark).
func (s *DB) UpdateSavedFilter(ctx context.Context, f store.SavedFilter) (store.SavedFilter, error) {
	out, err := scanSavedFilter(s.sql.QueryRowContext(ctx, `UPDATE campaign_saved_filters SET name = $1, statuses = $2, priorities = $3, modes = $4,
		updated_at = $5 WHERE id = $6 RETURNING `+savedFilterCols,
		f.Name, joinWords(f.Statuses), joinWords(f.Priorities), joinWords(f.Modes), utc(s.now()), f.ID))
	return out, s.mapErr(err, fmt.Sprintf("saved filter %d", f.ID))
}

// SetDefaultSavedFilter marks or unmarks a user's default filter.
func (s *DB) SetDefaultSavedFilter(ctx context.Context, id int64, on bool) (store.SavedFilter, error) {
	var out store.SavedFilter
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		f, err := scanSavedFilter(tx.QueryRowContext(ctx, `SELECT `+savedFilterCols+` FROM campaign_saved_filters WHERE id = $1`, id))
		if err != nil {
			return s.mapErr(err, fmt.Sprintf("saved filter %d", id))
		}
		if on {
			if _, err := tx.ExecContext(ctx, `UPDATE campaign_saved_filters SET is_default = FALSE WHERE user_id = $1`, f.UserID); err != nil {
				return s.mapErr(err, "saved filters")
			}
		}
		out, err = scanSavedFilter(tx.QueryRowContext(ctx, `UPDATE campaign_saved_filters SET is_default = $1, updated_at = $2 WHERE id = $3 RETURNING `+savedFilterCols,
			on, utc(s.now()), id))
		return s.mapErr(err, fmt.Sprintf("saved filter %d", id))
	})
	return out, err
}

// DeleteSavedFilter removes a filter.
func (s *DB) DeleteSavedFilter(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, "campaign_saved_filters", id, fmt.Sprintf("saved filter %d", id))
}

const flowCols = `id, name, description, document, created_at, updated_at`

func scanFlow(r rowScanner) (store.StoredFlow, error) {
	var f store.StoredFlow
	var doc string
	err := r.Scan(&f.ID, &f.Name, &f.Description, &doc, &f.CreatedAt, &f.UpdatedAt)
	f.Document = []byte(doc)
	f.CreatedAt, f.UpdatedAt = f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	return f, err
}

// CreateFlow stores a flow document; names are unique.
func (s *DB) CreateFlow(ctx context.Context, f store.StoredFlow) (store.StoredFlow, error) {
	out, err := scanFlow(s.sql.QueryRowContext(ctx, `INSERT INTO flows (name, description, document, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4) RETURNING `+flowCols, f.Name, f.Description, string(f.Document), utc(s.now())))
	return out, s.mapErr(err, fmt.Sprintf("flow %q", f.Name))
}

// FlowByID returns one flow.
func (s *DB) FlowByID(ctx context.Context, id int64) (store.StoredFlow, error) {
	f, err := scanFlow(s.sql.QueryRowContext(ctx, `SELECT `+flowCols+` FROM flows WHERE id = $1`, id))
	return f, s.mapErr(err, fmt.Sprintf("flow %d", id))
}

// ListFlows returns every flow by name.
func (s *DB) ListFlows(ctx context.Context) ([]store.StoredFlow, error) {
	fs, err := collect(ctx, s.sql, scanFlow, `SELECT `+flowCols+` FROM flows ORDER BY name`)
	return fs, s.mapErr(err, "flows")
}

// UpdateFlow replaces a flow's name, description and document.
func (s *DB) UpdateFlow(ctx context.Context, f store.StoredFlow) (store.StoredFlow, error) {
	out, err := scanFlow(s.sql.QueryRowContext(ctx, `UPDATE flows SET name = $1, description = $2, document = $3, updated_at = $4 WHERE id = $5 RETURNING `+flowCols,
		f.Name, f.Description, string(f.Document), utc(s.now()), f.ID))
	return out, s.mapErr(err, fmt.Sprintf("flow %d", f.ID))
}

// DeleteFlow removes a flow; campaigns linked to it lose their flow.
func (s *DB) DeleteFlow(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, "flows", id, fmt.Sprintf("flow %d", id))
}
