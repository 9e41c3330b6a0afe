package smpp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"
)

// selfSigned makes a certificate for 127.0.0.1 and a client config that
// trusts only it, so that the test proves the handshake is verified.
func selfSigned(t *testing.T) (tls.Certificate, *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fake smsc"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, &tls.Config{RootCAs: roots}
}

func TestBindAndSubmitOverTLS(t *testing.T) {
	cert, clientTLS := selfSigned(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	f := startFakeSMSC(t, ln)
	cfg := testConfig(f.addr())
	cfg.TLS = clientTLS
	p := openPool(t, cfg)
	ids, err := p.Submit(ctx5s(t), Message{To: "1", Text: "over tls"})
	if err != nil || len(ids) != 1 {
		t.Fatalf("Submit = %v, %v", ids, err)
	}
	if b := f.waitFor(SubmitSMID).pdu.Body.(*SubmitSM); string(b.Message) != "over tls" {
		t.Fatalf("SMSC got %q", b.Message)
	}

	// Without the SMSC's certificate in the roots the handshake must fail.
	cfg.TLS = &tls.Config{RootCAs: x509.NewCertPool()}
	if _, err := Open(ctx5s(t), cfg); err == nil {
		t.Fatal("bound to an SMSC whose certificate is not trusted")
	}
}
