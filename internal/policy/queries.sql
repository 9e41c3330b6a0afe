-- Named queries of the policy package. Statements whose IN lists depend on
-- the batch are built in loader.go and decisionlog.go.

-- name: settings_get
SELECT value FROM settings WHERE key = ?

-- name: settings_put
INSERT INTO settings (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value

-- name: customer_consent_set
UPDATE customers SET consent = ?, consent_at = ?, consent_source = ?, updated_at = ? WHERE id = ?

-- name: customer_consent_get
SELECT consent, consent_at, phone_index, phone_enc FROM customers WHERE id = ?

-- name: consent_event_add
INSERT INTO consent_events (customer_id, phone_index, state, source, proof, at) VALUES (?, ?, ?, ?, ?, ?)

-- name: consent_events_of
SELECT customer_id, state, source, proof, at FROM consent_events WHERE customer_id = ? ORDER BY at, id

-- name: suppression_add
INSERT INTO suppressions (phone_index, phone_enc, pii_key, reason, source, note, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (phone_index, reason) DO NOTHING

-- name: suppressions_page
SELECT id, phone_enc, reason, source, note, created_at FROM suppressions
WHERE id > ? AND (? = '' OR reason = ?) ORDER BY id LIMIT ?

-- name: suppression_count
SELECT COUNT(*) FROM suppressions WHERE (? = '' OR reason = ?)

-- name: hard_failures_clear
DELETE FROM hard_failures WHERE phone_index = ?

-- name: hard_failure_add
INSERT INTO hard_failures (phone_index, failures, first_at, last_at) VALUES (?, 1, ?, ?)
ON CONFLICT (phone_index) DO UPDATE SET failures = hard_failures.failures + 1, last_at = excluded.last_at
RETURNING failures

-- name: preference_set
INSERT INTO customer_preferences (customer_id, category, refused, source, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (customer_id, category) DO UPDATE SET refused = excluded.refused, source = excluded.source,
	updated_at = excluded.updated_at

-- name: preferences_of
SELECT category, refused, source, updated_at FROM customer_preferences WHERE customer_id = ? ORDER BY category

-- name: send_record
INSERT INTO policy_sends (customer_id, category, at) VALUES (?, ?, ?)

-- name: sends_prune
DELETE FROM policy_sends WHERE at < ?

-- name: interaction_touch
INSERT INTO customer_interactions (customer_id, kind, last_at) VALUES (?, ?, ?)
ON CONFLICT (customer_id) DO UPDATE SET kind = excluded.kind, last_at = excluded.last_at
WHERE excluded.last_at > customer_interactions.last_at

-- name: decisions_of
SELECT customer_id, category, decision, reasons, until_at, at FROM policy_decisions
WHERE customer_id = ? ORDER BY at DESC, id DESC LIMIT ?

-- name: decisions_prune
DELETE FROM policy_decisions WHERE at < ?

