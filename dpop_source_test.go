package jwtguard_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// boundToken returns an access token bound to the key of thumbprint ("" for
// a bearer token), signed with the test secret.
func boundToken(t testing.TB, thumbprint string) string {
	t.Helper()
	cnf := ""
	if thumbprint != "" {
		cnf = fmt.Sprintf(`,"cnf":{"jkt":%q}`, thumbprint)
	}
	claims := fmt.Sprintf(`{"token_type":"access","jti":%q,"exp":%d,"user_id":7%s}`, randomJTI(t), future, cnf)
	return signRaw(t, "HS256", `{"alg":"HS256","typ":"JWT"}`, claims)
}

// dpopGuardServer serves a resource behind a Guard with opts.
func dpopGuardServer(t testing.TB, opts ...jwtguard.GuardOption) *httptest.Server {
	t.Helper()
	g, err := jwtguard.NewGuard(verifierFor(t), opts...)
	must(t, err)
	srv := httptest.NewServer(g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := jwtguard.FromRequest(r)
		io.WriteString(w, "hello "+tok.Claims.UserID)
	})))
	t.Cleanup(srv.Close)
	return srv
}

// answer is what a client saw.
type answer struct {
	status     int
	challenges []string
	nonce      string
	body       string
}

// call sends GET url with Authorization: scheme token and the DPoP
// headers given.
func call(t testing.TB, url, scheme, token string, proofs ...string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	must(t, err)
	if token != "" {
		req.Header.Set("Authorization", scheme+" "+token)
	}
	for _, p := range proofs {
		req.Header.Add("DPoP", p)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(t, err)
	return answer{resp.StatusCode, resp.Header.Values("WWW-Authenticate"), resp.Header.Get("DPoP-Nonce"), string(body)}
}

// has reports whether one of a's challenges starts with scheme and holds
// every part.
func (a answer) has(scheme string, parts ...string) bool {
	for _, c := range a.challenges {
		if !strings.HasPrefix(c, scheme+" ") {
			continue
		}
		all := true
		for _, p := range parts {
			all = all && strings.Contains(c, p)
		}
		if all {
			return true
		}
	}
	return false
}

// TestGuardDPoP: the Guard's default (DPoP allowed) through a real server:
// a bound token with its proof passes, again and again from the token
// cache, each request with a fresh proof; every refusal answers RFC
// 9449's challenge beside the Bearer one, with the right error; a request
// without credentials is offered both schemes.
func TestGuardDPoP(t *testing.T) {
	srv := dpopGuardServer(t)
	url := srv.URL + "/tasks"
	k, other := newDPoPKey(t, "ES256"), newDPoPKey(t, "ES256")
	tok := boundToken(t, k.thumbprint(t))
	proof := func(k *dpopKey, token string) string { return k.proof(t, http.MethodGet, url, token, nil) }

	first := proof(k, tok)
	for i, p := range []string{first, proof(k, tok), proof(k, tok)} {
		if a := call(t, url, "DPoP", tok, p); a.status != http.StatusOK || a.body != "hello 7" {
			t.Fatalf("request %d with a fresh proof: %+v", i, a)
		}
	}
	algs := `algs="RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA Ed25519"`
	proofRefused := func(a answer) bool {
		return a.status == http.StatusUnauthorized && a.has("DPoP", algs, `error="invalid_dpop_proof"`) &&
			a.has("Bearer", `realm="api"`) && strings.Contains(a.body, `"code":"invalid_dpop_proof"`)
	}
	tokenRefused := func(a answer) bool {
		return a.status == http.StatusUnauthorized && a.has("DPoP", algs, `error="invalid_token"`) && a.has("Bearer")
	}
	for _, c := range []struct {
		name string
		a    answer
		ok   func(answer) bool
	}{
		{"replayed proof, token cached", call(t, url, "DPoP", tok, first), proofRefused},
		{"no proof", call(t, url, "DPoP", tok), proofRefused},
		{"two proofs", call(t, url, "DPoP", tok, proof(k, tok), proof(k, tok)), proofRefused},
		{"proof for another token", call(t, url, "DPoP", tok, proof(k, "another")), proofRefused},
		{"proof for another URL", call(t, url, "DPoP", tok, k.proof(t, http.MethodGet, srv.URL+"/other", tok, nil)), proofRefused},
		{"proof for another method", call(t, url, "DPoP", tok, k.proof(t, http.MethodPost, url, tok, nil)), proofRefused},
		{"stale proof", call(t, url, "DPoP", tok, k.proof(t, http.MethodGet, url, tok, func(p *proofParts) {
			p.claims["iat"] = time.Now().Add(-5 * time.Minute).Unix()
		})), proofRefused},
		{"proof with a private key", call(t, url, "DPoP", tok, k.proof(t, http.MethodGet, url, tok, func(p *proofParts) {
			p.header["jwk"] = with(k.jwk, "d", "AAAA")
		})), proofRefused},
		{"proof by another key", call(t, url, "DPoP", tok, proof(other, tok)), tokenRefused},
		{"bound token as Bearer", call(t, url, "Bearer", tok), tokenRefused},
		{"bound token as Bearer with its proof", call(t, url, "Bearer", tok, proof(k, tok)), tokenRefused},
		{"bearer token with the DPoP scheme", func() answer {
			bearer := boundToken(t, "")
			return call(t, url, "DPoP", bearer, proof(k, bearer))
		}(), tokenRefused},
	} {
		if !c.ok(c.a) {
			t.Errorf("%s: %+v", c.name, c.a)
		}
	}
	// A bearer token stays what it was: accepted, and refused without a
	// word of DPoP.
	if a := call(t, url, "Bearer", boundToken(t, "")); a.status != http.StatusOK {
		t.Errorf("bearer token: %+v", a)
	}
	// Without credentials, a Guard that never asked for DPoP answers as
	// before it, Bearer alone; one given WithDPoP offers both schemes
	// (RFC 9449 §7.1), the DPoP one with its algorithms and no error.
	if a := call(t, url, "", ""); a.status != http.StatusUnauthorized || len(a.challenges) != 1 || !a.has("Bearer", `realm="api"`) {
		t.Errorf("no credentials, DPoP never asked for: %+v", a)
	}
	asked := dpopGuardServer(t, jwtguard.WithDPoP(jwtguard.DPoPAllowed, nil)).URL + "/tasks"
	if a := call(t, asked, "", ""); a.status != http.StatusUnauthorized || !a.has("DPoP", algs) || a.has("DPoP", "error=") || !a.has("Bearer", `realm="api"`) {
		t.Errorf("no credentials, WithDPoP: %+v", a)
	}
}

// TestGuardDPoPRequired: with DPoP required, a bearer token is refused
// and told to use DPoP; a bound token with its proof passes.
func TestGuardDPoPRequired(t *testing.T) {
	srv := dpopGuardServer(t, jwtguard.WithDPoP(jwtguard.DPoPRequired, nil))
	url := srv.URL + "/tasks"
	k := newDPoPKey(t, "EdDSA")
	tok := boundToken(t, k.thumbprint(t))
	if a := call(t, url, "DPoP", tok, k.proof(t, http.MethodGet, url, tok, nil)); a.status != http.StatusOK {
		t.Fatalf("DPoP token: %+v", a)
	}
	if a := call(t, url, "Bearer", boundToken(t, "")); a.status != http.StatusUnauthorized || !a.has("DPoP", `error="invalid_token"`) {
		t.Fatalf("bearer token: %+v", a)
	}
	if a := call(t, url, "", ""); a.status != http.StatusUnauthorized || !a.has("DPoP", "algs=") {
		t.Fatalf("no credentials: %+v", a)
	}
}

// TestGuardDPoPOff: with DPoP off, the DPoP scheme is not read, and a
// bound token is still refused as a bearer token: off means the DPoP
// scheme is not accepted, not that a stolen bound token becomes a bearer
// token. No DPoP challenge is sent; a bearer token passes as before.
func TestGuardDPoPOff(t *testing.T) {
	srv := dpopGuardServer(t, jwtguard.WithDPoP(jwtguard.DPoPOff, nil))
	url := srv.URL + "/tasks"
	k := newDPoPKey(t, "ES256")
	tok := boundToken(t, k.thumbprint(t))
	if a := call(t, url, "Bearer", tok); a.status != http.StatusUnauthorized || a.has("DPoP") || !a.has("Bearer", `error="invalid_token"`) {
		t.Fatalf("stolen bound token as Bearer: %+v", a)
	}
	if a := call(t, url, "Bearer", tok, k.proof(t, http.MethodGet, url, tok, nil)); a.status != http.StatusUnauthorized {
		t.Fatalf("bound token as Bearer with its proof: %+v", a)
	}
	if a := call(t, url, "DPoP", tok, k.proof(t, http.MethodGet, url, tok, nil)); a.status != http.StatusUnauthorized || a.has("DPoP") {
		t.Fatalf("DPoP scheme: %+v", a)
	}
	if a := call(t, url, "Bearer", boundToken(t, "")); a.status != http.StatusOK {
		t.Fatalf("bearer token: %+v", a)
	}
}

// TestGuardDPoPNonce: with nonces required, a proof without one is
// answered use_dpop_nonce with a DPoP-Nonce header, and the retry that
// carries it passes.
func TestGuardDPoPNonce(t *testing.T) {
	nonces, err := jwtguard.NewDPoPNonces([]byte(strings.Repeat("k", 32)), time.Minute)
	must(t, err)
	v := newDPoPVerifier(t, jwtguard.WithDPoPNonces(nonces))
	srv := dpopGuardServer(t, jwtguard.WithDPoP(jwtguard.DPoPAllowed, v))
	url := srv.URL + "/tasks"
	k := newDPoPKey(t, "ES256")
	tok := boundToken(t, k.thumbprint(t))
	a := call(t, url, "DPoP", tok, k.proof(t, http.MethodGet, url, tok, nil))
	if a.status != http.StatusUnauthorized || a.nonce == "" || !a.has("DPoP", `error="use_dpop_nonce"`) ||
		!strings.Contains(a.body, `"code":"use_dpop_nonce"`) {
		t.Fatalf("proof without nonce: %+v", a)
	}
	g, err := jwtguard.NewGuard(verifierFor(t), jwtguard.WithDPoP(jwtguard.DPoPAllowed, v))
	must(t, err)
	r := httptest.NewRequest(http.MethodGet, url, nil)
	r.Header.Set("Authorization", "DPoP "+tok)
	r.Header.Set("DPoP", k.proof(t, http.MethodGet, url, tok, nil))
	if _, err := g.Authenticate(r); jwtguard.RefusalKind(err) != jwtguard.KindDPoPNonce {
		t.Errorf("refusal kind %q", jwtguard.RefusalKind(err))
	}
	retry := k.proof(t, http.MethodGet, url, tok, func(p *proofParts) { p.claims["nonce"] = a.nonce })
	if a := call(t, url, "DPoP", tok, retry); a.status != http.StatusOK || a.nonce == "" {
		t.Fatalf("retry with the nonce, answered with the next one (RFC 9449 §8.2): %+v", a)
	}
}

// TestGuardDPoPRefusalKinds: DPoP's refusals have kinds of their own.
func TestGuardDPoPRefusalKinds(t *testing.T) {
	v := newDPoPVerifier(t)
	g, err := jwtguard.NewGuard(verifierFor(t), jwtguard.WithDPoP(jwtguard.DPoPAllowed, v))
	must(t, err)
	k := newDPoPKey(t, "ES256")
	tok := boundToken(t, k.thumbprint(t))
	r := httptest.NewRequest(http.MethodGet, "http://api.example/r", nil)
	r.Header.Set("Authorization", "DPoP "+tok)
	_, err = g.Authenticate(r)
	if kind := jwtguard.RefusalKind(err); kind != jwtguard.KindDPoPProof {
		t.Errorf("no proof: kind %q", kind)
	}
	r.Header.Set("Authorization", "Bearer "+tok)
	_, err = g.Authenticate(r)
	if kind := jwtguard.RefusalKind(err); kind != jwtguard.KindTokenInvalid {
		t.Errorf("bound token as bearer: kind %q", kind)
	}
	if _, err := jwtguard.NewGuard(verifierFor(t), jwtguard.WithDPoP(9, nil)); err == nil {
		t.Error("unknown mode accepted")
	}
}

// TestGuardDPoPStoreDown: a replay cache whose store cannot answer fails
// the request closed: 503, not an accepted proof.
func TestGuardDPoPStoreDown(t *testing.T) {
	v := newDPoPVerifier(t, jwtguard.WithDPoPStore(failingStore{}))
	srv := dpopGuardServer(t, jwtguard.WithDPoP(jwtguard.DPoPAllowed, v))
	url := srv.URL + "/tasks"
	k := newDPoPKey(t, "ES256")
	tok := boundToken(t, k.thumbprint(t))
	if a := call(t, url, "DPoP", tok, k.proof(t, http.MethodGet, url, tok, nil)); a.status != http.StatusServiceUnavailable {
		t.Fatalf("store down: %+v", a)
	}
}

// TestGuardDPoPObserved: the Guard's decisions on DPoP requests reach its
// observer with DPoP's refusal kinds.
func TestGuardDPoPObserved(t *testing.T) {
	rec := &recorder{}
	srv := dpopGuardServer(t, jwtguard.WithObserver(rec))
	url := srv.URL + "/tasks"
	k := newDPoPKey(t, "ES256")
	tok := boundToken(t, k.thumbprint(t))
	call(t, url, "DPoP", tok, k.proof(t, http.MethodGet, url, tok, nil))
	call(t, url, "DPoP", tok)
	accepted, refusals := 0, []string{}
	for _, e := range rec.take() {
		switch {
		case e.Kind != jwtguard.EventDecision:
		case e.Outcome == jwtguard.OutcomeAccepted:
			accepted++
		case e.Outcome == jwtguard.OutcomeRefused:
			refusals = append(refusals, e.Refusal)
		}
	}
	if accepted == 0 || len(refusals) != 1 || refusals[0] != jwtguard.KindDPoPProof {
		t.Fatalf("%d accepted, refusals %v; want the proof's request accepted and one %s", accepted, refusals, jwtguard.KindDPoPProof)
	}
}

// TestGuardOtherConfirmation: a token bound by a confirmation method the
// Guard cannot check (RFC 8705's "x5t#S256", an unknown one, or an empty
// "cnf") is refused as Bearer in every mode, and with the DPoP scheme
// when it holds one beside "jkt": fail closed, never a bearer token. (A
// source whose own check enforces it, like TestCredentialCheckCertificateBinding's,
// still decides.)
func TestGuardOtherConfirmation(t *testing.T) {
	k := newDPoPKey(t, "ES256")
	withCnf := func(cnf string) string {
		claims := fmt.Sprintf(`{"token_type":"access","jti":%q,"exp":%d,"user_id":7,"cnf":%s}`, randomJTI(t), future, cnf)
		return signRaw(t, "HS256", `{"alg":"HS256","typ":"JWT"}`, claims)
	}
	for _, mode := range []jwtguard.DPoPMode{jwtguard.DPoPAllowed, jwtguard.DPoPOff} {
		srv := dpopGuardServer(t, jwtguard.WithDPoP(mode, nil))
		url := srv.URL + "/tasks"
		for _, cnf := range []string{`{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}`, `{}`, `{"other":{"a":1}}`} {
			if a := call(t, url, "Bearer", withCnf(cnf)); a.status != http.StatusUnauthorized || !a.has("Bearer", `error="invalid_token"`) {
				t.Errorf("mode %d, cnf %s as Bearer: %+v", mode, cnf, a)
			}
		}
		if mode == jwtguard.DPoPOff {
			continue
		}
		both := withCnf(fmt.Sprintf(`{"jkt":%q,"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}`, k.thumbprint(t)))
		if a := call(t, url, "DPoP", both, k.proof(t, http.MethodGet, url, both, nil)); a.status != http.StatusUnauthorized {
			t.Errorf("jkt and x5t#S256 with the DPoP scheme and its proof: %+v", a)
		}
		only := withCnf(fmt.Sprintf(`{"jkt":%q}`, k.thumbprint(t)))
		if a := call(t, url, "DPoP", only, k.proof(t, http.MethodGet, url, only, nil)); a.status != http.StatusOK {
			t.Errorf("jkt alone with its proof: %+v", a)
		}
	}
}

// TestDPoPNoncesClock: NewDPoPNonces' nonces follow the verifier's clock
// (WithClock): a nonce two periods old by that clock is refused, though
// no real time passed.
func TestDPoPNoncesClock(t *testing.T) {
	nonces, err := jwtguard.NewDPoPNonces([]byte(strings.Repeat("k", 32)), time.Minute)
	must(t, err)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	v := newDPoPVerifier(t, jwtguard.WithClock(func() time.Time { return now }), jwtguard.WithDPoPNonces(nonces))
	const uri = "https://api.example/tasks"
	k := newDPoPKey(t, "ES256")
	nonce := v.Nonce()
	proof := func() string {
		return k.proof(t, http.MethodGet, uri, "", func(p *proofParts) { p.claims["iat"], p.claims["nonce"] = now.Unix(), nonce })
	}
	req := jwtguard.DPoPRequest{Method: http.MethodGet, URIs: []string{uri}}
	if _, err := v.Verify(t.Context(), proof(), req); err != nil {
		t.Fatalf("a nonce of now: %v", err)
	}
	now = now.Add(3 * time.Minute)
	if _, err := v.Verify(t.Context(), proof(), req); !errors.Is(err, jwtguard.ErrDPoPNonce) {
		t.Fatalf("a nonce 3 periods old by the verifier's clock: %v", err)
	}
	if v.Nonce() == nonce {
		t.Fatal("the nonce did not change with the verifier's clock")
	}
}
