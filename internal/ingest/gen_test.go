package ingest_test

import (
	"bufio"
	"io"
	"strconv"
	"time"
)

// A small deterministic generator of shop exports for the memory test and
// the benchmarks. It writes faster than an import reads, so that a pipe
// from it measures the importer, not the generator. (The demo store has
// its own, richer generator in internal/demo.)

var (
	genSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "欧阳", "上官"}
	genGiven    = []string{"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞"}
	genCities   = []struct{ name, lat, lon string }{
		{"上海", "31.2304", "121.4737"}, {"北京", "39.9042", "116.4074"}, {"广州", "23.1291", "113.2644"},
		{"深圳", "22.5431", "114.0579"}, {"杭州", "30.2741", "120.1551"}, {"成都", "30.5728", "104.0668"},
	}
	genPrefixes = []string{"138", "139", "135", "186", "131", "189", "177", "150", "158", "199"}
	genTags     = []string{"", "vip", "猫粮", "母婴;vip", "护肤", ""}
	genSKUs     = []struct{ sku, category, price string }{
		{"FORMULA-3", "infant formula", "268.00"}, {"DIAPER-L", "diapers", "89.90"}, {"CAT-2KG", "cat food", "129.90"},
		{"SERUM-30", "skincare", "359.00"}, {"TEE-M", "apparel", "79.00"}, {"KETTLE-1", "small appliances", "199.00"},
	}
	genEpoch = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
)

// rnd is a splitmix64 step: deterministic, allocation-free.
func rnd(i uint64) uint64 {
	z := i + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func appendID(b []byte, prefix byte, n int) []byte {
	b = append(b, prefix)
	s := strconv.AppendInt(nil, int64(n), 10)
	for i := len(s); i < 8; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// genCustomers writes n customers as CSV with canonical headers.
func genCustomers(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("id,phone,name,gender,birthday,city,lat,lon,registered_at,tags,consent\n")
	b := make([]byte, 0, 256)
	for i := range n {
		r := rnd(uint64(i))
		c := genCities[r%uint64(len(genCities))]
		b = appendID(b[:0], 'C', i)
		b = append(b, ',')
		b = append(b, genPrefixes[(r>>8)%uint64(len(genPrefixes))]...)
		// Eight digits unique per i, so that every customer has their own number.
		d := strconv.AppendInt(nil, int64(i), 10)
		for k := len(d); k < 8; k++ {
			b = append(b, '0')
		}
		b = append(b, d...)
		b = append(b, ',')
		b = append(b, genSurnames[(r>>16)%uint64(len(genSurnames))]...)
		b = append(b, genGiven[(r>>24)%uint64(len(genGiven))]...)
		b = append(b, ',', "fm"[(r>>32)%2], ',')
		b = genEpoch.AddDate(-20-int((r>>33)%40), 0, -int((r>>40)%365)).AppendFormat(b, "2006-01-02")
		b = append(b, ',')
		b = append(b, c.name...)
		b = append(b, ',')
		b = append(b, c.lat...)
		b = append(b, ',')
		b = append(b, c.lon...)
		b = append(b, ',')
		b = genEpoch.Add(-time.Duration((r>>20)%(3*365*86400))*time.Second).AppendFormat(b, "2006-01-02 15:04:05")
		b = append(b, ',')
		b = append(b, genTags[(r>>48)%uint64(len(genTags))]...)
		b = append(b, ',')
		b = append(b, [...]string{"opted_in", "unknown", "opted_out"}[(r>>52)%3]...)
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// genOrders writes n order lines as CSV, one to three lines an order, for
// customers C00000000 .. C(customers-1).
func genOrders(w io.Writer, n, customers int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("order_id,customer_id,ordered_at,status,sku,category,quantity,amount\n")
	b := make([]byte, 0, 256)
	order, left := 0, 0
	var r uint64
	var at []byte
	var cust, line int
	for range n {
		if left == 0 {
			order++
			r = rnd(uint64(order) + 1<<40)
			left = 1 + int(r%3)
			cust = int((r >> 8) % uint64(customers))
			at = genEpoch.Add(-time.Duration((r>>20)%(365*86400))*time.Second).AppendFormat(at[:0], "2006-01-02 15:04:05")
			line = 0
		}
		left--
		line++
		s := genSKUs[(int(r>>4)+line)%len(genSKUs)] // distinct within an order
		b = appendID(b[:0], 'O', order)
		b = append(b, ',')
		b = appendID(b, 'C', cust)
		b = append(b, ',')
		b = append(b, at...)
		b = append(b, ",paid,"...)
		b = append(b, s.sku...)
		b = append(b, ',')
		b = append(b, s.category...)
		b = append(b, ",1,"...)
		b = append(b, s.price...)
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}
