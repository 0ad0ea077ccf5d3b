-- The API writes an audit row before it makes a change (outcome 'pending') and
-- completes it afterwards ('done'), so no change is ever made without a row; a row
-- left 'pending' names a change whose result was never recorded (the process stopped
-- or the store failed in between). Rows written before this migration were done.
ALTER TABLE audit_log ADD COLUMN outcome TEXT NOT NULL DEFAULT 'done';
