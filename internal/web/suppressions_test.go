package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"nudge/internal/customer"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
	"nudge/internal/web"
)

// newSuppressionFixture is a console with the policy service and one
// customer, A, opted in at the till.
func newSuppressionFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	b := newConsoleBase(t, db, customer.Customer{ExternalID: "A", Phone: "13800000001", Consent: "opted_in",
		ConsentSource: "pos", ConsentAt: start.AddDate(0, -1, 0)})
	return b.serve(web.Deps{Policy: b.policy()}, "13800000001", "13900000002", "13900000003")
}

func TestSuppressionPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newSuppressionFixture(t, db)
		b := f.signedIn(t)
		page := b.get("/suppressions")
		if page.status != http.StatusOK {
			t.Fatalf("GET: %d", page.status)
		}
		mustContain(t, page.body, "屏蔽名单", "名单为空。", `href="/suppressions"`)
		token := csrf(t, page.body)

		res := b.post("/suppressions", url.Values{"csrf": {token}, "phone": {"139 0000 0002"}, "reason": {"complaint"}, "note": {"12321"}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/suppressions?done=added" {
			t.Fatalf("add: %d %s", res.status, res.header.Get("Location"))
		}
		res = b.post("/suppressions", url.Values{"csrf": {token}, "phone": {"+8613900000002"}, "reason": {"complaint"}})
		if res.header.Get("Location") != "/suppressions?done=exists" {
			t.Fatalf("add again: %s", res.header.Get("Location"))
		}
		res = b.post("/suppressions", url.Values{"csrf": {token}, "phone": {"12"}, "reason": {"manual"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "无法识别这个手机号") {
			t.Fatalf("bad phone: %d", res.status)
		}
		if res := b.post("/suppressions", url.Values{"phone": {"13900000004"}, "reason": {"manual"}}); res.status != http.StatusForbidden {
			t.Fatalf("no csrf: %d", res.status)
		}
		res = b.post("/suppressions/import", url.Values{"csrf": {token}, "reason": {"opted_out"},
			"csv": {"13900000003\n13900000002,complaint\nnot a number\n"}})
		if res.status != http.StatusOK {
			t.Fatalf("import: %d", res.status)
		}
		mustContain(t, res.body, "新增 1 个，已在名单中 1 个，拒绝 1 行。", "139****0002", "139****0003", "投诉", "已退订", "名单中共 2 个号码")
		mustNotContain(t, res.body, "13900000002", "13900000003")

		f.clock.Set(start.Add(3 * time.Hour)) // 21:00 in Shanghai
		page = b.get("/suppressions?why=138+0000+0001&category=marketing")
		mustContain(t, page.body, "138****0001: defer", "推迟到 2026-11-02 08:00 CST",
			"quiet_hours defer quiet_hours: 21:00 Asia/Shanghai outside 08:00-20:00")
		mustNotContain(t, page.body, "13800000001")
		page = b.get("/suppressions?why=13900000002&category=order")
		mustContain(t, page.body, "139****0002: allow")

		export := b.get("/suppressions/export")
		if export.status != http.StatusOK || export.header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.HasPrefix(export.body, "phone,reason,source,note,created_at\n139****0002,complaint,console:ops,12321,") ||
			strings.Contains(export.body, "13900000002") {
			t.Fatalf("export %d %s:\n%s", export.status, export.header.Get("Content-Type"), export.body)
		}

		page = b.get("/suppressions")
		m := regexp.MustCompile(`action="/suppressions/(\d+)/remove"`).FindStringSubmatch(page.body)
		if m == nil {
			t.Fatalf("no remove button:\n%s", page.body)
		}
		id := m[1]
		if res := b.post("/suppressions/"+id+"/remove", url.Values{"csrf": {token}}); res.status != http.StatusSeeOther {
			t.Fatalf("remove %s: %d", id, res.status)
		}
		mustContain(t, b.get("/suppressions?done=removed").body, "已移除。", "名单中共 1 个号码")
		if res := b.post("/suppressions/999999/remove", url.Values{"csrf": {token}}); res.status != http.StatusNotFound {
			t.Fatalf("remove unknown: %d", res.status)
		}
	})
}
