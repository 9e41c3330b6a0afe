package compose

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

func TestCouponImportAndDraw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		p, created, err := f.svc.CreatePool(ctx, "spring", " 春季满减 ")
		if err != nil || !created || p.Name != "spring" || p.Description != "春季满减" || p.Total != 0 || !p.CreatedAt.Equal(t0) {
			t.Fatalf("create: %+v %v %v", p, created, err)
		}
		if _, created, err := f.svc.CreatePool(ctx, "spring", "other"); err != nil || created {
			t.Fatalf("create again: %v %v", created, err)
		}
		var fe *FieldError
		if _, _, err := f.svc.CreatePool(ctx, "spring-2", ""); !errors.As(err, &fe) || fe.Field != "name" {
			t.Fatalf("bad name: %v", err)
		}
		file := "\uFEFFcode\nAAA111\nBBB222\nAAA111\nbad code!\n\n\"CCC333\",extra\n"
		res, err := f.svc.ImportFile(ctx, "spring", strings.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		want := ImportResult{Added: 3, Duplicates: 1, Rejected: 1,
			Problems: []CodeProblem{{Line: 5, Code: "bad code!", Reason: "use 1-64 letters, digits, - or _"}}}
		if !reflect.DeepEqual(res, want) {
			t.Fatalf("import: %+v", res)
		}
		// Again: nothing new; a code is unique across pools too.
		if res, err := f.svc.ImportFile(ctx, "spring", strings.NewReader(file)); err != nil || res.Added != 0 || res.Duplicates != 4 {
			t.Fatalf("import again: %+v %v", res, err)
		}
		f.svc.CreatePool(ctx, "other", "")
		if res, err := f.svc.ImportCodes(ctx, "other", []string{"CCC333", " DDD444 ", ""}); err != nil || res.Added != 1 || res.Duplicates != 1 {
			t.Fatalf("import into another pool: %+v %v", res, err)
		}
		if _, err := f.svc.ImportCodes(ctx, "nope", []string{"X1"}); !errors.Is(err, ErrNoPool) {
			t.Fatalf("import into a missing pool: %v", err)
		}

		tpl := "券码{{coupon.spring}}，再说一次：{{coupon.spring}}"
		draw := func(key string) (string, error) {
			m, err := f.svc.Render(ctx, tpl, &f.c1, "order", Extras{MessageKey: key, NoLint: true})
			return m.Text, err
		}
		for _, tc := range []struct{ key, text string }{
			{"m1", "券码AAA111，再说一次：AAA111"},
			{"m1", "券码AAA111，再说一次：AAA111"}, // a retried send: the same code
			{"m2", "券码BBB222，再说一次：BBB222"},
		} {
			if got, err := draw(tc.key); err != nil || got != tc.text {
				t.Fatalf("draw %s: %q %v", tc.key, got, err)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM coupon_codes WHERE message_key = ? AND customer_id = ? AND drawn_at = ?`, "m1", f.c1.ID, t0.Unix()); n != 1 {
			t.Fatalf("m1's draw recorded %d times", n)
		}
		if p, err := f.svc.PoolStatus(ctx, "spring"); err != nil || p.Total != 3 || p.Drawn != 2 || p.Remaining != 1 {
			t.Fatalf("status: %+v %v", p, err)
		}
		// A bare {{coupon}} draws from the send's pool.
		m, err := f.svc.Render(ctx, "{{coupon}}", &f.c1, "order", Extras{MessageKey: "m3", CouponPool: "spring", NoLint: true})
		if err != nil || m.Text != "CCC333" {
			t.Fatalf("bare coupon: %q %v", m.Text, err)
		}
		// Empty now: the error names the pool and the field's place.
		_, err = draw("m4")
		var re *RenderError
		if !errors.As(err, &re) || !errors.Is(err, ErrPoolEmpty) || re.Field != "coupon.spring" || re.Pos.Column != 3 ||
			err.Error() != `template: field {{coupon.spring}} at line 1, column 3 (byte 6): coupon pool "spring" has no codes left; import or generate more` {
			t.Fatalf("empty pool: %v", err)
		}
		// Earlier messages still get their code.
		if got, err := draw("m2"); err != nil || got != "券码BBB222，再说一次：BBB222" {
			t.Fatalf("retry after empty: %q %v", got, err)
		}
		for _, tc := range []struct {
			tpl string
			x   Extras
			is  error
		}{
			{"{{coupon}}", Extras{MessageKey: "k"}, ErrNoPool},
			{"{{coupon.autumn}}", Extras{MessageKey: "k"}, ErrNoPool},
			{"{{coupon.other}}", Extras{}, ErrNoMessageKey},
		} {
			if _, err := f.svc.Render(ctx, tc.tpl, &f.c1, "order", tc.x); !errors.Is(err, tc.is) {
				t.Errorf("%s %+v: %v, want %v", tc.tpl, tc.x, err, tc.is)
			}
		}
		// A code the sender passes is used and nothing is drawn.
		if m, err := f.svc.Render(ctx, "{{coupon.other}}", &f.c1, "order", Extras{Values: map[string]string{"coupon.other": "MINE"}}); err != nil || m.Text != "MINE" {
			t.Fatalf("given code: %q %v", m.Text, err)
		}
		pools, err := f.svc.Pools(ctx)
		if err != nil || len(pools) != 2 || pools[0].Name != "other" || pools[0].Remaining != 1 || pools[1].Name != "spring" || pools[1].Remaining != 0 {
			t.Fatalf("pools: %+v %v", pools, err)
		}
	})
}

func TestGenerateCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.svc.CreatePool(ctx, "vip", "")
		res, err := f.svc.Generate(ctx, "vip", 1234, "VIP-", 0)
		if err != nil || res.Added != 1234 {
			t.Fatalf("generate: %+v %v", res, err)
		}
		format := regexp.MustCompile(`^VIP-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$`)
		rows, err := db.R.QueryContext(ctx, `SELECT code FROM coupon_codes`)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var c string
			rows.Scan(&c)
			if !format.MatchString(c) {
				t.Errorf("code %q", c)
			}
			n++
		}
		rows.Close()
		if n != 1234 {
			t.Fatalf("%d codes stored", n)
		}
		var fe *FieldError
		for _, tc := range []struct {
			n      int
			prefix string
			length int
			field  string
		}{{0, "", 0, "count"}, {MaxGenerate + 1, "", 0, "count"}, {1, "", 5, "length"}, {1, "有", 0, "prefix"}} {
			if _, err := f.svc.Generate(ctx, "vip", tc.n, tc.prefix, tc.length); !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("generate %+v: %v", tc, err)
			}
		}
	})
}

// TestConcurrentDraws draws from one pool in two goroutines: every message
// gets its own code, no code goes to two messages, and two goroutines
// drawing for the same messages get the same codes.
func TestConcurrentDraws(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		const per = 150
		f.svc.CreatePool(ctx, "flash", "")
		if _, err := f.svc.Generate(ctx, "flash", 2*per, "F", 0); err != nil {
			t.Fatal(err)
		}
		got := make([][]string, 2)
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for g := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range per {
					code, err := f.svc.Draw(ctx, "flash", fmt.Sprintf("g%d-%d", g, i), f.c1.ID)
					if err != nil {
						errs <- err
						return
					}
					got[g] = append(got[g], code)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, codes := range got {
			for _, c := range codes {
				if seen[c] {
					t.Fatalf("code %s drawn twice", c)
				}
				seen[c] = true
			}
		}
		if len(seen) != 2*per {
			t.Fatalf("%d distinct codes, want %d", len(seen), 2*per)
		}
		if _, err := f.svc.Draw(ctx, "flash", "late", 0); !errors.Is(err, ErrPoolEmpty) {
			t.Fatalf("draw from an exhausted pool: %v", err)
		}

		// Both goroutines draw for the same message keys at once.
		f.svc.CreatePool(ctx, "race", "")
		if _, err := f.svc.Generate(ctx, "race", 2*per, "R", 0); err != nil {
			t.Fatal(err)
		}
		same := make([][]string, 2)
		errs = make(chan error, 2)
		start := make(chan struct{})
		for g := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := range per {
					code, err := f.svc.Draw(ctx, "race", fmt.Sprintf("msg-%d", i), 0)
					if err != nil {
						errs <- err
						return
					}
					same[g] = append(same[g], code)
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(same[0], same[1]) {
			t.Fatal("two draws for the same message got different codes")
		}
		if p, _ := f.svc.PoolStatus(ctx, "race"); p.Drawn != per || p.Remaining != per {
			t.Fatalf("race pool: %+v, want %d drawn", p, per)
		}
	})
}
