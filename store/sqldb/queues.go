package sqldb

import (
	"context"
	"fmt"

	"github.com/outdial/outdial/store"
)

const queueCols = `id, name, description, created_at, updated_at`

func scanQueue(r rowScanner) (store.Queue, error) {
	var q store.Queue
	err := r.Scan(&q.ID, &q.Name, &q.Description, &q.CreatedAt, &q.UpdatedAt)
	q.CreatedAt, q.UpdatedAt = q.CreatedAt.UTC(), q.UpdatedAt.UTC()
	return q, err
}

// CreateQueue stores a queue; its name must be free.
func (s *DB) CreateQueue(ctx context.Context, q store.Queue) (store.Queue, error) {
	out, err := scanQueue(s.sql.QueryRowContext(ctx, `INSERT INTO queues (name, description, created_at, updated_at)
		VALUES ($1, $2, $3, $3) RETURNING `+queueCols, q.Name, q.Description, s.now()))
	return out, s.mapErr(err, fmt.Sprintf("queue %q", q.Name))
}

// QueueByID returns one queue.
func (s *DB) QueueByID(ctx context.Context, id int64) (store.Queue, error) {
	q, err := scanQueue(s.sql.QueryRowContext(ctx, `SELECT `+queueCols+` FROM queues WHERE id = $1`, id))
	return q, s.mapErr(err, fmt.Sprintf("queue %d", id))
}

// ListQueues returns every queue by name.
func (s *DB) ListQueues(ctx context.Context) ([]store.Queue, error) {
	qs, err := collect(ctx, s.sql, scanQueue, `SELECT `+queueCols+` FROM queues ORDER BY name`)
	return qs, s.mapErr(err, "queues")
}

// UpdateQueue replaces a queue's name and description.
func (s *DB) UpdateQueue(ctx context.Context, q store.Queue) (store.Queue, error) {
	out, err := scanQueue(s.sql.QueryRowContext(ctx, `UPDATE queues SET name = $1, description = $2, updated_at = $3 WHERE id = $4 RETURNING `+queueCols,
		q.Name, q.Description, s.now(), q.ID))
	return out, s.mapErr(err, fmt.Sprintf("queue %d", q.ID))
}

// DeleteQueue removes a queue; it is refused with ErrInUse while agents serve it.
func (s *DB) DeleteQueue(ctx context.Context, id int64) error {
	return s.deleteByID(ctx, "queues", id, fmt.Sprintf("queue %d", id))
}
