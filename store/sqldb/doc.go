// Package sqldb implements store.Store once, over database/sql, for every SQL backend.
// A Dialect carries what differs between SQLite and PostgreSQL: the column types
// substituted into the migrations, how constraint errors are recognised and how the
// migration lock is taken. Migrations live in migrations/ as NNNN_name.sql files and
// are applied in order, all pending ones in one transaction, at Open.
//
// Only store/sqlite and store/postgres use this package.
package sqldb
