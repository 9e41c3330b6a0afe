package outbox

import (
	"bytes"
	"context"
	"testing"

	"nudge/internal/clock"
	"nudge/internal/pii"
	"nudge/internal/rekey"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// Key rotation re-seals the outbox's numbers and re-indexes them: after it,
// a store holding only the new key reads every message and finds them by
// number.
func TestRekeyReseals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		old := make([]byte, 32)
		next := bytes.Repeat([]byte{7}, 32)
		s := newStore(t, db, clock.NewFake(t0), Options{})
		res, err := s.Enqueue(ctx, msgs(Source{SourceAPI, "k"}, 3, "transactional"))
		if err != nil {
			t.Fatal(err)
		}
		both, _ := pii.NewKeyring(old, next)
		if n, err := rekey.Run(ctx, db, both, 2, nil); err != nil || n < 3 {
			t.Fatal(n, err)
		}
		only, _ := pii.NewKeyring(next)
		s2, err := NewStore(ctx, db, only, clock.NewFake(t0), Options{})
		if err != nil {
			t.Fatal(err)
		}
		v, err := s2.Get(ctx, res.IDs[2])
		if err != nil || v.Phone != "138****0002" {
			t.Fatalf("%+v %v", v, err)
		}
		got, err := s2.List(ctx, Filter{Phone: phoneN(1)})
		if err != nil || len(got) != 1 || got[0].ID != res.IDs[1] {
			t.Fatalf("by phone after rotation: %+v %v", got, err)
		}
	})
}
