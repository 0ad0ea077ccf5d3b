package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/outdial/outdial/store"
)

const recordCols = `id, instance_id, campaign_id, contact_id, phones, phone, first_name, last_name, time_zone, priority, agent_id, fields,
	state, disposition, attempts, skips, next_attempt_at, lease_owner, lease_until, last_started_at, last_ended_at, last_duration_ms, last_agent_id,
	last_notes, preview_skips`

func scanRecord(r rowScanner) (store.CallRecord, error) {
	var c store.CallRecord
	var phones, fields, state string
	var agent, lastAgent sql.NullInt64
	var lease, started, ended sql.NullTime
	err := r.Scan(&c.ID, &c.InstanceID, &c.CampaignID, &c.ContactID, &phones, &c.Phone, &c.FirstName, &c.LastName, &c.TimeZone,
		&c.Priority, &agent, &fields, &state, &c.Disposition, &c.Attempts, &c.Skips, &c.NextAttemptAt, &c.LeaseOwner, &lease,
		&started, &ended, &c.LastDurationMS, &lastAgent, &c.LastNotes, &c.PreviewSkips)
	if err != nil {
		return c, err
	}
	c.Phones = strings.Fields(phones)
	c.State = store.RecordState(state)
	c.AgentID, c.LastAgentID = idPtr(agent), idPtr(lastAgent)
	c.LeaseUntil, c.LastStartedAt, c.LastEndedAt = timePtr(lease), timePtr(started), timePtr(ended)
	c.NextAttemptAt = c.NextAttemptAt.UTC()
	c.Fields = map[string]string{}
	if fields != "" && fields != "{}" {
		if err := json.Unmarshal([]byte(fields), &c.Fields); err != nil {
			return c, fmt.Errorf("sqldb: call record %d fields: %w", c.ID, err)
		}
	}
	return c, nil
}

var recordInsertCols = []string{"instance_id", "campaign_id", "contact_id", "phones", "phone", "first_name", "last_name", "time_zone",
	"priority", "agent_id", "fields", "state", "disposition", "next_attempt_at"}

// WriteCallRecords writes an instance's call list in one transaction, through the
// dialect's bulk path (PostgreSQL COPY; batched INSERTs on SQLite: see lists_copy.go).
func (s *DB) WriteCallRecords(ctx context.Context, instanceID int64, next func() (store.CallRecord, error)) (int64, error) {
	var total int64
	err := s.withConnTx(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		var campaignID int64
		var st string
		if err := tx.QueryRowContext(ctx, `SELECT campaign_id, status FROM campaign_instances WHERE id = $1`, instanceID).Scan(&campaignID, &st); err != nil {
			return s.mapErr(err, fmt.Sprintf("instance %d", instanceID))
		}
		if st != string(store.InstancePreparing) {
			return fmt.Errorf("%w: instance %d is %s; records are written only while preparing", store.ErrConflict, instanceID, st)
		}
		row := make([]any, len(recordInsertCols))
		n, err := s.copyRows(ctx, conn, tx, "call_records", recordInsertCols, func() ([]any, error) {
			r, err := next()
			if err != nil {
				return nil, err
			}
			if len(r.Phones) == 0 {
				return nil, fmt.Errorf("sqldb: call record of contact %d has no phone number", r.ContactID)
			}
			state := r.State
			if state == "" {
				state = store.RecordReady
			}
			if state != store.RecordReady && state != store.RecordDone {
				return nil, fmt.Errorf("sqldb: call record of contact %d: state %q; write ready or done", r.ContactID, state)
			}
			phone := r.Phone
			if phone == "" {
				phone = r.Phones[0]
			}
			var agent any
			if r.AgentID != nil {
				agent = *r.AgentID
			}
			row[0], row[1], row[2], row[3], row[4] = instanceID, campaignID, r.ContactID, strings.Join(r.Phones, " "), phone
			row[5], row[6], row[7], row[8], row[9] = r.FirstName, r.LastName, r.TimeZone, r.Priority, agent
			row[10], row[11], row[12], row[13] = jsonText(r.Fields), string(state), r.Disposition, utc(r.NextAttemptAt)
			return row, nil
		})
		if err != nil {
			return err
		}
		total = n
		_, err = tx.ExecContext(ctx, `UPDATE campaign_instances SET records = records + $1 WHERE id = $2`, total, instanceID)
		return s.mapErr(err, "instance")
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}

// LeaseRecords hands ready records of a running instance to one node. PostgreSQL
// skips rows other nodes are leasing (FOR UPDATE SKIP LOCKED); SQLite's single
// writer (BEGIN IMMEDIATE) serialises the same statement.
func (s *DB) LeaseRecords(ctx context.Context, r store.LeaseRequest) ([]store.CallRecord, error) {
	if r.Node == "" || r.Limit <= 0 || r.TTL <= 0 {
		return nil, fmt.Errorf("sqldb: lease needs a node, a limit and a TTL (got %q, %d, %v)", r.Node, r.Limit, r.TTL)
	}
	now := utc(r.Now)
	lock := ""
	if s.dialect.Name == "postgres" {
		lock = ` FOR UPDATE OF r SKIP LOCKED`
	}
	var out []store.CallRecord
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE call_records SET state = 'leased', lease_owner = $1, lease_until = $2
			WHERE id IN (SELECT r.id FROM call_records r JOIN campaign_instances i ON i.id = r.instance_id
				WHERE r.instance_id = $3 AND i.status = 'running' AND r.next_attempt_at <= $4
				AND (r.state = 'ready' OR (r.state = 'leased' AND r.lease_until <= $4))
				ORDER BY r.priority DESC, r.next_attempt_at, r.id LIMIT $5`+lock+`)
			RETURNING `+recordCols, r.Node, utc(now.Add(r.TTL)), r.InstanceID, now, r.Limit)
		if err != nil {
			return s.mapErr(err, "lease call records")
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanRecord(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// RETURNING has no order; give the caller the lease order.
	sortRecords(out)
	return out, nil
}

func sortRecords(rs []store.CallRecord) {
	less := func(a, b store.CallRecord) bool {
		if a.Priority != b.Priority {
			return a.Priority > b.Priority
		}
		if !a.NextAttemptAt.Equal(b.NextAttemptAt) {
			return a.NextAttemptAt.Before(b.NextAttemptAt)
		}
		return a.ID < b.ID
	}
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && less(rs[j], rs[j-1]); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// ReleaseRecord gives a leased record back.
func (s *DB) ReleaseRecord(ctx context.Context, r store.RecordRelease) error {
	state := store.RecordReady
	if r.Final {
		state = store.RecordDone
	}
	skip := 0
	if r.Skipped {
		skip = 1
	}
	res, err := s.sql.ExecContext(ctx, `UPDATE call_records SET state = $1, lease_owner = '', lease_until = NULL, next_attempt_at = $2,
		skips = skips + $3, disposition = CASE WHEN $4 = '' THEN disposition ELSE $4 END
		WHERE id = $5 AND state = 'leased' AND lease_owner = $6`,
		string(state), utc(r.NextAttemptAt), skip, r.Disposition, r.RecordID, r.Node)
	if err != nil {
		return s.mapErr(err, "release call record")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: call record %d is not leased by %s", store.ErrConflict, r.RecordID, r.Node)
	}
	return nil
}

// RenewLeases extends the leases node still holds on ids, 500 records a statement.
func (s *DB) RenewLeases(ctx context.Context, node string, ids []int64, until time.Time) ([]int64, error) {
	if node == "" {
		return nil, fmt.Errorf("sqldb: renewing leases needs the node name")
	}
	var out []int64
	for len(ids) > 0 {
		part := ids[:min(len(ids), 500)]
		ids = ids[len(part):]
		in, args := inList([]any{utc(until), node}, part)
		rows, err := s.sql.QueryContext(ctx, `UPDATE call_records SET lease_until = $1
			WHERE state = 'leased' AND lease_owner = $2 AND id IN `+in+` RETURNING id`, args...)
		if err != nil {
			return out, s.mapErr(err, "renew leases")
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return out, err
			}
			out = append(out, id)
		}
		if err := rows.Close(); err != nil {
			return out, err
		}
		if err := rows.Err(); err != nil {
			return out, s.mapErr(err, "renew leases")
		}
	}
	return out, nil
}

// CallRecordByID returns one record.
func (s *DB) CallRecordByID(ctx context.Context, id int64) (store.CallRecord, error) {
	c, err := scanRecord(s.sql.QueryRowContext(ctx, `SELECT `+recordCols+` FROM call_records WHERE id = $1`, id))
	return c, s.mapErr(err, fmt.Sprintf("call record %d", id))
}

const attemptCols = `id, record_id, instance_id, campaign_id, seq, number, state, node, call_id, outcome, disposition, agent_id,
	started_at, answered_at, ended_at, duration_ms, notes`

func scanAttempt(r rowScanner) (store.Attempt, error) {
	var a store.Attempt
	var state string
	var agent sql.NullInt64
	var answered, ended sql.NullTime
	err := r.Scan(&a.ID, &a.RecordID, &a.InstanceID, &a.CampaignID, &a.Seq, &a.Number, &state, &a.Node, &a.CallID, &a.Outcome,
		&a.Disposition, &agent, &a.StartedAt, &answered, &ended, &a.DurationMS, &a.Notes)
	a.State = store.AttemptState(state)
	a.AgentID = idPtr(agent)
	a.AnsweredAt, a.EndedAt = timePtr(answered), timePtr(ended)
	a.StartedAt = a.StartedAt.UTC()
	return a, err
}

// BeginAttempt writes the attempt row before the INVITE: the record must be leased by
// the node with a live lease, and the number must not be in another live call.
func (s *DB) BeginAttempt(ctx context.Context, a store.AttemptStart) (store.Attempt, error) {
	var out store.Attempt
	at := utc(a.At)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var inst, camp int64
		var attempts int
		var phone string
		err := tx.QueryRowContext(ctx, `SELECT instance_id, campaign_id, attempts, phone FROM call_records
			WHERE id = $1 AND state = 'leased' AND lease_owner = $2 AND lease_until > $3`, a.RecordID, a.Node, at).Scan(&inst, &camp, &attempts, &phone)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: call record %d is not leased by %s (lease lost or expired); do not dial", store.ErrConflict, a.RecordID, a.Node)
		}
		if err != nil {
			return s.mapErr(err, "call record")
		}
		number := a.Number
		if number == "" {
			number = phone
		}
		if a.Agentless && a.MaxAgentless > 0 {
			if err := s.lock(ctx, tx, lockAgentless); err != nil {
				return s.mapErr(err, "agentless lock")
			}
			var live int
			err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM call_attempts a
				WHERE a.agentless AND a.state IN ('dialing', 'ringing', 'answered')
				AND (a.node = $1 OR EXISTS (SELECT 1 FROM engine_nodes n WHERE n.node = a.node AND n.alive_until > $2))`, a.Node, at).Scan(&live)
			if err != nil {
				return s.mapErr(err, "live agentless attempts")
			}
			if live >= a.MaxAgentless {
				return fmt.Errorf("%w: %d agentless calls are live on the nodes alive, the Max Concurrent Calls setting; do not dial", store.ErrCapacity, live)
			}
		}
		out, err = scanAttempt(tx.QueryRowContext(ctx, `INSERT INTO call_attempts (record_id, instance_id, campaign_id, seq, number, state, node, call_id, started_at, agentless)
			VALUES ($1, $2, $3, $4, $5, 'dialing', $6, $7, $8, $9) RETURNING `+attemptCols, a.RecordID, inst, camp, attempts+1, number, a.Node, a.CallID, at, a.Agentless))
		if err != nil {
			if s.dialect.IsUniqueViolation(err) {
				return fmt.Errorf("%w: %s is already in a live call; do not dial", store.ErrConflict, number)
			}
			return s.mapErr(err, "attempt")
		}
		_, err = tx.ExecContext(ctx, `UPDATE call_records SET state = 'calling', attempts = attempts + 1, phone = $1, disposition = 'In Progress',
			last_started_at = $2, last_ended_at = NULL, last_duration_ms = 0, last_notes = '' WHERE id = $3`, number, at, a.RecordID)
		return s.mapErr(err, "call record")
	})
	return out, err
}

// SkipPreview counts one agent's skip of a preview record the node holds.
func (s *DB) SkipPreview(ctx context.Context, recordID int64, node string) (int, error) {
	var n int
	err := s.sql.QueryRowContext(ctx, `UPDATE call_records SET preview_skips = preview_skips + 1
		WHERE id = $1 AND state = 'leased' AND lease_owner = $2 RETURNING preview_skips`, recordID, node).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%w: call record %d is not leased by %s; the skip is not counted", store.ErrConflict, recordID, node)
	}
	return n, s.mapErr(err, "preview skip")
}

// NodeAlive writes the node's heartbeat.
func (s *DB) NodeAlive(ctx context.Context, node string, until time.Time) error {
	if node == "" {
		return fmt.Errorf("sqldb: a heartbeat needs the node name")
	}
	_, err := s.sql.ExecContext(ctx, `INSERT INTO engine_nodes (node, alive_until) VALUES ($1, $2)
		ON CONFLICT (node) DO UPDATE SET alive_until = excluded.alive_until`, node, utc(until))
	return s.mapErr(err, "node heartbeat")
}

// LiveAgentlessElsewhere counts the live agentless attempts of the other live nodes.
func (s *DB) LiveAgentlessElsewhere(ctx context.Context, node string, at time.Time) (int, error) {
	var n int
	err := s.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM call_attempts a
		WHERE a.agentless AND a.state IN ('dialing', 'ringing', 'answered') AND a.node <> $1
		AND EXISTS (SELECT 1 FROM engine_nodes n WHERE n.node = a.node AND n.alive_until > $2)`, node, utc(at)).Scan(&n)
	return n, s.mapErr(err, "live agentless attempts")
}

// MarkAttempt moves an in-flight attempt forward (ringing, answered).
func (s *DB) MarkAttempt(ctx context.Context, id int64, state store.AttemptState, at time.Time) error {
	switch state {
	case store.AttemptRinging:
		return s.execOne(ctx, fmt.Sprintf("in-flight attempt %d", id),
			`UPDATE call_attempts SET state = 'ringing' WHERE id = $1 AND state = 'dialing'`, id)
	case store.AttemptAnswered:
		return s.execOne(ctx, fmt.Sprintf("in-flight attempt %d", id),
			`UPDATE call_attempts SET state = 'answered', answered_at = $1 WHERE id = $2 AND state IN ('dialing', 'ringing')`, utc(at), id)
	}
	return fmt.Errorf("sqldb: MarkAttempt to %q; use ringing or answered (FinishAttempt closes)", state)
}

// VoidAttempt deletes an attempt still "dialing" and restores its record to what
// BeginAttempt found: leased by the same node, one attempt fewer, and the disposition
// and last call fields of the previous attempt (none: empty, as written).
func (s *DB) VoidAttempt(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		a, err := scanAttempt(tx.QueryRowContext(ctx, `SELECT `+attemptCols+` FROM call_attempts WHERE id = $1`, id))
		if err != nil {
			return s.mapErr(err, fmt.Sprintf("attempt %d", id))
		}
		if a.State != store.AttemptDialing {
			return fmt.Errorf("%w: attempt %d is %s; only an attempt still dialing (no INVITE sent) can be voided", store.ErrConflict, id, a.State)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM call_attempts WHERE id = $1 AND state = 'dialing'`, id)
		if err != nil {
			return s.mapErr(err, "attempt")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: attempt %d is no longer dialing", store.ErrConflict, id)
		}
		var disp, notes string
		var started, ended sql.NullTime
		var dur int64
		err = tx.QueryRowContext(ctx, `SELECT CASE WHEN disposition = '' THEN outcome ELSE disposition END, started_at, ended_at, duration_ms, notes
			FROM call_attempts WHERE record_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT 1`, a.RecordID, a.Seq).Scan(&disp, &started, &ended, &dur, &notes)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return s.mapErr(err, "previous attempt")
		}
		res, err = tx.ExecContext(ctx, `UPDATE call_records SET state = 'leased', attempts = attempts - 1, disposition = $1,
			last_started_at = $2, last_ended_at = $3, last_duration_ms = $4, last_notes = $5
			WHERE id = $6 AND state = 'calling' AND lease_owner = $7`,
			disp, started, ended, dur, notes, a.RecordID, a.Node)
		if err != nil {
			return s.mapErr(err, "call record")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: call record %d of attempt %d is not calling for %s", store.ErrConflict, a.RecordID, id, a.Node)
		}
		return nil
	})
}

// FinishAttempt closes an in-flight attempt and schedules or closes its record.
func (s *DB) FinishAttempt(ctx context.Context, e store.AttemptEnd) (store.Attempt, error) {
	if e.State != store.AttemptFinal && e.State != store.AttemptUnknown {
		return store.Attempt{}, fmt.Errorf("sqldb: FinishAttempt state %q; use final or unknown", e.State)
	}
	at := utc(e.At)
	var out store.Attempt
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		a, err := scanAttempt(tx.QueryRowContext(ctx, `SELECT `+attemptCols+` FROM call_attempts WHERE id = $1`, e.AttemptID))
		if err != nil {
			return s.mapErr(err, fmt.Sprintf("attempt %d", e.AttemptID))
		}
		if !a.State.InFlight() {
			return fmt.Errorf("%w: attempt %d is already %s", store.ErrConflict, a.ID, a.State)
		}
		var dur int64
		if a.AnsweredAt != nil && at.After(*a.AnsweredAt) {
			dur = at.Sub(*a.AnsweredAt).Milliseconds()
		}
		out, err = scanAttempt(tx.QueryRowContext(ctx, `UPDATE call_attempts SET state = $1, outcome = $2, disposition = $3, agent_id = $4,
			ended_at = $5, duration_ms = $6, notes = $7 WHERE id = $8 RETURNING `+attemptCols,
			string(e.State), e.Outcome, e.Disposition, nullID(e.AgentID), at, dur, e.Notes, a.ID))
		if err != nil {
			return s.mapErr(err, "attempt")
		}
		state := store.RecordReady
		if e.Final {
			state = store.RecordDone
		}
		disp := e.Disposition
		if disp == "" {
			disp = e.Outcome
		}
		phone := e.NextNumber
		if phone == "" {
			phone = a.Number
		}
		_, err = tx.ExecContext(ctx, `UPDATE call_records SET state = $1, disposition = $2, next_attempt_at = $3, lease_owner = '', lease_until = NULL,
			last_ended_at = $4, last_duration_ms = $5, last_agent_id = $6, phone = $7, last_notes = $8 WHERE id = $9`,
			string(state), disp, utc(e.NextAttemptAt), at, dur, nullID(e.AgentID), phone, e.Notes, a.RecordID)
		return s.mapErr(err, "call record")
	})
	return out, err
}

// InFlightAttempts lists attempts still dialing, ringing or answered.
func (s *DB) InFlightAttempts(ctx context.Context, node string) ([]store.Attempt, error) {
	q := `SELECT ` + attemptCols + ` FROM call_attempts WHERE state IN ('dialing', 'ringing', 'answered')`
	var args []any
	if node != "" {
		q += ` AND node = $1`
		args = append(args, node)
	}
	as, err := collect(ctx, s.sql, scanAttempt, q+` ORDER BY id`, args...)
	return as, s.mapErr(err, "in-flight attempts")
}

// AttemptByID returns one attempt.
func (s *DB) AttemptByID(ctx context.Context, id int64) (store.Attempt, error) {
	a, err := scanAttempt(s.sql.QueryRowContext(ctx, `SELECT `+attemptCols+` FROM call_attempts WHERE id = $1`, id))
	return a, s.mapErr(err, fmt.Sprintf("attempt %d", id))
}

// RecordAttempts returns a record's attempts in order.
func (s *DB) RecordAttempts(ctx context.Context, recordID int64) ([]store.Attempt, error) {
	as, err := collect(ctx, s.sql, scanAttempt, `SELECT `+attemptCols+` FROM call_attempts WHERE record_id = $1 ORDER BY seq`, recordID)
	return as, s.mapErr(err, "attempts")
}

// UnansweredStreak counts closed attempts to number since its last Connected one.
func (s *DB) UnansweredStreak(ctx context.Context, number string) (int, error) {
	var n int
	err := s.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM call_attempts WHERE number = $1 AND state IN ('final', 'unknown')
		AND id > COALESCE((SELECT MAX(id) FROM call_attempts WHERE number = $1 AND outcome = 'Connected'), 0)`, number).Scan(&n)
	return n, s.mapErr(err, "unanswered attempts")
}
