package jwtguard_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// sendHost sends GET url with Host: host, Authorization: DPoP token and
// the proof.
func sendHost(t *testing.T, url, host, token, proof string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	must(t, err)
	req.Host = host
	req.Header.Set("Authorization", "DPoP "+token)
	req.Header.Set("DPoP", proof)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestGuardDPoPHostHeader: without WithDPoPOrigin, the Host header is
// believed only when it is a loopback one, so a proof made for another
// server (http://a.example/tasks), sent here with Host: a.example, is
// refused; with an origin, only the origin counts, whatever the Host.
func TestGuardDPoPHostHeader(t *testing.T) {
	k := newDPoPKey(t, "ES256")
	tok := boundToken(t, k.thumbprint(t))
	srv := dpopGuardServer(t) // the defaults: no origin
	if s := sendHost(t, srv.URL+"/tasks", "a.example", tok, k.proof(t, http.MethodGet, "http://a.example/tasks", tok, nil)); s != http.StatusUnauthorized {
		t.Fatalf("a proof for http://a.example/tasks with Host: a.example, no origin: %d", s)
	}
	for _, host := range []string{"localhost:8080", "127.0.0.1", "[::1]:9000", "app.localhost"} {
		if s := sendHost(t, srv.URL+"/tasks", host, tok, k.proof(t, http.MethodGet, "http://"+host+"/tasks", tok, nil)); s != http.StatusOK {
			t.Errorf("a loopback Host %s, no origin: %d", host, s)
		}
	}
	v := newDPoPVerifier(t, jwtguard.WithDPoPOrigin("https://api.example.com"))
	srv = dpopGuardServer(t, jwtguard.WithDPoP(jwtguard.DPoPAllowed, v))
	if s := sendHost(t, srv.URL+"/tasks", "a.example", tok, k.proof(t, http.MethodGet, "http://a.example/tasks", tok, nil)); s != http.StatusUnauthorized {
		t.Fatalf("a proof for the Host, with an origin: %d", s)
	}
	if s := sendHost(t, srv.URL+"/tasks", "a.example", tok, k.proof(t, http.MethodGet, "https://api.example.com/tasks", tok, nil)); s != http.StatusOK {
		t.Fatalf("a proof for the origin, behind a proxy (no TLS, another Host): %d", s)
	}
}

// TestDPoPNoOriginWarning: a Guard given WithDPoP, or Endpoints given
// WithEndpointDPoP, with a verifier without an origin warns once when
// built; with an origin, or DPoP off, or by default, nothing is said.
func TestDPoPNoOriginWarning(t *testing.T) {
	iss, _ := newIssuer(t, newTestClock())
	bare, withOrigin := newDPoPVerifier(t), newDPoPVerifier(t, jwtguard.WithDPoPOrigin("https://api.example.com"))
	guard := func(opts ...jwtguard.GuardOption) func(jwtguard.Option) error {
		return func(l jwtguard.Option) error {
			_, err := jwtguard.NewGuard(verifierFor(t), append(opts, l)...)
			return err
		}
	}
	endpoints := func(v *jwtguard.DPoPVerifier) func(jwtguard.Option) error {
		return func(l jwtguard.Option) error {
			_, err := jwtguard.NewEndpoints(iss, testUsers, l, jwtguard.WithEndpointDPoP(v))
			return err
		}
	}
	for _, c := range []struct {
		name  string
		build func(jwtguard.Option) error
		warns bool
	}{
		{"guard, WithDPoP, no origin", guard(jwtguard.WithDPoP(jwtguard.DPoPRequired, bare)), true},
		{"guard, WithDPoP(nil)", guard(jwtguard.WithDPoP(jwtguard.DPoPAllowed, nil)), true},
		{"guard, an origin", guard(jwtguard.WithDPoP(jwtguard.DPoPAllowed, withOrigin)), false},
		{"guard, off", guard(jwtguard.WithDPoP(jwtguard.DPoPOff, nil)), false},
		{"guard, defaults", guard(), false},
		{"endpoints, no origin", endpoints(bare), true},
		{"endpoints, an origin", endpoints(withOrigin), false},
	} {
		var buf bytes.Buffer
		must(t, c.build(jwtguard.WithLogger(slog.New(slog.NewTextHandler(&buf, nil)))))
		if n := strings.Count(buf.String(), "WithDPoPOrigin"); (n == 1) != c.warns || n > 1 {
			t.Errorf("%s: %d warnings: %s", c.name, n, buf.String())
		}
	}
}
