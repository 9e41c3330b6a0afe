package outbox

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"nudge/internal/store"
)

// LineStatus is a snapshot of one gateway line of a dispatcher.
type LineStatus struct {
	Gateway   string    `json:"gateway"`
	Owner     string    `json:"dispatcher"`
	Up        bool      `json:"up"`
	Detail    string    `json:"detail,omitempty"`
	Binds     int       `json:"binds"`
	InFlight  int       `json:"in_flight"`
	Window    int       `json:"window"`
	Submitted int64     `json:"submitted"`
	Errors    int64     `json:"errors"`
	Rate      float64   `json:"rate"` // submits per second over the last status period
	UpdatedAt time.Time `json:"updated_at"`
}

// Status returns this dispatcher's lines now.
func (d *Dispatcher) Status() []LineStatus {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []LineStatus
	for name := range d.lines {
		st := d.stats[name]
		up, detail, binds, _ := st.State()
		out = append(out, LineStatus{Gateway: name, Owner: d.owner.id, Up: up, Detail: detail, Binds: binds,
			InFlight: int(st.InFlight.Load()), Window: st.Window, Submitted: st.Submitted.Load(), Errors: st.Errors.Load()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Gateway < out[j].Gateway })
	return out
}

// writeStatus stores the lines' state for other processes (nudge gateway
// list, a console served by another process) and drops rows of
// dispatchers silent for five minutes.
func (d *Dispatcher) writeStatus(ctx context.Context) {
	now := d.s.clock.Now()
	d.mu.Lock()
	if d.lastStatus == nil {
		d.lastStatus = map[string]int64{}
	}
	prevAt := d.lastStatusAt
	d.lastStatusAt = now
	d.mu.Unlock()
	elapsed := now.Sub(prevAt).Seconds()
	for _, st := range d.Status() {
		d.mu.Lock()
		prev := d.lastStatus[st.Gateway]
		d.lastStatus[st.Gateway] = st.Submitted
		d.mu.Unlock()
		rate := 0.0
		if !prevAt.IsZero() && elapsed > 0 {
			rate = float64(st.Submitted-prev) / elapsed
		}
		up := 0
		if st.Up {
			up = 1
		}
		d.s.db.W.ExecContext(ctx, d.s.q.Get("status_put"), st.Gateway, d.owner.id, up, st.Detail, st.Binds, st.InFlight,
			st.Window, st.Submitted, st.Errors, rate, now.Unix())
	}
	d.s.db.W.ExecContext(ctx, d.s.q.Get("status_prune"), now.Add(-5*time.Minute).Unix())
}

// GatewayStatuses reads the stored line status of every dispatcher,
// fresh within maxAge.
func GatewayStatuses(ctx context.Context, db *store.DB, now time.Time, maxAge time.Duration) ([]LineStatus, error) {
	rows, err := db.R.QueryContext(ctx, db.Rebind(`SELECT gateway, owner, up, detail, binds, in_flight, window_size, submitted, errors, rate, updated_at
FROM gateway_status WHERE updated_at >= ? ORDER BY gateway, owner`), now.Add(-maxAge).Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LineStatus
	for rows.Next() {
		var s LineStatus
		var up int
		var at int64
		var rate sql.NullFloat64
		if err := rows.Scan(&s.Gateway, &s.Owner, &up, &s.Detail, &s.Binds, &s.InFlight, &s.Window, &s.Submitted, &s.Errors, &rate, &at); err != nil {
			return nil, err
		}
		s.Up, s.Rate, s.UpdatedAt = up == 1, rate.Float64, time.Unix(at, 0).UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}
