package auth

import "testing"

func TestMalformedHashesAreRejected(t *testing.T) {
	good := hashPassword("password1")
	if ok, err := checkPassword(good, "password1"); !ok || err != nil {
		t.Fatalf("fresh hash does not verify: %v %v", ok, err)
	}
	for _, h := range []string{
		"",
		"password1",
		"$argon2i$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$3PdISCqTdGYcpvC2GSXV/Eh6wgEkHBNy15U3O6j3a6Q",
		"$argon2id$v=16$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$3PdISCqTdGYcpvC2GSXV/Eh6wgEkHBNy15U3O6j3a6Q",
		"$argon2id$v=19$m=0,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$3PdISCqTdGYcpvC2GSXV/Eh6wgEkHBNy15U3O6j3a6Q",
		"$argon2id$v=19$m=19456,t=2$MDEyMzQ1Njc4OWFiY2RlZg$3PdISCqTdGYcpvC2GSXV/Eh6wgEkHBNy15U3O6j3a6Q",
		"$argon2id$v=19$m=19456,t=2,p=1$!!$3PdISCqTdGYcpvC2GSXV/Eh6wgEkHBNy15U3O6j3a6Q",
		"$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$",
		"$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg",
	} {
		if ok, err := checkPassword(h, "password1"); ok || err == nil {
			t.Errorf("checkPassword(%q) = %v, %v; want an error", h, ok, err)
		}
	}
}
