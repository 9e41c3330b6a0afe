package segment_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"nudge/internal/customer"
	"nudge/internal/segment"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

func TestSegmentCRUD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sh := newShop(t, db)
		rule := []byte(` { "all" : [ {"field":"city","op":"eq","value":"上海"} ] } `)
		sg, err := sh.seg.Create(ctx, "上海客户", "shoppers in Shanghai", rule)
		if err != nil {
			t.Fatal(err)
		}
		if sg.Name != "上海客户" || sg.Builtin || string(sg.Rule) != `{"all":[{"field":"city","op":"eq","value":"上海"}]}` ||
			!sg.CreatedAt.Equal(now.Truncate(time.Second)) {
			t.Errorf("created %+v (%s)", sg, sg.Rule)
		}
		if _, err := sh.seg.Create(ctx, "上海客户", "", rule); !errors.Is(err, segment.ErrExists) {
			t.Errorf("duplicate: %v", err)
		}
		var re *segment.RuleError
		if _, err := sh.seg.Create(ctx, "bad", "", []byte(`{"field":"citty","op":"eq","value":"x"}`)); !errors.As(err, &re) || re.Path != "rules.field" {
			t.Errorf("bad rule: %v", err)
		}
		for _, name := range []string{"", " x", "a/b", strings.Repeat("名", 65)} {
			if _, err := sh.seg.Create(ctx, name, "", rule); err == nil {
				t.Errorf("name %q accepted", name)
			}
		}

		sh.clock.Set(now.Add(time.Hour))
		up, err := sh.seg.Update(ctx, "value", "edited", []byte(`{"field":"orders.count","op":"gte","value":4,"within_days":90}`))
		if err != nil || !up.Builtin || up.Description != "edited" || !up.UpdatedAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("update built-in: %+v %v", up, err)
		}
		if got := strings.Join(sh.members(t, string(up.Rule)), " "); got != "A" {
			t.Errorf("edited value segment: %s", got)
		}
		if _, err := sh.seg.Update(ctx, "nope", "", rule); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("update missing: %v", err)
		}
		if err := sh.seg.Delete(ctx, "dormant"); !errors.Is(err, segment.ErrBuiltin) {
			t.Errorf("delete built-in: %v", err)
		}
		if _, err := sh.seg.Freeze(ctx, "上海客户"); err != nil {
			t.Fatal(err)
		}
		if err := sh.seg.Delete(ctx, "上海客户"); !errors.Is(err, segment.ErrInUse) {
			t.Errorf("delete with snapshot: %v", err)
		}
		if _, err := sh.seg.Create(ctx, "temp", "", rule); err != nil {
			t.Fatal(err)
		}
		if err := sh.seg.Delete(ctx, "temp"); err != nil {
			t.Fatal(err)
		}
		if _, err := sh.seg.Get(ctx, "temp"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted segment still there: %v", err)
		}
		list, err := sh.seg.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range list {
			names = append(names, s.Name)
		}
		if strings.Join(names, ",") != "dormant,potential,value,上海客户" {
			t.Errorf("list %v", names)
		}
	})
}

// TestFreezeIsStable checks that a snapshot keeps its members when the
// data behind the segment changes.
func TestFreezeIsStable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sh := newShop(t, db)
		snap, err := sh.seg.Freeze(ctx, "value")
		if err != nil {
			t.Fatal(err)
		}
		if snap.Members != 1 || !strings.Contains(snap.Rule, `"orders.count"`) {
			t.Fatalf("snapshot %+v", snap)
		}
		// B buys twice more at 60000: now B is a value customer too.
		orders := []customer.Order{
			{OrderID: "B3", CustomerID: "B", OrderedAt: at("2026-10-26"), Lines: []customer.Line{line("SHOE-3", "服装", 60000)}},
			{OrderID: "B4", CustomerID: "B", OrderedAt: at("2026-10-27"), Lines: []customer.Line{line("SHOE-4", "服装", 60000)}},
		}
		for i := range orders {
			if err := orders[i].Normalize(); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := sh.customers.UpsertOrders(ctx, orders); err != nil {
			t.Fatal(err)
		}
		sg, _ := sh.seg.Get(ctx, "value")
		if got := strings.Join(sh.members(t, string(sg.Rule)), " "); got != "A B" {
			t.Fatalf("live members %s", got)
		}
		ids, err := sh.seg.SnapshotMembers(ctx, snap.ID, 0, 100)
		if err != nil || len(ids) != 1 || ids[0] != sh.ids["A"] {
			t.Errorf("frozen members %v %v", ids, err)
		}
		again, err := sh.seg.Freeze(ctx, "value")
		if err != nil || again.Members != 2 || again.ID == snap.ID {
			t.Errorf("second snapshot %+v %v", again, err)
		}
		ids, _ = sh.seg.SnapshotMembers(ctx, again.ID, sh.ids["A"], 100)
		if len(ids) != 1 || ids[0] != sh.ids["B"] {
			t.Errorf("page after A: %v", ids)
		}
	})
}

func TestExportAndPreview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sh := newShop(t, db)
		r, err := segment.ParseRule([]byte(`{"field":"city","op":"eq","value":"上海"}`))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		n, err := sh.seg.Export(ctx, r, &buf, segment.ExportOptions{Actor: "cli:test", Label: "上海"})
		if err != nil || n != 3 {
			t.Fatalf("export %d %v", n, err)
		}
		if want := "external_id,phone\nA,138****0001\nB,138****0002\nE,138****0005\n"; buf.String() != want {
			t.Errorf("masked export %q", buf.String())
		}
		if sh.log.Len() != 0 {
			t.Errorf("masked export logged: %s", sh.log)
		}
		buf.Reset()
		if _, err := sh.seg.Export(ctx, r, &buf, segment.ExportOptions{ClearPhones: true, Actor: "cli:test", Label: "上海"}); err != nil {
			t.Fatal(err)
		}
		if want := "external_id,phone\nA,+8613800000001\nB,+8613800000002\nE,+8613800000005\n"; buf.String() != want {
			t.Errorf("clear export %q", buf.String())
		}
		logged := sh.log.String()
		if !strings.Contains(logged, "export with clear phone numbers finished") || !strings.Contains(logged, "actor=cli:test") ||
			!strings.Contains(logged, "rows=3") || strings.Contains(logged, "13800000001") {
			t.Errorf("clear export log: %s", logged)
		}
		ms, err := sh.seg.Preview(ctx, r, 2)
		if err != nil || len(ms) != 2 || ms[0] != (segment.Member{ID: sh.ids["A"], ExternalID: "A", Phone: "138****0001", City: "上海"}) {
			t.Errorf("preview %+v %v", ms, err)
		}
	})
}
