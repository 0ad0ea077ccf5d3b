-- Failed sign-ins, shared by every node, so that the sign-in throttle holds however
-- many nodes an attacker spreads guesses over. key is a hash naming a username or a
-- remote address; rows older than the throttle window are pruned as new ones come.
CREATE TABLE login_failures (
	id {{id}},
	key TEXT NOT NULL,
	at {{time}} NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures(key, at);
CREATE INDEX login_failures_at ON login_failures(at);
