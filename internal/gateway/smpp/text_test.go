package smpp

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The Chinese text is 80 UCS-2 units: four characters (U+4E2D U+6587 U+77ED
// U+4FE1) repeated 20 times, so it splits into 67 + 13 units.
var longChinese = strings.Repeat("中文短信", 20)

const zhUnits = "4E2D 6587 77ED 4FE1 "

// The GSM text is 163 septets, one over a single message: 153 + 10.
var longGSM = strings.Repeat("0123456789", 16) + "abc"

func TestEncodeTextLongChineseUDH(t *testing.T) {
	parts, err := EncodeText(longChinese, LongUDH, false, 0x1A7)
	if err != nil {
		t.Fatal(err)
	}
	want := []Part{
		{DataCoding: 8, ESMClass: 0x40, Message: hexb(t, "05 00 03 A7 02 01"+strings.Repeat(zhUnits, 16)+"4E2D 6587 77ED")},
		{DataCoding: 8, ESMClass: 0x40, Message: hexb(t, "05 00 03 A7 02 02"+"4FE1 "+strings.Repeat(zhUnits, 3))},
	}
	assertParts(t, parts, want)
	if n := len(parts[0].Message); n != 140 {
		t.Fatalf("first part is %d octets, want 140 (the whole TP-UD)", n)
	}
}

func TestEncodeTextLongGSMUnpackedUDH(t *testing.T) {
	parts, err := EncodeText(longGSM, LongUDH, false, 7)
	if err != nil {
		t.Fatal(err)
	}
	// The digits and small letters have the same codes in GSM 03.38 as in ASCII.
	want := []Part{
		{DataCoding: 0, ESMClass: 0x40, Message: append(hexb(t, "05 00 03 07 02 01"), longGSM[:153]...)},
		{DataCoding: 0, ESMClass: 0x40, Message: append(hexb(t, "05 00 03 07 02 02"), "3456789abc"...)},
	}
	assertParts(t, parts, want)
}

func TestEncodeTextLongGSMPackedUDH(t *testing.T) {
	parts, err := EncodeText(longGSM, LongUDH, true, 7)
	if err != nil {
		t.Fatal(err)
	}
	// Packed after one fill bit; computed independently and checked against
	// the 3GPP example "hellohello" = E8329BFD4697D9EC37.
	cycle := "C564335ACD76C3E56031D98C56B3DD7039584C36A3D56C375C0E1693CD6835DB0D9783"
	first := "6031D98C56B3DD7039584C36A3D56C375C0E1693CD6835DB0D9783" + strings.Repeat(cycle, 3) + "C564"
	want := []Part{
		{DataCoding: 0, ESMClass: 0x40, Message: hexb(t, "05 00 03 07 02 01"+first)},
		{DataCoding: 0, ESMClass: 0x40, Message: hexb(t, "05 00 03 07 02 02 66B49AED86CB85C563")},
	}
	assertParts(t, parts, want)
	if n := len(parts[0].Message); n != 140 {
		t.Fatalf("first part is %d octets, want 140", n)
	}
}

func TestEncodeTextSAR(t *testing.T) {
	parts, err := EncodeText(longChinese, LongSAR, false, 0x1A7)
	if err != nil {
		t.Fatal(err)
	}
	sar := func(seq string) TLVs {
		return TLVs{
			{Tag: 0x020C, Value: hexb(t, "01A7")},
			{Tag: 0x020E, Value: hexb(t, "02")},
			{Tag: 0x020F, Value: hexb(t, seq)},
		}
	}
	want := []Part{
		{DataCoding: 8, Message: hexb(t, strings.Repeat(zhUnits, 16)+"4E2D 6587 77ED"), TLVs: sar("01")},
		{DataCoding: 8, Message: hexb(t, "4FE1 "+strings.Repeat(zhUnits, 3)), TLVs: sar("02")},
	}
	assertParts(t, parts, want)
	// And on the wire the TLVs follow short_message in that order.
	p := PDU{Body: &SubmitSM{ShortMessage{DataCoding: 8, Message: parts[1].Message, TLVs: parts[1].TLVs}}}
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(b, hexb(t, "1A 4FE1"+strings.Repeat(zhUnits, 3)+"020C 0002 01A7 020E 0001 02 020F 0001 02")) {
		t.Fatalf("wire tail %x", b[len(b)-40:])
	}
}

func TestEncodeTextPayload(t *testing.T) {
	parts, err := EncodeText(longGSM, LongPayload, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []Part{{DataCoding: 0, TLVs: TLVs{{Tag: TagMessagePayload, Value: []byte(longGSM)}}}}
	assertParts(t, parts, want)
	p := PDU{Body: &SubmitSM{ShortMessage{Message: parts[0].Message, TLVs: parts[0].TLVs}}}
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(b, append(hexb(t, "00 0424 00A3"), longGSM...)) {
		t.Fatalf("sm_length must be 0 and message_payload 163 octets: %x", b[len(b)-170:])
	}
}

func TestEncodeTextSinglePart(t *testing.T) {
	cases := []struct {
		text   string
		packed bool
		want   Part
	}{
		{"hellohello", false, Part{DataCoding: 0, Message: []byte("hellohello")}},
		{"hellohello", true, Part{DataCoding: 0, Message: hexb(t, "E8329BFD4697D9EC37")}},
		{"€5", false, Part{DataCoding: 0, Message: hexb(t, "1B65 35")}},
		{"您好", false, Part{DataCoding: 8, Message: hexb(t, "60A8 597D")}},
		{strings.Repeat("a", 160), false, Part{DataCoding: 0, Message: bytes.Repeat([]byte("a"), 160)}},
	}
	for _, tc := range cases {
		for _, mode := range []LongMode{LongUDH, LongSAR, LongPayload} {
			parts, err := EncodeText(tc.text, mode, tc.packed, 99)
			if err != nil {
				t.Fatal(err)
			}
			assertParts(t, parts, []Part{tc.want})
		}
	}
	if _, err := EncodeText("", LongUDH, false, 1); !errors.Is(err, ErrEmptyText) {
		t.Fatalf("empty text: %v", err)
	}
}

func TestRefCounterWraps(t *testing.T) {
	var c refCounter
	c.n.Store(0xFFFE)
	if a, b := c.next(), c.next(); a != 0xFFFF || b != 0 {
		t.Fatalf("got %d, %d", a, b)
	}
}

func assertParts(t *testing.T, got, want []Part) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d parts, want %d", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("part %d:\n got dc=%d esm=%#x msg=%X tlvs=%X\nwant dc=%d esm=%#x msg=%X tlvs=%X", i+1,
				got[i].DataCoding, got[i].ESMClass, got[i].Message, got[i].TLVs,
				want[i].DataCoding, want[i].ESMClass, want[i].Message, want[i].TLVs)
		}
	}
}
