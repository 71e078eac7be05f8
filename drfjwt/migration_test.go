package drfjwt_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/drfjwt"
)

// migration is a service halfway from the old tokens to simplejwt's: the
// old views, the new endpoints (refresh wrapped by Exchange), and /hello/
// behind Either.
type migration struct {
	srv    *httptest.Server
	store  *jwtguard.MemoryStore
	users  *accounts
	clk    *clock
	p      *drfjwt.Profile
	issuer *jwtguard.Issuer
}

func newMigration(t *testing.T) *migration {
	t.Helper()
	m := &migration{store: jwtguard.NewMemoryStore(), users: newAccounts(), clk: &clock{}}
	m.clk.set(time.Now().Unix())
	p := newProfile(t, m.users, m.clk)
	key, err := jwtguard.NewSigningKey("", []byte(secret), jwtguard.HS256)
	must(t, err)
	issuer, err := jwtguard.NewIssuer(key, m.store, jwtguard.WithIssuerClock(m.clk.now))
	must(t, err)
	m.p, m.issuer = p, issuer
	auth := jwtguard.AuthenticatorFunc(func(ctx context.Context, username, password string) (string, bool, error) {
		u, err := m.users.Authenticate(ctx, username, password)
		return u.ID, u.Active, err
	})
	endpoints, err := jwtguard.NewEndpoints(issuer, auth)
	must(t, err)
	v, err := issuer.Verifier(jwtguard.WithClock(m.clk.now))
	must(t, err)
	newGuard, err := jwtguard.NewGuard(v)
	must(t, err)
	oldGuard, err := p.Guard()
	must(t, err)

	mux := http.NewServeMux()
	mux.Handle("/auth/obtain_token/", p.Obtain())
	mux.Handle("/auth/refresh_token/", p.Refresh())
	mux.Handle("/api/token/{$}", endpoints.Obtain())
	mux.Handle("/api/token/refresh/{$}", p.Exchange(issuer, m.store, endpoints.Refresh()))
	mux.Handle("/hello/{$}", p.Either(oldGuard, newGuard, jwtguard.IsAuthenticated())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := jwtguard.FromRequest(r)
		io.WriteString(w, tok.Subject())
	})))
	m.srv = httptest.NewServer(mux)
	t.Cleanup(m.srv.Close)
	return m
}

func (m *migration) post(t *testing.T, path, body string) reply {
	return do(t, http.MethodPost, m.srv.URL+path, ctJSON, body)
}

func (m *migration) hello(t *testing.T, auth string) reply {
	return do(t, http.MethodGet, m.srv.URL+"/hello/", "", "", "Authorization", auth)
}

func field(t *testing.T, r reply, name string) string {
	t.Helper()
	var v map[string]string
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &v) != nil || v[name] == "" {
		t.Fatalf("want 200 with %q, got %d %s", name, r.status, r.body)
	}
	return v[name]
}

// An old token refreshes into a new pair, once; old and new tokens both
// authenticate meanwhile, each by its own Guard and prefix; new tokens go
// on as simplejwt's (rotation), and old clients keep their views.
func TestMigrationOldTokensRefreshIntoNew(t *testing.T) {
	m := newMigration(t)
	old := field(t, m.post(t, "/auth/obtain_token/", vitor), "token")

	if r := m.hello(t, "JWT "+old); r.status != 200 || r.body != "1" {
		t.Fatalf("old token on the API: %d %s", r.status, r.body)
	}
	r := m.post(t, "/api/token/refresh/", `{"refresh":"`+old+`"}`)
	access, refresh := field(t, r, "access"), field(t, r, "refresh")
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("the exchange's pair: Cache-Control %q, want no-store", r.header.Get("Cache-Control"))
	}
	if r := m.hello(t, "Bearer "+access); r.status != 200 || r.body != "1" {
		t.Fatalf("new access token on the API: %d %s", r.status, r.body)
	}
	// The old token is spent for the exchange, not for its own views.
	if r := m.post(t, "/api/token/refresh/", `{"refresh":"`+old+`"}`); r.status != http.StatusUnauthorized {
		t.Fatalf("an old token exchanged twice: %d %s", r.status, r.body)
	}
	if r := m.post(t, "/auth/refresh_token/", `{"token":"`+old+`"}`); r.status != 200 {
		t.Fatalf("the old refresh view after the exchange: %d %s", r.status, r.body)
	}
	// The new refresh token rotates as simplejwt's.
	field(t, m.post(t, "/api/token/refresh/", `{"refresh":"`+refresh+`"}`), "access")
	if r := m.post(t, "/api/token/refresh/", `{"refresh":"`+refresh+`"}`); r.status != http.StatusUnauthorized {
		t.Fatalf("a spent new refresh token: %d %s", r.status, r.body)
	}
	// A new access token sent with the old prefix is not the old Guard's.
	if r := m.hello(t, "JWT "+access); r.status != http.StatusUnauthorized {
		t.Fatalf("a new token under the old prefix: %d %s", r.status, r.body)
	}
	// The old Guard's refusals read as the old library's.
	if r := m.hello(t, "JWT abc"); r.status != 401 || r.body != decode || r.header.Get("WWW-Authenticate") != `JWT realm="api"` {
		t.Fatalf("a bad old token: %d %s %q", r.status, r.body, r.header.Get("WWW-Authenticate"))
	}
	if r := m.hello(t, "Bearer abc"); r.status != 401 || r.header.Get("WWW-Authenticate") == `JWT realm="api"` {
		t.Fatalf("a bad new token: %d %s", r.status, r.body)
	}
}

// What the exchange refuses goes to simplejwt's endpoint, which refuses
// it as simplejwt does; a store down is a 503.
func TestMigrationExchangeRefuses(t *testing.T) {
	m := newMigration(t)
	now := m.clk.secs.Load()
	inactive := sign(oldHeader, `{"user_id":45,"username":"newuser","exp":`+itoa(now+3600)+`,"email":"","orig_iat":`+itoa(now)+`}`, secret)
	for name, tok := range map[string]string{
		"window passed": sign(oldHeader, payload(now+3600, now-8*24*3600, ""), secret),
		"expired":       sign(oldHeader, payload(now-1, now-10, ""), secret),
		"no orig_iat":   sign(oldHeader, payload(now+3600, now, "", "orig_iat"), secret),
		"no exp":        sign(oldHeader, payload(0, now, "", "exp"), secret),
		"wrong key":     sign(oldHeader, payload(now+3600, now, ""), "another-secret-entirely"),
		"inactive":      inactive,
		"garbage":       "abc",
	} {
		r := m.post(t, "/api/token/refresh/", `{"refresh":"`+tok+`"}`)
		var body struct{ Code string }
		if r.status != http.StatusUnauthorized || json.Unmarshal([]byte(r.body), &body) != nil || body.Code != "token_not_valid" {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	if r := m.post(t, "/api/token/refresh/", `{}`); r.status != 400 || r.body != `{"refresh":["This field is required."]}` {
		t.Errorf("no field: %d %s", r.status, r.body)
	}
	old := field(t, m.post(t, "/auth/obtain_token/", vitor), "token")
	m.users.fail.Store(true)
	if r := m.post(t, "/api/token/refresh/", `{"refresh":"`+old+`"}`); r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") != "1" {
		t.Errorf("accounts down: %d %s", r.status, r.body)
	}
}

// Many concurrent exchanges of one old token: exactly one pair.
func TestMigrationExchangeOnce(t *testing.T) {
	m := newMigration(t)
	old := field(t, m.post(t, "/auth/obtain_token/", vitor), "token")
	const n = 16
	codes := make(chan int, n)
	for range n {
		go func() {
			req, _ := http.NewRequest(http.MethodPost, m.srv.URL+"/api/token/refresh/", stringsReader(`{"refresh":"`+old+`"}`))
			req.Header.Set("Content-Type", ctJSON)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	won := 0
	for range n {
		switch c := <-codes; c {
		case 200:
			won++
		case 401:
		default:
			t.Errorf("status %d", c)
		}
	}
	if won != 1 {
		t.Fatalf("%d exchanges of one token won, want 1", won)
	}
}

// simplejwt's tokens, signed with the shared secret as the migration has
// it, are not the old profile's, whatever their type: its Guard, its
// views and Decode refuse any token with a token_type claim (one with a
// username claim included), while Either still hands them to the new
// Guard; and the new Guard refuses the old tokens.
func TestSimpleJWTTokensRefused(t *testing.T) {
	m := newMigration(t)
	now := m.clk.secs.Load()
	ctx := context.Background()
	typed := map[string]string{
		"refresh with username": sign(oldHeader, `{"token_type":"refresh","exp":`+itoa(now+3600)+`,"iat":`+itoa(now)+`,"jti":"0f1e2d3c","user_id":1,"username":"vitor","email":"","orig_iat":`+itoa(now)+`}`, secret),
		"access with username":  sign(oldHeader, `{"token_type":"access","exp":`+itoa(now+3600)+`,"iat":`+itoa(now)+`,"jti":"4b5a6978","user_id":1,"username":"vitor","email":"","orig_iat":`+itoa(now)+`}`, secret),
	}
	pair := m.post(t, "/api/token/", vitor)
	typed["issued refresh"] = field(t, pair, "refresh")
	typed["issued access"] = field(t, pair, "access")
	for _, purpose := range []string{"activation", "password_reset"} {
		tok, _, err := m.issuer.IssueToken(ctx, purpose, "1", time.Hour)
		must(t, err)
		typed[purpose] = tok
	}
	old := contractServer(t, m.p)
	for name, raw := range typed {
		if _, err := m.p.Decode(ctx, raw); err == nil {
			t.Errorf("%s: Decode accepted it", name)
		}
		// The Guard reads the username before the type: a typed token
		// without one is the old library's "Invalid payload.".
		want := incorr
		if !strings.Contains(payloadOf(raw), `"username"`) {
			want = `{"detail":"Invalid payload."}`
		}
		r := do(t, http.MethodGet, old.URL+"/hello/", "", "", "Authorization", "JWT "+raw)
		if r.status != 401 || r.body != want || r.header.Get("WWW-Authenticate") != `JWT realm="api"` {
			t.Errorf("%s at the old Guard: %d %s %q", name, r.status, r.body, r.header.Get("WWW-Authenticate"))
		}
		for _, view := range []string{"/auth/verify_token/", "/auth/refresh_token/"} {
			if r := do(t, http.MethodPost, old.URL+view, ctJSON, tok(raw)); r.status != 400 || r.body != nfe("Error decoding signature.") {
				t.Errorf("%s at %s: %d %s", name, view, r.status, r.body)
			}
		}
		// Either routes a typed token to the new Guard, whatever the prefix.
		if r := m.hello(t, "JWT "+raw); r.status != 401 || r.header.Get("WWW-Authenticate") == `JWT realm="api"` {
			t.Errorf("%s under JWT through Either: %d %s %q", name, r.status, r.body, r.header.Get("WWW-Authenticate"))
		}
	}
	if r := m.hello(t, "Bearer "+typed["issued access"]); r.status != 200 || r.body != "1" {
		t.Errorf("a new access token through Either: %d %s", r.status, r.body)
	}
	// The other direction: an old token is not the new Guard's.
	oldTok := field(t, m.post(t, "/auth/obtain_token/", vitor), "token")
	if r := m.hello(t, "Bearer "+oldTok); r.status != 401 || r.header.Get("WWW-Authenticate") == `JWT realm="api"` {
		t.Errorf("an old token under Bearer: %d %s", r.status, r.body)
	}
	if r := m.hello(t, "JWT "+oldTok); r.status != 200 || r.body != "1" {
		t.Errorf("an old token under JWT: %d %s", r.status, r.body)
	}
}

// One sign-in is one exchange: refreshing the old token at the old view
// gives a new string with the same orig_iat, which is not exchanged again.
func TestMigrationExchangeOncePerSignIn(t *testing.T) {
	m := newMigration(t)
	old := field(t, m.post(t, "/auth/obtain_token/", vitor), "token")
	field(t, m.post(t, "/api/token/refresh/", `{"refresh":"`+old+`"}`), "access")
	m.clk.set(m.clk.secs.Load() + 60)
	again := field(t, m.post(t, "/auth/refresh_token/", `{"token":"`+old+`"}`), "token")
	if again == old {
		t.Fatal("the refresh returned the same token")
	}
	r := m.post(t, "/api/token/refresh/", `{"refresh":"`+again+`"}`)
	var body struct{ Code string }
	if r.status != http.StatusUnauthorized || json.Unmarshal([]byte(r.body), &body) != nil || body.Code != "token_not_valid" {
		t.Fatalf("the refreshed old token exchanged again: %d %s", r.status, r.body)
	}
	// Another sign-in is another session.
	m.clk.set(m.clk.secs.Load() + 1)
	other := field(t, m.post(t, "/auth/obtain_token/", vitor), "token")
	field(t, m.post(t, "/api/token/refresh/", `{"refresh":"`+other+`"}`), "access")
}
