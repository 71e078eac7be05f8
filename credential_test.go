package jwtguard_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// certBound is a credential source of a test's own: a Bearer token bound
// to the client's TLS certificate (RFC 8705 §3). It yields the Bearer
// credential with a check that compares the token's cnf["x5t#S256"] with
// the certificate's thumbprint, and adds a challenge of its own when that
// check refuses. The Guard knows nothing of it.
type certBound struct {
	bearer jwtguard.CredentialExtractor
	calls  *atomic.Int64
}

var errCertMismatch = fmt.Errorf("%w: token not bound to this certificate", jwtguard.ErrInvalidToken)

func (b certBound) Extract(r *http.Request) (string, error) { return b.bearer.Extract(r) }

func (b certBound) ExtractCredential(r *http.Request) (jwtguard.Credential, error) {
	c, err := b.bearer.ExtractCredential(r)
	if c.Token != "" {
		c.Check = b
	}
	return c, err
}

func (b certBound) CheckCredential(r *http.Request, _ jwtguard.Credential, t *jwtguard.Token) error {
	b.calls.Add(1)
	var cnf struct {
		X5t string `json:"x5t#S256"`
	}
	raw, ok := t.RawClaim("cnf")
	if !ok || json.Unmarshal(raw, &cnf) != nil || cnf.X5t == "" {
		return errCertMismatch
	}
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 || thumbprint(r.TLS.PeerCertificates[0]) != cnf.X5t {
		return errCertMismatch
	}
	return nil
}

func (certBound) Challenge(refusal error) string {
	if errors.Is(refusal, errCertMismatch) {
		return `MTLS error="certificate_mismatch"`
	}
	return ""
}

func thumbprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return enc.EncodeToString(sum[:])
}

// clientCert makes a self-signed client certificate.
func clientCert(t *testing.T, name string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	leaf, err := x509.ParseCertificate(der)
	must(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// A check that is not CSRF plugs in through the credential alone: a token
// bound to a client certificate passes with that certificate, on the cache
// hit too, and is refused with another one, with the source's challenge
// beside the Bearer one.
func TestCredentialCheckCertificateBinding(t *testing.T) {
	var calls atomic.Int64
	g, err := jwtguard.NewGuard(verifierFor(t), jwtguard.WithExtractor(certBound{jwtguard.FromAuthorization(), &calls}))
	must(t, err)
	srv := httptest.NewUnstartedServer(g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := jwtguard.FromContext(r.Context())
		w.Write([]byte(tok.Subject()))
	})))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	srv.StartTLS()
	defer srv.Close()

	mine, other := clientCert(t, "mine"), clientCert(t, "other")
	bound := signRaw(t, "HS256", `{"alg":"HS256"}`, `{"sub":"u1","jti":"b","token_type":"access","exp":`+
		strconv.FormatInt(future, 10)+`,"cnf":{"x5t#S256":"`+thumbprint(mine.Leaf)+`"}}`)
	unbound := signRaw(t, "HS256", `{"alg":"HS256"}`, `{"sub":"u1","jti":"u","token_type":"access","exp":`+
		strconv.FormatInt(future, 10)+`}`)
	get := func(cert tls.Certificate, tok string) *http.Response {
		t.Helper()
		tr := srv.Client().Transport.(*http.Transport).Clone()
		tr.TLSClientConfig.Certificates = []tls.Certificate{cert}
		req, err := http.NewRequest("GET", srv.URL, nil)
		must(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := (&http.Client{Transport: tr}).Do(req)
		must(t, err)
		resp.Body.Close()
		return resp
	}
	for i, c := range []struct {
		cert   tls.Certificate
		tok    string
		status int
	}{
		{mine, bound, 200},
		{mine, bound, 200},  // a cache hit
		{other, bound, 401}, // a cache hit too: the check still runs
		{mine, unbound, 401},
	} {
		resp := get(c.cert, c.tok)
		if resp.StatusCode != c.status {
			t.Fatalf("request %d: %d, want %d", i, resp.StatusCode, c.status)
		}
		if c.status == 401 {
			ch := resp.Header.Values("Www-Authenticate")
			if len(ch) != 2 || ch[0] != `Bearer realm="api", error="invalid_token", error_description="Token is invalid or expired"` ||
				ch[1] != `MTLS error="certificate_mismatch"` {
				t.Errorf("request %d: challenges %q", i, ch)
			}
		}
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("the check ran %d times, want 4 (once per verified token)", n)
	}
	// Without a token the source adds nothing: its Challenge said "". The
	// Guard offers Bearer and, since DPoP is allowed by default, DPoP
	// (RFC 9449 §7.1).
	req, err := http.NewRequest("GET", srv.URL, nil)
	must(t, err)
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.Certificates = []tls.Certificate{mine}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	must(t, err)
	resp.Body.Close()
	// A Guard that never asked for DPoP answers as before it: Bearer
	// alone (DPoP is offered on the refusals that concern it).
	if ch := resp.Header.Values("Www-Authenticate"); resp.StatusCode != 401 || len(ch) != 1 ||
		!strings.HasPrefix(ch[0], "Bearer ") {
		t.Errorf("no token: %d, challenges %q", resp.StatusCode, ch)
	}
}

// A check's refusal is never an anonymous request, even when bad
// credentials otherwise count as none.
func TestCredentialCheckNotOptional(t *testing.T) {
	var calls atomic.Int64
	g, err := jwtguard.NewGuard(verifierFor(t), jwtguard.WithCredentialsOptional(),
		jwtguard.WithExtractor(certBound{jwtguard.FromAuthorization(), &calls}))
	must(t, err)
	tok := signRaw(t, "HS256", `{"alg":"HS256"}`, `{"jti":"j","token_type":"access","exp":`+strconv.FormatInt(future, 10)+`}`)
	srv := httptest.NewServer(g.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	defer srv.Close()
	req, err := http.NewRequest("GET", srv.URL, nil)
	must(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 401 || calls.Load() != 1 {
		t.Fatalf("%d after %d checks, want 401 after 1", resp.StatusCode, calls.Load())
	}
}

// Each built-in extractor says where its token came from.
func TestExtractCredentialSources(t *testing.T) {
	r := httptest.NewRequest("GET", "/?t=q1", nil)
	r.Header.Set("Authorization", "jwt a1")
	r.Header.Set("X-Token", "h1")
	r.AddCookie(&http.Cookie{Name: "jwt", Value: "c1"})
	plain := jwtguard.ExtractorFunc(func(*http.Request) (string, error) { return "o 1", nil })
	for _, c := range []struct {
		e      jwtguard.CredentialExtractor
		want   jwtguard.Credential
		source string
	}{
		{jwtguard.FromAuthorization("JWT"), jwtguard.Credential{Token: "a1", Source: jwtguard.SourceAuthorization, Scheme: "jwt"}, "authorization"},
		{jwtguard.FromHeader("x-token"), jwtguard.Credential{Token: "h1", Source: jwtguard.SourceHeader, Name: "X-Token"}, "header"},
		{jwtguard.FromCookie("jwt"), jwtguard.Credential{Token: "c1", Source: jwtguard.SourceCookie, Name: "jwt"}, "cookie"},
		{jwtguard.FromQuery("t"), jwtguard.Credential{Token: "q1", Source: jwtguard.SourceQuery, Name: "t"}, "query"},
		{jwtguard.FirstOf(jwtguard.FromAuthorization(), jwtguard.FromCookie("jwt")), jwtguard.Credential{Token: "c1", Source: jwtguard.SourceCookie, Name: "jwt"}, "cookie"},
		{jwtguard.FirstOf(plain), jwtguard.Credential{Token: "o 1", Source: jwtguard.SourceUnknown}, "unknown"},
		{jwtguard.Own(plain, jwtguard.SourceHeader), jwtguard.Credential{Token: "o 1", Source: jwtguard.SourceHeader}, "header"},
	} {
		got, err := c.e.ExtractCredential(r)
		must(t, err)
		if got.Token != c.want.Token || got.Source != c.want.Source || got.Name != c.want.Name ||
			got.Scheme != c.want.Scheme || got.Check != nil || got.Source.String() != c.source {
			t.Errorf("got %+v (%s), want %+v (%s)", got, got.Source, c.want, c.source)
		}
	}
}

// TestUndeclaredExtractorRefused: an extractor of the application's own
// that does not say where its token comes from, alone or inside FirstOf,
// or declared as SourceUnknown, is refused when the Guard is built: it
// might read a cookie, whose token must not skip the CSRF check.
func TestUndeclaredExtractorRefused(t *testing.T) {
	own := jwtguard.ExtractorFunc(func(r *http.Request) (string, error) {
		if c, err := r.Cookie("jwt"); err == nil {
			return c.Value, nil
		}
		return "", nil
	})
	for name, e := range map[string]jwtguard.Extractor{
		"plain":          own,
		"in FirstOf":     jwtguard.FirstOf(jwtguard.FromAuthorization(), own),
		"SourceUnknown":  jwtguard.Own(own, jwtguard.SourceUnknown),
		"nested FirstOf": jwtguard.FirstOf(jwtguard.FirstOf(jwtguard.FromHeader("X-T"), own)),
	} {
		if _, err := jwtguard.NewGuard(verifierFor(t), jwtguard.WithExtractor(e)); err == nil || !strings.Contains(err.Error(), "jwtguard.Own") {
			t.Errorf("%s: NewGuard = %v, want a refusal naming Own", name, err)
		}
	}
	for name, e := range map[string]jwtguard.Extractor{
		"declared":         jwtguard.Own(own, jwtguard.SourceCookie),
		"declared FirstOf": jwtguard.FirstOf(jwtguard.FromAuthorization(), jwtguard.Own(own, jwtguard.SourceHeader)),
		"built-in":         jwtguard.FirstOf(jwtguard.FromCookie("jwt"), jwtguard.FromQuery("t")),
	} {
		if _, err := jwtguard.NewGuard(verifierFor(t), jwtguard.WithExtractor(e)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// cookieCredential is an application's own CredentialExtractor that reads
// a cookie and leaves the Credential's Source unset.
type cookieCredential struct{}

func (cookieCredential) Extract(r *http.Request) (string, error) {
	c, err := r.Cookie("session")
	if err != nil {
		return "", nil
	}
	return c.Value, nil
}

func (e cookieCredential) ExtractCredential(r *http.Request) (jwtguard.Credential, error) {
	tok, err := e.Extract(r)
	return jwtguard.Credential{Token: tok}, err
}

// TestCookieTokenNeverSkipsCSRF: a token a cookie carries gets the CSRF
// check on an unsafe request whatever its extractor says: a credential of
// an unknown source, and an Own extractor that reads a cookie but calls
// itself a header's. A source out of range is refused at construction.
func TestCookieTokenNeverSkipsCSRF(t *testing.T) {
	tok := signRaw(t, "HS256", `{"alg":"HS256"}`, `{"sub":"u1","exp":9999999999,"jti":"j1","token_type":"access"}`)
	for name, e := range map[string]jwtguard.Extractor{
		"unknown source":       cookieCredential{},
		"declared as a header": jwtguard.Own(jwtguard.ExtractorFunc(cookieCredential{}.Extract), jwtguard.SourceHeader),
	} {
		g, err := jwtguard.NewGuard(verifierFor(t), jwtguard.WithExtractor(e))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		h := g.Require(jwtguard.IsAuthenticated())(reached)
		for method, want := range map[string]int{"GET": 200, "POST": 403} {
			r := httptest.NewRequest(method, "http://api.example/x", nil)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			r.AddCookie(&http.Cookie{Name: "session", Value: tok})
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != want {
				t.Errorf("%s: cross-site %s with the token in a cookie: %d %s, want %d", name, method, w.Code, w.Body, want)
			}
		}
	}
	if _, err := jwtguard.NewGuard(verifierFor(t), jwtguard.WithExtractor(jwtguard.Own(jwtguard.FromHeader("X-Token"), jwtguard.CredentialSource(9)))); err == nil {
		t.Error("NewGuard accepted a source out of range")
	}
}
