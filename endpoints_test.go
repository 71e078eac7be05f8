package jwtguard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// testUsers is the Authenticator of the contract's Django app: vitor / 123
// (id 1), and an inactive user.
var testUsers = jwtguard.AuthenticatorFunc(func(_ context.Context, username, password string) (string, bool, error) {
	switch {
	case username == "vitor" && password == "123":
		return "1", true, nil
	case username == "sleepy" && password == "zzz":
		return "2", false, nil
	}
	return "", false, jwtguard.ErrInvalidCredentials
})

// tokenServer serves the four endpoints under /api/token/.
func tokenServer(t testing.TB, clock *testClock, opts ...jwtguard.EndpointOption) (*httptest.Server, *jwtguard.Issuer) {
	t.Helper()
	iss, _ := newIssuer(t, clock)
	e, err := jwtguard.NewEndpoints(iss, testUsers, opts...)
	must(t, err)
	mux := http.NewServeMux()
	e.Register(mux, "/api/token/")
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, iss
}

type reply struct {
	status int
	header http.Header
	body   string
}

func post(t testing.TB, url, contentType, body string, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	must(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, req)
}

func do(t testing.TB, req *http.Request) reply {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func postJSON(t testing.TB, url string, v map[string]string) reply {
	t.Helper()
	b, _ := json.Marshal(v)
	return post(t, url, "application/json", string(b))
}

func pairOf(t testing.TB, r reply) (access, refresh string) {
	t.Helper()
	var p struct{ Access, Refresh string }
	if r.status != 200 || json.Unmarshal([]byte(r.body), &p) != nil || p.Access == "" || p.Refresh == "" {
		t.Fatalf("want a pair, got %d %s", r.status, r.body)
	}
	return p.Access, p.Refresh
}

const (
	jsonCT = "application/json"
	formCT = "application/x-www-form-urlencoded"
)

// The contract of DRF-CONTRACT.md §1.3, request by request.
func TestEndpointsContract(t *testing.T) {
	clock := newTestClock()
	srv, _ := tokenServer(t, clock)
	obtain, refreshURL := srv.URL+"/api/token/", srv.URL+"/api/token/refresh/"
	verifyURL, blacklistURL := srv.URL+"/api/token/verify/", srv.URL+"/api/token/blacklist/"

	multipartBody := func(fields map[string]string) (string, string) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, v := range fields {
			w.WriteField(k, v)
		}
		w.Close()
		return w.FormDataContentType(), buf.String()
	}

	// Obtain, three encodings.
	r := post(t, obtain, jsonCT, `{"username":"vitor","password":"123"}`)
	if !strings.HasPrefix(r.body, `{"refresh":"`) || !strings.Contains(r.body, `","access":"`) {
		t.Errorf("obtain body key order: %s", r.body)
	}
	access, refresh := pairOf(t, r)
	_, refreshForm := pairOf(t, post(t, obtain, formCT, "username=vitor&password=123"))
	ct, mb := multipartBody(map[string]string{"username": "vitor", "password": "123"})
	pairOf(t, post(t, obtain, ct, mb))
	pairOf(t, post(t, obtain, jsonCT, `{"username":"vitor","password":"123"}`, "Authorization", "Bearer garbage"))

	// Rotation on a session of its own: reusing its spent token ends it.
	_, rotating := pairOf(t, post(t, obtain, jsonCT, `{"username":"vitor","password":"123"}`))
	clock.Add(2 * time.Second)
	r = postJSON(t, refreshURL, map[string]string{"refresh": rotating})
	if !strings.HasPrefix(r.body, `{"access":"`) {
		t.Errorf("refresh body key order: %s", r.body)
	}
	pairOf(t, r)
	_, refresh2 := pairOf(t, postJSON(t, refreshURL, map[string]string{"refresh": refresh}))
	expiredRefresh := signRaw(t, "HS256", `{"alg":"HS256","typ":"JWT"}`,
		`{"token_type":"refresh","exp":`+jsonInt(clock.Now().Add(-time.Minute).Unix())+`,"iat":1,"jti":"0123456789abcdef0123456789abcdef","user_id":1}`)
	expiredAccess := signRaw(t, "HS256", `{"alg":"HS256","typ":"JWT"}`,
		`{"token_type":"access","exp":`+jsonInt(clock.Now().Add(-time.Minute).Unix())+`,"iat":1,"jti":"0123456789abcdef0123456789abcdef","user_id":1}`)

	const (
		noAccount   = `{"detail":"No active account found with the given credentials"}`
		invalid     = `{"detail":"Token is invalid or expired","code":"token_not_valid"}`
		blacklisted = `{"detail":"Token is blacklisted","code":"token_not_valid"}`
		wrongType   = `{"detail":"Token has wrong type","code":"token_not_valid"}`
	)
	cases := []struct {
		name, url, ct, body string
		status              int
		want                string // exact body; "" to skip
	}{
		{"obtain wrong password", obtain, jsonCT, `{"username":"vitor","password":"wrong"}`, 401, noAccount},
		{"obtain unknown user", obtain, jsonCT, `{"username":"nobody","password":"123"}`, 401, noAccount},
		{"obtain inactive user", obtain, jsonCT, `{"username":"sleepy","password":"zzz"}`, 401, noAccount},
		{"obtain empty object", obtain, jsonCT, `{}`, 400, `{"username":["This field is required."],"password":["This field is required."]}`},
		{"obtain missing password", obtain, jsonCT, `{"username":"vitor"}`, 400, `{"password":["This field is required."]}`},
		{"obtain blank password", obtain, jsonCT, `{"username":"vitor","password":""}`, 400, `{"password":["This field may not be blank."]}`},
		{"obtain blank username", obtain, jsonCT, `{"username":"  ","password":"123"}`, 400, `{"username":["This field may not be blank."]}`},
		{"obtain null", obtain, jsonCT, `{"username":null,"password":"123"}`, 400, `{"username":["This field may not be null."]}`},
		{"obtain object as username", obtain, jsonCT, `{"username":{},"password":"123"}`, 400, `{"username":["Not a valid string."]}`},
		{"obtain malformed JSON", obtain, jsonCT, `{"username":`, 400, `{"detail":"JSON parse error - Expecting value: line 1 column 13 (char 12)"}`},
		{"obtain JSON list", obtain, jsonCT, `[1]`, 400, `{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`},
		{"obtain form missing password", obtain, formCT, `username=vitor`, 400, `{"password":["This field is required."]}`},
		{"obtain empty body", obtain, "", ``, 400, `{"username":["This field is required."],"password":["This field is required."]}`},
		{"obtain text/plain", obtain, "text/plain", `hello`, 415, `{"detail":"Unsupported media type \"text/plain\" in request."}`},
		{"refresh reuse", refreshURL, jsonCT, `{"refresh":"` + rotating + `"}`, 401, blacklisted},
		{"refresh with access", refreshURL, jsonCT, `{"refresh":"` + access + `"}`, 401, wrongType},
		{"refresh empty", refreshURL, jsonCT, `{}`, 400, `{"refresh":["This field is required."]}`},
		{"refresh garbage", refreshURL, jsonCT, `{"refresh":"not.a.jwt"}`, 401, invalid},
		{"refresh expired", refreshURL, jsonCT, `{"refresh":"` + expiredRefresh + `"}`, 401, invalid},
		{"verify access", verifyURL, jsonCT, `{"token":"` + access + `"}`, 200, `{}`},
		{"verify refresh", verifyURL, jsonCT, `{"token":"` + refresh2 + `"}`, 200, `{}`},
		{"verify spent refresh", verifyURL, jsonCT, `{"token":"` + refresh + `"}`, 400, `{"non_field_errors":["Token is blacklisted"]}`},
		{"verify garbage", verifyURL, jsonCT, `{"token":"abc"}`, 401, invalid},
		{"verify expired", verifyURL, jsonCT, `{"token":"` + expiredAccess + `"}`, 401, invalid},
		{"verify empty", verifyURL, jsonCT, `{}`, 400, `{"token":["This field is required."]}`},
		{"blacklist", blacklistURL, jsonCT, `{"refresh":"` + refreshForm + `"}`, 200, `{}`},
		{"blacklist again", blacklistURL, jsonCT, `{"refresh":"` + refreshForm + `"}`, 401, blacklisted},
		{"refresh blacklisted", refreshURL, jsonCT, `{"refresh":"` + refreshForm + `"}`, 401, blacklisted},
		{"blacklist access", blacklistURL, jsonCT, `{"refresh":"` + access + `"}`, 401, wrongType},
		{"blacklist empty", blacklistURL, jsonCT, `{}`, 400, `{"refresh":["This field is required."]}`},
	}
	for _, c := range cases {
		r := post(t, c.url, c.ct, c.body)
		checkReply(t, c.name, r, c.status, c.want)
	}

	// Methods and slashes.
	for _, url := range []string{obtain, refreshURL, verifyURL, blacklistURL} {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		checkReply(t, "GET "+url, do(t, req), 405, `{"detail":"Method \"GET\" not allowed."}`)
		req, _ = http.NewRequest(http.MethodOptions, url, nil)
		checkReply(t, "OPTIONS "+url, do(t, req), 200, "")
	}
	// Django answers 301, which clients follow with a GET; 307 keeps the POST.
	r = post(t, srv.URL+"/api/token", jsonCT, `{}`)
	if r.status != http.StatusTemporaryRedirect || r.header.Get("Location") != "/api/token/" {
		t.Errorf("POST /api/token: %d Location %q, want 307 to /api/token/", r.status, r.header.Get("Location"))
	}
}

func checkReply(t *testing.T, name string, r reply, status int, body string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d (body %s)", name, r.status, status, r.body)
	}
	if body != "" && r.body != body {
		t.Errorf("%s: body\n  %s\nwant\n  %s", name, r.body, body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", name, ct)
	}
	if got := r.header.Get("Allow"); got != "POST, OPTIONS" {
		t.Errorf("%s: Allow %q", name, got)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("%s: Cache-Control %q", name, got)
	}
	challenge := r.header.Get("Www-Authenticate")
	if status == 401 && challenge != `Bearer realm="api"` {
		t.Errorf("%s: 401 with WWW-Authenticate %q", name, challenge)
	}
	if status != 401 && challenge != "" {
		t.Errorf("%s: %d with WWW-Authenticate %q", name, status, challenge)
	}
}

// Sign-in throttling: per client address and per username, 429 with
// Retry-After, and X-Forwarded-For believed only from a trusted proxy.
func TestEndpointsThrottle(t *testing.T) {
	clock := newTestClock()
	throttle, err := jwtguard.NewLoginThrottle(jwtguard.WithPerClient(5, time.Minute), jwtguard.WithPerUsername(2, time.Minute),
		jwtguard.WithClock(clock.Now))
	must(t, err)
	srv, _ := tokenServer(t, clock, jwtguard.WithLoginThrottle(throttle))
	url := srv.URL + "/api/token/"

	// Two failures for vitor, then even the right password waits.
	for range 2 {
		checkReply(t, "wrong password", post(t, url, jsonCT, `{"username":"vitor","password":"x"}`), 401, "")
	}
	r := post(t, url, jsonCT, `{"username":"vitor","password":"123"}`)
	checkReply(t, "throttled user", r, 429, `{"detail":"Request was throttled. Expected available in 30 seconds."}`)
	if r.header.Get("Retry-After") != "30" {
		t.Errorf("Retry-After %q, want 30", r.header.Get("Retry-After"))
	}
	// Another username from the same address still may try, until the
	// address's five attempts are spent.
	checkReply(t, "other user", post(t, url, jsonCT, `{"username":"sleepy","password":"x"}`), 401, "")
	checkReply(t, "other user", post(t, url, jsonCT, `{"username":"sleepy","password":"y"}`), 401, "")
	checkReply(t, "address spent", post(t, url, jsonCT, `{"username":"anyone","password":"x"}`), 429, "")
	// A spoofed X-Forwarded-For does not buy a new address.
	checkReply(t, "spoofed XFF", post(t, url, jsonCT, `{"username":"anyone","password":"x"}`, "X-Forwarded-For", "203.0.113.9"), 429, "")

	clock.Add(time.Minute)
	pairOf(t, post(t, url, jsonCT, `{"username":"vitor","password":"123"}`))
}

// Obtained tokens work with a Guard built on the issuer's verifier, and the
// user check answers as simplejwt's JWTAuthentication.
func TestEndpointsWithGuard(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	active := map[string]bool{"1": true, "2": false}
	iss, _ := newIssuer(t, clock, jwtguard.WithAccessRevocation(0), jwtguard.WithUserLookup(
		jwtguard.UserLookupFunc(func(_ context.Context, id string) (bool, error) {
			a, ok := active[id]
			if !ok {
				return false, jwtguard.ErrUserNotFound
			}
			return a, nil
		}), 0))
	v, err := iss.Verifier()
	must(t, err)
	g, err := jwtguard.NewGuard(v)
	must(t, err)
	h := g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	call := func(token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/hello/", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	p1, _ := iss.Issue(ctx, "1")
	p2, _ := iss.Issue(ctx, "2")
	p3, _ := iss.Issue(ctx, "3")
	noUser := signRaw(t, "HS256", `{"alg":"HS256"}`, `{"jti":"j","token_type":"access","exp":`+jsonInt(future)+`}`)
	for _, c := range []struct {
		name, token string
		status      int
		body        string
	}{
		{"active", p1.Access, 200, "ok"},
		{"inactive", p2.Access, 401, `{"detail":"User is inactive","code":"user_inactive"}`},
		{"deleted", p3.Access, 401, `{"detail":"User not found","code":"user_not_found"}`},
		{"no user claim", noUser, 401, `{"detail":"Token contained no recognizable user identification","code":"token_not_valid"}`},
	} {
		w := call(c.token)
		if w.Code != c.status || w.Body.String() != c.body {
			t.Errorf("%s: %d %s, want %d %s", c.name, w.Code, w.Body, c.status, c.body)
		}
	}
	must(t, iss.Logout(ctx, p1.Refresh))
	w := call(p1.Access)
	if w.Code != 401 || !strings.Contains(w.Body.String(), `"message":"Token is blacklisted"`) {
		t.Errorf("access token after logout: %d %s", w.Code, w.Body)
	}
}
