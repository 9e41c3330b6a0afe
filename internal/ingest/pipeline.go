package ingest

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sort"
	"sync"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
)

// The pipeline has three stages joined by bounded channels:
//
//	reader (1 goroutine)  -> prepare (one per core) -> writer (the caller)
//	parse rows into a batch   normalise, seal            one transaction per batch
//
// Batches come from a fixed pool and go back to it once written, so memory
// is a handful of batches whatever the file size, and their buffers are
// reused. The writer takes batches in file order (sealing may finish out of
// order), which keeps "the last row for a customer wins" true across
// batches and the rejects file in line order.

type pipeline struct {
	cs        *customer.Store
	kind      Kind
	loc       *time.Location
	src       input
	rej       *rejectsFile
	prog      *progress
	clk       clock.Clock
	sum       *Summary
	batchSize int

	// w is the open write transaction, spanning batches until commitRows
	// rows or commitEvery have passed; see customer.Writer for why.
	w       *customer.Writer
	pending int
	since   time.Time

	// analyzedAt is the rows taken when the planner's statistics were
	// last refreshed; see refreshStats.
	analyzedAt int
}

// Commit policy: large enough that a commit's rewrite of randomly touched
// index pages is spread over many rows, short enough that the server's
// own writes never wait long for SQLite's single writer.
const (
	commitRows  = 50_000
	commitEvery = time.Second
)

// batch holds up to batchSize rows. Row i of the batch is lines[i],
// raw[rawAt[i]:rawAt[i+1]], and the kind's typed slot i; reasons[i] is
// non-empty once the row is rejected.
type batch struct {
	n       int
	lines   []int
	reasons []string
	raw     []string
	rawAt   []int

	cust   []customer.Customer
	prep   []customer.Prepared
	floats [][2]float64
	attrs  []byte

	orders []customer.Order
	olines []customer.Line

	products []customer.Product

	done chan struct{}
}

func (p *pipeline) newBatch() *batch {
	n := p.batchSize
	b := &batch{lines: make([]int, n), reasons: make([]string, n), rawAt: make([]int, n+1), done: make(chan struct{}, 1)}
	switch p.kind {
	case Customers:
		b.cust, b.prep, b.floats = make([]customer.Customer, n), make([]customer.Prepared, n), make([][2]float64, n)
	case Orders:
		b.orders, b.olines = make([]customer.Order, n), make([]customer.Line, n)
	case Products:
		b.products = make([]customer.Product, n)
	}
	return b
}

// compact moves the rows that were not rejected to the front of rows, in
// order, and returns how many there are. The batch's own slots are reused:
// after the write they are not read again.
func compact[T any](rows []T, reasons []string) int {
	n := 0
	for i, r := range reasons {
		if r == "" {
			rows[n] = rows[i]
			n++
		}
	}
	return n
}

func (b *batch) reset() {
	clear(b.reasons[:b.n])
	clear(b.raw) // let the strings of the last batch go
	b.n, b.raw, b.attrs = 0, b.raw[:0], b.attrs[:0]
	if b.prep != nil {
		clear(b.prep)
	}
}

func (p *pipeline) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(runtime.GOMAXPROCS(0), 1)
	// One batch being filled, one per preparer, one being written: enough
	// to keep every stage busy, and all the memory an import takes.
	free := make(chan *batch, workers+2)
	for range cap(free) {
		free <- p.newBatch()
	}
	work := make(chan *batch, cap(free))
	ordered := make(chan *batch, cap(free))

	var readErr error
	go func() {
		defer close(work)
		defer close(ordered)
		readErr = p.read(ctx, free, work, ordered)
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := range work {
				p.prepare(b)
				b.done <- struct{}{}
			}
		})
	}

	var writeErr error
	for b := range ordered {
		<-b.done
		if writeErr == nil {
			if writeErr = p.write(ctx, b); writeErr != nil {
				cancel() // stop the reader; keep draining so it can finish
			}
		}
		b.reset()
		free <- b
	}
	wg.Wait()
	if writeErr == nil {
		writeErr = p.commit()
	}
	if writeErr != nil {
		if p.w != nil {
			p.w.Rollback()
		}
		return writeErr
	}
	if readErr != nil && !errors.Is(readErr, context.Canceled) {
		return readErr
	}
	return ctx.Err()
}

// read fills batches from the source and hands each to a preparer and, in
// the same order, to the writer.
func (p *pipeline) read(ctx context.Context, free <-chan *batch, work, ordered chan<- *batch) error {
	for {
		var b *batch
		select {
		case b = <-free:
		case <-ctx.Done():
			return ctx.Err()
		}
		err := p.fill(b)
		if b.n > 0 {
			ordered <- b
			work <- b
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// fill reads rows into b until it is full (nil) or the input ends (io.EOF
// or a read error).
func (p *pipeline) fill(b *batch) error {
	for b.n < p.batchSize {
		rec, err := p.src.next()
		var bad *badRow
		if err != nil && !errors.As(err, &bad) {
			return err
		}
		i := b.n
		b.n++
		b.lines[i] = rec.line
		b.rawAt[i] = len(b.raw)
		b.raw = append(b.raw, rec.raw...)
		b.rawAt[i+1] = len(b.raw)
		if bad != nil {
			b.reasons[i] = bad.reason
			continue
		}
		if err := p.parse(b, i, rec); err != nil {
			b.reasons[i] = Reason(err)
		}
	}
	return nil
}

func (p *pipeline) parse(b *batch, i int, rec record) error {
	switch p.kind {
	case Customers:
		var err error
		b.attrs, err = customerFrom(rec.vals, rec.extras, p.loc, &b.cust[i], b.attrs, &b.floats[i])
		return err
	case Orders:
		return lineFrom(rec.vals, p.loc, &b.orders[i], &b.olines[i])
	default:
		return productFrom(rec.vals, &b.products[i])
	}
}

// prepare runs the CPU-heavy checks on a batch: for customers the store's
// normalisation and sealing, for orders their normalisation.
func (p *pipeline) prepare(b *batch) {
	for i := range b.n {
		if b.reasons[i] != "" {
			continue
		}
		var err error
		switch p.kind {
		case Customers:
			b.prep[i], err = p.cs.Prepare(b.cust[i])
		case Orders:
			o := &b.orders[i]
			b.olines[i].Ref = b.lines[i]
			o.Lines = b.olines[i : i+1 : i+1]
			err = o.Normalize()
		}
		if err != nil {
			b.reasons[i] = Reason(err)
		}
	}
}

// commit ends the open write transaction, if any.
func (p *pipeline) commit() error {
	if p.w == nil {
		return nil
	}
	err := p.w.Commit()
	p.w, p.pending = nil, 0
	if err == nil {
		err = p.refreshStats()
	}
	return err
}

// write stores a batch in the open transaction (committing it when it has
// grown enough) and records the batch's rejects.
func (p *pipeline) write(ctx context.Context, b *batch) error {
	if p.w == nil {
		w, err := p.cs.NewWriter(ctx)
		if err != nil {
			return err
		}
		p.w, p.since = w, p.clk.Now()
	}
	if err := p.writeBatch(ctx, b); err != nil {
		return err
	}
	if p.pending += b.n; p.pending >= commitRows || p.clk.Now().Sub(p.since) >= commitEvery {
		return p.commit()
	}
	return nil
}

func (p *pipeline) writeBatch(ctx context.Context, b *batch) error {
	s := p.sum
	good := 0
	switch p.kind {
	case Customers:
		good = compact(b.prep, b.reasons[:b.n])
		res, err := p.w.WritePrepared(ctx, b.prep[:good])
		if err != nil {
			return err
		}
		s.Inserted, s.Updated, s.Unchanged = s.Inserted+res.Inserted, s.Updated+res.Updated, s.Unchanged+res.Unchanged
	case Orders:
		good = compact(b.orders, b.reasons[:b.n])
		res, err := p.w.UpsertOrders(ctx, b.orders[:good])
		if err != nil {
			return err
		}
		for _, r := range res.Rejected {
			// Refs are line numbers, which grow through a batch.
			if i := sort.SearchInts(b.lines[:b.n], r.Ref); i < b.n && b.lines[i] == r.Ref {
				b.reasons[i] = r.Reason
			}
		}
		good -= len(res.Rejected)
		s.Inserted, s.Updated, s.Unchanged = s.Inserted+res.Lines.Inserted, s.Updated+res.Lines.Updated, s.Unchanged+res.Lines.Unchanged
		s.Orders.Add(res.Orders)
	case Products:
		good = compact(b.products, b.reasons[:b.n])
		res, err := p.w.UpsertProducts(ctx, b.products[:good])
		if err != nil {
			return err
		}
		s.Inserted, s.Updated, s.Unchanged = s.Inserted+res.Inserted, s.Updated+res.Updated, s.Unchanged+res.Unchanged
	}
	for i := range b.n {
		if b.reasons[i] != "" {
			if err := p.rej.add(b.lines[i], b.reasons[i], b.raw[b.rawAt[i]:b.rawAt[i+1]]); err != nil {
				return err
			}
		}
	}
	s.Rows += b.n
	s.Taken += good
	s.Rejected += b.n - good
	p.prog.update(s.Rows, p.clk.Now())
	return nil
}
