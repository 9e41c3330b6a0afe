package demo

import (
	"testing"
	"time"
)

func TestCivilAgreesWithTime(t *testing.T) {
	for d := int64(-40000); d < 40000; d += 3 {
		y, m, dd := civil(d)
		ty, tm, td := time.Unix(d*day, 0).UTC().Date()
		if y != int64(ty) || m != int(tm) || dd != td {
			t.Fatalf("civil(%d) = %d-%d-%d, time says %d-%d-%d", d, y, m, dd, ty, tm, td)
		}
		if back := daysFrom(y, m, dd); back != d {
			t.Fatalf("daysFrom(civil(%d)) = %d", d, back)
		}
		if wd := weekday(d); wd != int(time.Unix(d*day, 0).UTC().Weekday()) {
			t.Fatalf("weekday(%d) = %d", d, wd)
		}
	}
	for _, local := range []int64{0, 1, 86399, 1717200000 + tzOffset, -1, 4102444799} {
		want := time.Unix(local-tzOffset, 0).In(shanghai).Format("2006-01-02 15:04:05")
		if got := string(appendDateTime(nil, local)); got != want {
			t.Errorf("appendDateTime(%d) = %s, want %s", local, got, want)
		}
	}
	for fen, want := range map[int64]string{0: "0.00", 5: "0.05", 12990: "129.90", 100000: "1000.00"} {
		if got := string(appendMoney(nil, fen)); got != want {
			t.Errorf("appendMoney(%d) = %s, want %s", fen, got, want)
		}
	}
}

func TestToday(t *testing.T) {
	at := time.Date(2025, 3, 9, 17, 30, 0, 0, time.UTC) // 01:30 on the 10th in Shanghai
	if got, want := Today(at), time.Date(2025, 3, 10, 0, 0, 0, 0, shanghai); !got.Equal(want) {
		t.Errorf("Today(%v) = %v, want %v", at, got, want)
	}
}
