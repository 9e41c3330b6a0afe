package link

import (
	"bytes"
	"context"
	"crypto/hmac"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"nudge/internal/clock"
	"nudge/internal/pii"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

var t0 = time.Date(2025, 6, 1, 4, 0, 0, 0, time.UTC)

func newService(t testing.TB, db *store.DB, opt Options) (*Service, *pii.Keyring) {
	t.Helper()
	keys, err := pii.NewKeyring(bytes.Repeat([]byte{5}, 32))
	if err != nil {
		t.Fatal(err)
	}
	if opt.BaseURL == "" {
		opt.BaseURL = "https://s.shop.example/"
	}
	s, err := New(context.Background(), db, keys, clock.NewFake(t0), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, keys
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func TestRedirectRecordsClicks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, keys := newService(t, db, Options{})
		mustExec(t, db, `INSERT INTO customers (external_id, created_at, updated_at) VALUES ('C1', 0, 0)`)
		u, err := s.Create(ctx, "https://shop.example/p?id=1#reviews", "spring", "v1", 1)
		if err != nil {
			t.Fatal(err)
		}
		token := strings.TrimPrefix(u, "https://s.shop.example/l/")
		if len(token) != 8 || !validToken(token) {
			t.Fatalf("url %s", u)
		}
		mux := http.NewServeMux()
		s.Handler().Register(mux)
		srv := httptest.NewServer(mux)
		defer srv.Close()
		client := &http.Client{CheckRedirect: noRedirect}
		get := func(method, path, ua string, hdr ...string) *http.Response {
			req, _ := http.NewRequest(method, srv.URL+path, nil)
			req.Header.Set("User-Agent", ua)
			for i := 0; i+1 < len(hdr); i += 2 {
				req.Header.Set(hdr[i], hdr[i+1])
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}
		const iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
		resp := get("GET", "/l/"+token, iphone)
		resp.Body.Close()
		want := "https://shop.example/p?id=1&utm_source=sms&utm_medium=nudge&utm_campaign=spring&utm_content=v1#reviews"
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%d %q %q", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Cache-Control"))
		}
		get("HEAD", "/l/"+token, iphone).Body.Close()
		get("GET", "/l/"+token, "WhatsApp/2.23.20.0 A").Body.Close()
		get("GET", "/l/"+token, iphone, "Sec-Purpose", "prefetch").Body.Close()

		for _, path := range []string{"/l/zzzzzzzz", "/l/bad-token!"} {
			resp = get("GET", path, iphone)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "这个链接无效") ||
				!strings.Contains(string(body), "this link is not valid") {
				t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
			}
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		rows, err := db.R.Query(`SELECT k.link_id, l.customer_id, k.at, k.user_agent, k.ip_hash, k.bot FROM link_clicks k JOIN links l ON l.id = k.link_id ORDER BY k.id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		mac := hmac.New(newSM3, keys.IPKey())
		mac.Write([]byte("127.0.0.1"))
		wantHash := mac.Sum(nil)[:16]
		var got []string
		for rows.Next() {
			var link, cust, at int64
			var ua, bot string
			var h []byte
			if err := rows.Scan(&link, &cust, &at, &ua, &h, &bot); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(h, wantHash) {
				t.Fatalf("ip hash %x, want %x", h, wantHash)
			}
			got = append(got, fmt.Sprintf("%d %d %d %q", link, cust, at, bot))
		}
		wantRows := []string{
			fmt.Sprintf(`1 1 %d ""`, t0.Unix()),
			fmt.Sprintf(`1 1 %d "head"`, t0.Unix()),
			fmt.Sprintf(`1 1 %d "preview:whatsapp"`, t0.Unix()),
			fmt.Sprintf(`1 1 %d "prefetch"`, t0.Unix()),
		}
		if strings.Join(got, "\n") != strings.Join(wantRows, "\n") {
			t.Fatalf("clicks:\n%s", strings.Join(got, "\n"))
		}
		human, bot, err := s.ClickCounts(ctx)
		if err != nil || human != 1 || bot != 3 {
			t.Fatalf("counts %d %d %v", human, bot, err)
		}
		st, err := s.Stats(ctx, "spring")
		if err != nil || st != (CampaignStats{Links: 1, Clicks: 1, Clickers: 1, BotHits: 3}) {
			t.Fatalf("stats %+v %v", st, err)
		}
	})
}

func TestCreateRedrawsCollidingTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(t, db, Options{TokenLength: 10})
		seq := []string{"AAAAAAAAAA", "AAAAAAAAAA", "BBBBBBBBBB", "AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC", "DDDDDDDDDD"}
		s.token = func(n int) string { tok := seq[0]; seq = seq[1:]; return tok }
		u1, err := s.Create(ctx, "https://shop.example/a", "", "", 0)
		if err != nil || u1 != "https://s.shop.example/l/AAAAAAAAAA" {
			t.Fatal(u1, err)
		}
		u2, err := s.Create(ctx, "https://shop.example/b", "", "", 0)
		if err != nil || u2 != "https://s.shop.example/l/BBBBBBBBBB" {
			t.Fatal(u2, err)
		}
		// In a batch: AAAA and BBBB are taken, CCCC and DDDD are drawn.
		us, err := s.CreateBatch(ctx, []Spec{{Target: "https://shop.example/c"}, {Target: "https://shop.example/d", CustomerID: 0}})
		if err != nil || strings.Join(us, " ") != "https://s.shop.example/l/CCCCCCCCCC https://s.shop.example/l/DDDDDDDDDD" {
			t.Fatal(us, err)
		}
		if loc, err := s.Resolve(ctx, "DDDDDDDDDD"); err != nil || loc != "https://shop.example/d?utm_source=sms&utm_medium=nudge" {
			t.Fatal(loc, err)
		}
		if _, err := s.Create(ctx, "javascript:alert(1)", "", "", 0); err == nil {
			t.Fatal("javascript: target accepted")
		}
		if _, err := s.Resolve(ctx, "EEEEEEEEEE"); err != ErrNotFound {
			t.Fatal(err)
		}
	})
}

func TestEveryClickWrittenByClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// A tiny queue and batch: the handlers wait for room, none drops.
		s, _ := newService(t, db, Options{Buffer: 16, Batch: 50, QueueWait: 10 * time.Second})
		u, err := s.Create(ctx, "https://shop.example/", "c", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		path := strings.TrimPrefix(u, "https://s.shop.example")
		h := s.Handler()
		var wg sync.WaitGroup
		const workers, each = 8, 500
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					mux := http.NewServeMux()
					h.Register(mux)
					req := httptest.NewRequest("GET", path, nil)
					req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone)")
					rec := httptest.NewRecorder()
					mux.ServeHTTP(rec, req)
					if rec.Code != http.StatusFound {
						t.Errorf("status %d", rec.Code)
						return
					}
				}
			}()
		}
		wg.Wait()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		// After Close a click is written synchronously.
		mux := http.NewServeMux()
		h.Register(mux)
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone)")
		mux.ServeHTTP(httptest.NewRecorder(), req)
		human, bot, err := s.ClickCounts(ctx)
		if err != nil || human != workers*each+1 || bot != 0 {
			t.Fatalf("%d human, %d bot, %v", human, bot, err)
		}
		if st := s.RecorderStats(); st.Written != workers*each+1 || st.Dropped != 0 {
			t.Fatalf("%+v", st)
		}
	})
}

func mustExec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.W.Exec(db.Rebind(q), args...); err != nil {
		t.Fatal(err)
	}
}
