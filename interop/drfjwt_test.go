package interop_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/drfjwt"
	"github.com/jwtguard/jwtguard/interop/internal/minter"
)

// drfSecret is the shared secret, JWT_SECRET_KEY, of both sides.
const drfSecret = "drf-interop-shared-secret"

// drfUsers are the accounts of the interop tests, names that PyJWT's
// ensure_ascii writes as \u escapes among them.
var drfUsers = map[string]drfjwt.User{
	"vitor": {ID: "1", Username: "vitor", Email: "vitor@example.com", Active: true},
	"josé":  {ID: "7", Username: "josé \U0001F600 \"q\" \\ \t\u007f", Email: "", Active: true},
	"uuid":  {ID: "5f0c6b3e-8a1d-4c4e-9a57-0c1e2b3d4f5a", Username: "uuid", Email: "u@example.com", Active: true},
}

type drfAccounts struct{}

func (drfAccounts) Authenticate(_ context.Context, username, password string) (drfjwt.User, error) {
	if u, ok := drfUsers[username]; ok && password == "pw-"+username {
		return u, nil
	}
	return drfjwt.User{}, jwtguard.ErrInvalidCredentials
}

func (drfAccounts) Lookup(_ context.Context, username string) (drfjwt.User, error) {
	for _, u := range drfUsers {
		if u.Username == username {
			return u, nil
		}
	}
	return drfjwt.User{}, jwtguard.ErrUserNotFound
}

func drfProfile(t *testing.T, now func() time.Time) *drfjwt.Profile {
	t.Helper()
	key, err := jwtguard.NewSigningKey("", []byte(drfSecret), jwtguard.HS256)
	if err != nil {
		t.Fatal(err)
	}
	p, err := drfjwt.New(key, drfAccounts{}, drfjwt.WithExpiration(time.Hour), drfjwt.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// oldPayload writes the old library's claims set for u, in its order.
func oldPayload(t *testing.T, u drfjwt.User, exp, orig int64) json.RawMessage {
	t.Helper()
	id := any(u.ID)
	if n, err := strconv.ParseInt(u.ID, 10, 64); err == nil {
		id = n
	}
	var b strings.Builder
	b.WriteString("{")
	for i, m := range []struct {
		k string
		v any
	}{{"user_id", id}, {"username", u.Username}, {"exp", exp}, {"email", u.Email}, {"orig_iat", orig}} {
		if i > 0 {
			b.WriteString(",")
		}
		k, _ := json.Marshal(m.k)
		v, err := json.Marshal(m.v)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(k)
		b.WriteString(":")
		b.Write(v)
	}
	b.WriteString("}")
	return json.RawMessage(b.String())
}

// The profile mints, byte for byte, the token PyJWT mints from the old
// library's payload and header: ASCII escapes of non-ASCII names, a UUID
// user_id as a string, PyJWT 1.x's header order.
func TestDRFJWTTokensAsPyJWTMintsThem(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	p := drfProfile(t, func() time.Time { return now })
	req := minter.DRFRequest{Secret: drfSecret}
	var names []string
	for name, u := range drfUsers {
		names = append(names, name)
		req.Mint = append(req.Mint, minter.DRFMint{Payload: oldPayload(t, u, now.Unix()+3600, now.Unix())})
	}
	res := minter.DRFJWT(t, req)
	for i, name := range names {
		got, err := p.IssueToken(drfUsers[name])
		if err != nil {
			t.Fatal(err)
		}
		if got != res.Tokens[i] {
			t.Errorf("%s: the profile minted\n%s\nPyJWT minted\n%s", name, got, res.Tokens[i])
		}
	}
}

func drfServer(t *testing.T, p *drfjwt.Profile) *httptest.Server {
	t.Helper()
	guard, err := p.Guard()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/auth/obtain_token/", p.Obtain())
	mux.Handle("/auth/refresh_token/", p.Refresh())
	mux.Handle("/hello/", guard.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtguard.UserFromRequest[drfjwt.User](r)
		io.WriteString(w, u.Username)
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func drfDo(t *testing.T, method, url, body, auth string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Tokens PyJWT mints in the old library's shape authenticate and refresh
// on the real clock; the ones the old library would have taken unsafely
// (another algorithm, no exp) do not.
func TestDRFJWTPyJWTTokensVerify(t *testing.T) {
	srv := drfServer(t, drfProfile(t, time.Now))
	now := time.Now().Unix()
	u := drfUsers["josé"]
	noExp := `{"user_id":7,"username":` + string(must1(json.Marshal(u.Username))) + `,"orig_iat":` + strconv.FormatInt(now, 10) + `}`
	res := minter.DRFJWT(t, minter.DRFRequest{Secret: drfSecret, Mint: []minter.DRFMint{
		{Payload: oldPayload(t, u, now+3600, now)},
		{Payload: oldPayload(t, u, now+3600, now), Alg: "HS512"},
		{Payload: json.RawMessage(noExp)},
		{Payload: oldPayload(t, u, now-5, now-100)},
	}})
	good, hs512, unbounded, expired := res.Tokens[0], res.Tokens[1], res.Tokens[2], res.Tokens[3]

	if code, body := drfDo(t, "GET", srv.URL+"/hello/", "", "JWT "+good); code != 200 || body != u.Username {
		t.Fatalf("a PyJWT token on /hello/: %d %s", code, body)
	}
	code, body := drfDo(t, "POST", srv.URL+"/auth/refresh_token/", `{"token":"`+good+`"}`, "")
	if code != 200 || !strings.HasPrefix(body, `{"token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.`) {
		t.Fatalf("a PyJWT token refreshed: %d %s", code, body)
	}
	for name, c := range map[string]struct {
		tok, want string
	}{
		"HS512":   {hs512, `{"detail":"Incorrect authentication credentials."}`},
		"no exp":  {unbounded, `{"detail":"Incorrect authentication credentials."}`},
		"expired": {expired, `{"detail":"Signature has expired."}`},
	} {
		if code, body := drfDo(t, "GET", srv.URL+"/hello/", "", "JWT "+c.tok); code != 401 || body != c.want {
			t.Errorf("%s: %d %s, want 401 %s", name, code, body, c.want)
		}
	}
}

// Tokens the Go side mints over HTTP, at sign-in and at refresh, decode
// with PyJWT and the shared secret, as the old library decoded them: the
// claims and their values as it wrote them; a tampered one does not.
func TestDRFJWTGoTokensDecodeWithPyJWT(t *testing.T) {
	srv := drfServer(t, drfProfile(t, time.Now))
	code, body := drfDo(t, "POST", srv.URL+"/auth/obtain_token/", `{"username":"vitor","password":"pw-vitor"}`, "")
	var obtained struct{ Token string }
	if code != 200 || json.Unmarshal([]byte(body), &obtained) != nil {
		t.Fatalf("obtain: %d %s", code, body)
	}
	code, body = drfDo(t, "POST", srv.URL+"/auth/refresh_token/", `{"token":"`+obtained.Token+`"}`, "")
	var refreshed struct{ Token string }
	if code != 200 || json.Unmarshal([]byte(body), &refreshed) != nil {
		t.Fatalf("refresh: %d %s", code, body)
	}
	tampered := obtained.Token[:len(obtained.Token)-4] + "AAAA"
	res := minter.DRFJWT(t, minter.DRFRequest{Secret: drfSecret, Decode: []string{obtained.Token, refreshed.Token, tampered}})
	a, b := res.Decoded[0], res.Decoded[1]
	if a.Error != "" || b.Error != "" {
		t.Fatalf("PyJWT refused the Go tokens: %q %q", a.Error, b.Error)
	}
	for _, p := range []map[string]any{a.Payload, b.Payload} {
		if p["user_id"] != float64(1) || p["username"] != "vitor" || p["email"] != "vitor@example.com" || len(p) != 5 {
			t.Errorf("claims as PyJWT decodes them: %v", p)
		}
	}
	if a.Payload["orig_iat"] != b.Payload["orig_iat"] || a.Payload["exp"].(float64)-a.Payload["orig_iat"].(float64) != 3600 {
		t.Errorf("orig_iat and exp: obtained %v, refreshed %v", a.Payload, b.Payload)
	}
	if e := res.Decoded[2].Error; e != "InvalidSignatureError" {
		t.Errorf("PyJWT on a tampered Go token: %q", e)
	}
}

func must1[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
