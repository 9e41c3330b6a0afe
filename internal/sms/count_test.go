package sms

import (
	"strings"
	"testing"
)

// corpus holds real and boundary messages with counts derived by hand from
// 3GPP TS 23.038: 160/153 septets, 70/67 UTF-16 units, extension characters
// at two septets, characters outside the BMP at two units.
var corpus = []struct {
	name string
	text string
	want Count
	why  string
}{
	{"empty", "", Count{GSM7, 0, 0, 160},
		"nothing to send costs nothing"},
	{"english short", "Your order #1042 has shipped. Track: https://n.example/t/8Kq",
		Count{GSM7, 1, 60, 160},
		"29 + 7 + 1 + 23 (link): all ASCII letters, digits and :/.# are in the default alphabet, one septet each"},
	{"chinese marketing", "【花语轩】王女士，双11立减200元，点击 https://n.example/x 回TD退订",
		Count{UCS2, 1, 47, 70},
		"Han characters force UCS-2; 5 (signature) + 3 + 1 + 9 + 1 + 2 + 1 + 19 (link) + 1 + 5 = 47 BMP units"},
	{"mixed latin and han", "Order 1042 已发货", Count{UCS2, 1, 14, 70},
		"one Han character moves the whole message to UCS-2: 11 ASCII + 3 Han"},
	{"emoji", "Sale 😀", Count{UCS2, 1, 7, 70},
		"U+1F600 is outside the BMP: a surrogate pair, 2 units, + 5 for 'Sale '"},
	{"every extension char", "^{}\\[~]|€\f", Count{GSM7, 1, 20, 160},
		"the 10 extension characters cost ESC + code each: 10 x 2"},
	{"euro price", "Price: 100€", Count{GSM7, 1, 12, 160},
		"10 default septets + 2 for the euro sign"},
	{"latin-1 in default alphabet", "£5 off at Café", Count{GSM7, 1, 14, 160},
		"£ and é are default-alphabet characters, one septet each"},
	{"smart quotes", "“Hi” it‘s", Count{UCS2, 1, 9, 70},
		"curly quotes are not in GSM 03.38, so the text is UCS-2: 9 BMP units"},
	{"capital c-cedilla", "Ça va", Count{GSM7, 1, 5, 160},
		"0x09 is Ç in the 3GPP table"},
	{"small c-cedilla", "ça va", Count{UCS2, 1, 5, 70},
		"ç has no code of its own; we do not fold it onto 0x09, so UCS-2"},
	{"gsm 160", strings.Repeat("a", 160), Count{GSM7, 1, 160, 160},
		"exactly fills one message"},
	{"gsm 161", strings.Repeat("a", 161), Count{GSM7, 2, 161, 153},
		"one septet over: two parts of at most 153"},
	{"gsm 306", strings.Repeat("a", 306), Count{GSM7, 2, 306, 153},
		"2 x 153 exactly"},
	{"gsm 307", strings.Repeat("a", 307), Count{GSM7, 3, 307, 153},
		"one over 2 x 153"},
	{"gsm 159 + euro", strings.Repeat("a", 159) + "€", Count{GSM7, 2, 161, 153},
		"the euro takes septets 160 and 161, so the text no longer fits one message"},
	{"escape at septet 153", strings.Repeat("a", 152) + "{" + strings.Repeat("b", 10),
		Count{GSM7, 2, 164, 153},
		"'{' would occupy septets 153-154; it moves whole to part 2 (152 + 12)"},
	{"escape pushes a third part", strings.Repeat("a", 152) + "{" + strings.Repeat("b", 152),
		Count{GSM7, 3, 306, 153},
		"306 septets fit 2 x 153 on paper, but the moved '{' leaves part 1 at 152, so part 2 is full at 153 and 1 'b' spills over"},
	{"ucs2 70", strings.Repeat("王", 70), Count{UCS2, 1, 70, 70},
		"exactly fills one UCS-2 message"},
	{"ucs2 71", strings.Repeat("王", 71), Count{UCS2, 2, 71, 67},
		"one unit over: parts of 67 + 4"},
	{"ucs2 134", strings.Repeat("王", 134), Count{UCS2, 2, 134, 67},
		"2 x 67 exactly"},
	{"ucs2 135", strings.Repeat("王", 135), Count{UCS2, 3, 135, 67},
		"one over 2 x 67"},
	{"surrogate at unit 67", strings.Repeat("王", 66) + "😀" + strings.Repeat("王", 10),
		Count{UCS2, 2, 78, 67},
		"the emoji would occupy units 67-68; it moves to part 2 (66 + 12)"},
	{"emoji pair at limit", strings.Repeat("王", 68) + "😀", Count{UCS2, 1, 70, 70},
		"68 + 2 = 70 still fits a single message"},
}

func TestCountTextCorpus(t *testing.T) {
	for _, tc := range corpus {
		t.Run(tc.name, func(t *testing.T) {
			if got := CountText(tc.text); got != tc.want {
				t.Errorf("CountText = %+v, want %+v (%s)", got, tc.want, tc.why)
			}
		})
	}
}

func TestSplitBoundaries(t *testing.T) {
	tests := []struct {
		name string
		text string
		enc  Encoding
		want []string
	}{
		{"empty has no parts", "", GSM7, nil},
		{"single stays whole", "Hi Ms Smith", GSM7, []string{"Hi Ms Smith"}},
		{"gsm 161 cuts at 153", strings.Repeat("a", 161), GSM7,
			[]string{strings.Repeat("a", 153), strings.Repeat("a", 8)}},
		{"escape at septet 153 moves", strings.Repeat("a", 152) + "{bbbbbbbbbb", GSM7,
			// 164 septets: two parts; '{' would take septets 153-154.
			[]string{strings.Repeat("a", 152), "{bbbbbbbbbb"}},
		{"escape ending at septet 153 stays", strings.Repeat("a", 151) + "{bbbbbbbbbb", GSM7,
			// 151 + 2 = 153 exactly: the pair fits in part 1.
			[]string{strings.Repeat("a", 151) + "{", "bbbbbbbbbb"}},
		{"ucs2 71 cuts at 67", strings.Repeat("王", 71), UCS2,
			[]string{strings.Repeat("王", 67), strings.Repeat("王", 4)}},
		{"surrogate at unit 67 moves", strings.Repeat("王", 66) + "😀" + strings.Repeat("王", 10), UCS2,
			[]string{strings.Repeat("王", 66), "😀" + strings.Repeat("王", 10)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc, parts := Split(tc.text)
			if enc != tc.enc {
				t.Errorf("encoding = %s, want %s", enc, tc.enc)
			}
			if len(parts) != len(tc.want) {
				t.Fatalf("got %d parts %q, want %d", len(parts), parts, len(tc.want))
			}
			for i := range parts {
				if parts[i] != tc.want[i] {
					t.Errorf("part %d = %q, want %q", i, parts[i], tc.want[i])
				}
			}
		})
	}
}

// TestSplitAgreesWithCount keeps the two views of a text in step: the
// console shows CountText while the dispatcher sends Split.
func TestSplitAgreesWithCount(t *testing.T) {
	for _, tc := range corpus {
		enc, parts := Split(tc.text)
		if enc != tc.want.Encoding || len(parts) != tc.want.Segments {
			t.Errorf("%s: Split = %s with %d parts, want %s with %d", tc.name, enc, len(parts), tc.want.Encoding, tc.want.Segments)
		}
	}
}
