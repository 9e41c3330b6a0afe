package sms

import (
	"strings"
	"testing"
)

// TestCountTextAllocatesNothing: a campaign counts every message it sends,
// split or not.
func TestCountTextAllocatesNothing(t *testing.T) {
	for _, text := range []string{
		"【小店】王女士，金卡会员专享满199减30券A0000000已到账，6月18日24点前有效，立即点击 https://s.shop.example/l/00000000 回TD退订",
		strings.Repeat("Hello {friend} ", 20),
		"short",
	} {
		var c Count
		if n := testing.AllocsPerRun(100, func() { c = CountText(text) }); n != 0 {
			t.Errorf("CountText(%q) allocates %.1f times, want 0", text, n)
		}
		if _, parts := Split(text); c.Segments != len(parts) {
			t.Errorf("CountText(%q) says %d segments, Split cuts %d", text, c.Segments, len(parts))
		}
	}
}
