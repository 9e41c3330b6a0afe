-- Short links and their clicks. Times are Unix seconds (UTC).

-- One link per message (or per campaign when not personal): the token in
-- the short URL, the target it redirects to and the UTM values appended.
CREATE TABLE links (
	id          BIGSERIAL PRIMARY KEY,
	token       TEXT    NOT NULL UNIQUE,
	target      TEXT    NOT NULL,
	campaign    TEXT    NOT NULL DEFAULT '',
	content     TEXT    NOT NULL DEFAULT '',
	customer_id BIGINT,
	created_at  BIGINT  NOT NULL
);

-- Every request to a link. bot is '' for a person and otherwise names what
-- fetched it (a preview bot, a prefetch, a HEAD request), so that counts
-- leave it out while the operator can still see it. ip_hash is a keyed
-- hash: the address itself is never stored.
CREATE TABLE link_clicks (
	id          BIGSERIAL PRIMARY KEY,
	link_id     BIGINT  NOT NULL REFERENCES links(id),
	customer_id BIGINT,
	at          BIGINT  NOT NULL,
	user_agent  TEXT    NOT NULL DEFAULT '',
	ip_hash     BYTEA,
	bot         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX link_clicks_link ON link_clicks(link_id, at);
CREATE INDEX link_clicks_customer ON link_clicks(customer_id, at);
