package web

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

func TestMoney(t *testing.T) {
	for _, tc := range []struct {
		fen      int64
		currency string
		want     string
	}{{29900, "CNY", "¥299.00"}, {5, "", "¥0.05"}, {-1250, "CNY", "¥-12.50"}, {1999, "USD", "USD 19.99"}} {
		if got := money(tc.fen, tc.currency); got != tc.want {
			t.Errorf("money(%d, %q) = %q, want %q", tc.fen, tc.currency, got, tc.want)
		}
	}
}

func TestWhen(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	if got := when(time.Date(2025, 12, 31, 16, 30, 0, 0, time.UTC), sh); got != "2026-01-01 00:30" {
		t.Errorf("when = %q", got)
	}
	if got := when(time.Time{}, sh); got != "" {
		t.Errorf("zero time = %q", got)
	}
}

func TestAttributeList(t *testing.T) {
	got := attributeList(json.RawMessage(`{"z":1.50,"a":"x","n":null,"obj":{"k":[1,2]},"big":12345678901234567890,"ok":true}`))
	want := "[{a x} {big 12345678901234567890} {n } {obj {\"k\":[1,2]}} {ok true} {z 1.50}]"
	if s := fmt.Sprint(got); s != want {
		t.Errorf("attributes %s\nwant       %s", s, want)
	}
	if got := attributeList(json.RawMessage(`{}`)); len(got) != 0 {
		t.Errorf("empty: %v", got)
	}
}
