// Package sqlite is the embedded store backend on modernc.org/sqlite (pure Go, WAL mode).
package sqlite
