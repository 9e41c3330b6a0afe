package intel_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/customer"
	"nudge/internal/intel"
	"nudge/internal/pii"
	"nudge/internal/store"
)

// now is the tests' clock: 2026-11-01 18:00 in Shanghai.
var now = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

func newCustomers(t *testing.T, db *store.DB) *customer.Store {
	t.Helper()
	kr, err := pii.NewKeyring(bytes.Repeat([]byte{5}, 32))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := customer.NewStore(context.Background(), db, kr, clock.NewFake(now), customer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func newService(t *testing.T, db *store.DB, loc *time.Location) *intel.Service {
	t.Helper()
	svc, err := intel.NewService(context.Background(), db, intel.Options{Clock: clock.NewFake(now), Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
