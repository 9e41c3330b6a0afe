package customer

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"

	"nudge/internal/store"
)

// WriteResult counts what a batch write did.
type WriteResult struct {
	Inserted  int `json:"inserted"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Add accumulates another batch's counts.
func (r *WriteResult) Add(o WriteResult) {
	r.Inserted += o.Inserted
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
}

// Prepared is a validated customer with its personal data already sealed:
// the CPU-heavy half of a write, which an importer can run on other cores
// while the database takes the previous batch.
type Prepared struct {
	c           Customer
	phoneEnc    []byte
	phoneIndex  []byte
	nameEnc     []byte
	tags        string
	fingerprint []byte
}

// ExternalID is the shop's id of the prepared customer ("" when the row is
// identified by its phone number only).
func (p *Prepared) ExternalID() string { return p.c.ExternalID }

// Prepare normalises c and seals its personal data.
func (s *Store) Prepare(c Customer) (Prepared, error) {
	if err := c.Normalize(s.region); err != nil {
		return Prepared{}, err
	}
	p := Prepared{c: c, tags: encodeTags(c.Tags)}
	p.phoneEnc = s.keys.Seal(fieldPhone, c.Phone)
	p.phoneIndex = s.keys.Index(fieldPhone, c.Phone)
	p.nameEnc = s.keys.Seal(fieldName, c.Name)
	p.fingerprint = s.keys.Fingerprint(c.Phone, c.Name, c.Gender, c.Birthday, c.City, floatString(c.Lat), floatString(c.Lon),
		timeString(c.RegisteredAt), c.Timezone, p.tags, string(c.Attributes), c.Consent, timeString(c.ConsentAt), c.ConsentSource)
	return p, nil
}

func floatString(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'g', -1, 64)
}

func timeString(t interface{ Unix() int64 }) string { return strconv.FormatInt(t.Unix(), 10) }

// UpsertCustomers normalises, seals and writes customers in one transaction.
// The first invalid customer stops the batch with its index; importers that
// must keep going past bad rows call Prepare themselves.
func (s *Store) UpsertCustomers(ctx context.Context, cs []Customer) (WriteResult, error) {
	ps := make([]Prepared, len(cs))
	for i, c := range cs {
		p, err := s.Prepare(c)
		if err != nil {
			return WriteResult{}, fmt.Errorf("customer %d (%s): %w", i+1, c.ExternalID, err)
		}
		ps[i] = p
	}
	return s.WritePrepared(ctx, ps)
}

// customerBatch bounds a multi-row statement: 22 columns x 400 rows stays
// under every driver's parameter limit.
const customerBatch = 400

// WritePrepared writes prepared customers in one transaction. A customer
// whose external id is already stored is updated, unless nothing changed, in
// which case the row is not touched at all (importing a file twice writes
// nothing). A customer without an external id is matched by phone number;
// a new one gets an opaque id derived from its blind index.
func (s *Store) WritePrepared(ctx context.Context, ps []Prepared) (WriteResult, error) {
	w, err := s.NewWriter(ctx)
	if err != nil {
		return WriteResult{}, err
	}
	res, err := w.WritePrepared(ctx, ps)
	return res, w.finish(err)
}

func (s *Store) writeCustomers(ctx context.Context, tx *sql.Tx, ps []Prepared) (WriteResult, error) {
	var res WriteResult
	if err := s.resolvePhoneOnly(ctx, tx, ps); err != nil {
		return res, err
	}
	// Last row wins when a batch names the same customer twice.
	last := make(map[string]int, len(ps))
	for i := range ps {
		last[ps[i].c.ExternalID] = i
	}
	todo := make([]*Prepared, 0, len(last))
	for i := range ps {
		if last[ps[i].c.ExternalID] != i {
			res.Unchanged++ // superseded by a later row of the same batch
			continue
		}
		todo = append(todo, &ps[i])
	}
	w := customerWrite{s: s, tx: tx, res: &res, now: s.clock.Now().Unix(), key: s.keys.Current().ID}
	// Ids above before were inserted by this write; with no insert first,
	// every stored customer predates it.
	before := int64(math.MaxInt64)
	if s.db.Dialect == store.SQLite {
		var err error
		if before, todo, err = w.insertFirst(ctx, todo); err != nil || len(todo) == 0 {
			return res, err
		}
	}
	return res, w.upsert(ctx, todo, before)
}

// customerWrite is one batch of customers on its way in.
type customerWrite struct {
	s   *Store
	tx  *sql.Tx
	res *WriteResult
	now int64
	key string
}

// row appends a customer's columns as customerInsert and customerUpsert
// take them.
func (w *customerWrite) row(args []any, p *Prepared) []any {
	c := &p.c
	return append(args, c.ExternalID, p.phoneEnc, p.phoneIndex, c.Region, c.Carrier, p.nameEnc, c.Gender, c.Birthday,
		c.City, c.Lat, c.Lon, zeroOrUnix(c.RegisteredAt), c.Timezone, p.tags, string(c.Attributes), c.Consent,
		zeroOrUnix(c.ConsentAt), c.ConsentSource, w.key, p.fingerprint, w.now, w.now)
}

// insertFirst offers customers to INSERT OR IGNORE, on SQLite (see
// orderWrite.insertFirst: the writer is alone, and a plain insert needs no
// statement journal). A statement that took every row is done; the rows of
// one that skipped some are returned for the lookup and the upsert, with
// the largest id stored before, which tells the rows just inserted from the
// customers stored already.
func (w *customerWrite) insertFirst(ctx context.Context, todo []*Prepared) (before int64, skipped []*Prepared, err error) {
	if before, err = maxID(ctx, w.tx, "customers"); err != nil {
		return 0, nil, fmt.Errorf("customer: write batch: %w", err)
	}
	args := make([]any, 0, len(todo)*customerInsert.cols)
	for _, p := range todo {
		args = w.row(args, p)
	}
	err = w.s.offerRows(ctx, w.tx, customerInsert, len(todo), args, func(from, to int, tookAll bool, _ int64) {
		if tookAll {
			w.res.Inserted += to - from
		} else {
			skipped = append(skipped, todo[from:to]...)
		}
	})
	if err != nil {
		return 0, nil, fmt.Errorf("customer: write batch: %w", err)
	}
	return before, skipped, nil
}

// upsert writes customers after reading what is stored of them: a stored
// customer is updated unless nothing changed, a missing one is inserted.
// A customer stored with an id above before was inserted by this write.
func (w *customerWrite) upsert(ctx context.Context, todo []*Prepared, before int64) error {
	ids := make([]any, len(todo))
	for i, p := range todo {
		ids[i] = p.c.ExternalID
	}
	type stored struct {
		id int64
		fp []byte
	}
	existing := make(map[string]stored, len(ids))
	err := w.s.bulkChunks(ctx, w.tx, customerFingerprints, len(ids), ids, func(st *sql.Stmt, args []any) error {
		rows, err := st.QueryContext(ctx, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ext string
			var e stored
			if err := rows.Scan(&e.id, &ext, &e.fp); err != nil {
				return err
			}
			existing[ext] = e
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	args := make([]any, 0, len(todo)*customerUpsert.cols)
	n := 0
	for _, p := range todo {
		e, found := existing[p.c.ExternalID]
		switch {
		case found && e.id > before:
			w.res.Inserted++
			continue
		case found && bytes.Equal(e.fp, p.fingerprint):
			w.res.Unchanged++
			continue
		case found:
			w.res.Updated++
		default:
			w.res.Inserted++
		}
		args = w.row(args, p)
		n++
	}
	if err := w.s.bulkExec(ctx, w.tx, customerUpsert, n, args); err != nil {
		return fmt.Errorf("customer: write batch: %w", err)
	}
	return nil
}

// customerInsert offers new customers to the table, skipping those stored
// already (see customerWrite.insertFirst), on SQLite only.
var customerInsert = bulkStmt{name: "customer_insert", cols: 22, sqliteOnly: true, build: func(n int) string {
	return `INSERT OR IGNORE INTO customers (external_id, phone_enc, phone_index, region, carrier, name_enc, gender, birthday,
	city, lat, lon, registered_at, timezone, tags, attributes, consent, consent_at, consent_source, pii_key, fingerprint,
	created_at, updated_at) VALUES ` + store.Placeholders(n, 22)
}}

// customerUpsert writes customers, replacing every field of a stored one.
var customerUpsert = bulkStmt{name: "customer_upsert", cols: 22, build: func(n int) string {
	return `INSERT INTO customers (external_id, phone_enc, phone_index, region, carrier, name_enc, gender, birthday,
	city, lat, lon, registered_at, timezone, tags, attributes, consent, consent_at, consent_source, pii_key, fingerprint,
	created_at, updated_at) VALUES ` + store.Placeholders(n, 22) + `
ON CONFLICT (external_id) DO UPDATE SET phone_enc = excluded.phone_enc, phone_index = excluded.phone_index,
	region = excluded.region, carrier = excluded.carrier, name_enc = excluded.name_enc, gender = excluded.gender,
	birthday = excluded.birthday, city = excluded.city, lat = excluded.lat, lon = excluded.lon,
	registered_at = excluded.registered_at, timezone = excluded.timezone, tags = excluded.tags,
	attributes = excluded.attributes, consent = excluded.consent, consent_at = excluded.consent_at,
	consent_source = excluded.consent_source, pii_key = excluded.pii_key, fingerprint = excluded.fingerprint,
	updated_at = excluded.updated_at`
}}

// customerFingerprints reads what is stored for a chunk of external ids.
var customerFingerprints = bulkStmt{name: "customer_fingerprints", cols: 1, build: func(n int) string {
	return `SELECT id, external_id, fingerprint FROM customers WHERE external_id IN (` + marks(n) + `)`
}}

// resolvePhoneOnly gives rows without an external id the id of the stored
// customer with the same number, or a new opaque one.
func (s *Store) resolvePhoneOnly(ctx context.Context, tx *sql.Tx, ps []Prepared) error {
	var need []int
	for i := range ps {
		if ps[i].c.ExternalID == "" {
			need = append(need, i)
		}
	}
	if len(need) == 0 {
		return nil
	}
	// A bulk import may have deferred the index this lookup needs.
	if err := s.db.RestoreIndex(ctx, tx, "customers_phone_index"); err != nil {
		return err
	}
	var args []any
	byIndex := map[string][]int{} // any key's index of a number -> rows
	for _, i := range need {
		for _, idx := range s.keys.IndexAll(fieldPhone, ps[i].c.Phone) {
			byIndex[string(idx)] = append(byIndex[string(idx)], i)
			args = append(args, idx)
		}
	}
	rows, err := tx.QueryContext(ctx, s.db.Rebind(`SELECT phone_index, external_id FROM customers WHERE phone_index IN (`+marks(len(args))+`) ORDER BY id`), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var idx []byte
		var ext string
		if err := rows.Scan(&idx, &ext); err != nil {
			return err
		}
		for _, i := range byIndex[string(idx)] {
			if ps[i].c.ExternalID == "" {
				ps[i].c.ExternalID = ext
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, i := range need {
		if ps[i].c.ExternalID == "" {
			ps[i].c.ExternalID = "tel-" + hex.EncodeToString(ps[i].phoneIndex[:8])
		}
	}
	return nil
}

func marks(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
