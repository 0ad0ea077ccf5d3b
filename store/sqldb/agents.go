package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/outdial/outdial/store"
)

const agentCols = `id, user_id, name, email, created_at, updated_at`

func scanAgent(r rowScanner) (store.Agent, error) {
	var a store.Agent
	err := r.Scan(&a.ID, &a.UserID, &a.Name, &a.Email, &a.CreatedAt, &a.UpdatedAt)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	a.QueueIDs = []int64{}
	return a, err
}

// CreateAgent stores an agent profile and its queue memberships in one transaction.
func (s *DB) CreateAgent(ctx context.Context, a store.Agent) (store.Agent, error) {
	var out store.Agent
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = scanAgent(tx.QueryRowContext(ctx, `INSERT INTO agents (user_id, name, email, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING `+agentCols, a.UserID, a.Name, a.Email, s.now()))
		if err != nil {
			return s.mapErr(err, fmt.Sprintf("agent %q", a.Name))
		}
		out.QueueIDs, err = s.setAgentQueues(ctx, tx, out.ID, a.QueueIDs)
		return err
	})
	return out, err
}

func (s *DB) setAgentQueues(ctx context.Context, tx *sql.Tx, agentID int64, queueIDs []int64) ([]int64, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM agent_queues WHERE agent_id = $1`, agentID); err != nil {
		return nil, s.mapErr(err, "agent queues")
	}
	seen := map[int64]bool{}
	ids := []int64{}
	for _, q := range queueIDs {
		if seen[q] {
			continue
		}
		seen[q] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO agent_queues (agent_id, queue_id) VALUES ($1, $2)`, agentID, q); err != nil {
			if s.dialect.IsForeignKeyViolation(err) {
				return nil, fmt.Errorf("%w: queue %d", store.ErrNotFound, q)
			}
			return nil, s.mapErr(err, fmt.Sprintf("queue %d", q))
		}
		ids = append(ids, q)
	}
	return ids, nil
}

func (s *DB) withQueues(ctx context.Context, agents []store.Agent) ([]store.Agent, error) {
	if len(agents) == 0 {
		return agents, nil
	}
	rows, err := s.sql.QueryContext(ctx, `SELECT agent_id, queue_id FROM agent_queues ORDER BY queue_id`)
	if err != nil {
		return nil, s.mapErr(err, "agent queues")
	}
	defer rows.Close()
	byAgent := map[int64][]int64{}
	for rows.Next() {
		var a, q int64
		if err := rows.Scan(&a, &q); err != nil {
			return nil, err
		}
		byAgent[a] = append(byAgent[a], q)
	}
	for i := range agents {
		if qs := byAgent[agents[i].ID]; qs != nil {
			agents[i].QueueIDs = qs
		}
	}
	return agents, rows.Err()
}

func (s *DB) oneAgent(ctx context.Context, what, where string, arg any) (store.Agent, error) {
	a, err := scanAgent(s.sql.QueryRowContext(ctx, `SELECT `+agentCols+` FROM agents WHERE `+where, arg))
	if err != nil {
		return a, s.mapErr(err, what)
	}
	as, err := s.withQueues(ctx, []store.Agent{a})
	if err != nil {
		return a, err
	}
	return as[0], nil
}

// AgentByID returns one agent with its queues.
func (s *DB) AgentByID(ctx context.Context, id int64) (store.Agent, error) {
	return s.oneAgent(ctx, fmt.Sprintf("agent %d", id), "id = $1", id)
}

// AgentByUserID returns the agent profile of a user.
func (s *DB) AgentByUserID(ctx context.Context, userID int64) (store.Agent, error) {
	return s.oneAgent(ctx, fmt.Sprintf("agent of user %d", userID), "user_id = $1", userID)
}

// ListAgents returns every agent by name.
func (s *DB) ListAgents(ctx context.Context) ([]store.Agent, error) {
	as, err := collect(ctx, s.sql, scanAgent, `SELECT `+agentCols+` FROM agents ORDER BY name, id`)
	if err != nil {
		return nil, s.mapErr(err, "agents")
	}
	return s.withQueues(ctx, as)
}

// UpdateAgent replaces an agent's name, email and queues.
func (s *DB) UpdateAgent(ctx context.Context, a store.Agent) (store.Agent, error) {
	var out store.Agent
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = scanAgent(tx.QueryRowContext(ctx, `UPDATE agents SET name = $1, email = $2, updated_at = $3 WHERE id = $4 RETURNING `+agentCols,
			a.Name, a.Email, s.now(), a.ID))
		if err != nil {
			return s.mapErr(err, fmt.Sprintf("agent %d", a.ID))
		}
		out.QueueIDs, err = s.setAgentQueues(ctx, tx, a.ID, a.QueueIDs)
		return err
	})
	return out, err
}

// DeleteAgent removes an agent profile (the user stays).
func (s *DB) DeleteAgent(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, "agents", id, fmt.Sprintf("agent %d", id))
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqldb: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
