package outbox

import (
	"context"
	"strings"
)

// queuedGateways lists the distinct gateways that queued messages are
// routed to. The recursive query jumps from one gateway to the next through
// the claim index instead of reading every queued row.
const queuedGateways = `WITH RECURSIVE g(name) AS (
	SELECT MIN(gateway) FROM messages WHERE status = 'queued'
	UNION ALL
	SELECT (SELECT MIN(gateway) FROM messages WHERE status = 'queued' AND gateway > g.name) FROM g WHERE g.name IS NOT NULL
) SELECT name FROM g WHERE name IS NOT NULL`

// reroute moves queued messages that no running line will claim (routed
// to no gateway yet, or to one that was removed or disabled) to a gateway
// that serves them.
func (d *Dispatcher) reroute(ctx context.Context) {
	if d.opt.Router == nil {
		return
	}
	lines := d.opt.Lines()
	if len(lines) == 0 {
		return
	}
	known := map[string]bool{}
	for _, l := range lines {
		known[l.Name()] = true
	}
	rows, err := d.s.db.R.QueryContext(ctx, queuedGateways)
	if err != nil {
		return
	}
	var orphans []string
	for rows.Next() {
		var g string
		if rows.Scan(&g) == nil && !known[g] {
			orphans = append(orphans, g)
		}
	}
	rows.Close()
	for _, g := range orphans {
		if n := d.rerouteFrom(ctx, g); n > 0 {
			d.log.Info("queued messages routed", "from", g, "moved", n)
		}
	}
}

// rerouteFrom gives the queued messages of gateway from (which is down,
// gone, or "" for unrouted) the best other gateway that serves each, in
// batches. Messages no other gateway serves stay where they are. The
// update is a compare-and-set on (status, gateway), so dispatchers of other
// processes doing the same at once do no harm.
func (d *Dispatcher) rerouteFrom(ctx context.Context, from string) int {
	if d.opt.Router == nil {
		return 0
	}
	var after int64
	moved := 0
	for ctx.Err() == nil {
		rows, err := d.s.db.R.QueryContext(ctx, d.s.db.Rebind(`SELECT id, phone_enc, carrier, category, tried FROM messages
WHERE status = 'queued' AND gateway = ? AND id > ? ORDER BY id LIMIT 1000`), from, after)
		if err != nil {
			return moved
		}
		to := map[string][]any{}
		n := 0
		for rows.Next() {
			var id int64
			var enc []byte
			var carrier, category, tried string
			if rows.Scan(&id, &enc, &carrier, &category, &tried) != nil {
				continue
			}
			n++
			after = id
			e164, err := d.s.keys.Open(fieldPhone, enc)
			if err != nil {
				continue
			}
			exclude := []string{}
			if from != "" {
				exclude = append(exclude, from)
			}
			if tried != "" {
				exclude = append(exclude, strings.Split(tried, ",")...)
			}
			if next := d.opt.Router.Route(e164, carrier, category, exclude); next != "" && next != from {
				to[next] = append(to[next], id)
			}
		}
		rows.Close()
		now := d.s.clock.Now().Unix()
		for next, ids := range to {
			for off := 0; off < len(ids); off += rowsPerInsert {
				chunk := ids[off:min(off+rowsPerInsert, len(ids))]
				args := append([]any{next, now, from}, chunk...)
				r, err := d.s.db.W.ExecContext(ctx, d.s.db.Rebind(`UPDATE messages SET gateway = ?, updated_at = ?
WHERE status = 'queued' AND gateway = ? AND id IN (`+marks(len(chunk))+`)`), args...)
				if err != nil {
					return moved
				}
				k, _ := r.RowsAffected()
				moved += int(k)
			}
		}
		if n < 1000 {
			break
		}
	}
	if moved > 0 {
		d.s.wake()
	}
	return moved
}
