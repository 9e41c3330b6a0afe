package smsctest

import (
	"testing"
	"time"

	"nudge/internal/gateway/smpp"
)

func TestBlastCountsAndDelays(t *testing.T) {
	var seen int
	s, err := Start("127.0.0.1:0", Options{OnSubmit: func(conn int, sm *smpp.SubmitSM) smpp.Status { seen++; return smpp.ESME_ROK }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rate, err := Blast(s.Addr(), 5000, 64)
	if err != nil || rate <= 0 {
		t.Fatal(rate, err)
	}
	if s.Submits() != 5000 || seen != 5000 {
		t.Fatalf("counted %d / %d of 5000", s.Submits(), seen)
	}
	// With a 20 ms answer delay and a window of 10, 100 submits take at
	// least 10 round trips.
	slow, err := Start("127.0.0.1:0", Options{RespDelay: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	start := time.Now()
	if _, err := Blast(slow.Addr(), 100, 10); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Fatalf("100 submits at window 10 and 20 ms took %s", took)
	}
}

func TestBindRefusedWithWrongPassword(t *testing.T) {
	s, err := Start("127.0.0.1:0", Options{SystemID: "nudge", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Blast(s.Addr(), 1, 1); err == nil {
		t.Fatal("bound without the password")
	}
}
