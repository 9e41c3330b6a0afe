// Package rekey re-seals personal data under the current master key after a
// rotation. It walks each table holding sealed columns in id order, a batch
// per transaction, and picks up rows whose pii_key is not the current key;
// so an interrupted run resumes where it stopped and a finished one is a
// no-op.
package rekey

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"nudge/internal/pii"
	"nudge/internal/store"
)

// Table describes where sealed values live.
type Table struct {
	Name string
	// Sealed maps a column to the field name bound into its ciphertext.
	Sealed map[string]string
	// Indexes maps a blind-index column to the sealed column it indexes.
	Indexes map[string]string
	// Clear lists columns derived from the old key that must be reset, such
	// as row fingerprints; they are recomputed on the next write.
	Clear []string
}

// Tables are the tables nudge seals data in. Packages that add sealed
// columns add their table here.
var Tables = []Table{
	{
		Name:    "customers",
		Sealed:  map[string]string{"phone_enc": "phone", "name_enc": "name"},
		Indexes: map[string]string{"phone_index": "phone_enc"},
		Clear:   []string{"fingerprint"},
	},
	// The outbox and the inbox keep the numbers they send to and hear
	// from; gateway URLs hold passwords and signing secrets.
	{
		Name:    "messages",
		Sealed:  map[string]string{"phone_enc": "phone"},
		Indexes: map[string]string{"phone_index": "phone_enc"},
	},
	{
		Name:    "inbox",
		Sealed:  map[string]string{"phone_enc": "phone"},
		Indexes: map[string]string{"phone_index": "phone_enc"},
	},
	{
		Name:   "gateways",
		Sealed: map[string]string{"url_enc": "gateway_url"},
	},
	// The suppression list is keyed by the blind index, which must follow
	// the customers' to keep matching them.
	{
		Name:    "suppressions",
		Sealed:  map[string]string{"phone_enc": "phone"},
		Indexes: map[string]string{"phone_index": "phone_enc"},
	},
}

// Progress reports how many rows of a table have been re-sealed so far.
type Progress func(table string, done, remaining int64)

// Remaining counts rows not yet sealed with the current key.
func Remaining(ctx context.Context, db *store.DB, keys *pii.Keyring) (int64, error) {
	var total int64
	for _, t := range Tables {
		var n int64
		q := db.Rebind(`SELECT COUNT(*) FROM ` + t.Name + ` WHERE pii_key <> ?`)
		if err := db.R.QueryRowContext(ctx, q, keys.Current().ID).Scan(&n); err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// Run re-seals every row under the current key, batch rows per transaction.
func Run(ctx context.Context, db *store.DB, keys *pii.Keyring, batch int, progress Progress) (int64, error) {
	if batch <= 0 {
		batch = 500
	}
	var total int64
	for _, t := range Tables {
		n, err := runTable(ctx, db, keys, t, batch, progress)
		total += n
		if err != nil {
			return total, fmt.Errorf("rekey %s: %w", t.Name, err)
		}
	}
	return total, nil
}

func runTable(ctx context.Context, db *store.DB, keys *pii.Keyring, t Table, batch int, progress Progress) (int64, error) {
	cols := make([]string, 0, len(t.Sealed))
	for c := range t.Sealed {
		cols = append(cols, c)
	}
	cur := keys.Current().ID
	sel := db.Rebind(`SELECT id, ` + strings.Join(cols, ", ") + ` FROM ` + t.Name + ` WHERE pii_key <> ? AND id > ? ORDER BY id LIMIT ?`)
	sets := []string{"pii_key = ?"}
	for _, c := range cols {
		sets = append(sets, c+" = ?")
	}
	var idxCols []string
	for c := range t.Indexes {
		idxCols = append(idxCols, c)
		sets = append(sets, c+" = ?")
	}
	for _, c := range t.Clear {
		sets = append(sets, c+" = NULL")
	}
	upd := db.Rebind(`UPDATE ` + t.Name + ` SET ` + strings.Join(sets, ", ") + ` WHERE id = ?`)
	var done, after int64
	for {
		var n int
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, sel, cur, after, batch)
			if err != nil {
				return err
			}
			type row struct {
				id   int64
				vals [][]byte
			}
			var rs []row
			for rows.Next() {
				r := row{vals: make([][]byte, len(cols))}
				dest := []any{&r.id}
				for i := range cols {
					dest = append(dest, &r.vals[i])
				}
				if err := rows.Scan(dest...); err != nil {
					rows.Close()
					return err
				}
				rs = append(rs, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, r := range rs {
				args := []any{cur}
				plain := map[string]string{}
				for i, c := range cols {
					v, err := keys.Open(t.Sealed[c], r.vals[i])
					if err != nil {
						return fmt.Errorf("row %d: %w", r.id, err)
					}
					plain[c] = v
					args = append(args, keys.Seal(t.Sealed[c], v))
				}
				for _, ic := range idxCols {
					src := t.Indexes[ic]
					if plain[src] == "" {
						args = append(args, nil)
					} else {
						args = append(args, keys.Index(t.Sealed[src], plain[src]))
					}
				}
				args = append(args, r.id)
				if _, err := tx.ExecContext(ctx, upd, args...); err != nil {
					return err
				}
				after = r.id
			}
			n = len(rs)
			return nil
		})
		if err != nil {
			return done, err
		}
		done += int64(n)
		if progress != nil {
			progress(t.Name, done, -1)
		}
		if n < batch {
			return done, nil
		}
	}
}
