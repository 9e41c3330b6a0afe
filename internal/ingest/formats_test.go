package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"nudge/internal/customer"
	"nudge/internal/ingest"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// A GBK export, as Chinese Excel saves "CSV (逗号分隔)": no BOM, and the
// Chinese text is not UTF-8.
func TestImportGBK(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cs := newStore(t, db)
		src := lines(
			"会员编号,手机号码,客户姓名,性别,所在城市,标签",
			"G1,13812341234,欧阳娜娜,女,广州,母婴；高价值",
			"G2,1381234,张三,男,北京,",
		)
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(src)
		if err != nil {
			t.Fatal(err)
		}
		if gbk == src {
			t.Fatal("the fixture did not change when encoded")
		}
		path := writeFile(t, "gbk.csv", gbk)
		sum, err := importFile(t, cs, ingest.Customers, path, ingest.Options{})
		if err != nil || sum.Taken != 1 || sum.Rejected != 1 {
			t.Fatalf("%s %v", sum, err)
		}
		g1, err := cs.GetByExternalID(ctx, "G1")
		if err != nil || g1.Name != "欧阳娜娜" || g1.City != "广州" || g1.Gender != "f" || strings.Join(g1.Tags, "|") != "母婴|高价值" {
			t.Fatalf("G1 = %+v %v", g1, err)
		}
		// The rejects file is UTF-8 (with a BOM for Excel) whatever the input.
		want := "\ufeffline,reason,会员编号,手机号码,客户姓名,性别,所在城市,标签\n" +
			"3,bad phone number (no such number (wrong length or prefix)),G2,1381234,张三,男,北京,\n"
		if got := readFile(t, path+".rejects.csv"); got != want {
			t.Fatalf("rejects\n got %q\nwant %q", got, want)
		}
	})
}

// JSONL with the same names as CSV headers: tags as an array, attributes
// as an object, numbers as numbers, and lines that are not JSON.
func TestImportJSONL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cs := newStore(t, db)
		path := writeFile(t, "members.jsonl", lines(
			`{"id":"J1","phone":"13812341234","name":"王小明","tags":["vip","猫粮"],"lat":31.2304,"lon":121.4737,"attributes":{"level":"gold","points":1200},"会员来源":"小程序"}`,
			``,
			`{"id":"J2","手机号":"13912341234","consent":"opted_in","consent_at":"2025-01-02","consent_source":"pos"}`,
			`not json`,
			`["J3"]`,
			`{"id":"J4","phone":"13712341234","birthday":"1990-13-01"}`,
		))
		sum, err := importFile(t, cs, ingest.Customers, path, ingest.Options{})
		want := "customers: 5 rows, 2 taken (2 new, 0 updated, 0 unchanged), 3 rejected -> " + path + ".rejects.csv, 0.0s"
		if err != nil || sum.String() != want {
			t.Fatalf("summary\n got %s %v\nwant %s", sum, err, want)
		}
		j1, _ := cs.GetByExternalID(ctx, "J1")
		if j1.Name != "王小明" || strings.Join(j1.Tags, "|") != "vip|猫粮" || *j1.Lat != 31.2304 || *j1.Lon != 121.4737 ||
			string(j1.Attributes) != `{"level":"gold","points":"1200","会员来源":"小程序"}` {
			t.Fatalf("J1 = %+v", j1)
		}
		j2, _ := cs.GetByExternalID(ctx, "J2")
		if j2.Phone != "+8613912341234" || j2.Consent != customer.ConsentOptedIn || j2.ConsentSource != "pos" || j2.ConsentAt.Format("2006-01-02 15:04") != "2025-01-01 16:00" {
			t.Fatalf("J2 = %+v", j2)
		}
		wantRejects := "\ufeffline,reason,record\n" +
			`4,not a JSON object: invalid character 'o' in literal null (expecting 'u') (at byte 2),not json` + "\n" +
			`5,"not a JSON object: expected an object, found array","[""J3""]"` + "\n" +
			`6,"bad date in birthday: ""1990-13-01"" is not a date (use 2006-01-02, 2006-01-02 15:04:05, 20060102 or RFC 3339)","{""id"":""J4"",""phone"":""13712341234"",""birthday"":""1990-13-01""}"` + "\n"
		if got := readFile(t, path+".rejects.csv"); got != wantRejects {
			t.Fatalf("rejects\n got %q\nwant %q", got, wantRejects)
		}
		// Same input, same attributes: map order must not make a change.
		sum, _ = importFile(t, cs, ingest.Customers, path, ingest.Options{})
		if sum.Unchanged != 2 {
			t.Fatalf("second import: %s", sum)
		}

		orders := writeFile(t, "orders.ndjson", lines(
			`{"order_id":"JO1","customer_id":"J1","ordered_at":"2026-10-01T12:00:00Z","sku":"CAT-1","quantity":2,"amount":"259.80"}`,
			`{"order_id":"JO1","customer_id":"J1","ordered_at":"2026-10-01T12:00:00Z","sku":"TOY-9","amount":39}`,
		))
		sum, err = importFile(t, cs, ingest.Orders, orders, ingest.Options{})
		if err != nil || sum.Taken != 2 || sum.Orders.Inserted != 1 {
			t.Fatalf("orders: %s %v", sum, err)
		}
		got, _ := cs.OrdersOf(ctx, j1.ID, 5)
		if len(got) != 1 || got[0].Amount != 29880 || got[0].Items != 3 {
			t.Fatalf("JO1 = %+v", got)
		}
	})
}

// Standard input: the format comes from the content, and refused rows go
// to stdin.rejects.csv in the working directory.
func TestImportStdin(t *testing.T) {
	db := storetest.SQLite(t)
	cs := newStore(t, db)
	t.Chdir(t.TempDir())
	in := strings.NewReader(lines("phone,name", "13812341234,甲", "bad,乙"))
	sum, err := ingest.Import(context.Background(), cs, in, ingest.Options{Kind: ingest.Customers, Name: "-"})
	if err != nil || sum.Taken != 1 || sum.Rejected != 1 || sum.RejectsPath != "stdin.rejects.csv" {
		t.Fatalf("%+v %v", sum, err)
	}
	if got := readFile(t, "stdin.rejects.csv"); got != "\ufeffline,reason,phone,name\n3,bad phone number (not a phone number),bad,乙\n" {
		t.Fatalf("rejects %q", got)
	}
	// A customer without a shop id is keyed by phone, so a second import
	// of the same number finds it.
	found, err := cs.FindByPhone(context.Background(), "13812341234")
	if err != nil || len(found) != 1 || found[0].Name != "甲" {
		t.Fatalf("%+v %v", found, err)
	}
	sum, err = ingest.Import(context.Background(), cs, strings.NewReader(`{"phone":"13812341234","name":"甲"}`), ingest.Options{Kind: ingest.Customers})
	if err != nil || sum.Unchanged != 1 || sum.Rejected != 0 {
		t.Fatalf("%+v %v", sum, err)
	}
	noFile(t, "stdin.rejects.csv")
}

// Files that cannot be imported at all fail whole, with a message that
// says why, and leave no rejects file behind.
func TestImportUnreadable(t *testing.T) {
	db := storetest.SQLite(t)
	cs := newStore(t, db)
	dir := t.TempDir()
	cases := []struct {
		name, content string
		kind          ingest.Kind
		want          string
	}{
		{"logo.csv", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", ingest.Customers, "not a text file (it contains NUL bytes)"},
		{"empty.csv", "", ingest.Customers, "the file is empty"},
		{"names.csv", "名字,城市\n张三,上海\n", ingest.Customers, `customers: no phone column (or 手机号, 手机, 手机号码); the header has "名字", "城市"`},
		{"orders.csv", "订单号,会员ID,金额\nO1,C1,1\n", ingest.Orders, `orders: no ordered_at column (or 下单时间, 付款时间, 订单时间); the header has "订单号", "会员ID", "金额"`},
		{"orders.jsonl", `{"order_id":"O1","customer_id":"C1","ordered_at":"2026-01-01","amount":1}` + "\n", ingest.Orders, `orders: no sku column (or 商品编码, 货号, 商品编号); the header has "amount", "customer_id", "order_id", "ordered_at"`},
		{"all.json", `[{"phone":"13812341234"}]`, ingest.Customers, "a JSON array: write one object per line (JSONL) instead"},
		{"utf16.csv", "\xff\xfep\x00h\x00", ingest.Customers, "the file is UTF-16 text; save it as CSV (UTF-8) instead"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name)
			if err := os.WriteFile(path, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			// A stale rejects file from an earlier run goes too.
			if err := os.WriteFile(path+".rejects.csv", []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			sum, err := importFile(t, cs, c.kind, path, ingest.Options{})
			if err == nil || err.Error() != path+": "+c.want {
				t.Fatalf("error\n got %v\nwant %s: %s", err, path, c.want)
			}
			if sum.Rows != 0 {
				t.Fatalf("rows %d", sum.Rows)
			}
			noFile(t, path+".rejects.csv")
		})
	}
}

// The rejects file is created before the input is read: naming the input
// as the rejects file must not wipe it.
func TestImportRejectsPathIsInput(t *testing.T) {
	cs := newStore(t, storetest.SQLite(t))
	path := writeFile(t, "members.csv", "phone\n13812341234\n")
	_, err := importFile(t, cs, ingest.Customers, path, ingest.Options{RejectsPath: path})
	if err == nil || err.Error() != path+": the rejects file would overwrite the input" {
		t.Fatalf("error %v", err)
	}
	if got := readFile(t, path); got != "phone\n13812341234\n" {
		t.Fatalf("input now %q", got)
	}
}

// A quote left open would make the rest of the file one field; the import
// stops at a megabyte instead of holding the file, keeping what came before.
func TestImportRunawayQuote(t *testing.T) {
	cs := newStore(t, storetest.SQLite(t))
	big := "phone,name\n13812341234,甲\n13912341234,\"乙\n" + strings.Repeat("13712341234,丙\n", 100000)
	path := writeFile(t, "open-quote.csv", big)
	sum, err := importFile(t, cs, ingest.Customers, path, ingest.Options{})
	if err == nil || !strings.HasSuffix(err.Error(), "a record runs over 1 MB (is a quote left open?)") || sum.Taken != 1 {
		t.Fatalf("%s %v", sum, err)
	}
}

// Attributes do not depend on column order: the same export with its
// columns moved changes no customer.
func TestAttributesIgnoreColumnOrder(t *testing.T) {
	cs := newStore(t, storetest.SQLite(t))
	a := writeFile(t, "a.csv", "id,phone,积分,会员等级\nC1,13812341234,1200,金卡\n")
	b := writeFile(t, "b.csv", "会员等级,phone,积分,id\n金卡,13812341234,1200,C1\n")
	if sum, err := importFile(t, cs, ingest.Customers, a, ingest.Options{}); err != nil || sum.Inserted != 1 {
		t.Fatalf("%s %v", sum, err)
	}
	if sum, err := importFile(t, cs, ingest.Customers, b, ingest.Options{}); err != nil || sum.Unchanged != 1 {
		t.Fatalf("%s %v", sum, err)
	}
	c, _ := cs.GetByExternalID(context.Background(), "C1")
	if string(c.Attributes) != `{"会员等级":"金卡","积分":"1200"}` {
		t.Fatalf("attributes %s", c.Attributes)
	}
}
