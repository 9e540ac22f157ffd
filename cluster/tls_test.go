package cluster_test

import (
	"context"
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

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/cluster"
	"github.com/blockwork-dev/blockwork/graph"
)

// testCA makes a CA and one certificate it signs for 127.0.0.1, usable
// as server and client certificate.
func testCA(t *testing.T, name string) (pool *x509.CertPool, cert tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name + " CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	pool = x509.NewCertPool()
	pool.AddCert(caCert)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &leafKey.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pool, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: leafKey}
}

func mtls(pool *x509.CertPool, cert tls.Certificate) cluster.Option {
	server := &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13}
	client := &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, MinVersion: tls.VersionTLS13}
	return cluster.WithTLS(server, client)
}

// Mutual TLS on both planes: the cluster computes; a client without a
// certificate, or with one from another CA, is refused.
func TestMutualTLS(t *testing.T) {
	pool, cert := testCA(t, "blockwork")
	tc := startCluster(t, 2, mtls(pool, cert), cluster.WithToken("t"))
	le := localExec(t)
	x := array.NewRandom(3).Uniform(0, 1, []int{100, 100}, graph.Float64, array.Chunked(30))
	sameBits(t, "mtls", x.MatMul(x.T()).Sum(0), tc.c, le)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	noCert := cluster.WithTLS(nil, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13})
	if _, err := cluster.Connect(ctx, tc.s.Addr(), noCert, cluster.WithToken("t")); err == nil {
		t.Fatal("a client without a certificate was accepted")
	}
	otherPool, otherCert := testCA(t, "intruder")
	_ = otherPool
	other := cluster.WithTLS(nil, &tls.Config{Certificates: []tls.Certificate{otherCert}, RootCAs: pool, MinVersion: tls.VersionTLS13})
	if _, err := cluster.Connect(ctx, tc.s.Addr(), other, cluster.WithToken("t")); err == nil {
		t.Fatal("a client with another CA's certificate was accepted")
	}
	plain := []cluster.Option{cluster.WithToken("t")}
	if _, err := cluster.Connect(ctx, tc.s.Addr(), plain...); err == nil {
		t.Fatal("a plaintext client was accepted")
	}
	tc.settle(t)
}
