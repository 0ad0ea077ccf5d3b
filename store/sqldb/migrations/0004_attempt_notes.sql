-- Agent notes: the notes an agent wrote with the disposition of an attempt, and the
-- latest attempt's notes on its record (Latest Execution shows them, like last_agent_id).
ALTER TABLE call_attempts ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE call_records ADD COLUMN last_notes TEXT NOT NULL DEFAULT '';
