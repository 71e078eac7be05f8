package jwtguard_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

const dpopAccessToken = "an-access-token-presented-with-the-proof"

// TestDPoPProofAccepted: a proof of every asymmetric algorithm passes,
// through a real server and with the real clock, and the server learns the
// key's thumbprint.
func TestDPoPProofAccepted(t *testing.T) {
	v := newDPoPVerifier(t)
	srv := dpopServer(t, v, dpopAccessToken, "")
	for _, alg := range []string{"ES256", "ES384", "ES512", "RS256", "RS512", "PS256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			k := newDPoPKey(t, alg)
			status, body := send(t, http.MethodGet, srv.URL+"/resource",
				k.proof(t, http.MethodGet, srv.URL+"/resource", dpopAccessToken, nil))
			if status != http.StatusOK || body != k.thumbprint(t) {
				t.Fatalf("got %d %q, want 200 and the thumbprint", status, body)
			}
		})
	}
}

// TestDPoPProofRefusals: every check refuses what it should, each with its
// own sentinel, through a real server.
func TestDPoPProofRefusals(t *testing.T) {
	v := newDPoPVerifier(t)
	es, other, rs := newDPoPKey(t, "ES256"), newDPoPKey(t, "ES256"), newDPoPKey(t, "RS256")
	srv := dpopServer(t, v, dpopAccessToken, "")
	bound := dpopServer(t, v, dpopAccessToken, other.thumbprint(t))
	url := srv.URL + "/resource"
	now := time.Now().Unix()
	edit := func(f func(*proofParts)) []string {
		return []string{es.proof(t, http.MethodGet, url, dpopAccessToken, f)}
	}
	raw := func(header, claims string) []string {
		in := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claims))
		return []string{in + ".c2lnbmF0dXJl"}
	}
	jwkJSON := `{"kty":"EC","crv":"P-256","x":"` + es.jwk["x"].(string) + `","y":"` + es.jwk["y"].(string) + `"}`
	cases := []struct {
		name   string
		server string
		proofs []string
		want   error
	}{
		{"no header", url, nil, jwtguard.ErrDPoPMissing},
		{"two headers", url, append(edit(nil), edit(nil)...), jwtguard.ErrDPoPMultiple},
		{"a list in one header", url, []string{edit(nil)[0] + ", " + edit(nil)[0]}, jwtguard.ErrDPoPMultiple},
		{"too large", url, edit(func(p *proofParts) { p.claims["pad"] = strings.Repeat("x", 9000) }), jwtguard.ErrDPoPTooLarge},
		{"two segments", url, []string{"eyJhbGciOiJFUzI1NiJ9.e30"}, jwtguard.ErrDPoPMalformed},
		{"four segments", url, []string{edit(nil)[0] + ".e30"}, jwtguard.ErrDPoPMalformed},
		{"not base64url", url, []string{"eyJ+.e30.c2ln"}, jwtguard.ErrDPoPMalformed},
		{"header not JSON", url, raw(`{"alg":`, `{}`), jwtguard.ErrDPoPMalformed},
		{"duplicate claim", url, raw(`{"typ":"dpop+jwt","alg":"ES256","jwk":`+jwkJSON+`}`,
			`{"jti":"a","jti":"b","htm":"GET","htu":"`+url+`","iat":1}`), jwtguard.ErrDPoPMalformed},
		{"duplicate header member, other case", url, raw(`{"typ":"dpop+jwt","alg":"ES256","Alg":"none","jwk":`+jwkJSON+`}`, `{}`), jwtguard.ErrDPoPMalformed},
		{"deep JSON in the header", url, raw(`{"typ":"dpop+jwt","alg":"ES256","x":`+strings.Repeat("[", 2000)+strings.Repeat("]", 2000)+`,"jwk":`+jwkJSON+`}`, `{}`), jwtguard.ErrDPoPMalformed},
		{"deep JSON in the claims", url, raw(`{"typ":"dpop+jwt","alg":"ES256","jwk":`+jwkJSON+`}`, `{"x":`+strings.Repeat(`{"a":`, 500)+`1`+strings.Repeat("}", 500)+`}`), jwtguard.ErrDPoPMalformed},
		{"crit header", url, edit(func(p *proofParts) { p.header["crit"] = []string{"exp"} }), jwtguard.ErrDPoPMalformed},
		{"jwk not an object", url, edit(func(p *proofParts) { p.header["jwk"] = "key" }), jwtguard.ErrDPoPMalformed},
		{"iat a string", url, edit(func(p *proofParts) { p.claims["iat"] = "now" }), jwtguard.ErrDPoPMalformed},
		{"jti a number", url, edit(func(p *proofParts) { p.claims["jti"] = 7 }), jwtguard.ErrDPoPMalformed},
		{"typ JWT", url, edit(func(p *proofParts) { p.header["typ"] = "JWT" }), jwtguard.ErrDPoPType},
		{"no typ", url, edit(func(p *proofParts) { delete(p.header, "typ") }), jwtguard.ErrDPoPType},
		{"alg none", url, raw(`{"typ":"dpop+jwt","alg":"none","jwk":`+jwkJSON+`}`,
			`{"jti":"a","htm":"GET","htu":"`+url+`","iat":`+itoa(now)+`,"ath":"`+jwtguard.DPoPTokenHash(dpopAccessToken)+`"}`), jwtguard.ErrDPoPAlgorithm},
		{"HMAC proof", url, []string{signParts(t, "HS256", keysForTest.secret, proofParts{
			header: map[string]any{"typ": "dpop+jwt", "alg": "HS256", "jwk": map[string]any{"kty": "oct", "k": base64.RawURLEncoding.EncodeToString(keysForTest.secret)}},
			claims: map[string]any{"jti": "j", "htm": "GET", "htu": url, "iat": now, "ath": jwtguard.DPoPTokenHash(dpopAccessToken)},
		})}, jwtguard.ErrDPoPAlgorithm},
		{"no jwk", url, edit(func(p *proofParts) { delete(p.header, "jwk") }), jwtguard.ErrDPoPKey},
		{"jwk with d", url, edit(func(p *proofParts) { p.header["jwk"] = with(es.jwk, "d", "AAAA") }), jwtguard.ErrDPoPPrivateKey},
		{"jwk with D", url, edit(func(p *proofParts) { p.header["jwk"] = with(es.jwk, "D", "AAAA") }), jwtguard.ErrDPoPPrivateKey},
		{"RSA jwk with p", url, []string{rs.proof(t, http.MethodGet, url, dpopAccessToken, func(p *proofParts) {
			p.header["jwk"] = with(rs.jwk, "p", "AAAA")
		})}, jwtguard.ErrDPoPPrivateKey},
		{"symmetric jwk", url, edit(func(p *proofParts) { p.header["jwk"] = map[string]any{"kty": "oct", "k": "c2VjcmV0"} }), jwtguard.ErrDPoPPrivateKey},
		{"oct jwk without k", url, edit(func(p *proofParts) { p.header["jwk"] = map[string]any{"kty": "oct"} }), jwtguard.ErrDPoPKey},
		{"EC jwk for RS256", url, []string{rs.proof(t, http.MethodGet, url, dpopAccessToken, func(p *proofParts) { p.header["jwk"] = es.jwk })}, jwtguard.ErrDPoPKey},
		{"jwk off the curve", url, edit(func(p *proofParts) { p.header["jwk"] = with(es.jwk, "y", es.jwk["x"]) }), jwtguard.ErrDPoPKey},
		{"jwk only for encryption", url, edit(func(p *proofParts) { p.header["jwk"] = with(es.jwk, "use", "enc") }), jwtguard.ErrDPoPKey},
		{"another key's jwk", url, edit(func(p *proofParts) { p.header["jwk"] = other.jwk }), jwtguard.ErrDPoPSignature},
		{"claims changed after signing", url, []string{tamper(t, edit(nil)[0])}, jwtguard.ErrDPoPSignature},
		{"another method", url, edit(func(p *proofParts) { p.claims["htm"] = "POST" }), jwtguard.ErrDPoPMethod},
		{"method in lower case", url, edit(func(p *proofParts) { p.claims["htm"] = "get" }), jwtguard.ErrDPoPMethod},
		{"no htm", url, edit(func(p *proofParts) { delete(p.claims, "htm") }), jwtguard.ErrDPoPMethod},
		{"another path", url, edit(func(p *proofParts) { p.claims["htu"] = srv.URL + "/other" }), jwtguard.ErrDPoPURI},
		{"another host", url, edit(func(p *proofParts) { p.claims["htu"] = "http://evil.example/resource" }), jwtguard.ErrDPoPURI},
		{"https for http", url, edit(func(p *proofParts) { p.claims["htu"] = strings.Replace(url, "http:", "https:", 1) }), jwtguard.ErrDPoPURI},
		{"relative htu", url, edit(func(p *proofParts) { p.claims["htu"] = "/resource" }), jwtguard.ErrDPoPURI},
		{"no htu", url, edit(func(p *proofParts) { delete(p.claims, "htu") }), jwtguard.ErrDPoPURI},
		{"stale iat", url, edit(func(p *proofParts) { p.claims["iat"] = now - 120 }), jwtguard.ErrDPoPStale},
		{"no iat", url, edit(func(p *proofParts) { delete(p.claims, "iat") }), jwtguard.ErrDPoPStale},
		{"iat in the future", url, edit(func(p *proofParts) { p.claims["iat"] = now + 60 }), jwtguard.ErrDPoPFuture},
		{"no jti", url, edit(func(p *proofParts) { delete(p.claims, "jti") }), jwtguard.ErrDPoPID},
		{"empty jti", url, edit(func(p *proofParts) { p.claims["jti"] = "" }), jwtguard.ErrDPoPID},
		{"long jti", url, edit(func(p *proofParts) { p.claims["jti"] = strings.Repeat("j", jwtguard.MaxDPoPIDLength+1) }), jwtguard.ErrDPoPID},
		{"no ath", url, edit(func(p *proofParts) { delete(p.claims, "ath") }), jwtguard.ErrDPoPTokenHash},
		{"ath of another token", url, edit(func(p *proofParts) { p.claims["ath"] = jwtguard.DPoPTokenHash("another") }), jwtguard.ErrDPoPTokenHash},
		{"ath in standard base64", url, edit(func(p *proofParts) {
			p.claims["ath"] = strings.NewReplacer("-", "+", "_", "/").Replace(jwtguard.DPoPTokenHash(dpopAccessToken)) + "="
		}), jwtguard.ErrDPoPTokenHash},
		{"another key than the token's", bound.URL + "/resource",
			[]string{es.proof(t, http.MethodGet, bound.URL+"/resource", dpopAccessToken, nil)}, jwtguard.ErrDPoPKeyMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := send(t, http.MethodGet, c.server, c.proofs...)
			if status != http.StatusUnauthorized || body != c.want.Error() {
				t.Fatalf("got %d %q, want 401 %q", status, body, c.want)
			}
		})
	}
}

// TestDPoPProofReplay: a proof is good once; the same proof again is
// refused, and so is one with the same key and jti made anew.
func TestDPoPProofReplay(t *testing.T) {
	v := newDPoPVerifier(t)
	srv := dpopServer(t, v, dpopAccessToken, "")
	url := srv.URL + "/resource"
	k := newDPoPKey(t, "ES256")
	proof := k.proof(t, http.MethodGet, url, dpopAccessToken, nil)
	if status, body := send(t, http.MethodGet, url, proof); status != http.StatusOK {
		t.Fatalf("first use: %d %q", status, body)
	}
	if status, body := send(t, http.MethodGet, url, proof); status != http.StatusUnauthorized || body != jwtguard.ErrDPoPReplay.Error() {
		t.Fatalf("replay: %d %q", status, body)
	}
	jti := randomJTI(t)
	sameJTI := func(p *proofParts) { p.claims["jti"] = jti }
	if status, _ := send(t, http.MethodGet, url, k.proof(t, http.MethodGet, url, dpopAccessToken, sameJTI)); status != http.StatusOK {
		t.Fatal("first proof with a new jti refused")
	}
	if status, body := send(t, http.MethodGet, url, k.proof(t, http.MethodGet, url, dpopAccessToken, sameJTI)); body != jwtguard.ErrDPoPReplay.Error() {
		t.Fatalf("a second proof with the same key and jti: %d %q", status, body)
	}
	// Another client's jti is its own: the same jti under another key passes.
	if status, body := send(t, http.MethodGet, url, newDPoPKey(t, "ES256").proof(t, http.MethodGet, url, dpopAccessToken, sameJTI)); status != http.StatusOK {
		t.Fatalf("the same jti under another key: %d %q", status, body)
	}
}

// TestDPoPProofRefusedNotRecorded: a proof refused for a reason other than
// a replay is not remembered, so it cannot fill the replay cache: the same
// jti in a good proof still passes.
func TestDPoPProofRefusedNotRecorded(t *testing.T) {
	v := newDPoPVerifier(t)
	srv := dpopServer(t, v, dpopAccessToken, "")
	url := srv.URL + "/resource"
	k := newDPoPKey(t, "ES256")
	jti := randomJTI(t)
	bad := k.proof(t, http.MethodGet, url, "another-token", func(p *proofParts) { p.claims["jti"] = jti })
	if _, body := send(t, http.MethodGet, url, bad); body != jwtguard.ErrDPoPTokenHash.Error() {
		t.Fatalf("wrong ath: %q", body)
	}
	good := k.proof(t, http.MethodGet, url, dpopAccessToken, func(p *proofParts) { p.claims["jti"] = jti })
	if status, body := send(t, http.MethodGet, url, good); status != http.StatusOK {
		t.Fatalf("good proof after a refused one of the same jti: %d %q", status, body)
	}
}

// TestDPoPProofWithoutToken: at a token endpoint no access token is
// presented, and a proof must then carry no "ath".
func TestDPoPProofWithoutToken(t *testing.T) {
	v := newDPoPVerifier(t)
	srv := dpopServer(t, v, "", "")
	url := srv.URL + "/token"
	k := newDPoPKey(t, "ES256")
	if status, body := send(t, http.MethodPost, url, k.proof(t, http.MethodPost, url, "", nil)); status != http.StatusOK {
		t.Fatalf("proof without ath: %d %q", status, body)
	}
	if _, body := send(t, http.MethodPost, url, k.proof(t, http.MethodPost, url, dpopAccessToken, nil)); body != jwtguard.ErrDPoPTokenHash.Error() {
		t.Fatalf("proof with an ath and no token: %q", body)
	}
}

// TestDPoPProofWindow: "iat" is checked against the window and the leeway
// at their edges, on a clock the test sets.
func TestDPoPProofWindow(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	v := newDPoPVerifier(t, jwtguard.WithDPoPWindow(30*time.Second, 2*time.Second), jwtguard.WithClock(func() time.Time { return now }))
	k := newDPoPKey(t, "ES256")
	req := jwtguard.DPoPRequest{Method: "GET", URIs: []string{"https://api.example/r"}}
	for _, c := range []struct {
		iat  int64
		want error
	}{
		{now.Unix() - 32, nil}, {now.Unix() - 33, jwtguard.ErrDPoPStale},
		{now.Unix() + 2, nil}, {now.Unix() + 3, jwtguard.ErrDPoPFuture},
		{now.Unix(), nil},
	} {
		proof := k.proof(t, "GET", "https://api.example/r", "", func(p *proofParts) { p.claims["iat"] = c.iat })
		_, err := v.Verify(context.Background(), proof, req)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("iat now%+d: got %v, want %v", c.iat-now.Unix(), err, c.want)
		}
	}
}

// TestDPoPProofOrigin: behind a proxy the configured public origin is what
// "htu" must name, never the Host or X-Forwarded-* headers the request
// carries; a path prefix the proxy strips is part of the origin.
func TestDPoPProofOrigin(t *testing.T) {
	v := newDPoPVerifier(t, jwtguard.WithDPoPOrigin("https://API.example.com:443/api/"))
	srv := dpopServer(t, v, "", "")
	k := newDPoPKey(t, "ES256")
	for _, c := range []struct {
		htu  string
		want int
	}{
		{"https://api.example.com/api/items", http.StatusOK},
		{"HTTPS://api.EXAMPLE.com:443/api/%69tems?q=1#f", http.StatusOK},
		{"https://api.example.com/api/x/../items", http.StatusOK},
		{"https://api.example.com/items", http.StatusUnauthorized},
		{srv.URL + "/items", http.StatusUnauthorized},
		{"http://api.example.com/api/items", http.StatusUnauthorized},
		{"https://api.example.com:8443/api/items", http.StatusUnauthorized},
	} {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/items", nil)
		must(t, err)
		req.Header.Set("DPoP", k.proof(t, http.MethodGet, c.htu, "", nil))
		req.Header.Set("X-Forwarded-Host", "api.example.com")
		req.Header.Set("X-Forwarded-Proto", "https")
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("htu %s: got %d, want %d", c.htu, resp.StatusCode, c.want)
		}
	}
	// Without an origin configured, forwarded headers are not read either.
	plain := dpopServer(t, newDPoPVerifier(t), "", "")
	req, err := http.NewRequest(http.MethodGet, plain.URL+"/items", nil)
	must(t, err)
	req.Header.Set("DPoP", k.proof(t, http.MethodGet, "https://api.example.com/items", "", nil))
	req.Header.Set("X-Forwarded-Host", "api.example.com")
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a proof for the forwarded origin passed: %d", resp.StatusCode)
	}
}

// TestDPoPProofNonce: with nonces required, a proof without one, with a
// made-up one or with a stale one is refused with ErrDPoPNonce; the nonce
// the verifier hands out passes.
func TestDPoPProofNonce(t *testing.T) {
	nonces, err := jwtguard.NewDPoPNonces([]byte(strings.Repeat("n", 32)), time.Minute)
	must(t, err)
	v := newDPoPVerifier(t, jwtguard.WithDPoPNonces(nonces))
	srv := dpopServer(t, v, "", "")
	url := srv.URL + "/r"
	k := newDPoPKey(t, "ES256")
	withNonce := func(n string) func(*proofParts) { return func(p *proofParts) { p.claims["nonce"] = n } }
	for _, c := range []struct {
		name string
		edit func(*proofParts)
		want int
	}{
		{"none", nil, http.StatusUnauthorized},
		{"made up", withNonce("bm9uY2U"), http.StatusUnauthorized},
		{"of another secret", withNonce(otherNonce(t)), http.StatusUnauthorized},
		{"a number", func(p *proofParts) { p.claims["nonce"] = 1 }, http.StatusUnauthorized},
		{"the server's", withNonce(v.Nonce()), http.StatusOK},
	} {
		status, body := send(t, http.MethodGet, url, k.proof(t, http.MethodGet, url, "", c.edit))
		if status != c.want {
			t.Errorf("%s: got %d %q, want %d", c.name, status, body, c.want)
		}
		if c.want != http.StatusOK && c.name != "a number" && body != jwtguard.ErrDPoPNonce.Error() {
			t.Errorf("%s: refused with %q, want the nonce sentinel", c.name, body)
		}
	}
}

func otherNonce(t *testing.T) string {
	n, err := jwtguard.NewDPoPNonces([]byte(strings.Repeat("o", 32)), time.Minute)
	must(t, err)
	return n.Nonce()
}

// TestDPoPOptions: bad options are reported, all at once.
func TestDPoPOptions(t *testing.T) {
	_, err := jwtguard.NewDPoPVerifier(
		jwtguard.WithDPoPAlgorithms("HS256", "none"),
		jwtguard.WithDPoPWindow(0, -time.Second),
		jwtguard.WithDPoPOrigin("ftp://x", "https://x/?q"),
		jwtguard.WithDPoPStore(nil),
		jwtguard.WithDPoPReplayEntries(0),
		jwtguard.WithDPoPNonces(nil),
		jwtguard.WithClock(nil),
		nil,
	)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"HS256", "none", "window", "leeway", "ftp://x", "https://x/?q", "nil store",
		"replay cache", "nil nonces", "nil clock", "option 7"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if _, err := jwtguard.NewDPoPNonces([]byte("short"), time.Minute); err == nil {
		t.Error("short nonce secret accepted")
	}
}

func with(m map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for key, val := range m {
		out[key] = val
	}
	out[k] = v
	return out
}

// tamper changes a signed proof's claims, keeping its signature.
func tamper(t *testing.T, proof string) string {
	parts := strings.Split(proof, ".")
	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	must(t, err)
	changed := strings.Replace(string(claims), `"htm":"GET"`, `"htm":"GET" `, 1)
	if changed == string(claims) {
		t.Fatal("nothing to tamper with")
	}
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(changed)) + "." + parts[2]
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
