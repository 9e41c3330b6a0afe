package ingest

import (
	"context"
	"fmt"
	"strings"

	"nudge/internal/store"
)

// IndexPolicy says whether an import keeps the target tables' secondary
// indexes up to date row by row or builds them once at the end.
type IndexPolicy string

const (
	// IndexesAuto defers them for a load that is large beside what the
	// table holds: a first import, or one that brings more rows than are
	// there (see deferWorthIt).
	IndexesAuto IndexPolicy = ""
	// IndexesDefer always defers them.
	IndexesDefer IndexPolicy = "defer"
	// IndexesKeep never does.
	IndexesKeep IndexPolicy = "keep"
)

// ParseIndexPolicy reads the --indexes flag: auto, defer or keep.
func ParseIndexPolicy(s string) (IndexPolicy, error) {
	switch s {
	case "", "auto":
		return IndexesAuto, nil
	case "defer", "keep":
		return IndexPolicy(s), nil
	}
	return "", fmt.Errorf("--indexes: %q is not auto, defer or keep", s)
}

// deferredTables are the tables whose secondary indexes an import of kind
// may build at the end, and the table whose size decides.
func deferredTables(k Kind) (tables []string, sizeOf string) {
	switch k {
	case Customers:
		return []string{"customers"}, "customers"
	case Orders:
		return []string{"orders", "order_lines"}, "order_lines"
	}
	return nil, ""
}

// Rough bytes per row of an export, on the low side so that a file's row
// count is overestimated rather than missed; and the smallest input worth
// the rebuild.
const (
	bytesPerRow   = 100
	minDeferBytes = 4 << 20
)

// deferWorthIt: an input of size bytes is worth deferring for when it is
// big and likely to bring more rows than the table already holds, so that
// one sorted build of every index costs less than as many inserts at random
// places in each.
func deferWorthIt(size, tableRows int64) bool {
	return size >= minDeferBytes && tableRows < size/bytesPerRow
}

// deferIndexes drops the target tables' secondary indexes when the policy
// says so, and returns their names for restoreIndexes.
func (p *pipeline) deferIndexes(ctx context.Context, policy IndexPolicy, size int64) ([]string, error) {
	tables, sizeOf := deferredTables(p.kind)
	if tables == nil || policy == IndexesKeep {
		return nil, nil
	}
	db := p.cs.DB()
	if policy == IndexesAuto {
		var rows int64
		if err := db.W.QueryRowContext(ctx, `SELECT count(*) FROM `+sizeOf).Scan(&rows); err != nil {
			return nil, err
		}
		if !deferWorthIt(size, rows) {
			return nil, nil
		}
	}
	return db.DeferIndexes(ctx, tables...)
}

// restoreIndexes builds the deferred indexes again, even when the import
// was cancelled: the rows it wrote are there and need them.
func (p *pipeline) restoreIndexes(ctx context.Context, names []string) error {
	if len(names) == 0 {
		return nil
	}
	p.prog.note("building indexes")
	return p.cs.DB().RestoreIndexes(context.WithoutCancel(ctx), names...)
}

// refreshStats keeps PostgreSQL's statistics of the target tables current
// while a load grows them: autovacuum's analyze comes late, and until it
// does the planner takes a table that has grown from nothing to a million
// rows for empty and scans it for every lookup. It analyzes whenever the
// rows taken have doubled since the last time (a dozen times for a
// million rows, each reading a sample of 30,000).
func (p *pipeline) refreshStats() error {
	db := p.cs.DB()
	tables, _ := deferredTables(p.kind)
	if db.Dialect != store.Postgres || tables == nil || p.sum.Taken < max(2*p.analyzedAt, 5000) {
		return nil
	}
	p.analyzedAt = p.sum.Taken
	_, err := db.W.Exec(`ANALYZE ` + strings.Join(tables, ", "))
	return err
}
