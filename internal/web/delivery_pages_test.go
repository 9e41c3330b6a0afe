package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"nudge/internal/gateway"
	"nudge/internal/gateway/sim"
	"nudge/internal/inbound"
	"nudge/internal/outbox"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
	"nudge/internal/web"
)

// newDeliveryFixture is a console with the outbox, the gateway
// configuration (the simulator's kind only) and the inbox: one message
// queued to 138 0000 0001 and one reply waiting from 139 0000 0002.
func newDeliveryFixture(t *testing.T, db *store.DB) (*fixture, *outbox.Store) {
	t.Helper()
	ctx := context.Background()
	b := newConsoleBase(t, db)
	out, err := outbox.NewStore(ctx, db, b.kr, b.clk, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := out.Enqueue(ctx, []outbox.Message{{Key: "k1", Source: outbox.Source{Kind: "campaign", Ref: "spring"},
		Phone: "13800000001", Text: "春季上新，全场8折", Category: "marketing"}}); err != nil {
		t.Fatal(err)
	}
	in := inbound.New(db, b.kr, b.clk, out, nil, nil, inbound.Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := in.Handle(ctx, gateway.Reply{Gateway: "sim", From: "+8613900000002", Text: "几号发货？", At: start}); err != nil {
		t.Fatal(err)
	}
	reg, _ := gateway.NewRegistry(sim.Kind)
	f := b.serve(web.Deps{Delivery: &web.Delivery{Outbox: out, Gateways: gateway.NewStore(db, b.kr, b.clk), Registry: reg, Inbox: in}},
		"13800000001", "13900000002", "hunter2")
	return f, out
}

func TestDeliveryPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, _ := newDeliveryFixture(t, db)
		b := f.signedIn(t)

		page := b.get("/messages")
		if page.status != http.StatusOK {
			t.Fatalf("messages: %d", page.status)
		}
		mustContain(t, page.body, "短信记录", "138****0001", "campaign:spring", "春季上新，全场8折", "排队中", `href="/messages/1"`)
		mustNotContain(t, page.body, "13800000001")
		if p := b.get("/messages?status=delivered"); !strings.Contains(p.body, "没有符合条件的短信。") {
			t.Error("filter by status")
		}
		if p := b.get("/messages?phone=138+0000+0001"); !strings.Contains(p.body, "138****0001") {
			t.Error("filter by phone")
		}
		page = b.get("/messages/1")
		mustContain(t, page.body, "短信 #1", "campaign:spring", "UCS-2", "计费 1 条", "排队中", "2026-11-01 10:00:00")
		if p := b.get("/messages/99"); p.status != http.StatusNotFound {
			t.Errorf("unknown message: %d", p.status)
		}

		page = b.get("/inbox")
		mustContain(t, page.body, "回复收件箱", "139****0002", "几号发货？", "留言")
		mustNotContain(t, page.body, "13900000002")
		res := b.post("/inbox/1/handled", url.Values{"csrf": {csrf(t, page.body)}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("handled: %d", res.status)
		}
		mustContain(t, b.get("/inbox").body, "没有待处理的回复。")
		mustContain(t, b.get("/inbox?all=1").body, "已处理")

		page = b.get("/gateways")
		mustContain(t, page.body, "还没有通道。", "添加通道")
		token := csrf(t, page.body)
		res = b.post("/gateways", url.Values{"csrf": {token}, "name": {"sim"}, "url": {"sim://?seed=2&token=hunter2"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("add: %d %s", res.status, res.body)
		}
		page = b.get("/gateways")
		mustContain(t, page.body, "sim://?seed=2&amp;token=***", "未运行：没有发送进程")
		mustNotContain(t, page.body, "hunter2")
		res = b.post("/gateways", url.Values{"csrf": {token}, "name": {"x"}, "url": {"smpp://id:hunter2@h:1"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "unknown scheme smpp://") || strings.Contains(res.body, "hunter2") {
			t.Fatalf("bad URL: %d", res.status)
		}
		if p := b.get("/gateways/sim/log"); p.status != http.StatusOK || !strings.Contains(p.body, "暂无记录。") {
			t.Fatalf("log: %d", p.status)
		}
		if res := b.post("/gateways/sim/remove", url.Values{"csrf": {token}}); res.status != http.StatusSeeOther {
			t.Fatalf("remove: %d", res.status)
		}
		mustContain(t, b.get("/gateways").body, "还没有通道。")
	})
}
