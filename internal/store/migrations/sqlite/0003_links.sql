-- Short links and their clicks. Times are Unix seconds (UTC).

-- One link per message (or per campaign when not personal): the token in
-- the short URL, the target it redirects to and the UTM values appended.
CREATE TABLE links (
	id          INTEGER PRIMARY KEY,
	token       TEXT    NOT NULL UNIQUE,
	target      TEXT    NOT NULL,
	campaign    TEXT    NOT NULL DEFAULT '',
	content     TEXT    NOT NULL DEFAULT '',
	customer_id INTEGER,
	created_at  BIGINT  NOT NULL
);
CREATE INDEX links_customer ON links(customer_id);
CREATE INDEX links_campaign ON links(campaign);

-- Every request to a link, as an append-only journal: bot is '' for a
-- person and otherwise names what fetched it (a preview bot, a prefetch, a
-- HEAD request); ip_hash is a keyed hash, the address itself is never
-- stored. The journal has no index besides its id: the redirect's click
-- writer appends tens of thousands of rows a second, and a secondary index
-- on a random key (the link) would cost three times the insert. What
-- reports and the policy loader look up by link lives in link_click_counts,
-- kept in the same transaction as each batch of clicks.
CREATE TABLE link_clicks (
	id          INTEGER PRIMARY KEY,
	link_id     INTEGER NOT NULL,
	at          BIGINT  NOT NULL,
	user_agent  TEXT    NOT NULL DEFAULT '',
	ip_hash     BLOB,
	bot         TEXT    NOT NULL DEFAULT ''
);

-- Per link: clicks by people and by bots, and the first and last time a
-- person clicked.
CREATE TABLE link_click_counts (
	link_id        INTEGER PRIMARY KEY,
	human          BIGINT  NOT NULL DEFAULT 0,
	bot            BIGINT  NOT NULL DEFAULT 0,
	first_human_at BIGINT,
	last_human_at  BIGINT
);
