package demo

import "strconv"

// Times in the generator are "local seconds": Unix seconds plus the
// Shanghai offset, so that a day is a plain division and formatting needs no
// time.Time in the per-row path. Days are local days since 1970-01-01.

// civil converts a local day number to a calendar date (Howard Hinnant's
// days-to-civil algorithm, valid for the proleptic Gregorian calendar).
func civil(days int64) (y int64, m, d int) {
	z := days + 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// daysFrom converts a calendar date to a local day number (the inverse of
// civil).
func daysFrom(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := int64(m + 9)
	if m > 2 {
		mp = int64(m - 3)
	}
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// weekday returns 0 for Sunday ... 6 for Saturday; 1970-01-01 was a Thursday.
func weekday(days int64) int { return int(((days+4)%7 + 7) % 7) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// appendDate writes YYYY-MM-DD.
func appendDate(b []byte, days int64) []byte {
	y, m, d := civil(days)
	b = appendPad(b, y, 4)
	b = append(b, '-')
	b = appendPad(b, int64(m), 2)
	b = append(b, '-')
	return appendPad(b, int64(d), 2)
}

// appendDateTime writes YYYY-MM-DD hh:mm:ss for local seconds.
func appendDateTime(b []byte, local int64) []byte {
	days := floorDiv(local, day)
	b = appendDate(b, days)
	s := local - days*day
	b = append(b, ' ')
	b = appendPad(b, s/3600, 2)
	b = append(b, ':')
	b = appendPad(b, s/60%60, 2)
	b = append(b, ':')
	return appendPad(b, s%60, 2)
}

// appendCompactDate writes YYYYMMDD, the start of an order number.
func appendCompactDate(b []byte, days int64) []byte {
	y, m, d := civil(days)
	b = appendPad(b, y, 4)
	b = appendPad(b, int64(m), 2)
	return appendPad(b, int64(d), 2)
}

// appendPad writes a non-negative n with at least width digits.
func appendPad(b []byte, n int64, width int) []byte {
	for w := digits(int(n)); w < width; w++ {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, n, 10)
}

// appendMoney writes fen as yuan with two decimals: 12990 -> 129.90.
func appendMoney(b []byte, fen int64) []byte {
	b = strconv.AppendInt(b, fen/100, 10)
	b = append(b, '.')
	return appendPad(b, fen%100, 2)
}
