package policy_test

import (
	"bytes"
	"context"
	"testing"

	"nudge/internal/customer"
	"nudge/internal/pii"
	"nudge/internal/policy"
	"nudge/internal/rekey"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// TestSuppressionSurvivesKeyRotation: the list is keyed by the blind
// index, which changes with the key; during and after a rotation the
// number must stay suppressed, for lookups by number and for the loader's
// join on customers.phone_index.
func TestSuppressionSurvivesKeyRotation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, consenting("R", "13700000007"))
		if _, err := f.pol.Suppress(ctx, "13700000007", policy.ReasonComplaint, "carrier", ""); err != nil {
			t.Fatal(err)
		}
		both, err := pii.NewKeyring(testKey, bytes.Repeat([]byte{4}, 32))
		if err != nil {
			t.Fatal(err)
		}
		mid, err := policy.New(ctx, db, both, f.clk, policy.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer mid.Close()
		// Mid-rotation: rows still carry the old index.
		if got, _ := mid.CheckSuppressed(ctx, "13700000007", "marketing"); got != policy.ReasonComplaint {
			t.Fatalf("before re-sealing: %q", got)
		}
		// Suppressing again under the new key replaces the old entry.
		if added, err := mid.Suppress(ctx, "13700000007", policy.ReasonComplaint, "carrier", ""); err != nil || added {
			t.Fatalf("again: %v %v", added, err)
		}
		if n, _ := mid.CountSuppressions(ctx, ""); n != 1 {
			t.Fatalf("%d entries", n)
		}
		if _, err := rekey.Run(ctx, db, both, 100, nil); err != nil {
			t.Fatal(err)
		}
		cs, err := customer.NewStore(ctx, db, both, f.clk, customer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		c, err := cs.GetByExternalID(ctx, "R")
		if err != nil {
			t.Fatal(err)
		}
		r, err := mid.Recipient(ctx, c.ID, t0)
		if err != nil || r.Suppressed != policy.SuppressedComplaint {
			t.Fatalf("after rotation: %+v %v", r, err)
		}
		list, err := mid.Suppressions(ctx, 0, 10, "")
		if err != nil || len(list) != 1 || list[0].Phone != "+8613700000007" {
			t.Fatalf("%+v %v", list, err)
		}
	})
}
