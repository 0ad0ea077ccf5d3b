-- Max Concurrent Calls across nodes. An attempt of an agentless campaign is marked, and
-- every engine node keeps a heartbeat; BeginAttempt counts the live agentless attempts
-- of this node and of the nodes still alive before it lets another one start, so the
-- account's cap holds however many nodes dial. A node that dies stops counting when its
-- heartbeat runs out (its attempts are closed as unknown when it starts again).
ALTER TABLE call_attempts ADD COLUMN agentless BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX call_attempts_agentless_live ON call_attempts(node) WHERE agentless AND state IN ('dialing', 'ringing', 'answered');
CREATE TABLE engine_nodes (
	node TEXT PRIMARY KEY,
	alive_until {{time}} NOT NULL
);
