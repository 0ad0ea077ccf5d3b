-- Voice campaigns: definitions, runs (instances), call records, attempts, saved filters
-- of the campaign table, and agentless flows.
CREATE TABLE flows (
	id {{id}},
	name TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL DEFAULT '',
	document TEXT NOT NULL,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
);

CREATE TABLE campaigns (
	id {{id}},
	name TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('Ready', 'Active', 'Paused', 'Rerun', 'Completed')),
	priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 5),
	mode TEXT NOT NULL,
	dnc_list_id BIGINT NOT NULL REFERENCES lists(id) ON DELETE RESTRICT,
	mapping_list_id BIGINT REFERENCES lists(id) ON DELETE RESTRICT,
	caller_id BIGINT REFERENCES phone_numbers(id) ON DELETE SET NULL,
	queue_id BIGINT REFERENCES queues(id) ON DELETE SET NULL,
	flow_id BIGINT REFERENCES flows(id) ON DELETE SET NULL,
	scheduled BOOLEAN NOT NULL DEFAULT FALSE,
	next_start_at {{time}},
	scrubbed_for {{time}},
	instance_id BIGINT,
	last_run_at {{time}},
	definition TEXT NOT NULL DEFAULT '{}',
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
);
CREATE INDEX campaigns_status ON campaigns(status);

-- The contact lists of a campaign, in order. (list_usage, owned by lists, records
-- every list a campaign uses, for the list pages and delete checks.)
CREATE TABLE campaign_lists (
	campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	list_id BIGINT NOT NULL REFERENCES lists(id) ON DELETE RESTRICT,
	position INTEGER NOT NULL,
	PRIMARY KEY (campaign_id, list_id)
);
CREATE INDEX campaign_lists_list ON campaign_lists(list_id);

CREATE TABLE campaign_instances (
	id {{id}},
	campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	number INTEGER NOT NULL,
	kind TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('preparing', 'running', 'paused', 'ended')),
	records BIGINT NOT NULL DEFAULT 0,
	started_at {{time}},
	ended_at {{time}},
	end_reason TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	UNIQUE (campaign_id, number)
);

CREATE TABLE call_records (
	id {{id}},
	instance_id BIGINT NOT NULL REFERENCES campaign_instances(id) ON DELETE CASCADE,
	campaign_id BIGINT NOT NULL,
	contact_id BIGINT NOT NULL DEFAULT 0,
	phones TEXT NOT NULL,
	phone TEXT NOT NULL,
	first_name TEXT NOT NULL DEFAULT '',
	last_name TEXT NOT NULL DEFAULT '',
	time_zone TEXT NOT NULL DEFAULT '',
	priority INTEGER NOT NULL DEFAULT 0,
	agent_id BIGINT,
	fields TEXT NOT NULL DEFAULT '{}',
	state TEXT NOT NULL CHECK (state IN ('ready', 'leased', 'calling', 'done')),
	disposition TEXT NOT NULL DEFAULT '',
	attempts INTEGER NOT NULL DEFAULT 0,
	skips INTEGER NOT NULL DEFAULT 0,
	next_attempt_at {{time}} NOT NULL,
	lease_owner TEXT NOT NULL DEFAULT '',
	lease_until {{time}},
	last_started_at {{time}},
	last_ended_at {{time}},
	last_duration_ms BIGINT NOT NULL DEFAULT 0,
	last_agent_id BIGINT
);
CREATE INDEX call_records_ready ON call_records(instance_id, state, next_attempt_at);
CREATE INDEX call_records_started ON call_records(instance_id, last_started_at);

CREATE TABLE call_attempts (
	id {{id}},
	record_id BIGINT NOT NULL REFERENCES call_records(id) ON DELETE CASCADE,
	instance_id BIGINT NOT NULL,
	campaign_id BIGINT NOT NULL,
	seq INTEGER NOT NULL,
	number TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('dialing', 'ringing', 'answered', 'final', 'unknown')),
	node TEXT NOT NULL,
	call_id TEXT NOT NULL DEFAULT '',
	outcome TEXT NOT NULL DEFAULT '',
	disposition TEXT NOT NULL DEFAULT '',
	agent_id BIGINT,
	started_at {{time}} NOT NULL,
	answered_at {{time}},
	ended_at {{time}},
	duration_ms BIGINT NOT NULL DEFAULT 0,
	UNIQUE (record_id, seq)
);
CREATE INDEX call_attempts_instance ON call_attempts(instance_id, state);
CREATE INDEX call_attempts_number ON call_attempts(number, id);
CREATE INDEX call_attempts_node ON call_attempts(node, state);
-- The backstop against double dials: one live call per number, whatever the bug.
CREATE UNIQUE INDEX call_attempts_live_number ON call_attempts(number) WHERE state IN ('dialing', 'ringing', 'answered');

CREATE TABLE campaign_saved_filters (
	id {{id}},
	user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	is_default BOOLEAN NOT NULL DEFAULT FALSE,
	statuses TEXT NOT NULL DEFAULT '',
	priorities TEXT NOT NULL DEFAULT '',
	modes TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	UNIQUE (user_id, name)
);
