package jwtguard_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard"
)

// minimalMiddleware is what a careful developer writes by hand with
// golang-jwt: strip "Bearer ", ParseWithClaims with an algorithm allow-list
// and exp required, and the claims into the context. It is the baseline
// jwtguard is measured against.
type minimalKey struct{}

func minimalMiddleware(key any, alg string, next http.Handler) http.Handler {
	parser := jwt.NewParser(jwt.WithValidMethods([]string{alg}), jwt.WithExpirationRequired())
	keyFunc := func(*jwt.Token) (any, error) { return key, nil }
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		claims := &jwt.RegisteredClaims{}
		if _, err := parser.ParseWithClaims(raw, claims, keyFunc); err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), minimalKey{}, claims)))
	})
}

// floorMiddleware checks nothing: it cuts "Bearer " and hands a pointer to
// the token to the next handler in the request's context, as every
// middleware that passes a value on must (two allocations: the context and
// the request). Only a smaller context value could make one faster; it is
// measured, for the ok case only, beside the others to show what of their
// time is theirs.
func floorMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || raw == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), minimalKey{}, unsafe.StringData(raw))))
	})
}

type benchAlg struct {
	name    string
	method  jwt.SigningMethod
	signKey any
	verify  any // what golang-jwt verifies with
	key     func() (*jwtguard.Key, error)
}

// verifier returns a Verifier that trusts a's key alone.
func (a benchAlg) verifier(b *testing.B, opts ...jwtguard.VerifierOption) *jwtguard.Verifier {
	key, err := a.key()
	if err != nil {
		b.Fatal(err)
	}
	keys, err := jwtguard.NewKeySet(key)
	if err != nil {
		b.Fatal(err)
	}
	v, err := jwtguard.NewVerifier(keys, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return v
}

func benchAlgs(b *testing.B) []benchAlg {
	secret := []byte("a-32-byte-secret-for-benchmarks!")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	return []benchAlg{
		{"HS256", jwt.SigningMethodHS256, secret, secret, func() (*jwtguard.Key, error) { return jwtguard.NewHMACKey("", secret, jwtguard.HS256) }},
		{"RS256", jwt.SigningMethodRS256, rsaKey, &rsaKey.PublicKey, func() (*jwtguard.Key, error) { return jwtguard.NewPublicKey("", &rsaKey.PublicKey, jwtguard.RS256) }},
		{"ES256", jwt.SigningMethodES256, ecKey, &ecKey.PublicKey, func() (*jwtguard.Key, error) { return jwtguard.NewPublicKey("", &ecKey.PublicKey) }},
		{"EdDSA", jwt.SigningMethodEdDSA, edPriv, edPub, func() (*jwtguard.Key, error) { return jwtguard.NewPublicKey("", edPub, jwtguard.EdDSA) }},
	}
}

// BenchmarkGuard measures one middleware pass of jwtguard (without and with
// its verified-token cache) and of the minimal golang-jwt middleware, side
// by side, for each algorithm and case.
func BenchmarkGuard(b *testing.B) {
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, a := range benchAlgs(b) {
		now := time.Now()
		claims := jwt.MapClaims{"token_type": "access", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
			"jti": "0123456789abcdef0123456789abcdef", "user_id": 42, "iss": "https://issuer.example", "sub": "42"}
		tok, err := jwt.NewWithClaims(a.method, claims).SignedString(a.signKey)
		if err != nil {
			b.Fatal(err)
		}
		dot := strings.LastIndexByte(tok, '.')
		badSig := tok[:dot+1] + strings.Repeat("A", len(tok)-dot-1)
		if a.name == "HS256" || a.name == "EdDSA" || a.name == "ES256" {
			// Keep the last character's spare bits zero, as strict base64url wants.
			badSig = badSig[:len(badSig)-1] + "A"
		}
		guard := func(opts ...jwtguard.VerifierOption) http.Handler {
			v := a.verifier(b, append(opts, jwtguard.WithIssuer("https://issuer.example"))...)
			g, err := jwtguard.NewGuard(v)
			if err != nil {
				b.Fatal(err)
			}
			return g.Require(jwtguard.IsAuthenticated())(ok)
		}
		impls := []struct {
			name string
			h    http.Handler
		}{
			{"jwtguard", guard(jwtguard.WithoutCache())},
			{"jwtguard-cache", guard()},
			{"minimal", minimalMiddleware(a.verify, a.name, ok)},
			{"floor", floorMiddleware(ok)},
		}
		cases := []struct {
			name, auth string
			status     int
		}{
			{"ok", "Bearer " + tok, 200},
			{"missing", "", 401},
			{"badsig", "Bearer " + badSig, 401},
		}
		for _, c := range cases {
			for _, impl := range impls {
				if impl.name == "floor" && c.name != "ok" {
					continue // it checks nothing: only a valid token's pass compares
				}
				b.Run("alg="+a.name+"/case="+c.name+"/impl="+impl.name, func(b *testing.B) {
					req := httptest.NewRequest("GET", "/", nil)
					if c.auth != "" {
						req.Header.Set("Authorization", c.auth)
					}
					w := &discardWriter{h: http.Header{}, status: 200}
					impl.h.ServeHTTP(w, req)
					if w.status != c.status {
						b.Fatalf("status %d, want %d", w.status, c.status)
					}
					b.ReportAllocs()
					b.ResetTimer()
					for b.Loop() {
						w.status = 200
						impl.h.ServeHTTP(w, req)
					}
				})
			}
		}
	}
}

// discardWriter is a ResponseWriter that keeps only the status.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(s int)           { w.status = s }

// BenchmarkVerifyCached measures Verifier.Verify on a token in the
// verified-token cache, without HTTP around it: from one goroutine, and
// from all of them at once on one token (a shared lock or counter would
// show here as a slowdown).
func BenchmarkVerifyCached(b *testing.B) {
	a := benchAlgs(b)[0] // HS256: the algorithm does not matter on a hit
	now := time.Now()
	tok, err := jwt.NewWithClaims(a.method, jwt.MapClaims{"token_type": "access", "jti": "0123456789abcdef0123456789abcdef",
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "sub": "42"}).SignedString(a.signKey)
	if err != nil {
		b.Fatal(err)
	}
	v := a.verifier(b)
	ctx := context.Background()
	if _, err := v.Verify(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := v.Verify(ctx, tok); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	if st := v.CacheStats(); st.Inserted != 1 || st.Misses != 1 {
		b.Fatalf("cache stats %+v: every pass but the first must hit", st)
	}
}
