package outbox

import (
	"context"
	"time"
)

// watchOnce reads the gateway's state before the feeders start, so that a
// line on a gateway that is up starts claiming at once.
func (r *lineRun) watchOnce(ctx context.Context) {
	st := r.line.Gateway.Status()
	r.st.setState(st.Up, st.Detail, st.Binds, time.Time{})
	r.up.Store(st.Up)
}

// watch follows the gateway's state every 100 ms. When it stays down for
// the configured failover time, the gateway's queued messages move to the
// next gateway that serves them.
func (r *lineRun) watch(ctx context.Context) {
	log := r.d.log.With("gateway", r.line.Name())
	var downSince time.Time
	handled := false
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		st := r.line.Gateway.Status()
		r.up.Store(st.Up)
		switch {
		case !st.Up && downSince.IsZero():
			downSince = time.Now()
			log.Warn("gateway down", "detail", st.Detail)
		case !st.Up && !handled && time.Since(downSince) >= r.line.Config.FailoverAfter:
			handled = true
			n := r.d.rerouteFrom(ctx, r.line.Name())
			log.Warn("gateway down too long: queued messages moved to other gateways", "moved", n)
		case st.Up && !downSince.IsZero():
			log.Info("gateway up again", "down_for", time.Since(downSince).Round(time.Second))
			downSince, handled = time.Time{}, false
		}
		r.st.setState(st.Up, st.Detail, st.Binds, downSince)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// feed keeps the ready buffer topped up while the gateway is up.
func (r *lineRun) feed(ctx context.Context) {
	log := r.d.log.With("gateway", r.line.Name())
	for ctx.Err() == nil {
		if !r.up.Load() {
			r.sleep(ctx, 100*time.Millisecond)
			continue
		}
		n := r.reserve()
		if n == 0 {
			r.waitTaken(ctx)
			continue
		}
		batch, err := r.claim(ctx, n)
		if err != nil || len(batch) == 0 {
			r.unreserve(n)
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("claim failed", "err", err)
				r.sleep(ctx, time.Second)
			case err == nil:
				r.sleep(ctx, r.d.opt.Poll)
			}
			continue
		}
		decided, err := r.d.check(ctx, r.line, batch)
		if err != nil {
			r.unreserve(n)
			// Without the check nothing goes: an opt-out must never be missed.
			log.Warn("suppression check failed; messages put back", "err", err)
			for _, m := range batch {
				r.d.outcomes <- outcome{id: m.ID, kind: outRelease}
			}
			r.sleep(ctx, time.Second)
			continue
		}
		for i, m := range batch {
			if decided[i] != nil {
				r.d.outcomes <- *decided[i]
				continue
			}
			// Never blocks: the room was reserved before the claim.
			r.ready <- m
		}
		r.unreserve(n)
	}
}

// reserve books room in the ready buffer for a claim, at least a quarter
// of it (fewer, larger claims), at most a batch; 0 means wait.
func (r *lineRun) reserve() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	room := cap(r.ready) - len(r.ready) - r.reserved
	if room < max(1, cap(r.ready)/4) {
		return 0
	}
	n := min(room, r.d.opt.Batch)
	r.reserved += n
	return n
}

func (r *lineRun) unreserve(n int) {
	r.mu.Lock()
	r.reserved -= n
	r.mu.Unlock()
}

// claim takes up to n messages from the active sources, highest priority
// first.
func (r *lineRun) claim(ctx context.Context, n int) ([]Claimed, error) {
	now := time.Now()
	r.mu.Lock()
	stale := now.Sub(r.sourcesAt) > 250*time.Millisecond
	r.mu.Unlock()
	if stale {
		srcs, err := r.d.s.activeSources(ctx)
		if err != nil {
			return nil, err
		}
		r.mu.Lock()
		r.sources, r.sourcesAt = srcs, now
		r.mu.Unlock()
	}
	r.mu.Lock()
	var try []int64
	for _, src := range r.sources {
		if until, ok := r.idle[src.id]; !ok || !now.Before(until) {
			try = append(try, src.id)
		}
	}
	r.mu.Unlock()
	var out []Claimed
	for _, id := range try {
		if len(out) >= n {
			break
		}
		want := n - len(out)
		got, err := r.d.s.claim(ctx, r.line.Name(), id, r.d.owner.id, want, r.cursor(id, now))
		if err != nil {
			return out, err
		}
		r.advance(id, got, want)
		if len(got) == 0 {
			// Drained for now: other sources first, back here at the
			// next poll (or at once when this process enqueues). A short
			// claim is no sign of that: on PostgreSQL the other feeder
			// may hold the rest.
			r.mu.Lock()
			r.idle[id] = now.Add(r.d.opt.Poll)
			r.mu.Unlock()
		}
		out = append(out, got...)
	}
	return out, nil
}

// cursor returns where the next claim from a source starts. It goes back
// to the start once a second, so that a message left behind it (put back
// after a failed check, moved here from a gateway that is down, freed
// from a dead dispatcher) waits at most that long.
func (r *lineRun) cursor(source int64, now time.Time) claimCursor {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.cursors[source]
	if !ok || now.Sub(c.since) >= time.Second {
		r.cursors[source] = sourceCursor{since: now}
		return claimCursor{}
	}
	return c.at
}

// advance moves a source's cursor past a claim; a short claim sends it
// back to the start, since the source may hold due messages behind it.
func (r *lineRun) advance(source int64, got []Claimed, want int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(got) < want {
		delete(r.cursors, source)
		return
	}
	c := r.cursors[source]
	if last := got[len(got)-1].at; last.compare(c.at) > 0 {
		c.at = last
	}
	r.cursors[source] = c
}

func (r *lineRun) waitTaken(ctx context.Context) {
	t := time.NewTimer(r.d.opt.Poll)
	defer t.Stop()
	select {
	case <-r.taken:
	case <-ctx.Done():
	case <-t.C:
	}
}

// sleep waits for d, the context, or a wake-up from this process's
// enqueue, which also forgets which sources looked idle.
func (r *lineRun) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-r.wake:
		r.mu.Lock()
		clear(r.idle)
		r.sourcesAt = time.Time{}
		r.mu.Unlock()
	}
}
