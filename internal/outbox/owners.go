package outbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"time"
)

// A dispatcher owns the messages it holds in sending. It proves it is alive
// with a heartbeat row; when the row goes stale (or, on the same host, its
// process is gone), another dispatcher takes over its sending rows: they
// are held for review, or requeued when their gateway says resend.

// DefaultLease is how long a dispatcher may miss heartbeats before its
// sending messages are treated as orphans.
const DefaultLease = 15 * time.Second

// owner identifies one running dispatcher.
type owner struct {
	id      string
	host    string
	pid     int
	started int64
}

func newOwner(now time.Time) owner {
	b := make([]byte, 6)
	rand.Read(b)
	host, _ := os.Hostname()
	return owner{id: hex.EncodeToString(b), host: host, pid: os.Getpid(), started: now.Unix()}
}

func (s *Store) heartbeat(ctx context.Context, o owner) error {
	_, err := s.db.W.ExecContext(ctx, s.q.Get("heartbeat"), o.id, o.host, o.pid, o.started, s.clock.Now().Unix())
	return err
}

func (s *Store) removeOwner(ctx context.Context, id string) error {
	_, err := s.db.W.ExecContext(ctx, s.q.Get("dispatcher_remove"), id)
	return err
}

// LiveDispatchers counts dispatchers whose heartbeat is within lease, so a
// command such as nudge send knows whether `nudge serve` will send for it.
func (s *Store) LiveDispatchers(ctx context.Context, lease time.Duration) (int, error) {
	ds, err := s.dispatchers(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range ds {
		if s.alive(d, lease) {
			n++
		}
	}
	return n, nil
}

func (s *Store) dispatchers(ctx context.Context) (map[string]owner, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("dispatchers_all"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]owner{}
	for rows.Next() {
		var o owner
		var hb int64
		if err := rows.Scan(&o.id, &o.host, &o.pid, &o.started, &hb); err != nil {
			return nil, err
		}
		o.started = hb // reused below as the last heartbeat
		out[o.id] = o
	}
	return out, rows.Err()
}

// alive judges a dispatcher from its last heartbeat (held in started by
// dispatchers) and, on this host, from whether its process still exists:
// after a kill -9 the restart need not wait for the lease to run out.
func (s *Store) alive(o owner, lease time.Duration) bool {
	if s.clock.Now().Unix()-o.started > int64(lease/time.Second) {
		return false
	}
	if host, _ := os.Hostname(); host == o.host {
		if known, alive := processAlive(o.pid); known {
			return alive
		}
	}
	return true
}

// Resend tells orphan recovery whether a gateway is configured to resend
// submits whose outcome is unknown.
type Resend func(gateway string) bool

// RecoverOrphans finds messages left in sending by dispatchers that are no
// longer alive and either requeues them (their gateway says resend) or
// marks them for review. self is never treated as an orphan. It returns how
// many were marked for review and how many requeued.
func (s *Store) RecoverOrphans(ctx context.Context, self string, lease time.Duration, resend Resend) (review, requeued int, err error) {
	ds, err := s.dispatchers(ctx)
	if err != nil {
		return 0, 0, err
	}
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("sending_owners"))
	if err != nil {
		return 0, 0, err
	}
	var owners []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			rows.Close()
			return 0, 0, err
		}
		owners = append(owners, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	for _, o := range owners {
		if o == self {
			continue
		}
		if d, ok := ds[o]; ok && s.alive(d, lease) {
			continue
		}
		a, b, err := s.recoverOwner(ctx, o, resend)
		review += a
		requeued += b
		if err != nil {
			return review, requeued, err
		}
	}
	// Forget dead dispatchers that hold nothing any more.
	for id, d := range ds {
		if id != self && !s.alive(d, lease) {
			s.removeOwner(ctx, id)
		}
	}
	return review, requeued, nil
}

func (s *Store) recoverOwner(ctx context.Context, owner string, resend Resend) (review, requeued int, err error) {
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q.Get("sending_of_owner"), owner)
		if err != nil {
			return err
		}
		type row struct {
			id int64
			gw string
		}
		var rs []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.gw); err != nil {
				rows.Close()
				return err
			}
			rs = append(rs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := s.clock.Now().Unix()
		const why = "dispatcher stopped while submitting: the gateway may or may not have the message"
		for _, r := range rs {
			if resend != nil && resend(r.gw) {
				if _, err := tx.ExecContext(ctx, s.q.Get("requeue_sending"), now, why+" (resent: gateway resend=1)", now, r.id); err != nil {
					return err
				}
				requeued++
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q.Get("mark_review"), now, why, now, r.id); err != nil {
				return err
			}
			review++
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("outbox: recover messages of dispatcher %s: %w", owner, err)
	}
	return review, requeued, nil
}
