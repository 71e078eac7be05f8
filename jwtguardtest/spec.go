package jwtguardtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard"
)

// Route is one route of the spec server: a path and the policy that guards
// every method on it.
type Route struct {
	Path   string
	Policy jwtguard.Policy
}

// SpecServer is what an entry point under test mounts: the Guard, the routes
// with their policies, and the handler that answers every allowed request.
type SpecServer struct {
	Guard  *jwtguard.Guard
	Routes []Route
	// Handler answers 200 with {"sub": "<subject>"} ("" when anonymous),
	// reading the token with jwtguard.FromRequest.
	Handler http.Handler
}

// Case is one request of the spec and the answer every entry point must give.
type Case struct {
	Name      string
	Method    string
	Path      string
	Header    http.Header
	Status    int
	Challenge string // the exact WWW-Authenticate value; "" for none
	Body      string // the exact body
}

// The spec's keys and claims, fixed so that answers are byte-exact.
const specSecret = "jwtguard-spec-shared-secret-0123"

// NewSpecServer builds the spec's Guard and routes. The Guard trusts the
// HMAC secret and an ECDSA P-256 key; NewSpecServer also returns the
// cases, with tokens minted now.
func NewSpecServer(tb testing.TB) (*SpecServer, []Case) {
	tb.Helper()
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	hk, err := jwtguard.NewHMACKey("", []byte(specSecret), jwtguard.HS256)
	if err != nil {
		tb.Fatal(err)
	}
	ek, err := jwtguard.NewPublicKey("ec1", &ecKey.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	keys, err := jwtguard.NewKeySet(hk, ek)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := jwtguard.NewVerifier(keys)
	if err != nil {
		tb.Fatal(err)
	}
	g, err := jwtguard.NewGuard(v)
	if err != nil {
		tb.Fatal(err)
	}
	s := &SpecServer{
		Guard: g,
		Routes: []Route{
			{"/public", jwtguard.AllowAny()},
			{"/private", jwtguard.IsAuthenticated()},
			{"/items", jwtguard.IsAuthenticatedOrReadOnly()},
			{"/admin", jwtguard.IsAdmin()},
			{"/scoped", jwtguard.HasScope("items:read")},
		},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sub := ""
			if t, ok := jwtguard.FromRequest(r); ok {
				sub = t.Subject()
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"sub": sub})
		}),
	}
	return s, specCases(tb, ecKey)
}

func specCases(tb testing.TB, ecKey *ecdsa.PrivateKey) []Case {
	now := time.Now()
	hs := func(claims jwt.MapClaims) string {
		return sign(tb, jwt.SigningMethodHS256, []byte(specSecret), "", claims)
	}
	access := func(extra jwt.MapClaims) jwt.MapClaims {
		c := jwt.MapClaims{"token_type": "access", "exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(), "jti": "0123456789abcdef0123456789abcdef", "user_id": 1}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	valid := hs(access(nil))
	ecValid := sign(tb, jwt.SigningMethodES256, ecKey, "ec1", access(jwt.MapClaims{"sub": "carol"}))
	expired := hs(access(jwt.MapClaims{"exp": now.Add(-time.Minute).Unix()}))
	refresh := hs(access(jwt.MapClaims{"token_type": "refresh"}))
	noExp := hs(jwt.MapClaims{"user_id": 1})
	admin := hs(access(jwt.MapClaims{"is_staff": true}))
	scoped := hs(access(jwt.MapClaims{"scope": "items:write items:read"}))
	confused := sign(tb, jwt.SigningMethodHS256, pubPEM, "ec1", access(nil))
	none := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + valid[37:len(valid)-44] + "."
	badSig := valid[:len(valid)-2] + "AA"

	const (
		base     = `Bearer realm="api"`
		invalid  = base + `, error="invalid_token", error_description="Token is invalid or expired"`
		malform  = base + `, error="invalid_request", error_description="Malformed credentials"`
		noCreds  = `{"detail":"Authentication credentials were not provided."}`
		badHdr   = `{"detail":"Authorization header must contain two space-delimited values","code":"bad_authorization_header"}`
		forbid   = `{"detail":"You do not have permission to perform this action."}`
		scopeBad = `{"detail":"You do not have permission to perform this action.","code":"insufficient_scope"}`
	)
	tokenBody := func(msg string) string {
		return `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"` + msg + `"}]}`
	}
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	ok := func(sub string) string { return `{"sub":"` + sub + `"}` + "\n" }

	return []Case{
		{"public anonymous", "GET", "/public", nil, 200, "", ok("")},
		{"public valid", "GET", "/public", bearer(valid), 200, "", ok("1")},
		{"public invalid token is refused", "GET", "/public", bearer(expired), 401, invalid, tokenBody("Token is invalid or expired")},
		{"private anonymous", "GET", "/private", nil, 401, base, noCreds},
		{"private valid HS256", "GET", "/private", bearer(valid), 200, "", ok("1")},
		{"private valid ES256 with kid", "GET", "/private", bearer(ecValid), 200, "", ok("carol")},
		{"scheme is case-insensitive", "GET", "/private", http.Header{"Authorization": {"bearer " + valid}}, 200, "", ok("1")},
		{"two spaces after the scheme", "GET", "/private", http.Header{"Authorization": {"Bearer  " + valid}}, 200, "", ok("1")},
		{"other scheme is no credentials", "GET", "/private", http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}, 401, base, noCreds},
		{"scheme without token", "GET", "/private", http.Header{"Authorization": {"Bearer"}}, 401, malform, badHdr},
		{"token with inner space", "GET", "/private", http.Header{"Authorization": {"Bearer a b"}}, 401, malform, badHdr},
		{"two Authorization headers", "GET", "/private", http.Header{"Authorization": {"Bearer " + valid, "Bearer " + valid}}, 401, malform, badHdr},
		{"expired", "GET", "/private", bearer(expired), 401, invalid, tokenBody("Token is invalid or expired")},
		{"refresh token as access token", "GET", "/private", bearer(refresh), 401,
			base + `, error="invalid_token", error_description="Token has wrong type"`, tokenBody("Token has wrong type")},
		{"no exp", "GET", "/private", bearer(noExp), 401,
			base + `, error="invalid_token", error_description="Token has no 'exp' claim"`, tokenBody("Token has no 'exp' claim")},
		{"alg none", "GET", "/private", bearer(none), 401, invalid, tokenBody("Token is invalid or expired")},
		{"bad signature", "GET", "/private", bearer(badSig), 401, invalid, tokenBody("Token is invalid or expired")},
		{"HS256 keyed with the public key", "GET", "/private", bearer(confused), 401, invalid, tokenBody("Token is invalid or expired")},
		{"garbage", "GET", "/private", bearer("garbage"), 401, invalid, tokenBody("Token is invalid or expired")},
		{"read-only anonymous GET", "GET", "/items", nil, 200, "", ok("")},
		{"read-only anonymous HEAD", "HEAD", "/items", nil, 200, "", ""},
		{"read-only anonymous POST", "POST", "/items", nil, 401, base, noCreds},
		{"read-only POST with token", "POST", "/items", bearer(valid), 200, "", ok("1")},
		{"read-only GET with invalid token", "GET", "/items", bearer(badSig), 401, invalid, tokenBody("Token is invalid or expired")},
		{"admin anonymous", "GET", "/admin", nil, 401, base, noCreds},
		{"admin not staff", "GET", "/admin", bearer(valid), 403, "", forbid},
		{"admin staff", "GET", "/admin", bearer(admin), 200, "", ok("1")},
		{"scope anonymous", "GET", "/scoped", nil, 401, base, noCreds},
		{"scope missing", "GET", "/scoped", bearer(valid), 403,
			base + `, error="insufficient_scope", error_description="The token lacks a required scope", scope="items:read"`, scopeBad},
		{"scope granted", "GET", "/scoped", bearer(scoped), 200, "", ok("1")},
	}
}

func sign(tb testing.TB, m jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	tb.Helper()
	t := jwt.NewWithClaims(m, claims)
	if kid != "" {
		t.Header["kid"] = kid
	}
	s, err := t.SignedString(key)
	if err != nil {
		tb.Fatalf("jwtguardtest: signing: %v", err)
	}
	return s
}

// RunSpec runs every case of the spec against the handler that mount builds
// from a [SpecServer], each as a subtest: the status, the WWW-Authenticate
// value and the body must be exactly the spec's.
func RunSpec(t *testing.T, mount func(s *SpecServer) http.Handler) {
	s, cases := NewSpecServer(t)
	srv := httptest.NewServer(mount(s))
	defer srv.Close()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			req, err := http.NewRequest(c.Method, srv.URL+c.Path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, vs := range c.Header {
				req.Header[k] = vs
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.Status {
				t.Errorf("status = %d, want %d (body %s)", resp.StatusCode, c.Status, body)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != c.Challenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, c.Challenge)
			}
			if string(body) != c.Body {
				t.Errorf("body = %s, want %s", body, c.Body)
			}
		})
	}
}
