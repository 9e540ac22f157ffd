package transport

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/blockwork-dev/blockwork/graph"
)

func TestToken(t *testing.T) {
	r := newRand(t)
	e := newEnv(t, []Option{WithToken("s3cret-token")}, []Option{WithToken("s3cret-token")})
	key := graph.Key{Layer: "k"}
	meta := graph.Chunk{DType: graph.Float64, Shape: []int{7}}
	data := e.add(r, key, meta.DType, meta.Shape)
	fetchCheck(t, e, key, data, meta)
	calls := e.src.calls.Load()
	for _, opts := range [][]Option{nil, {WithToken("s3cret-tokeN")}, {WithToken("s3cret-token-and-more")}, {WithToken("s")}} {
		cli, err := NewClient(opts...)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = cli.Fetch(context.Background(), e.addr, key, e.dst)
		cli.Close()
		if !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("fetch with %d options: %v, want ErrUnauthorized", len(opts), err)
		}
		t.Log(err)
	}
	if n := e.src.calls.Load() - calls; n != 0 {
		t.Fatalf("the source was asked %d times by refused clients", n)
	}
	fetchCheck(t, e, key, data, meta)
}

// TestTokenBeyondLoopback: listening on every interface needs a token or
// an explicit WithInsecureNoToken.
func TestTokenBeyondLoopback(t *testing.T) {
	src := newMemSource()
	if _, err := Listen("0.0.0.0:0", src); !errors.Is(err, ErrNoToken) {
		t.Fatalf("Listen on 0.0.0.0 without a token: %v, want ErrNoToken", err)
	}
	for _, o := range []Option{WithToken("t"), WithInsecureNoToken()} {
		s, err := Listen("0.0.0.0:0", src, o)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	s, err := NewServer(src)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := s.Serve(ln); !errors.Is(err, ErrNoToken) {
		t.Fatalf("Serve on %v without a token: %v", ln.Addr(), err)
	}
}

// certs makes a CA and a server and a client certificate it signs.
func certs(t *testing.T) (ca *x509.CertPool, server, client tls.Certificate) {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey := key()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "blockwork test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	ca = x509.NewCertPool()
	ca.AddCert(caCert)
	leaf := func(serial int64, name string, usage x509.ExtKeyUsage) tls.Certificate {
		k := key()
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}
	}
	return ca, leaf(2, "worker-a", x509.ExtKeyUsageServerAuth), leaf(3, "worker-b", x509.ExtKeyUsageClientAuth)
}

// TestMutualTLS: a client with the CA's certificate fetches over TLS; a
// client without a certificate, or that does not trust the server, is
// refused. The token applies on top.
func TestMutualTLS(t *testing.T) {
	r := newRand(t)
	ca, srvCert, cliCert := certs(t)
	srvTLS := &tls.Config{Certificates: []tls.Certificate{srvCert}, ClientCAs: ca, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13}
	cliTLS := &tls.Config{Certificates: []tls.Certificate{cliCert}, RootCAs: ca, MinVersion: tls.VersionTLS13}
	e := newEnv(t, []Option{WithTLS(srvTLS), WithToken("tok")}, []Option{WithTLS(cliTLS), WithToken("tok")})
	key := graph.Key{Layer: "tls", Block: 2}
	meta := graph.Chunk{DType: graph.Int64, Shape: []int{300, 1000}} // 2.3 MiB
	data := e.add(r, key, meta.DType, meta.Shape)
	fetchCheck(t, e, key, data, meta)
	fetchCheck(t, e, key, data, meta)

	calls := e.src.calls.Load()
	for name, opts := range map[string][]Option{
		"no client certificate": {WithTLS(&tls.Config{RootCAs: ca}), WithToken("tok")},
		"untrusted server":      {WithTLS(&tls.Config{Certificates: []tls.Certificate{cliCert}}), WithToken("tok")},
		"no TLS":                {WithToken("tok")},
		"TLS, wrong token":      {WithTLS(cliTLS), WithToken("tok2")},
	} {
		cli, err := NewClient(append(opts, WithDialTimeout(5*time.Second))...)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = cli.Fetch(context.Background(), e.addr, key, e.dst)
		cli.Close()
		if err == nil {
			t.Fatalf("%s: fetch succeeded", name)
		}
		if name != "no TLS" && !errors.Is(err, ErrUnauthorized) {
			t.Errorf("%s: %v, want ErrUnauthorized", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
	if n := e.src.calls.Load() - calls; n != 0 {
		t.Fatalf("the source was asked %d times by refused clients", n)
	}
}
