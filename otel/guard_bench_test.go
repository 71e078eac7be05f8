package jwtguardotel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jwtguard/jwtguard"
	jwtguardotel "github.com/jwtguard/jwtguard/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/trace/noop"
)

// discard is a ResponseWriter that keeps only the status.
type discard struct {
	h      http.Header
	status int
}

func (w *discard) Header() http.Header         { return w.h }
func (w *discard) Write(b []byte) (int, error) { return len(b), nil }
func (w *discard) WriteHeader(s int)           { w.status = s }

// nopObserver is told everything and does nothing: what the event seam
// itself costs, apart from any observer's work.
type nopObserver struct{}

func (nopObserver) Observe(context.Context, jwtguard.Event) {}
func (nopObserver) Begin(ctx context.Context, _ jwtguard.EventKind) context.Context {
	return ctx
}

// BenchmarkGuard is the root's BenchmarkGuard (HS256, the verified-token
// cache on, a Guard requiring authentication) with metrics off (no
// observer: the Guard as it ships), seam (an observer that does nothing:
// the event seam's own cost) and on (this module's Observer on the
// Verifier and the Guard, the real metrics SDK, no tracing). case=ok
// repeats one valid token: the cache-hit path.
func BenchmarkGuard(b *testing.B) {
	secret := []byte("a-32-byte-secret-for-benchmarks!")
	now := time.Now()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"token_type": "access", "exp": now.Add(time.Hour).Unix(),
		"iat": now.Unix(), "jti": "0123456789abcdef0123456789abcdef", "user_id": 42, "iss": "https://issuer.example", "sub": "42"}).SignedString(secret)
	if err != nil {
		b.Fatal(err)
	}
	dot := strings.LastIndexByte(tok, '.')
	badSig := tok[:dot+1] + strings.Repeat("A", len(tok)-dot-2) + "A"
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, c := range []struct {
		name, auth string
		status     int
	}{{"ok", "Bearer " + tok, 200}, {"missing", "", 401}, {"badsig", "Bearer " + badSig, 401}} {
		for _, metrics := range []string{"off", "seam", "on"} {
			b.Run("case="+c.name+"/metrics="+metrics, func(b *testing.B) {
				var common []jwtguard.Option
				if metrics == "seam" {
					common = append(common, jwtguard.WithObserver(nopObserver{}))
				}
				if metrics == "on" {
					mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
					b.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
					obs, err := jwtguardotel.New(jwtguardotel.WithMeterProvider(mp), jwtguardotel.WithTracerProvider(noop.NewTracerProvider()))
					if err != nil {
						b.Fatal(err)
					}
					common = append(common, jwtguard.WithObserver(obs))
				}
				key, err := jwtguard.NewHMACKey("", secret, jwtguard.HS256)
				if err != nil {
					b.Fatal(err)
				}
				keys, err := jwtguard.NewKeySet(key)
				if err != nil {
					b.Fatal(err)
				}
				vopts := []jwtguard.VerifierOption{jwtguard.WithIssuer("https://issuer.example")}
				gopts := []jwtguard.GuardOption{}
				for _, o := range common {
					vopts, gopts = append(vopts, o), append(gopts, o)
				}
				v, err := jwtguard.NewVerifier(keys, vopts...)
				if err != nil {
					b.Fatal(err)
				}
				g, err := jwtguard.NewGuard(v, gopts...)
				if err != nil {
					b.Fatal(err)
				}
				h := g.Require(jwtguard.IsAuthenticated())(ok)
				req := httptest.NewRequest("GET", "/", nil)
				if c.auth != "" {
					req.Header.Set("Authorization", c.auth)
				}
				w := &discard{h: http.Header{}, status: 200}
				h.ServeHTTP(w, req)
				if w.status != c.status {
					b.Fatalf("status %d, want %d", w.status, c.status)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					w.status = 200
					h.ServeHTTP(w, req)
				}
			})
		}
	}
}
