package store

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
)

// Queries are named SQL statements loaded from a .sql file, already rebound
// for the store's dialect.
//
// A file holds blocks that start with a line "-- name: some_name". A block
// named "some_name :postgres" or "some_name :sqlite" replaces the plain one
// for that dialect only, so the few queries that differ sit next to each
// other instead of in two files that drift apart.
type Queries map[string]string

// LoadQueries reads file from fsys, keeps the statements for db's dialect
// and prepares each one once, so that a broken query fails at start-up and
// not when it is first used.
func LoadQueries(ctx context.Context, db *DB, fsys fs.FS, file string) (Queries, error) {
	src, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, err
	}
	q, err := ParseQueries(string(src), db.Dialect)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	for name, text := range q {
		q[name] = db.Rebind(text)
		st, err := db.R.PrepareContext(ctx, q[name])
		if err != nil {
			return nil, fmt.Errorf("%s: query %s: %w", file, name, err)
		}
		st.Close()
	}
	return q, nil
}

// ParseQueries splits a query file into named statements for the dialect.
func ParseQueries(src string, d Dialect) (Queries, error) {
	plain := Queries{}
	special := Queries{}
	var name string
	var body strings.Builder
	flush := func() error {
		if name == "" {
			for _, l := range strings.Split(body.String(), "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
					return fmt.Errorf("SQL before the first -- name: line")
				}
			}
			return nil
		}
		text := strings.TrimSpace(body.String())
		if text == "" {
			return fmt.Errorf("query %s is empty", name)
		}
		base, dialect, hasDialect := strings.Cut(name, " :")
		target := plain
		if hasDialect {
			if dialect != "sqlite" && dialect != "postgres" {
				return fmt.Errorf("query %s: unknown dialect %q", base, dialect)
			}
			if dialect != d.String() {
				return nil
			}
			target = special
		}
		if _, dup := target[base]; dup {
			return fmt.Errorf("query %s defined twice", name)
		}
		target[base] = text
		return nil
	}
	for _, line := range strings.Split(src, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "-- name:"); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			name = strings.TrimSpace(rest)
			body.Reset()
			continue
		}
		body.WriteString(line)
		body.WriteByte('\n')
	}
	if err := flush(); err != nil {
		return nil, err
	}
	for k, v := range special {
		plain[k] = v
	}
	return plain, nil
}

// Get returns the named query; a missing name is a programming error that
// the start-up check would not catch, so it panics with the name.
func (q Queries) Get(name string) string {
	s, ok := q[name]
	if !ok {
		panic("store: no query named " + name)
	}
	return s
}
