-- Lists: contact lists, DNC lists (one global), agent mapping lists, their imports and
-- rejected rows, and the List Management Log of API-integrated lists.
CREATE TABLE lists (
	id {{id}},
	kind TEXT NOT NULL CHECK (kind IN ('contact', 'dnc', 'mapping')),
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('Validating', 'Validated', 'Invalid')),
	source TEXT NOT NULL CHECK (source IN ('csv', 'api', 'manual')),
	entries BIGINT NOT NULL DEFAULT 0,
	is_global BOOLEAN NOT NULL DEFAULT FALSE,
	error TEXT NOT NULL DEFAULT '',
	config TEXT NOT NULL DEFAULT '{}',
	next_sync_at {{time}},
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	UNIQUE (kind, name)
);
CREATE INDEX lists_kind_updated ON lists(kind, updated_at);
-- At most one global list; SetGlobalDNC switches it in one transaction.
CREATE UNIQUE INDEX lists_one_global ON lists(is_global) WHERE is_global;

-- list_usage is how campaigns tell the store which lists they use: a campaign inserts a
-- row per list it links (contact, DNC or mapping) and deletes it when unlinked or
-- deleted. DeleteList refuses while a row exists; list views show campaign_name.
CREATE TABLE list_usage (
	list_id BIGINT NOT NULL REFERENCES lists(id) ON DELETE RESTRICT,
	campaign_id BIGINT NOT NULL,
	campaign_name TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (list_id, campaign_id)
);

CREATE TABLE contacts (
	id {{id}},
	list_id BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
	row_num BIGINT NOT NULL,
	phone TEXT NOT NULL,
	alt_phones TEXT NOT NULL DEFAULT '',
	first_name TEXT NOT NULL DEFAULT '',
	last_name TEXT NOT NULL DEFAULT '',
	time_zone TEXT NOT NULL DEFAULT '',
	priority INTEGER NOT NULL DEFAULT 0,
	agent_id BIGINT,
	fields TEXT NOT NULL DEFAULT '{}',
	created_at {{time}} NOT NULL
);
CREATE INDEX contacts_list ON contacts(list_id, id);

CREATE TABLE list_imports (
	id {{id}},
	list_id BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
	source TEXT NOT NULL,
	file_name TEXT NOT NULL DEFAULT '',
	strict BOOLEAN NOT NULL DEFAULT FALSE,
	status TEXT NOT NULL CHECK (status IN ('completed', 'failed')),
	rows_read BIGINT NOT NULL DEFAULT 0,
	imported BIGINT NOT NULL DEFAULT 0,
	rejected BIGINT NOT NULL DEFAULT 0,
	duplicates BIGINT NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	started_at {{time}} NOT NULL,
	finished_at {{time}} NOT NULL
);
CREATE INDEX list_imports_list ON list_imports(list_id, id);

CREATE TABLE list_rejects (
	import_id BIGINT NOT NULL REFERENCES list_imports(id) ON DELETE CASCADE,
	row_num BIGINT NOT NULL,
	line BIGINT NOT NULL,
	col TEXT NOT NULL DEFAULT '',
	value TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL,
	raw TEXT NOT NULL DEFAULT ''
);
CREATE INDEX list_rejects_import ON list_rejects(import_id, row_num);

CREATE TABLE dnc_entries (
	id {{id}},
	list_id BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
	number TEXT NOT NULL,
	expires_at {{time}},
	source TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	UNIQUE (list_id, number)
);
CREATE INDEX dnc_entries_number ON dnc_entries(number);

CREATE TABLE agent_mappings (
	id {{id}},
	list_id BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
	number TEXT NOT NULL,
	agent_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
	priority INTEGER NOT NULL DEFAULT 0,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	UNIQUE (list_id, number)
);

CREATE TABLE list_sync_log (
	id {{id}},
	at {{time}} NOT NULL,
	list_id BIGINT NOT NULL,
	list_name TEXT NOT NULL,
	campaigns TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('Completed', 'Failed')),
	description TEXT NOT NULL,
	records BIGINT NOT NULL DEFAULT 0,
	payload TEXT NOT NULL DEFAULT ''
);
CREATE INDEX list_sync_log_at ON list_sync_log(at);

-- The spec's "Default Global DNC" exists from the first start.
INSERT INTO lists (kind, name, description, status, source, is_global, created_at, updated_at)
VALUES ('dnc', 'Default Global DNC', 'Numbers no campaign may call.', 'Validated', 'manual', TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
