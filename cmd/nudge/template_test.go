package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nudge/internal/customer"
)

func templateShop(t *testing.T) []string {
	return intelStore(t, func(ctx context.Context, cs *customer.Store) {
		if _, err := cs.UpsertCustomers(ctx, []customer.Customer{
			{ExternalID: "C1", Phone: "13812345678", Name: "王小明", Gender: "m", Attributes: json.RawMessage(`{"nickname":"小明"}`)},
		}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTemplatePreviewCommand(t *testing.T) {
	flags := templateShop(t)
	run := func(args ...string) (int, string, string) { return intelRun(t, append(args, flags...)...) }
	code, out, errs := run("template", "preview", "--customer", "138 1234 5678", "--category", "marketing",
		"{{surname_title}}，{{nickname}}专享满199减30，今晚24点前有效，立即进店")
	want := "王先生，小明专享满199减30，今晚24点前有效，立即进店 回TD退订\n" +
		"UCS-2, 1 segment, 35 UTF-16 units (70 per segment), 35 characters\n" +
		"customer C1 (王**, 138****5678)\n" +
		"0-0 no_signature: no signature; start the message with 【Brand】\n" +
		"0-35 length: 35 characters; marketing copy reads best at 65-75 including the link\n"
	if code != 0 || out != want {
		t.Fatalf("code %d\n got %q\nwant %q\nstderr %s", code, out, want, errs)
	}
	// A file, JSON, a per-message value; the name is masked.
	file := filepath.Join(t.TempDir(), "t.txt")
	os.WriteFile(file, []byte("{{name}}，订单{{order_no}}已发货\n"), 0o600)
	code, out, errs = run("template", "preview", "--customer", "C1", "--value", "order_no=O-1001", "--json", file)
	if code != 0 || out != `{"text":"王**，订单O-1001已发货","encoding":"UCS-2","segments":1,"units":15,"per_segment":70,"chars":15,`+
		`"warnings":[{"code":"no_signature","message":"no signature; start the message with 【Brand】","message_zh":"缺少签名，请在开头加上【店名】","start":0,"end":0},`+
		`{"code":"no_cta","message":"no call to action; tell the reader what to do (点击, 立即领取, shop now)","message_zh":"缺少行动号召，请告诉读者下一步（如点击、立即领取）","start":0,"end":15}],`+
		`"customer":{"id":1,"external_id":"C1","name":"王**","phone":"138****5678"}}`+"\n" {
		t.Fatalf("json: %d %s %s", code, out, errs)
	}
	if strings.Contains(out, "王小明") || strings.Contains(out, "13812345678") {
		t.Fatal("personal data in the clear")
	}
	// A field without value names itself and its place.
	code, _, errs = run("template", "preview", "--customer", "C1", "积分{{points}}")
	if code != 1 || !strings.Contains(errs, "template: field {{points}} at line 1, column 3 (byte 6) has no value and no fallback") {
		t.Fatalf("missing field: %d %s", code, errs)
	}
}

func TestCouponCommands(t *testing.T) {
	flags := templateShop(t)
	run := func(args ...string) (int, string, string) { return intelRun(t, append(args, flags...)...) }
	file := filepath.Join(t.TempDir(), "codes.csv")
	os.WriteFile(file, []byte("code,value\nAAA111,50\nBBB222,50\nAAA111,50\nbad code,50\n"), 0o600)
	code, out, errs := run("coupon", "import", "spring", file)
	if code != 2 || out != "spring: 2 added, 1 duplicates, 1 rejected; 2 of 2 codes left\n" ||
		errs != "line 5: \"bad code\": use 1-64 letters, digits, - or _\n" {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	if code, out, errs := run("coupon", "generate", "vip", "--count", "5", "--prefix", "V"); code != 0 ||
		out != "vip: 5 added, 0 duplicates, 0 rejected; 5 of 5 codes left\n" {
		t.Fatalf("generate: %d %q %s", code, out, errs)
	}
	if code, out, _ := run("coupon", "status"); code != 0 || out != "POOL                          TOTAL      DRAWN  REMAINING\n"+
		"spring                            2          0          2\n"+
		"vip                               5          0          5\n" {
		t.Fatalf("status: %d\n%s", code, out)
	}
	code, out, _ = run("coupon", "status", "spring", "--json")
	var got struct {
		Pools []struct {
			Name      string `json:"name"`
			Remaining int    `json:"remaining"`
		} `json:"pools"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || len(got.Pools) != 1 || got.Pools[0].Name != "spring" || got.Pools[0].Remaining != 2 {
		t.Fatalf("status --json: %d %s", code, out)
	}
	if code, _, errs := run("coupon", "status", "autumn"); code != 1 || !strings.Contains(errs, `no such coupon pool "autumn"`) {
		t.Fatalf("unknown pool: %d %s", code, errs)
	}
	// The preview shows a sample code as long as the pool's, and draws none.
	if code, out, errs := run("template", "preview", "--customer", "C1", "券码{{coupon.spring}}"); code != 0 || !strings.HasPrefix(out, "券码XXXXXX\n") {
		t.Fatalf("preview with a coupon: %d %q %s", code, out, errs)
	}
	if _, out, _ := run("coupon", "status", "spring"); !strings.Contains(out, "spring                            2          0          2") {
		t.Fatalf("after preview:\n%s", out)
	}
}

func TestTemplateStartersCommand(t *testing.T) {
	code, out, _ := intelRun(t, "template", "starters", "--locale", "en", "--category", "staff")
	if code != 0 || out != "staff_notice (staff, en): {{name|Team}}, urgent meeting at {{place}}, {{time}}. Please be on time and reply 1 to confirm.\n" {
		t.Fatalf("starters: %d %q", code, out)
	}
	code, out, _ = intelRun(t, "template", "starters", "--json")
	var got struct {
		Starters []map[string]string `json:"starters"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || len(got.Starters) != 36 || got.Starters[0]["key"] != "order_confirmation" {
		t.Fatalf("starters --json: %d %d", code, len(got.Starters))
	}
}
