package sms

import (
	"bytes"
	"errors"
	"testing"
)

func TestDefaultAlphabetHas128Codes(t *testing.T) {
	if n := len([]rune(gsmDefault)); n != 128 {
		t.Fatalf("default alphabet has %d characters, want 128", n)
	}
	// 127 characters (every code but the escape) must map back to distinct codes.
	if len(gsmIndex) != 127 {
		t.Fatalf("gsmIndex has %d entries, want 127", len(gsmIndex))
	}
}

func TestEncodeGSM7(t *testing.T) {
	tests := []struct {
		text string
		want []byte
		why  string
	}{
		{"@£$", []byte{0x00, 0x01, 0x02}, "the first three codes of the table"},
		{"A a", []byte{0x41, 0x20, 0x61}, "ASCII letters and space keep their value"},
		{"¡¿§à", []byte{0x40, 0x60, 0x5F, 0x7F}, "the positions where GSM differs from ASCII"},
		{"€", []byte{0x1B, 0x65}, "euro is ESC + 0x65"},
		{"^{}\\[~]|\f", []byte{0x1B, 0x14, 0x1B, 0x28, 0x1B, 0x29, 0x1B, 0x2F, 0x1B, 0x3C, 0x1B, 0x3D, 0x1B, 0x3E, 0x1B, 0x40, 0x1B, 0x0A},
			"every other extension character, form feed last"},
		{"ΔΩ\n\r", []byte{0x10, 0x15, 0x0A, 0x0D}, "Greek capitals and line controls"},
	}
	for _, tc := range tests {
		got, err := EncodeGSM7(tc.text)
		if err != nil {
			t.Fatalf("EncodeGSM7(%q): %v", tc.text, err)
		}
		if !bytes.Equal(got, tc.want) {
			t.Errorf("EncodeGSM7(%q) = % X, want % X (%s)", tc.text, got, tc.want, tc.why)
		}
	}
}

func TestEncodeGSM7NamesFirstBadChar(t *testing.T) {
	_, err := EncodeGSM7("Hi “Jo” 王")
	var ce *CharError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *CharError", err)
	}
	// "Hi " is 3 characters and 3 bytes; the curly quote comes next.
	if ce.Char != '“' || ce.Index != 3 || ce.Offset != 3 {
		t.Errorf("got %+v, want “ at index 3 offset 3", *ce)
	}
	want := `sms: '“' (U+201C) at character 3 (byte 3) is not in the GSM 03.38 alphabet`
	if err.Error() != want {
		t.Errorf("message = %q, want %q", err.Error(), want)
	}
	// Index counts characters, Offset bytes: é is 2 bytes in UTF-8.
	_, err = EncodeGSM7("é王")
	if !errors.As(err, &ce) || ce.Index != 1 || ce.Offset != 2 {
		t.Errorf("got %v, want index 1 offset 2", err)
	}
}

func TestDecodeGSM7(t *testing.T) {
	tests := []struct {
		in      []byte
		want    string
		wantErr bool
		why     string
	}{
		{[]byte{0x48, 0x69, 0x1B, 0x65}, "Hi€", false, "escape + 0x65 is the euro"},
		{[]byte{0x1B, 0x41}, "A", false, "an undefined extension code reads as the default character"},
		{[]byte{0x1B, 0x1B, 0x41}, " A", false, "a double escape reads as a space"},
		{[]byte{0x41, 0x1B}, "", true, "an escape cannot end the text"},
		{[]byte{0x80}, "", true, "a septet has only 7 bits"},
		{[]byte{0x1B, 0x90}, "", true, "the code after an escape has only 7 bits too"},
	}
	for _, tc := range tests {
		got, err := DecodeGSM7(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("DecodeGSM7(% X) = %q, %v; want %q, err %v (%s)", tc.in, got, err, tc.want, tc.wantErr, tc.why)
		}
	}
}

func TestGSM7RoundTripWholeAlphabet(t *testing.T) {
	var text []rune
	for i, r := range []rune(gsmDefault) {
		if i != esc {
			text = append(text, r)
		}
	}
	for r := range gsmExtension {
		text = append(text, r)
	}
	enc, err := EncodeGSM7(string(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(enc) != 127+2*10 {
		t.Errorf("encoded %d septets, want 147", len(enc))
	}
	dec, err := DecodeGSM7(enc)
	if err != nil || dec != string(text) {
		t.Errorf("round trip = %q, %v", dec, err)
	}
}

func TestPack7(t *testing.T) {
	tests := []struct {
		name     string
		septets  []byte
		fill     int
		want     []byte
		whyBytes string
	}{
		{"hellohello", []byte("hellohello"), 0,
			[]byte{0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37},
			"the worked example of GSM 7-bit packing"},
		{"AA", []byte{0x41, 0x41}, 0, []byte{0xC1, 0x20},
			"0x41 | 0x41<<7 = 0x20C1, little end first"},
		{"A with one fill bit", []byte{0x41}, 1, []byte{0x82},
			"0x41<<1: the fill bit is the lowest"},
		{"AA with one fill bit", []byte{0x41, 0x41}, 1, []byte{0x82, 0x41},
			"the second septet starts exactly at bit 8"},
		{"empty", nil, 0, []byte{}, "no septets, no octets"},
	}
	for _, tc := range tests {
		got := Pack7(tc.septets, tc.fill)
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%s: Pack7 = % X, want % X (%s)", tc.name, got, tc.want, tc.whyBytes)
		}
		back := Unpack7(got, tc.fill, len(tc.septets))
		if !bytes.Equal(back, tc.septets) && len(tc.septets) > 0 {
			t.Errorf("%s: Unpack7 = % X, want % X", tc.name, back, tc.septets)
		}
	}
}

func TestUnpack7Count(t *testing.T) {
	// Seven septets fill 49 bits, so 7 padding bits end the 7th octet.
	packed := Pack7([]byte("1234567"), 0)
	if len(packed) != 7 {
		t.Fatalf("packed into %d octets, want 7", len(packed))
	}
	if got := Unpack7(packed, 0, 7); string(got) != "1234567" {
		t.Errorf("with count: %q", got)
	}
	// Without the count the padding reads as an eighth septet, '@' (0x00):
	// the reason callers pass the count from the PDU.
	if got := Unpack7(packed, 0, -1); string(got) != "1234567\x00" {
		t.Errorf("without count: %q", got)
	}
	// Asking for more than the octets hold returns what they hold.
	if got := Unpack7(packed, 0, 20); len(got) != 8 {
		t.Errorf("count beyond data: %d septets, want 8", len(got))
	}
}

func TestUCS2(t *testing.T) {
	got := EncodeUCS2("A王😀")
	want := []byte{0x00, 0x41, 0x73, 0x8B, 0xD8, 0x3D, 0xDE, 0x00}
	if !bytes.Equal(got, want) {
		t.Errorf("EncodeUCS2 = % X, want % X", got, want)
	}
	if s, err := DecodeUCS2(want); err != nil || s != "A王😀" {
		t.Errorf("DecodeUCS2 = %q, %v", s, err)
	}
	bad := []struct {
		in  []byte
		why string
	}{
		{[]byte{0x00}, "odd length"},
		{[]byte{0xD8, 0x3D, 0x00, 0x41}, "high surrogate followed by a letter"},
		{[]byte{0xD8, 0x3D}, "high surrogate at the end (a part cut in the middle of a pair)"},
		{[]byte{0xDE, 0x00}, "low surrogate alone"},
	}
	for _, b := range bad {
		if _, err := DecodeUCS2(b.in); err == nil {
			t.Errorf("DecodeUCS2(% X) accepted %s", b.in, b.why)
		}
	}
}
