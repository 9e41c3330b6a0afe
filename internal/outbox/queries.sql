-- Named queries of the outbox. Batches whose length varies (enqueue, the
-- results of a submit batch) are built in Go.

-- name: source_create
INSERT INTO outbox_sources (kind, ref, state, priority, created_at, updated_at)
VALUES (?, ?, 'active', ?, ?, ?) ON CONFLICT (kind, ref) DO NOTHING

-- name: source_get
SELECT id, state FROM outbox_sources WHERE kind = ? AND ref = ?

-- name: sources_active
SELECT id, kind, ref FROM outbox_sources WHERE state = 'active' ORDER BY priority, id

-- name: source_set_state
UPDATE outbox_sources SET state = ?, updated_at = ? WHERE kind = ? AND ref = ? AND state <> 'cancelled'

-- name: sources_all
SELECT s.id, s.kind, s.ref, s.state, s.created_at,
       (SELECT COUNT(*) FROM messages m WHERE m.source_id = s.id AND m.status = 'queued')
FROM outbox_sources s ORDER BY s.id DESC LIMIT ?

-- A dispatcher claims due messages of one gateway and source for an
-- immediate submit, after its cursor (next_at, id): where its last claims
-- ended (see claimCursor). The source must still be active when the claim
-- runs, which is what makes pause and cancel take effect at once.
-- name: claim :sqlite
UPDATE messages SET status = 'sending', owner = ?, sending_at = ?, updated_at = ?, attempts = attempts + 1
WHERE status = 'queued' AND id IN (
	SELECT id FROM messages
	WHERE gateway = ? AND source_id = ? AND status = 'queued' AND next_at <= ? AND (next_at, id) > (?, ?)
	ORDER BY next_at, id LIMIT ?)
  AND EXISTS (SELECT 1 FROM outbox_sources WHERE id = ? AND state = 'active')
RETURNING id, customer_id, phone_enc, phone_index, region, carrier, category, text, parts, attempts, tried, valid_until, next_at

-- On PostgreSQL several dispatcher processes claim at once; SKIP LOCKED
-- hands each a disjoint set without waiting on the others' locks.
-- name: claim :postgres
WITH c AS (
	SELECT id FROM messages
	WHERE gateway = $4 AND source_id = $5 AND status = 'queued' AND next_at <= $6 AND (next_at, id) > ($7, $8)
	  AND EXISTS (SELECT 1 FROM outbox_sources WHERE id = $10 AND state = 'active')
	ORDER BY next_at, id LIMIT $9
	FOR UPDATE SKIP LOCKED)
UPDATE messages m SET status = 'sending', owner = $1, sending_at = $2, updated_at = $3, attempts = m.attempts + 1
FROM c WHERE m.id = c.id
RETURNING m.id, m.customer_id, m.phone_enc, m.phone_index, m.region, m.carrier, m.category, m.text, m.parts,
	m.attempts, m.tried, m.valid_until, m.next_at

-- name: heartbeat
INSERT INTO outbox_dispatchers (id, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at

-- name: dispatcher_remove
DELETE FROM outbox_dispatchers WHERE id = ?

-- name: dispatchers_all
SELECT id, host, pid, started_at, heartbeat_at FROM outbox_dispatchers

-- name: sending_owners
SELECT DISTINCT owner FROM messages WHERE status = 'sending' AND owner <> ''

-- name: sending_of_owner
SELECT id, gateway FROM messages WHERE status = 'sending' AND owner = ?

-- name: mark_review
UPDATE messages SET review_at = ?, owner = '', error = ?, updated_at = ? WHERE id = ? AND status = 'sending'

-- name: requeue_sending
UPDATE messages SET status = 'queued', owner = '', review_at = NULL, next_at = ?, error = ?, updated_at = ?
WHERE id = ? AND status = 'sending'

-- name: release_sending
UPDATE messages SET status = 'queued', owner = '', attempts = attempts - 1, updated_at = ?
WHERE id = ? AND status = 'sending'

-- name: set_retry
UPDATE messages SET status = 'queued', owner = '', next_at = ?, error = ?, updated_at = ?
WHERE id = ? AND status = 'sending'

-- name: set_failover
UPDATE messages SET status = 'queued', owner = '', gateway = ?, tried = ?, next_at = ?, error = ?, updated_at = ?
WHERE id = ? AND status = 'sending'

-- name: set_final_from_sending
UPDATE messages SET status = ?, owner = '', reason = ?, error = ?, cost = ?, finished_at = ?, updated_at = ?
WHERE id = ? AND status = 'sending'

-- name: insert_part
INSERT INTO message_parts (message_id, part, gateway, gateway_id) VALUES (?, ?, ?, ?)
ON CONFLICT (message_id, part) DO NOTHING

-- name: message_get
SELECT m.id, m.idem_key, s.kind, s.ref, m.customer_id, m.phone_enc, m.region, m.carrier, m.category, m.text,
       m.encoding, m.parts, m.gateway, m.tried, m.status, m.attempts, m.next_at, m.valid_until, m.cost, m.reason,
       m.error, m.review_at, m.queued_at, m.sending_at, m.submitted_at, m.finished_at
FROM messages m JOIN outbox_sources s ON s.id = m.source_id WHERE m.id = ?

-- name: parts_of
SELECT part, gateway, gateway_id, state, err, done_at FROM message_parts WHERE message_id = ? ORDER BY part

-- name: status_of
SELECT status FROM messages WHERE id = ?

-- name: status_put
INSERT INTO gateway_status (gateway, owner, up, detail, binds, in_flight, window_size, submitted, errors, rate, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (gateway, owner) DO UPDATE SET up = excluded.up, detail = excluded.detail, binds = excluded.binds,
	in_flight = excluded.in_flight, window_size = excluded.window_size, submitted = excluded.submitted,
	errors = excluded.errors, rate = excluded.rate, updated_at = excluded.updated_at

-- name: status_prune
DELETE FROM gateway_status WHERE updated_at < ?
