package ingest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"nudge/internal/customer"
	"nudge/internal/ingest"
	"nudge/internal/store"
	"nudge/internal/store/storetest"
)

// A member export as a Chinese shop system writes it: UTF-8 with a BOM,
// Chinese headers, an unknown column (会员等级), a name with a line break in
// a quoted cell, and four rows that must be refused.
var customersCSV = "\ufeff" + lines(
	"会员ID,手机号,姓名,性别,生日,城市,注册时间,标签,是否同意营销,会员等级",
	`C1,138 1234 1234,王小明,男,1990/5/4,上海,2024-03-01 10:00:00,"vip;猫粮",是,金卡`,
	"C2,12345,李娜,女,,北京,,,,银卡",
	"C3,+86 189 1234 5678,赵六,f,1985-02-30,杭州,,,,",
	`C4,13012345678,"钱`,
	`七",女,,深圳,20240105,"a，b、c",否,`,
	"C5,13912345678,孙八,x,,,,,,",
	"C6,13712345678,周九,,,,,,,",
	"C7,13612345678",
)

const customersRejects = "\ufeffline,reason,会员ID,手机号,姓名,性别,生日,城市,注册时间,标签,是否同意营销,会员等级\n" +
	"3,bad phone number (no such number (wrong length or prefix)),C2,12345,李娜,女,,北京,,,,银卡\n" +
	`4,"bad date in birthday: ""1985-02-30"" is not a date (use 2006-01-02, 2006-01-02 15:04:05, 20060102 or RFC 3339)",C3,+86 189 1234 5678,赵六,f,1985-02-30,杭州,,,,` + "\n" +
	`7,"""x"" is not a gender (f/m, 女/男)",C5,13912345678,孙八,x,,,,,,` + "\n" +
	`9,"wrong number of fields: 2, header has 10",C7,13612345678` + "\n"

func TestImportCustomersCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cs := newStore(t, db)
		path := writeFile(t, "members.csv", customersCSV)
		rejects := path + ".rejects.csv"

		sum, err := importFile(t, cs, ingest.Customers, path, ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := "customers: 7 rows, 3 taken (3 new, 0 updated, 0 unchanged), 4 rejected -> " + rejects + ", 0.0s"
		if sum.String() != want {
			t.Fatalf("summary\n got %s\nwant %s", sum, want)
		}
		if got := readFile(t, rejects); got != customersRejects {
			t.Fatalf("rejects file\n got %q\nwant %q", got, customersRejects)
		}
		c1, err := cs.GetByExternalID(ctx, "C1")
		if err != nil {
			t.Fatal(err)
		}
		if c1.Phone != "+8613812341234" || c1.Name != "王小明" || c1.Gender != "m" || c1.Birthday != "1990-05-04" || c1.City != "上海" ||
			!c1.RegisteredAt.Equal(time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)) || strings.Join(c1.Tags, "|") != "vip|猫粮" ||
			c1.Consent != customer.ConsentOptedIn || string(c1.Attributes) != `{"会员等级":"金卡"}` {
			t.Fatalf("C1 = %+v", c1)
		}
		c4, _ := cs.GetByExternalID(ctx, "C4")
		if c4.Name != "钱\n七" || strings.Join(c4.Tags, "|") != "a|b|c" || c4.Consent != customer.ConsentOptedOut ||
			!c4.RegisteredAt.Equal(time.Date(2024, 1, 4, 16, 0, 0, 0, time.UTC)) || string(c4.Attributes) != "{}" {
			t.Fatalf("C4 = %+v", c4)
		}

		// The same file again changes nothing.
		sum, err = importFile(t, cs, ingest.Customers, path, ingest.Options{})
		if err != nil || sum.Taken != 3 || sum.Unchanged != 3 || sum.Inserted+sum.Updated != 0 || sum.Rejected != 4 {
			t.Fatalf("second import: %s %v", sum, err)
		}
		if n := count(t, db, "customers"); n != 3 {
			t.Fatalf("%d customers after the second import", n)
		}
		again, _ := cs.GetByExternalID(ctx, "C1")
		if !again.UpdatedAt.Equal(c1.UpdatedAt) {
			t.Fatal("an unchanged row was rewritten")
		}

		// The rejects file, corrected, imports as it is; a clean run removes
		// the stale rejects file of the earlier one.
		fixed := strings.NewReplacer("12345,", "13512345678,", "1985-02-30", "1985-02-28", ",x,", ",女,", "C7,13612345678", "C7,13612345678,,,,,,,,").Replace(customersRejects)
		if err := writeTo(rejects, fixed); err != nil {
			t.Fatal(err)
		}
		sum, err = importFile(t, cs, ingest.Customers, rejects, ingest.Options{})
		if err != nil || sum.String() != "customers: 4 rows, 4 taken (4 new, 0 updated, 0 unchanged), 0 rejected, 0.0s" {
			t.Fatalf("corrected rejects: %s %v", sum, err)
		}
		if c2, _ := cs.GetByExternalID(ctx, "C2"); c2.Phone != "+8613512345678" || string(c2.Attributes) != `{"会员等级":"银卡"}` {
			t.Fatalf("C2 from the rejects file = %+v", c2)
		}
		noFile(t, rejects+".rejects.csv")

		// An updated row updates; the others stay.
		if err := writeTo(path, strings.Replace(customersCSV, "C6,13712345678,周九,,,,", "C6,13712345678,周九,,,广州,", 1)); err != nil {
			t.Fatal(err)
		}
		sum, err = importFile(t, cs, ingest.Customers, path, ingest.Options{})
		if err != nil || sum.Updated != 1 || sum.Unchanged != 2 || sum.Inserted != 0 {
			t.Fatalf("update: %s %v", sum, err)
		}
		if c6, _ := cs.GetByExternalID(ctx, "C6"); c6.City != "广州" {
			t.Fatalf("C6 city %q", c6.City)
		}
	})
}

var ordersCSV = lines(
	"订单号,会员ID,下单时间,订单状态,商品编码,类目,数量,实付金额",
	"O1,C1,2026-10-01 12:00:00,Paid,CAT-1,猫粮,2,259.80",
	"O1,C1,2026-10-01 12:00:00,Paid,TOY-9,玩具,,39",
	"O2,C9,2026-10-02,paid,X,,1,10.00",
	"O3,C1,2026/13/01,paid,X,,1,10.00",
	"O4,C1,20261003,paid,X,,0,10.00",
	"O5,C1,20261003,paid,X,,1,-1",
	`O6,C1,2026-10-04T08:00:00+08:00,paid,"Y",,1,"1,299.00"`,
	`O7,C1,2026-10-05,paid,A"B,,1,5`,
	"O8,C1,2026-10-06,paid,Z,,1,abc",
)

const ordersRejects = "\ufeffline,reason,订单号,会员ID,下单时间,订单状态,商品编码,类目,数量,实付金额\n" +
	`4,"unknown customer ""C9"" (import customers first)",O2,C9,2026-10-02,paid,X,,1,10.00` + "\n" +
	`5,"bad date in ordered_at: ""2026/13/01"" is not a date (use 2006-01-02, 2006-01-02 15:04:05, 20060102 or RFC 3339)",O3,C1,2026/13/01,paid,X,,1,10.00` + "\n" +
	`6,"quantity must be at least 1, got 0",O4,C1,20261003,paid,X,,0,10.00` + "\n" +
	"7,negative amount -1.00,O5,C1,20261003,paid,X,,1,-1\n" +
	`9,"CSV quote error at line 9, column 24: bare "" in non-quoted-field"` + "\n" +
	`10,"bad amount: ""abc"" is not an amount in yuan (like 129.90)",O8,C1,2026-10-06,paid,Z,,1,abc` + "\n"

func TestImportOrdersCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cs := newStore(t, db)
		if _, err := cs.UpsertCustomers(ctx, []customer.Customer{{ExternalID: "C1", Phone: "13812341234"}}); err != nil {
			t.Fatal(err)
		}
		path := writeFile(t, "orders.csv", ordersCSV)
		sum, err := importFile(t, cs, ingest.Orders, path, ingest.Options{BatchSize: 3})
		if err != nil {
			t.Fatal(err)
		}
		want := "orders: 9 rows, 3 taken (3 new, 0 updated, 0 unchanged; orders 2 new, 0 updated, 0 unchanged), 6 rejected -> " + path + ".rejects.csv, 0.0s"
		if sum.String() != want {
			t.Fatalf("summary\n got %s\nwant %s", sum, want)
		}
		if got := readFile(t, path+".rejects.csv"); got != ordersRejects {
			t.Fatalf("rejects file\n got %q\nwant %q", got, ordersRejects)
		}
		c1, _ := cs.GetByExternalID(ctx, "C1")
		got, err := cs.OrdersOf(ctx, c1.ID, 10)
		if err != nil || len(got) != 2 {
			t.Fatalf("orders %+v %v", got, err)
		}
		o6, o1 := got[0], got[1]
		if o1.OrderID != "O1" || o1.Amount != 29880 || o1.Items != 3 || o1.Status != "paid" || o1.Currency != "CNY" ||
			!o1.OrderedAt.Equal(time.Date(2026, 10, 1, 4, 0, 0, 0, time.UTC)) || len(o1.Lines) != 2 || o1.Lines[1] != (customer.Line{SKU: "TOY-9", Category: "玩具", Quantity: 1, Amount: 3900}) {
			t.Fatalf("O1 = %+v", o1)
		}
		if o6.OrderID != "O6" || o6.Amount != 129900 || !o6.OrderedAt.Equal(time.Date(2026, 10, 4, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("O6 = %+v", o6)
		}

		// Again: nothing changes, whatever the batch size.
		sum, err = importFile(t, cs, ingest.Orders, path, ingest.Options{})
		want = "orders: 9 rows, 3 taken (0 new, 0 updated, 3 unchanged; orders 0 new, 0 updated, 2 unchanged), 6 rejected -> " + path + ".rejects.csv, 0.0s"
		if err != nil || sum.String() != want {
			t.Fatalf("second import\n got %s %v\nwant %s", sum, err, want)
		}
		if o, l, _ := cs.Counts(ctx); o != 2 || l != 3 {
			t.Fatalf("%d orders, %d lines after the second import", o, l)
		}
		// Once the customer exists, the refused order goes in: only the
		// rows that were wrong are refused again.
		if _, err := cs.UpsertCustomers(ctx, []customer.Customer{{ExternalID: "C9", Phone: "13912341234"}}); err != nil {
			t.Fatal(err)
		}
		sum, err = importFile(t, cs, ingest.Orders, path, ingest.Options{})
		if err != nil || sum.Taken != 4 || sum.Inserted != 1 || sum.Unchanged != 3 || sum.Rejected != 5 {
			t.Fatalf("third import: %s %v", sum, err)
		}
	})
}

func TestImportProducts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cs := newStore(t, db)
		path := writeFile(t, "products.csv", lines(
			"商品编码,商品名称,类目,售价,库存,安全库存",
			"CAT-1,冻干猫粮 2kg,猫粮,¥129.90,40,50",
			"DIA-3,纸尿裤 L,母婴,89,\"1,200\",100",
			"BAD,坏价格,,12.345,1,1",
			",无编码,,1,1,1",
		))
		sum, err := importFile(t, cs, ingest.Products, path, ingest.Options{})
		if err != nil || sum.Taken != 2 || sum.Inserted != 2 || sum.Rejected != 2 {
			t.Fatalf("%s %v", sum, err)
		}
		p, err := cs.Product(ctx, "DIA-3")
		if err != nil || p.Name != "纸尿裤 L" || p.Price != 8900 || p.Stock != 1200 || p.SafetyStock != 100 || p.Category != "母婴" {
			t.Fatalf("DIA-3 = %+v %v", p, err)
		}
		want := "\ufeffline,reason,商品编码,商品名称,类目,售价,库存,安全库存\n" +
			`4,"bad price: ""12.345"" is not an amount in yuan (like 129.90)",BAD,坏价格,,12.345,1,1` + "\n" +
			"5,missing sku,,无编码,,1,1,1\n"
		if got := readFile(t, path+".rejects.csv"); got != want {
			t.Fatalf("rejects\n got %q\nwant %q", got, want)
		}
		sum, _ = importFile(t, cs, ingest.Products, path, ingest.Options{})
		if sum.Unchanged != 2 || sum.Taken != 2 {
			t.Fatalf("second import: %s", sum)
		}
	})
}
