package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"nudge/internal/phone"
)

// testNow is a fixed end of history, so that tests see the same shop every
// day.
var testNow = time.Date(2025, 6, 1, 0, 0, 0, 0, shanghai)

// shop is a generated shop parsed back from its CSV.
type shop struct {
	customers, orders, products []map[string]string
	raw                         [3][]byte
}

var shops = map[Options]*shop{}

// generate writes a shop and reads it back with encoding/csv, checking that
// every row has the header's columns. Shops are cached per options: several
// tests look at the same one.
func generate(t *testing.T, opt Options) *shop {
	t.Helper()
	if s, ok := shops[opt]; ok {
		return s
	}
	s := &shop{}
	writers := []func(io.Writer, Options) (int, error){WriteCustomers, WriteOrders, WriteProducts}
	tables := []*[]map[string]string{&s.customers, &s.orders, &s.products}
	for k, write := range writers {
		var buf bytes.Buffer
		n, err := write(&buf, opt)
		if err != nil {
			t.Fatal(err)
		}
		s.raw[k] = buf.Bytes()
		rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
		if err != nil {
			t.Fatalf("writer %d: not valid CSV: %v", k, err)
		}
		if len(rows)-1 != n {
			t.Fatalf("writer %d: reported %d rows, wrote %d", k, n, len(rows)-1)
		}
		for _, row := range rows[1:] {
			m := make(map[string]string, len(row))
			for i, col := range rows[0] {
				m[col] = row[i]
			}
			*tables[k] = append(*tables[k], m)
		}
	}
	shops[opt] = s
	return s
}

func TestSameSeedSameBytes(t *testing.T) {
	opt := Options{Seed: 42, Customers: 3000, Now: testNow}
	a := generate(t, opt)
	for k, write := range []func(io.Writer, Options) (int, error){WriteCustomers, WriteOrders, WriteProducts} {
		var again bytes.Buffer
		if _, err := write(&again, opt); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.raw[k], again.Bytes()) {
			t.Errorf("writer %d: a second run with the same options wrote different bytes", k)
		}
	}
	other := generate(t, Options{Seed: 43, Customers: 3000, Now: testNow})
	if bytes.Equal(a.raw[0], other.raw[0]) || bytes.Equal(a.raw[1], other.raw[1]) {
		t.Error("seeds 42 and 43 gave the same shop")
	}
	// A smaller shop is the start of a bigger one with the same seed.
	small := generate(t, Options{Seed: 42, Customers: 100, Now: testNow})
	if !bytes.HasPrefix(a.raw[0], small.raw[0][:bytes.LastIndexByte(small.raw[0][:len(small.raw[0])-1], '\n')]) {
		t.Error("the first 100 customers differ between shops of 100 and 3000")
	}
}

// TestGolden pins a few rows and the digest of a small shop, so that a
// change to the generator (or to math/rand/v2's algorithms) is a visible
// decision, not an accident. Update the values only on purpose.
func TestGolden(t *testing.T) {
	s := generate(t, Options{Seed: 42, Customers: 3000, Now: testNow})
	row := func(raw []byte, prefix string) string {
		for _, l := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(l, prefix) {
				return l
			}
		}
		return ""
	}
	for _, tc := range []struct {
		raw          []byte
		prefix, want string
	}{
		{s.raw[0], "C0000001,", "C0000001,13421446682,李俊阳,m,1962-09-08,上海,31.220306,121.626581,2022-12-01 22:47:05,Asia/Shanghai,慢病;价格敏感,opted_in,2022-12-27 13:53:55,miniapp,银卡,5348"},
		{s.raw[1], "202406300000003001,", "202406300000003001,C0000003,2024-06-30 15:41:41,completed,CNY,HS-003,保健品,1,132.05"},
		{s.raw[1], "202408180000003002,", "202408180000003002,C0000003,2024-08-18 15:52:00,completed,CNY,HS-003,保健品,1,139.00"},
		{s.raw[2], "MF-001,", "MF-001,飞鹤星飞帆 3段 700g,奶粉,248.00,113,20"},
	} {
		if got := row(tc.raw, tc.prefix); got != tc.want {
			t.Errorf("row %s:\n got %s\nwant %s", tc.prefix, got, tc.want)
		}
	}
	small := generate(t, Options{Seed: 1, Customers: 200, Now: testNow})
	for k, want := range []string{
		"1034611d9a6cbfde089f36f2497ba4113bf8908ac28d0e88ff1249f54952ed9a",
		"6ef4eaaedd54147bdd4af9945cc467a0c9884ac2b79c332fd1140ceeebc634dd",
		"a9424a75addf836000046ccb5127adf5901675376afb43ffdefba02f3001768d",
	} {
		if got := fmt.Sprintf("%x", sha256.Sum256(small.raw[k])); got != want {
			t.Errorf("writer %d: SHA-256 %s, want %s", k, got, want)
		}
	}
}

func TestPhonesAreValidUniqueMobiles(t *testing.T) {
	s := generate(t, Options{Seed: 42, Customers: 3000, Now: testNow})
	seen := map[string]bool{}
	carriers := map[phone.Carrier]int{}
	for _, c := range s.customers {
		n, err := phone.Normalize(c["phone"], "CN")
		if err != nil {
			t.Fatalf("customer %s: %v", c["id"], err)
		}
		if n.E164 != "+86"+c["phone"] || n.Carrier == "" {
			t.Fatalf("customer %s: %s normalised to %+v", c["id"], c["phone"], n)
		}
		if seen[n.E164] {
			t.Fatalf("phone %s given twice", c["phone"])
		}
		seen[n.E164] = true
		carriers[n.Carrier]++
	}
	if len(carriers) != 4 {
		t.Errorf("carriers %v, want all four", carriers)
	}
	if share := float64(carriers[phone.ChinaMobile]) / float64(len(s.customers)); share < 0.5 || share > 0.7 {
		t.Errorf("China Mobile share %.2f, want about 0.6", share)
	}
}

func TestPermuteIsABijection(t *testing.T) {
	seen := make([]uint64, 100_000_000/64+1) // a bit per 8-digit number
	for _, x := range []uint64{0, 1, 2, 99_999_999, 12_345_678} {
		if y := permute8(7, x); y >= 100_000_000 {
			t.Fatalf("permute8(%d) = %d, outside the 8-digit range", x, y)
		}
	}
	// Exhaustive over a slice of the domain: no two inputs collide.
	for x := range uint64(2_000_000) {
		y := permute8(7, x)
		if seen[y/64]&(1<<(y%64)) != 0 {
			t.Fatalf("permute8 maps two inputs to %d", y)
		}
		seen[y/64] |= 1 << (y % 64)
	}
}
