package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial/store"
)

var _ store.Campaigns = (*DB)(nil)

const campaignCols = `id, name, description, status, priority, mode, dnc_list_id, mapping_list_id, caller_id, queue_id, flow_id,
	scheduled, next_start_at, scrubbed_for, instance_id, last_run_at, definition, created_at, updated_at`

func scanCampaign(r rowScanner) (store.Campaign, error) {
	var c store.Campaign
	var status, def string
	var mapping, caller, queue, flow, inst sql.NullInt64
	var next, scrubbed, lastRun sql.NullTime
	err := r.Scan(&c.ID, &c.Name, &c.Description, &status, &c.Priority, &c.Mode, &c.DNCListID, &mapping, &caller, &queue, &flow,
		&c.Scheduled, &next, &scrubbed, &inst, &lastRun, &def, &c.CreatedAt, &c.UpdatedAt)
	c.Status = store.CampaignStatus(status)
	c.MappingListID, c.CallerID, c.QueueID, c.FlowID, c.InstanceID = idPtr(mapping), idPtr(caller), idPtr(queue), idPtr(flow), idPtr(inst)
	c.NextStartAt, c.ScrubbedFor, c.LastRunAt = timePtr(next), timePtr(scrubbed), timePtr(lastRun)
	c.Definition = []byte(def)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.ListIDs = []int64{}
	return c, err
}

func idPtr(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	x := v.Int64
	return &x
}

// utc normalises a time for storage: UTC, microseconds (what PostgreSQL keeps).
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func nullUTC(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: utc(*t), Valid: true}
}

func definitionText(b []byte) string {
	if len(b) == 0 {
		return "{}"
	}
	return string(b)
}

// linkCampaignLists rewrites campaign_lists and this campaign's list_usage rows.
func (s *DB) linkCampaignLists(ctx context.Context, tx *sql.Tx, c store.Campaign) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM campaign_lists WHERE campaign_id = $1`, c.ID); err != nil {
		return s.mapErr(err, "campaign lists")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM list_usage WHERE campaign_id = $1`, c.ID); err != nil {
		return s.mapErr(err, "list usage")
	}
	all := append([]int64{}, c.ListIDs...)
	all = append(all, c.DNCListID)
	if c.MappingListID != nil {
		all = append(all, *c.MappingListID)
	}
	seen := map[int64]bool{}
	for i, id := range c.ListIDs {
		if seen[id] {
			return fmt.Errorf("%w: contact list %d is listed twice", store.ErrConflict, id)
		}
		seen[id] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_lists (campaign_id, list_id, position) VALUES ($1, $2, $3)`, c.ID, id, i); err != nil {
			if s.dialect.IsForeignKeyViolation(err) {
				return fmt.Errorf("%w: list %d", store.ErrNotFound, id)
			}
			return s.mapErr(err, fmt.Sprintf("campaign list %d", id))
		}
	}
	linked := map[int64]bool{}
	for _, id := range all {
		if linked[id] {
			continue
		}
		linked[id] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO list_usage (list_id, campaign_id, campaign_name) VALUES ($1, $2, $3)`, id, c.ID, c.Name); err != nil {
			if s.dialect.IsForeignKeyViolation(err) {
				return fmt.Errorf("%w: list %d", store.ErrNotFound, id)
			}
			return s.mapErr(err, fmt.Sprintf("list usage %d", id))
		}
	}
	return nil
}

// campaignFKError names the missing record behind a foreign key violation.
func (s *DB) campaignFKError(err error, c store.Campaign) error {
	if err == nil || !s.dialect.IsForeignKeyViolation(err) {
		return s.mapErr(err, fmt.Sprintf("campaign %q", c.Name))
	}
	return fmt.Errorf("%w: a linked list, phone number, queue or flow of campaign %q does not exist", store.ErrNotFound, c.Name)
}

// CreateCampaign stores a campaign in status Ready and links its lists.
func (s *DB) CreateCampaign(ctx context.Context, c store.Campaign) (store.Campaign, error) {
	var out store.Campaign
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := utc(s.now())
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO campaigns (name, description, status, priority, mode, dnc_list_id, mapping_list_id,
			caller_id, queue_id, flow_id, scheduled, next_start_at, definition, created_at, updated_at)
			VALUES ($1, $2, 'Ready', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
			c.Name, c.Description, c.Priority, c.Mode, c.DNCListID, nullID(c.MappingListID), nullID(c.CallerID), nullID(c.QueueID),
			nullID(c.FlowID), c.Scheduled, nullUTC(c.NextStartAt), definitionText(c.Definition), now).Scan(&id)
		if err != nil {
			return s.campaignFKError(err, c)
		}
		c.ID = id
		if err := s.linkCampaignLists(ctx, tx, c); err != nil {
			return err
		}
		out, err = s.campaignTx(ctx, tx, id)
		return err
	})
	return out, err
}

func (s *DB) campaignTx(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, id int64) (store.Campaign, error) {
	c, err := scanCampaign(q.QueryRowContext(ctx, `SELECT `+campaignCols+` FROM campaigns WHERE id = $1`, id))
	if err != nil {
		return c, s.mapErr(err, fmt.Sprintf("campaign %d", id))
	}
	rows, err := q.QueryContext(ctx, `SELECT list_id FROM campaign_lists WHERE campaign_id = $1 ORDER BY position`, id)
	if err != nil {
		return c, s.mapErr(err, "campaign lists")
	}
	defer rows.Close()
	for rows.Next() {
		var l int64
		if err := rows.Scan(&l); err != nil {
			return c, err
		}
		c.ListIDs = append(c.ListIDs, l)
	}
	return c, rows.Err()
}

// CampaignByID returns one campaign with its lists.
func (s *DB) CampaignByID(ctx context.Context, id int64) (store.Campaign, error) {
	return s.campaignTx(ctx, s.sql, id)
}

// FindCampaigns returns the campaigns the filter selects, in its order.
func (s *DB) FindCampaigns(ctx context.Context, f store.CampaignFilter) ([]store.Campaign, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	in := func(col string, vs []any) {
		if len(vs) == 0 {
			return
		}
		ph := make([]string, len(vs))
		for i, v := range vs {
			ph[i] = arg(v)
		}
		where = append(where, col+" IN ("+strings.Join(ph, ", ")+")")
	}
	in("status", anySlice(f.Statuses))
	in("priority", anySlice(f.Priorities))
	in("mode", anySlice(f.Modes))
	if f.Search != "" {
		where = append(where, `LOWER(name) LIKE `+arg(campaignLike(f.Search))+` ESCAPE '\'`)
	}
	if f.ListID != 0 {
		where = append(where, `id IN (SELECT campaign_id FROM campaign_lists WHERE list_id = `+arg(f.ListID)+`)`)
	}
	if f.CallerID != 0 {
		where = append(where, `caller_id = `+arg(f.CallerID))
	}
	if f.FlowID != 0 {
		where = append(where, `flow_id = `+arg(f.FlowID))
	}
	if f.StartDueBy != nil {
		where = append(where, `scheduled AND next_start_at IS NOT NULL AND next_start_at <= `+arg(utc(*f.StartDueBy)))
	}
	q := `SELECT ` + campaignCols + ` FROM campaigns`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	switch f.Sort {
	case store.SortPriority:
		// The spec's ascending is 5 -> 1 (highest first); Desc gives 1 -> 5.
		if f.Desc {
			q += ` ORDER BY priority ASC, id`
		} else {
			q += ` ORDER BY priority DESC, id`
		}
	case "", store.SortRunTime:
		// Newest run first; never-run campaigns last, newest created first.
		nulls := `CASE WHEN last_run_at IS NULL THEN 1 ELSE 0 END`
		if f.Desc {
			q += ` ORDER BY ` + nulls + ` DESC, last_run_at ASC, created_at ASC, id ASC`
		} else {
			q += ` ORDER BY ` + nulls + `, last_run_at DESC, created_at DESC, id DESC`
		}
	default:
		return nil, fmt.Errorf("sqldb: campaign sort %q is not run_time or priority", f.Sort)
	}
	cs, err := collect(ctx, s.sql, scanCampaign, q, args...)
	if err != nil {
		return nil, s.mapErr(err, "campaigns")
	}
	if err := s.fillCampaignLists(ctx, cs); err != nil {
		return nil, err
	}
	return cs, nil
}

func (s *DB) fillCampaignLists(ctx context.Context, cs []store.Campaign) error {
	if len(cs) == 0 {
		return nil
	}
	idx := map[int64]int{}
	for i, c := range cs {
		idx[c.ID] = i
	}
	rows, err := s.sql.QueryContext(ctx, `SELECT campaign_id, list_id FROM campaign_lists ORDER BY campaign_id, position`)
	if err != nil {
		return s.mapErr(err, "campaign lists")
	}
	defer rows.Close()
	for rows.Next() {
		var cid, lid int64
		if err := rows.Scan(&cid, &lid); err != nil {
			return err
		}
		if i, ok := idx[cid]; ok {
			cs[i].ListIDs = append(cs[i].ListIDs, lid)
		}
	}
	return rows.Err()
}

func anySlice[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// campaignLike escapes a search for LIKE ... ESCAPE '\' and lower-cases it.
func campaignLike(search string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + strings.ToLower(r.Replace(search)) + "%"
}

// UpdateCampaign replaces the definition fields and relinks the lists.
func (s *DB) UpdateCampaign(ctx context.Context, c store.Campaign) (store.Campaign, error) {
	var out store.Campaign
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE campaigns SET name = $1, description = $2, priority = $3, mode = $4, dnc_list_id = $5,
			mapping_list_id = $6, caller_id = $7, queue_id = $8, flow_id = $9, scheduled = $10, next_start_at = $11, definition = $12,
			updated_at = $13 WHERE id = $14`,
			c.Name, c.Description, c.Priority, c.Mode, c.DNCListID, nullID(c.MappingListID), nullID(c.CallerID), nullID(c.QueueID),
			nullID(c.FlowID), c.Scheduled, nullUTC(c.NextStartAt), definitionText(c.Definition), utc(s.now()), c.ID)
		if err != nil {
			return s.campaignFKError(err, c)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: campaign %d", store.ErrNotFound, c.ID)
		}
		if err := s.linkCampaignLists(ctx, tx, c); err != nil {
			return err
		}
		out, err = s.campaignTx(ctx, tx, c.ID)
		return err
	})
	return out, err
}

// DeleteCampaign removes a campaign, its runs and list links.
func (s *DB) DeleteCampaign(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM list_usage WHERE campaign_id = $1`, id); err != nil {
			return s.mapErr(err, "list usage")
		}
		// Attempts and records go with their instance (ON DELETE CASCADE).
		if _, err := tx.ExecContext(ctx, `DELETE FROM campaign_instances WHERE campaign_id = $1`, id); err != nil {
			return s.mapErr(err, "campaign instances")
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM campaigns WHERE id = $1`, id)
		if err != nil {
			return s.mapErr(err, fmt.Sprintf("campaign %d", id))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: campaign %d", store.ErrNotFound, id)
		}
		return nil
	})
}

var runningStatuses = `('Active', 'Rerun', 'Paused')`

// TransitionCampaign changes a campaign's status under the table-wide rules.
func (s *DB) TransitionCampaign(ctx context.Context, t store.CampaignTransition) (store.Campaign, error) {
	var out store.Campaign
	at := utc(t.At)
	if t.At.IsZero() {
		at = utc(s.now())
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if s.dialect.Name == "postgres" {
			// Serialise transitions: the list and limit checks read the whole table.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7263511)`); err != nil {
				return s.mapErr(err, "campaign lock")
			}
		}
		c, err := s.campaignTx(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		ok := len(t.From) == 0
		for _, f := range t.From {
			ok = ok || f == c.Status
		}
		if !ok {
			return fmt.Errorf("%w: campaign %q is %s", store.ErrConflict, c.Name, c.Status)
		}
		if t.To.Running() && !c.Status.Running() {
			if t.MaxActive > 0 {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM campaigns WHERE status IN `+runningStatuses+` AND id <> $1`, c.ID).Scan(&n); err != nil {
					return s.mapErr(err, "running campaigns")
				}
				if n >= t.MaxActive {
					return fmt.Errorf("%w: %d voice campaigns are already running, the limit is %d", store.ErrConflict, n, t.MaxActive)
				}
			}
			var other string
			err := tx.QueryRowContext(ctx, `SELECT c.name FROM campaigns c JOIN campaign_lists l ON l.campaign_id = c.id
				WHERE c.status IN `+runningStatuses+` AND c.id <> $1 AND l.list_id IN (SELECT list_id FROM campaign_lists WHERE campaign_id = $1)
				ORDER BY c.id LIMIT 1`, c.ID).Scan(&other)
			if err == nil {
				return fmt.Errorf("%w: campaign %q is running on a contact list of %q", store.ErrConflict, other, c.Name)
			} else if !errors.Is(err, sql.ErrNoRows) {
				return s.mapErr(err, "running campaigns")
			}
		}
		if t.Activate != 0 {
			var cid int64
			var st string
			if err := tx.QueryRowContext(ctx, `SELECT campaign_id, status FROM campaign_instances WHERE id = $1`, t.Activate).Scan(&cid, &st); err != nil {
				return s.mapErr(err, fmt.Sprintf("instance %d", t.Activate))
			}
			if cid != c.ID || st != string(store.InstancePreparing) {
				return fmt.Errorf("%w: instance %d is not a preparing instance of campaign %d", store.ErrConflict, t.Activate, c.ID)
			}
			if c.InstanceID != nil {
				if err := s.endInstance(ctx, tx, *c.InstanceID, at, "replaced by a new run"); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE campaign_instances SET status = 'running', started_at = $1 WHERE id = $2`, at, t.Activate); err != nil {
				return s.mapErr(err, "instance")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET instance_id = $1, last_run_at = $2 WHERE id = $3`, t.Activate, at, c.ID); err != nil {
				return s.mapErr(err, "campaign")
			}
		} else if t.Instance != "" && c.InstanceID != nil {
			if t.Instance == store.InstanceEnded {
				if err := s.endInstance(ctx, tx, *c.InstanceID, at, t.EndReason); err != nil {
					return err
				}
			} else if _, err := tx.ExecContext(ctx, `UPDATE campaign_instances SET status = $1 WHERE id = $2 AND status <> 'ended'`,
				string(t.Instance), *c.InstanceID); err != nil {
				return s.mapErr(err, "instance")
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET status = $1, updated_at = $2 WHERE id = $3`, string(t.To), at, c.ID); err != nil {
			return s.mapErr(err, "campaign")
		}
		out, err = s.campaignTx(ctx, tx, c.ID)
		return err
	})
	return out, err
}

// endInstance ends a run: its leased and ready records are closed too, so nothing of
// it is dialed again. Records with an attempt in flight finish normally.
func (s *DB) endInstance(ctx context.Context, tx *sql.Tx, id int64, at time.Time, reason string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE campaign_instances SET status = 'ended', ended_at = $1, end_reason = $2
		WHERE id = $3 AND status <> 'ended'`, at, reason, id); err != nil {
		return s.mapErr(err, "instance")
	}
	// A contact waiting for a retry shows why it was not retried.
	_, err := tx.ExecContext(ctx, `UPDATE call_records SET state = 'done', lease_owner = '', lease_until = NULL,
		disposition = CASE WHEN attempts > 0 THEN 'Retry Cancelled' ELSE disposition END
		WHERE instance_id = $1 AND state IN ('ready', 'leased')`, id)
	return s.mapErr(err, "call records")
}

// SetCampaignSchedule records the next scheduled start and the scrubbed occurrence.
func (s *DB) SetCampaignSchedule(ctx context.Context, id int64, next, scrubbedFor *time.Time) error {
	return s.execOne(ctx, fmt.Sprintf("campaign %d", id), `UPDATE campaigns SET next_start_at = $1, scrubbed_for = $2 WHERE id = $3`,
		nullUTC(next), nullUTC(scrubbedFor), id)
}

const instanceCols = `id, campaign_id, number, kind, status, records, started_at, ended_at, end_reason, created_at`

func scanInstance(r rowScanner) (store.Instance, error) {
	var i store.Instance
	var st string
	var started, ended sql.NullTime
	err := r.Scan(&i.ID, &i.CampaignID, &i.Number, &i.Kind, &st, &i.Records, &started, &ended, &i.EndReason, &i.CreatedAt)
	i.Status = store.InstanceStatus(st)
	i.StartedAt, i.EndedAt = timePtr(started), timePtr(ended)
	i.CreatedAt = i.CreatedAt.UTC()
	return i, err
}

// CreateInstance opens a preparing instance numbered after the campaign's last.
func (s *DB) CreateInstance(ctx context.Context, campaignID int64, kind string, at time.Time) (store.Instance, error) {
	var out store.Instance
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) FROM campaign_instances WHERE campaign_id = $1`, campaignID).Scan(&n); err != nil {
			return s.mapErr(err, "instances")
		}
		var err error
		out, err = scanInstance(tx.QueryRowContext(ctx, `INSERT INTO campaign_instances (campaign_id, number, kind, status, created_at)
			VALUES ($1, $2, $3, 'preparing', $4) RETURNING `+instanceCols, campaignID, n+1, kind, utc(at)))
		if err != nil && s.dialect.IsForeignKeyViolation(err) {
			return fmt.Errorf("%w: campaign %d", store.ErrNotFound, campaignID)
		}
		return s.mapErr(err, "instance")
	})
	return out, err
}

// InstanceByID returns one instance.
func (s *DB) InstanceByID(ctx context.Context, id int64) (store.Instance, error) {
	i, err := scanInstance(s.sql.QueryRowContext(ctx, `SELECT `+instanceCols+` FROM campaign_instances WHERE id = $1`, id))
	return i, s.mapErr(err, fmt.Sprintf("instance %d", id))
}

// Instances returns a campaign's runs, newest first.
func (s *DB) Instances(ctx context.Context, campaignID int64) ([]store.Instance, error) {
	is, err := collect(ctx, s.sql, scanInstance, `SELECT `+instanceCols+` FROM campaign_instances WHERE campaign_id = $1 ORDER BY number DESC`, campaignID)
	return is, s.mapErr(err, "instances")
}

// DeleteInstance removes a preparing instance.
func (s *DB) DeleteInstance(ctx context.Context, id int64) error {
	res, err := s.sql.ExecContext(ctx, `DELETE FROM campaign_instances WHERE id = $1 AND status = 'preparing'`, id)
	if err != nil {
		return s.mapErr(err, fmt.Sprintf("instance %d", id))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: preparing instance %d", store.ErrNotFound, id)
	}
	return nil
}

// jsonText encodes v for a TEXT column.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}
