package ingest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"nudge/internal/customer"
	"nudge/internal/ingest"
)

func TestParseRecords(t *testing.T) {
	loc, _ := customer.LoadLocation("Asia/Shanghai")
	c, err := ingest.ParseCustomerRecord(map[string]string{
		"会员ID": "C1", "手机号": "13812341234", "姓名": "王小明", "标签": "vip；猫粮", "纬度": "31.2", "经度": "121.5",
		"注册时间": "2024-03-01 10:00:00", "会员等级": "金卡", "积分": "1200",
	}, loc)
	if err != nil || c.ExternalID != "C1" || c.Phone != "13812341234" || strings.Join(c.Tags, "|") != "vip|猫粮" ||
		*c.Lat != 31.2 || *c.Lon != 121.5 || !c.RegisteredAt.Equal(time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)) ||
		string(c.Attributes) != `{"会员等级":"金卡","积分":"1200"}` {
		t.Fatalf("%+v %v", c, err)
	}
	_, err = ingest.ParseCustomerRecord(map[string]string{"phone": "13812341234", "lat": "north"}, loc)
	var fe *customer.FieldError
	if !errors.As(err, &fe) || fe.Field != "lat" || ingest.Reason(err) != `bad latitude "north"` {
		t.Fatalf("bad latitude: %v", err)
	}

	o, err := ingest.ParseOrderRecord(map[string]string{"订单号": "O1", "会员ID": "C1", "下单时间": "20261001", "商品编码": "A", "实付金额": "¥1,299.5"}, loc)
	if err != nil || o.OrderID != "O1" || o.CustomerID != "C1" || o.Currency != "CNY" || !o.OrderedAt.Equal(time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC)) ||
		len(o.Lines) != 1 || o.Lines[0] != (customer.Line{SKU: "A", Quantity: 1, Amount: 129950}) {
		t.Fatalf("%+v %v", o, err)
	}
	_, err = ingest.ParseOrderRecord(map[string]string{"order_id": "O1", "customer_id": "C1", "ordered_at": "2026-10-01", "sku": "A", "amount": "1", "currency": "EURO"}, loc)
	if err == nil || ingest.Reason(err) != `"EURO" is not a three-letter currency code` {
		t.Fatalf("currency: %v", err)
	}

	p, err := ingest.ParseProductRecord(map[string]string{"sku": "CAT-1", "商品名称": "猫粮", "售价": "129.90", "库存": "3.0"})
	if err != nil || p != (customer.Product{SKU: "CAT-1", Name: "猫粮", Price: 12990, Stock: 3}) {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := ingest.ParseProductRecord(map[string]string{"sku": "X", "price": "-1"}); err == nil || ingest.Reason(err) != "negative price -1.00" {
		t.Fatalf("negative price: %v", err)
	}
}
