package smpp

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"nudge/internal/clock"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func moPart(src string, esm, dc uint8, msg []byte, tlvs ...TLV) *DeliverSM {
	return &DeliverSM{ShortMessage{SourceAddr: src, DestinationAddr: "1069", ESMClass: esm, DataCoding: dc, Message: msg, TLVs: tlvs}}
}

func TestReassembleSingle(t *testing.T) {
	r := NewReassembler(clock.NewFake(t0), time.Minute, false)
	mo, ok, err := r.Add(moPart("8613800138000", 0, 8, hexb(t, "597D 7684")))
	want := MO{Source: "8613800138000", Destination: "1069", Text: "好的", DataCoding: 8, Parts: 1, Received: t0}
	if err != nil || !ok || !reflect.DeepEqual(mo, want) {
		t.Fatalf("got %+v %v %v", mo, ok, err)
	}
}

func TestReassembleConcatenated(t *testing.T) {
	cases := []struct {
		name   string
		packed bool
		parts  []*DeliverSM
		text   string
	}{
		{
			name: "UDH 8-bit ref, UCS-2, surrogate pair split across parts, out of order",
			parts: []*DeliverSM{
				moPart("A", 0x40, 8, hexb(t, "050003 2A 02 02 DE00 0021")),
				moPart("A", 0x40, 8, hexb(t, "050003 2A 02 01 597D D83D")),
			},
			text: "好😀!",
		},
		{
			name: "UDH 16-bit ref, GSM-7 unpacked, escape split across parts",
			parts: []*DeliverSM{
				moPart("B", 0x40, 0, hexb(t, "060804 1234 02 01 41 1B")),
				moPart("B", 0x40, 0, hexb(t, "060804 1234 02 02 65 42")),
			},
			text: "A€B",
		},
		{
			name: "SAR TLVs",
			parts: []*DeliverSM{
				moPart("C", 0, 0, []byte("Hello "), Uint16TLV(TagSARMsgRefNum, 0x0102), Uint8TLV(TagSARTotalSegments, 2), Uint8TLV(TagSARSegmentSeqnum, 1)),
				moPart("C", 0, 0, []byte("world"), Uint16TLV(TagSARMsgRefNum, 0x0102), Uint8TLV(TagSARTotalSegments, 2), Uint8TLV(TagSARSegmentSeqnum, 2)),
			},
			text: "Hello world",
		},
		{
			name:   "UDH 8-bit, GSM-7 packed with fill bit",
			packed: true,
			parts: []*DeliverSM{
				moPart("D", 0x40, 0, hexb(t, "050003 07 02 01 D06536")), // "hel" after 1 fill bit
				moPart("D", 0x40, 0, hexb(t, "050003 07 02 02 D86F")),   // "lo"
			},
			text: "hello",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReassembler(clock.NewFake(t0), time.Minute, tc.packed)
			for i, p := range tc.parts {
				mo, ok, err := r.Add(p)
				if err != nil {
					t.Fatal(err)
				}
				last := i == len(tc.parts)-1
				if ok != last {
					t.Fatalf("part %d complete=%v", i+1, ok)
				}
				if last && (mo.Text != tc.text || mo.Parts != 2 || mo.Source != p.SourceAddr) {
					t.Fatalf("got %+v, want text %q", mo, tc.text)
				}
			}
			if r.Pending() != 0 {
				t.Fatalf("%d sets left", r.Pending())
			}
		})
	}
}

func TestReassembleKeepsSendersApartAndTimesOut(t *testing.T) {
	fc := clock.NewFake(t0)
	r := NewReassembler(fc, time.Minute, false)
	// Same reference from two customers: two sets.
	for _, src := range []string{"A", "B"} {
		if _, ok, err := r.Add(moPart(src, 0x40, 0, hexb(t, "050003 09 03 01 54 44"))); ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	fc.Advance(30 * time.Second)
	if _, ok, _ := r.Add(moPart("A", 0x40, 0, hexb(t, "050003 09 03 03 21"))); ok {
		t.Fatal("two of three parts reported complete")
	}
	if got := r.Expire(); len(got) != 0 {
		t.Fatalf("expired early: %+v", got)
	}
	fc.Advance(30 * time.Second)
	got := r.Expire()
	want := []MO{
		{Source: "B", Destination: "1069", Text: "TD", Parts: 3, Incomplete: true, Received: t0},
		{Source: "A", Destination: "1069", Text: "TD!", Parts: 3, Incomplete: true, Received: t0.Add(30 * time.Second)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("\n got %+v\nwant %+v", got, want)
	}
	if r.Pending() != 0 {
		t.Fatal("expired sets kept")
	}
}

func TestReassembleRejectsBadParts(t *testing.T) {
	r := NewReassembler(clock.NewFake(t0), time.Minute, false)
	for _, p := range []*DeliverSM{
		moPart("A", 0x40, 0, hexb(t, "09 0003 01 02 01")),       // UDHL beyond user data
		moPart("A", 0x40, 0, hexb(t, "050003 01 02 03 41")),     // seq > total
		moPart("A", 0x40, 0, hexb(t, "050003 01 02 00 41")),     // seq 0
		moPart("A", 0, 0x04, []byte(strings.Repeat("\xff", 3))), // binary is not text
	} {
		if _, ok, err := r.Add(p); err == nil || ok {
			t.Errorf("%x accepted", p.Message)
		}
	}
}
