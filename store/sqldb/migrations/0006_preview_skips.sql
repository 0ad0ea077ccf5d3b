-- Preview mode: how many times agents skipped a record in this run. The engine reads it
-- with the lease, so the per-record skip limit holds across restarts and nodes, and
-- Latest Execution shows it.
ALTER TABLE call_records ADD COLUMN preview_skips INTEGER NOT NULL DEFAULT 0;
