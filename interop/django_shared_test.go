package interop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	jwtguarddjango "github.com/jwtguard/jwtguard/django"
	"github.com/jwtguard/jwtguard/interop/internal/django"
	"github.com/jwtguard/jwtguard/interop/internal/testenv"
)

// sharedSecret is the HS256 key both sides sign with.
const sharedSecret = "interop-secret-of-a-django-project-moving-to-go"

// userCheckBound is how long the Go side may go on accepting a user that
// Django deactivated.
const userCheckBound = time.Second

// shared is a Django project and a Go service on the same database: the
// Go side signs Django's users in and shares simplejwt's blacklist.
type shared struct {
	django *django.Server
	db     *jwtguarddjango.DB
	issuer *jwtguard.Issuer
	url    string // the Go service: /api/token/… and /hello/
}

// databases are the two databases Django and the Go side share in turn.
var databases = []struct {
	name string
	opts func(testing.TB) django.Options
}{
	{"SQLite", func(testing.TB) django.Options { return django.Options{} }},
	{"PostgreSQL", func(t testing.TB) django.Options {
		dsn := os.Getenv("JWTGUARD_POSTGRES_DSN")
		if dsn == "" {
			testenv.Unavailable(t, "PostgreSQL", fmt.Errorf("JWTGUARD_POSTGRES_DSN is empty"),
				"source scripts/ci/postgres.sh to start a local server and set it")
		}
		return django.Options{PostgresDSN: dsn}
	}},
}

// startShared starts Django with o and a Go service over its database.
func startShared(t *testing.T, o django.Options, opts ...jwtguard.IssuerOption) *shared {
	t.Helper()
	return startSharedBound(t, o, userCheckBound, opts...)
}

// startSharedBound is startShared with the user check's bound.
func startSharedBound(t *testing.T, o django.Options, bound time.Duration, opts ...jwtguard.IssuerOption) *shared {
	t.Helper()
	ctx := context.Background()
	dj := django.StartWith(t, sharedSecret, o)
	db, err := jwtguarddjango.Open(ctx, dj.Database)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	must(t, db.Migrate(ctx))

	key, err := jwtguard.NewSigningKey("", sharedSecret, jwtguard.HS256)
	must(t, err)
	opts = append([]jwtguard.IssuerOption{jwtguard.WithUserLookup(db.Users(), bound)}, opts...)
	iss, err := jwtguard.NewIssuer(key, db.Store(), opts...)
	must(t, err)
	endpoints, err := jwtguard.NewEndpoints(iss, db.Users())
	must(t, err)
	v, err := iss.Verifier()
	must(t, err)
	guard, err := jwtguard.NewGuard(v)
	must(t, err)
	mux := http.NewServeMux()
	endpoints.Register(mux, "/api/token/")
	mux.Handle("/hello/", guard.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"message":"Hello from Go"}`)
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &shared{django: dj, db: db, issuer: iss, url: srv.URL}
}

// goPost posts a JSON body to the Go service.
func (s *shared) goPost(t *testing.T, path string, body map[string]string) (int, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, s.url+path, bytes.NewReader(b))
	must(t, err)
	req.Header.Set("Content-Type", "application/json")
	return send(t, req)
}

// goHello calls the Go service's /hello/ with an access token.
func (s *shared) goHello(t *testing.T, access string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+"/hello/", nil)
	must(t, err)
	req.Header.Set("Authorization", "Bearer "+access)
	return send(t, req)
}

func send(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp.StatusCode, string(b)
}

// goPair posts to a token endpoint of the Go service and returns the
// pair, failing t unless it answers 200 with one.
func (s *shared) goPair(t *testing.T, path string, body map[string]string) (access, refresh string) {
	t.Helper()
	status, resp := s.goPost(t, path, body)
	return pairFrom(t, status, resp)
}

// pairFrom decodes a token pair, failing t unless status is 200.
func pairFrom(t *testing.T, status int, body string) (access, refresh string) {
	t.Helper()
	var p struct{ Access, Refresh string }
	if status != http.StatusOK || json.Unmarshal([]byte(body), &p) != nil || p.Access == "" || p.Refresh == "" {
		t.Fatalf("want 200 with a pair, got %d %s", status, body)
	}
	return p.Access, p.Refresh
}

// djangoShell runs Python in the Django project (manage.py shell -c) and
// returns what it printed, trimmed.
func djangoShell(t *testing.T, dj *django.Server, code string) string {
	t.Helper()
	return strings.TrimSpace(dj.Manage(t, "shell", "-c", code))
}

// jti returns a token's "jti", read without verifying it.
func jti(t *testing.T, token string) string {
	t.Helper()
	var s string
	must(t, json.Unmarshal(claims(t, token)["jti"], &s))
	return s
}
