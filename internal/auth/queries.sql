-- Named queries of the auth package: console users, their sessions and the
-- API's bearer tokens. Secrets are never stored: sessions and tokens are kept
-- as SHA-256 hashes, passwords as argon2id hashes.

-- name: user_count_by_name
SELECT COUNT(*) FROM users WHERE name = ?

-- name: user_insert
INSERT INTO users (name, password_hash, role, locale, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id

-- name: user_by_name
SELECT id, name, role, locale, created_at, password_hash FROM users WHERE name = ?

-- name: user_set_locale
UPDATE users SET locale = ? WHERE id = ?

-- name: session_insert
INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)

-- name: session_user
SELECT u.id, u.name, u.role, u.locale, u.created_at, s.csrf
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = ? AND s.expires_at > ?

-- name: session_delete
DELETE FROM sessions WHERE token_hash = ?

-- name: sessions_expired_delete
DELETE FROM sessions WHERE expires_at <= ?

-- name: token_count_by_name
SELECT COUNT(*) FROM api_tokens WHERE name = ?

-- name: token_insert
INSERT INTO api_tokens (name, token_hash, created_at) VALUES (?, ?, ?)

-- name: token_by_hash
SELECT id, name, last_used_at FROM api_tokens WHERE token_hash = ?

-- name: token_touch
UPDATE api_tokens SET last_used_at = ? WHERE id = ?
