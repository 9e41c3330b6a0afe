package segment_test

import (
	"context"
	"strings"
	"testing"

	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// TestEngagementMembers records messages, clicks and replies for the shop's
// customers in the delivery, link and inbound tables and checks who is
// engaged. Today is 2026-11-01: the last 30 days start on 10-03.
//
//	A  messaged 10-30 (submitted), clicked 10-30 by a person
//	B  messaged 09-01 (old); a message queued 10-31 never submitted; a bot clicked 10-31
//	C  replied 10-20
//	D  replied 08-01 (old)
func TestEngagementMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sh := newShop(t, db)
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.W.ExecContext(ctx, db.Rebind(q), args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`INSERT INTO outbox_sources (id, kind, ref, created_at, updated_at) VALUES (1, 'campaign', 'c1', 0, 0)`)
		msg := `INSERT INTO messages (idem_key, source_id, customer_id, phone_enc, phone_index, pii_key, category, text, encoding, parts,
			status, next_at, queued_at, submitted_at, updated_at) VALUES (?, 1, ?, ?, ?, 'k', 'marketing', 'hi', 'GSM-7', 1, ?, 0, ?, ?, 0)`
		exec(msg, "m1", sh.ids["A"], []byte{1}, []byte{1}, "delivered", at("2026-10-30").Unix(), at("2026-10-30").Unix())
		exec(msg, "m2", sh.ids["B"], []byte{2}, []byte{2}, "delivered", at("2026-09-01").Unix(), at("2026-09-01").Unix())
		exec(msg, "m3", sh.ids["B"], []byte{3}, []byte{3}, "queued", at("2026-10-31").Unix(), nil)
		exec(`INSERT INTO links (id, token, target, customer_id, created_at) VALUES (1, 'ta', 'https://x', ?, 0), (2, 'tb', 'https://x', ?, 0)`,
			sh.ids["A"], sh.ids["B"])
		exec(`INSERT INTO link_click_counts (link_id, human, bot, first_human_at, last_human_at) VALUES (1, 1, 0, ?, ?), (2, 0, 1, NULL, NULL)`,
			at("2026-10-30").Unix(), at("2026-10-30").Unix())
		reply := `INSERT INTO inbox (gateway, phone_enc, phone_index, pii_key, customer_id, text, kind, status, received_at) VALUES ('sim', ?, ?, 'k', ?, '1', 'message', 'open', ?)`
		exec(reply, []byte{4}, []byte{4}, sh.ids["C"], at("2026-10-20").Unix())
		exec(reply, []byte{5}, []byte{5}, sh.ids["D"], at("2026-08-01").Unix())
		exec(reply, []byte{6}, []byte{6}, nil, at("2026-10-21").Unix()) // a stranger

		for _, tc := range []struct{ rule, want string }{
			{`{"field":"engagement.messaged","op":"within_last_days","value":30}`, "A"},
			{`{"field":"engagement.messaged","op":"within_last_days","value":90}`, "A B"},
			{`{"field":"engagement.clicked","op":"within_last_days","value":30}`, "A"},
			{`{"field":"engagement.replied","op":"within_last_days","value":30}`, "C"},
			{`{"field":"engagement.replied","op":"within_last_days","value":120}`, "C D"},
			{`{"field":"engagement.replied","op":"not_within_last_days","value":30}`, "A B D E F"},
			// No interaction of any kind in 30 days: hygiene's "inactive".
			{`{"not":{"any":[{"field":"engagement.messaged","op":"within_last_days","value":30},{"field":"engagement.clicked","op":"within_last_days","value":30},{"field":"engagement.replied","op":"within_last_days","value":30}]}}`, "B D E F"},
		} {
			if got := strings.Join(sh.members(t, tc.rule), " "); got != tc.want {
				t.Errorf("%s\n got [%s]\nwant [%s]", tc.rule, got, tc.want)
			}
		}
	})
}
