// Package postgres is the PostgreSQL store backend on pgx/v5, for production and
// multi-node deployments.
package postgres
