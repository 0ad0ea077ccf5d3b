-- Foundation: users and roles, API tokens, agents, queues, trunks, phone numbers,
-- settings and the audit log.
CREATE TABLE users (
	id {{id}},
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'supervisor', 'agent')),
	password_hash TEXT NOT NULL,
	disabled BOOLEAN NOT NULL DEFAULT FALSE,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
);

CREATE TABLE api_tokens (
	id {{id}},
	user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	hash {{bytes}} NOT NULL UNIQUE,
	prefix TEXT NOT NULL,
	created_at {{time}} NOT NULL,
	expires_at {{time}},
	last_used_at {{time}}
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE agents (
	id {{id}},
	user_id BIGINT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	email TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
);

CREATE TABLE queues (
	id {{id}},
	name TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
);

CREATE TABLE agent_queues (
	agent_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
	queue_id BIGINT NOT NULL REFERENCES queues(id) ON DELETE RESTRICT,
	PRIMARY KEY (agent_id, queue_id)
);

CREATE TABLE trunks (
	id {{id}},
	name TEXT NOT NULL UNIQUE,
	address TEXT NOT NULL,
	transport TEXT NOT NULL,
	username TEXT NOT NULL DEFAULT '',
	password TEXT NOT NULL DEFAULT '',
	from_domain TEXT NOT NULL DEFAULT '',
	max_channels INTEGER NOT NULL,
	max_cps DOUBLE PRECISION NOT NULL,
	codecs TEXT NOT NULL,
	priority INTEGER NOT NULL DEFAULT 0,
	enabled BOOLEAN NOT NULL DEFAULT TRUE,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
);

CREATE TABLE phone_numbers (
	id {{id}},
	number TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL DEFAULT '',
	direction TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound-outbound', 'inbound')),
	trunk_id BIGINT REFERENCES trunks(id) ON DELETE RESTRICT,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
);

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	updated_at {{time}} NOT NULL
);

CREATE TABLE audit_log (
	id {{id}},
	at {{time}} NOT NULL,
	user_id BIGINT,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	resource TEXT NOT NULL,
	resource_id TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
