package main_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// keyPair makes an ES256 key pair in dir and returns a token for sub.
func keyPair(t *testing.T, dir string, claims ...string) string {
	t.Helper()
	run(t, dir, "keygen", "-alg", "ES256", "-kid", "k1", "-private", "priv.pem", "-jwks", "jwks.json")
	args := []string{"mint", "-key", "priv.pem", "-kid", "k1"}
	for _, c := range claims {
		args = append(args, "-claim", c)
	}
	return strings.TrimSpace(run(t, dir, args...))
}

// An invalid token exits 1 with the library's words on standard error, and
// nothing on standard output.
func TestVerifyRefusals(t *testing.T) {
	dir := t.TempDir()
	keyPair(t, dir)
	other := t.TempDir()
	run(t, other, "keygen", "-alg", "ES256", "-kid", "k1", "-private", "priv.pem", "-jwks", "jwks.json")
	mint := func(claims ...string) string {
		args := []string{"mint", "-key", "priv.pem", "-kid", "k1"}
		for _, c := range claims {
			args = append(args, "-claim", c)
		}
		return strings.TrimSpace(run(t, dir, args...))
	}
	good := mint("sub=alice", "aud=api")
	for _, c := range []struct {
		name, want string
		args       []string
	}{
		{"expired", "jwtguard: token is expired\n", []string{"-jwks", "jwks.json", mint("exp:=1")}},
		{"not yet valid", "jwtguard: token is not valid yet\n", []string{"-jwks", "jwks.json", mint("nbf:=4102444800")}},
		{"another key", "jwtguard: signature is invalid\n", []string{"-jwks", filepath.Join(other, "jwks.json"), good}},
		{"audience", "jwtguard: token has invalid audience\n", []string{"-jwks", "jwks.json", "-audience", "other", good}},
		{"issuer", "jwtguard: token has invalid issuer\n", []string{"-jwks", "jwks.json", "-issuer", "https://id.example.com/", good}},
		{"refresh token", "jwtguard: token has wrong \"token_type\"\n", []string{"-jwks", "jwks.json", "-token-type", "access", mint("token_type=refresh", "jti=j1")}},
		{"no jti under the profile", "jwtguard: token has no \"jti\"\n", []string{"-jwks", "jwks.json", "-token-type", "access", good}},
		{"garbage", "jwtguard: token must have three segments\n", []string{"-jwks", "jwks.json", "garbage"}},
		{"typ", "jwtguard: token has wrong \"typ\"\n", []string{"-jwks", "jwks.json", "-typ", "at+jwt", good}},
		{"bad signature", "jwtguard: signature is invalid\n", []string{"-jwks", "jwks.json", good[:len(good)-4] + "AAAA"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runCmd(t, dir, "", nil, append([]string{"verify"}, c.args...)...)
			if r.code != 1 || r.stderr != c.want || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 1 and %q", r.code, r.stdout, r.stderr, c.want)
			}
		})
	}
	if out := run(t, dir, "verify", "-jwks", "jwks.json", "-audience", "web", "-audience", "api", good); !strings.Contains(out, `"aud": "api"`) {
		t.Errorf("audience accepted: %s", out)
	}
	// A PEM file: the public half of the private key keygen wrote.
	run(t, dir, "verify", "-pem", "priv.pem", good)
	fails(t, dir, 1, "jwtguard: signature is invalid", "verify", "-pem", filepath.Join(other, "priv.pem"), good)
}

// The token comes from standard input when the argument is "-".
func TestVerifyStdin(t *testing.T) {
	dir := t.TempDir()
	tok := keyPair(t, dir, "sub=alice")
	r := runCmd(t, dir, tok+"\n", nil, "verify", "-jwks", "jwks.json", "-")
	if r.code != 0 || !strings.Contains(r.stdout, `"sub": "alice"`) {
		t.Errorf("exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	// Flags after the token too.
	if out := run(t, dir, "verify", tok, "-jwks", "jwks.json"); !strings.Contains(out, `"sub": "alice"`) {
		t.Errorf("flags after the token: %s", out)
	}
	if r = runCmd(t, dir, tok, nil, "verify", "-", "-jwks", "jwks.json"); r.code != 0 {
		t.Errorf("standard input, flags after: exit %d %s", r.code, r.stderr)
	}
	if r = runCmd(t, dir, "", nil, "verify", "-jwks", "jwks.json", "-"); r.code != 2 {
		t.Errorf("empty standard input: exit %d %s", r.code, r.stderr)
	}
}

// Keys from a URL and from OpenID Connect discovery, on a loopback server.
func TestVerifyRemoteKeys(t *testing.T) {
	dir := t.TempDir()
	tok := keyPair(t, dir)
	jwks, err := os.ReadFile(filepath.Join(dir, "jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	issuer := srv.URL + "/"
	mux.HandleFunc("GET /jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(jwks)
	})
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": issuer, "jwks_uri": srv.URL + "/jwks.json"})
	})
	run(t, dir, "verify", "-jwks-url", srv.URL+"/jwks.json", tok)
	withIss := strings.TrimSpace(run(t, dir, "mint", "-key", "priv.pem", "-kid", "k1", "-claim", "iss="+issuer, "-claim", "sub=dora"))
	if out := run(t, dir, "verify", "-issuer", issuer, withIss); !strings.Contains(out, `"sub": "dora"`) {
		t.Errorf("discovery: %s", out)
	}
	fails(t, dir, 1, "jwtguard: token has invalid issuer", "verify", "-issuer", issuer, tok)
	fails(t, dir, 1, "", "verify", "-jwks-url", srv.URL+"/missing", tok)
}

// simplejwt's claim profile: the claims simplejwt writes, which the
// library's defaults accept as an access token.
func TestMintSimpleJWT(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "keygen", "-alg", "HS256", "-private", "secret.txt")
	tok := strings.TrimSpace(run(t, dir, "mint", "-hmac-secret-file", "secret.txt", "-simplejwt", "-claim", "user_id:=42"))
	var claims map[string]any
	if err := json.Unmarshal([]byte(run(t, dir, "verify", "-hmac-secret-file", "secret.txt", tok)), &claims); err != nil {
		t.Fatal(err)
	}
	if claims["token_type"] != "access" || claims["user_id"] != 42.0 || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(claims["jti"].(string)) {
		t.Errorf("claims %v", claims)
	}
	refresh := strings.TrimSpace(run(t, dir, "mint", "-hmac-secret-file", "secret.txt", "-simplejwt", "-token-type", "refresh", "-claim", "user_id:=42"))
	fails(t, dir, 1, `token has wrong "token_type"`, "verify", "-hmac-secret-file", "secret.txt", "-token-type", "access", refresh)
	run(t, dir, "verify", "-hmac-secret-file", "secret.txt", "-token-type", "refresh", refresh)
}
