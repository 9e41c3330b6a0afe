-- The outbox (every outgoing SMS, its parts and their gateway ids), the
-- sources it is sent for, dispatcher liveness, receipts held until their
-- message is known, configured gateways and their interaction log, and the
-- inbox of replies. Times are Unix seconds (UTC) unless a column says _ms.
-- Phone numbers are sealed like customers' (phone_enc + phone_index +
-- pii_key); message texts are not (see docs/delivery.md).

-- A source is what messages are sent for: a campaign, a flow, replies,
-- staff notices, the API. Pause, resume and cancel act on a source.
CREATE TABLE outbox_sources (
	id         INTEGER PRIMARY KEY,
	kind       TEXT    NOT NULL,
	ref        TEXT    NOT NULL,
	state      TEXT    NOT NULL DEFAULT 'active',
	priority   INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT  NOT NULL,
	updated_at BIGINT  NOT NULL,
	UNIQUE (kind, ref)
);

CREATE TABLE messages (
	id           INTEGER PRIMARY KEY,
	idem_key     TEXT    NOT NULL UNIQUE,
	source_id    INTEGER NOT NULL REFERENCES outbox_sources(id),
	customer_id  INTEGER,
	phone_enc    BLOB    NOT NULL,
	phone_index  BLOB    NOT NULL,
	pii_key      TEXT    NOT NULL,
	region       TEXT    NOT NULL DEFAULT '',
	carrier      TEXT    NOT NULL DEFAULT '',
	category     TEXT    NOT NULL,
	text         TEXT    NOT NULL,
	encoding     TEXT    NOT NULL,
	parts        INTEGER NOT NULL,
	gateway      TEXT    NOT NULL DEFAULT '',
	tried        TEXT    NOT NULL DEFAULT '',
	status       TEXT    NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_at      BIGINT  NOT NULL,
	valid_until  BIGINT,
	cost         BIGINT  NOT NULL DEFAULT 0,
	reason       TEXT    NOT NULL DEFAULT '',
	error        TEXT    NOT NULL DEFAULT '',
	owner        TEXT    NOT NULL DEFAULT '',
	review_at    BIGINT,
	queued_at    BIGINT  NOT NULL,
	sending_at   BIGINT,
	submitted_at BIGINT,
	finished_at  BIGINT,
	updated_at   BIGINT  NOT NULL
);
-- The dispatcher's claim: queued rows of one gateway and source, due first.
CREATE INDEX messages_claim ON messages(gateway, source_id, next_at, id) WHERE status = 'queued';
CREATE INDEX messages_sending ON messages(owner) WHERE status = 'sending';
CREATE INDEX messages_unconfirmed ON messages(submitted_at) WHERE status = 'submitted';
CREATE INDEX messages_validity ON messages(valid_until) WHERE status = 'queued' AND valid_until IS NOT NULL;
CREATE INDEX messages_phone ON messages(phone_index);
CREATE INDEX messages_source ON messages(source_id, status);
CREATE INDEX messages_customer ON messages(customer_id, queued_at);

-- One row per part the gateway accepted, with the id its receipts name.
CREATE TABLE message_parts (
	message_id BIGINT  NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
	part       INTEGER NOT NULL,
	gateway    TEXT    NOT NULL,
	gateway_id TEXT    NOT NULL,
	state      TEXT    NOT NULL DEFAULT '',
	err        TEXT    NOT NULL DEFAULT '',
	done_at    BIGINT,
	PRIMARY KEY (message_id, part)
);
CREATE INDEX message_parts_gateway_id ON message_parts(gateway, gateway_id);

-- Live dispatchers: a row per running dispatcher, its heartbeat proving it
-- still owns the messages it holds in 'sending'.
CREATE TABLE outbox_dispatchers (
	id           TEXT    PRIMARY KEY,
	host         TEXT    NOT NULL,
	pid          INTEGER NOT NULL,
	started_at   BIGINT  NOT NULL,
	heartbeat_at BIGINT  NOT NULL
);

-- Receipts that arrived before the submit response that names their id
-- was stored: held here and applied once it is.
CREATE TABLE pending_receipts (
	id          INTEGER PRIMARY KEY,
	gateway     TEXT    NOT NULL,
	gateway_id  TEXT    NOT NULL,
	state       TEXT    NOT NULL,
	reason      TEXT    NOT NULL DEFAULT '',
	err         TEXT    NOT NULL DEFAULT '',
	done_at     BIGINT  NOT NULL,
	received_at BIGINT  NOT NULL
);
CREATE INDEX pending_receipts_gateway_id ON pending_receipts(gateway, gateway_id);

-- Configured gateways. The URL holds credentials, so it is sealed.
CREATE TABLE gateways (
	id         INTEGER PRIMARY KEY,
	name       TEXT    NOT NULL UNIQUE,
	scheme     TEXT    NOT NULL,
	url_enc    BLOB    NOT NULL,
	pii_key    TEXT    NOT NULL,
	enabled    INTEGER NOT NULL DEFAULT 1,
	created_at BIGINT  NOT NULL,
	updated_at BIGINT  NOT NULL
);

-- What each running dispatcher last saw of each gateway, for `nudge
-- gateway list` and the console when they run in another process.
CREATE TABLE gateway_status (
	gateway    TEXT    NOT NULL,
	owner      TEXT    NOT NULL,
	up         INTEGER NOT NULL,
	detail     TEXT    NOT NULL DEFAULT '',
	binds      INTEGER NOT NULL DEFAULT 0,
	in_flight  INTEGER NOT NULL DEFAULT 0,
	window_size INTEGER NOT NULL DEFAULT 0,
	submitted  BIGINT  NOT NULL DEFAULT 0,
	errors     BIGINT  NOT NULL DEFAULT 0,
	rate       REAL    NOT NULL DEFAULT 0,
	updated_at BIGINT  NOT NULL,
	PRIMARY KEY (gateway, owner)
);

-- Every exchange with a gateway worth keeping (PDUs or HTTP requests and
-- answers), secrets redacted and phone numbers masked before they get here.
CREATE TABLE gateway_log (
	id        INTEGER PRIMARY KEY,
	gateway   TEXT    NOT NULL,
	at_ms     BIGINT  NOT NULL,
	direction TEXT    NOT NULL,
	kind      TEXT    NOT NULL,
	failed    INTEGER NOT NULL DEFAULT 0,
	summary   TEXT    NOT NULL,
	detail    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX gateway_log_gateway ON gateway_log(gateway, id);

-- Replies from customers.
CREATE TABLE inbox (
	id          INTEGER PRIMARY KEY,
	gateway     TEXT    NOT NULL,
	external_id TEXT    NOT NULL DEFAULT '',
	phone_enc   BLOB    NOT NULL,
	phone_index BLOB    NOT NULL,
	pii_key     TEXT    NOT NULL,
	customer_id INTEGER,
	recipient   TEXT    NOT NULL DEFAULT '',
	text        TEXT    NOT NULL,
	kind        TEXT    NOT NULL,
	status      TEXT    NOT NULL,
	incomplete  INTEGER NOT NULL DEFAULT 0,
	answer_id   BIGINT,
	received_at BIGINT  NOT NULL,
	handled_at  BIGINT
);
CREATE INDEX inbox_status ON inbox(status, id);
CREATE INDEX inbox_phone ON inbox(phone_index);
CREATE UNIQUE INDEX inbox_external ON inbox(gateway, external_id) WHERE external_id <> '';
