-- Policy: proof of consent, the global suppression list, preferences, the
-- ledger of queued sends that frequency caps count, interactions that keep a
-- customer in marketing audiences, and the decision log.
-- Times are Unix seconds (UTC).

-- Every consent change with its proof: who (customer, or only a number's
-- blind index when the number is not a customer), the new state, where it
-- came from and the evidence (the reply text, the form, the operator).
-- No foreign key: the proof outlives the customer row.
CREATE TABLE consent_events (
	id          BIGSERIAL PRIMARY KEY,
	customer_id BIGINT,
	phone_index BYTEA,
	state       TEXT    NOT NULL,
	source      TEXT    NOT NULL,
	proof       TEXT    NOT NULL DEFAULT '',
	at          BIGINT  NOT NULL
);
CREATE INDEX consent_events_customer ON consent_events(customer_id, at);
CREATE INDEX consent_events_phone ON consent_events(phone_index, at);

-- The global suppression list, keyed by the phone's blind index so that it
-- covers numbers that are not (yet) customers. One row per number and
-- reason: removing a manual block must not lift an opt-out. The number is
-- kept sealed so that key rotation can re-index it and exports can show it.
CREATE TABLE suppressions (
	id          BIGSERIAL PRIMARY KEY,
	phone_index BYTEA   NOT NULL,
	phone_enc   BYTEA   NOT NULL,
	pii_key     TEXT    NOT NULL,
	reason      TEXT    NOT NULL,
	source      TEXT    NOT NULL DEFAULT '',
	note        TEXT    NOT NULL DEFAULT '',
	created_at  BIGINT  NOT NULL,
	UNIQUE (phone_index, reason)
);

-- Hard delivery failures per number since its last delivery; N of them
-- suppress the number as invalid.
CREATE TABLE hard_failures (
	phone_index BYTEA   PRIMARY KEY,
	failures    INTEGER NOT NULL,
	first_at    BIGINT  NOT NULL,
	last_at     BIGINT  NOT NULL
);

-- A customer's answer per category; refused = 0 rows record a later
-- change of mind.
CREATE TABLE customer_preferences (
	customer_id BIGINT  NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
	category    TEXT    NOT NULL,
	refused     INTEGER NOT NULL,
	source      TEXT    NOT NULL DEFAULT '',
	updated_at  BIGINT  NOT NULL,
	PRIMARY KEY (customer_id, category)
);

-- Messages actually queued, written in the outbox's enqueue transaction.
CREATE TABLE policy_sends (
	id          BIGSERIAL PRIMARY KEY,
	customer_id BIGINT  NOT NULL,
	category    TEXT    NOT NULL,
	at          BIGINT  NOT NULL
);
CREATE INDEX policy_sends_customer ON policy_sends(customer_id, at);
CREATE INDEX policy_sends_at ON policy_sends(at);

-- The latest reply or other interaction that orders and link clicks do not
-- already record.
CREATE TABLE customer_interactions (
	customer_id BIGINT  PRIMARY KEY,
	kind        TEXT    NOT NULL,
	last_at     BIGINT  NOT NULL
);

-- One row per decision taken for a send.
CREATE TABLE policy_decisions (
	id          BIGSERIAL PRIMARY KEY,
	customer_id BIGINT  NOT NULL,
	category    TEXT    NOT NULL,
	decision    TEXT    NOT NULL,
	reasons     TEXT    NOT NULL DEFAULT '',
	until_at    BIGINT,
	at          BIGINT  NOT NULL
);
CREATE INDEX policy_decisions_customer ON policy_decisions(customer_id, at);
CREATE INDEX policy_decisions_at ON policy_decisions(at);
