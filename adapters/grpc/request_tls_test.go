package jwtguardgrpc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"math/big"
	"net"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jwtguard/jwtguard"
)

// Over TLS the request has the connection's TLS state and an https URL
// (what a DPoP proof's htu names).
func TestCallAsRequestTLS(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)

	seen := make(chan *http.Request, 1)
	extract := jwtguard.ExtractorFunc(func(r *http.Request) (string, error) {
		select {
		case seen <- r:
		default:
		}
		return jwtguard.FromAuthorization().Extract(r)
	})
	srv := grpc.NewServer(append(interceptors(t, newGuard(t, nil, jwtguard.WithExtractor(jwtguard.Own(extract, jwtguard.SourceAuthorization)))),
		grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: priv}}})))...)
	srv.RegisterService(serviceDesc("Other"), struct{}{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	defer srv.Stop()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: roots})))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+mint(t, "alice", nil))
	out := new(wrapperspb.StringValue)
	if err := conn.Invoke(ctx, "/"+service+"/Other", &emptypb.Empty{}, out); err != nil || out.GetValue() != "alice" {
		t.Fatalf("call over TLS: %v %q", err, out.GetValue())
	}
	r := <-seen
	if r.TLS == nil || !r.TLS.HandshakeComplete || r.URL.String() != "https://"+lis.Addr().String()+"/"+service+"/Other" {
		t.Errorf("TLS %v, URL %s", r.TLS != nil, r.URL)
	}
}
