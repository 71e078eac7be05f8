package jwtguard

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// jwksServer serves a JWK Set that tests change as they go, and counts
// fetches.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	body    string
	status  int
	delay   time.Duration
	cache   string
	fetches atomic.Int64
}

func newJWKSServer(t testing.TB, keys ...*signer) *jwksServer {
	s := &jwksServer{status: 200}
	s.publish(keys...)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		body, status, delay, cache := s.body, s.status, s.delay, s.cache
		s.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		if cache != "" {
			w.Header().Set("Cache-Control", cache)
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) publish(keys ...*signer) {
	var pub []*Key
	for _, k := range keys {
		pub = append(pub, k.sk.VerificationKey())
	}
	s.set(200, string(encodeJWKSet(pub)))
}

func (s *jwksServer) set(status int, body string) {
	s.mu.Lock()
	s.status, s.body = status, body
	s.mu.Unlock()
}

func (s *jwksServer) setDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// signer signs test tokens with one key.
type signer struct {
	sk   *SigningKey
	priv any
}

func newSigner(t testing.TB, kid, alg string) *signer {
	t.Helper()
	var priv any
	var err error
	switch alg {
	case RS256, PS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case EdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	sk, err := NewSigningKey(kid, priv, alg)
	if err != nil {
		t.Fatal(err)
	}
	return &signer{sk: sk, priv: priv}
}

// token returns a signed access token; kid overrides the key's kid.
func (s *signer) token(t testing.TB, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(s.sk.method, jwt.MapClaims{"sub": "u", "exp": time.Now().Add(time.Hour).Unix()})
	if kid != "" {
		tok.Header["kid"] = kid
	}
	raw, err := tok.SignedString(s.priv)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func fastRemote(opts ...RemoteOption) []RemoteOption {
	return append([]RemoteOption{
		WithMinRefetchGap(100 * time.Millisecond),
		WithFetchTimeout(500 * time.Millisecond),
	}, opts...)
}

func newRemote(t testing.TB, url string, opts ...RemoteOption) (*RemoteKeySet, *Verifier) {
	t.Helper()
	r, err := NewRemoteKeySet(url, fastRemote(opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	v, err := NewVerifier(r, WithTokenType("")) // a provider's tokens: no simplejwt profile
	if err != nil {
		t.Fatal(err)
	}
	return r, v
}

func eventually(t *testing.T, what string, within time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Add a key, promote it, drop the old one.
func TestRemoteRotation(t *testing.T) {
	ctx := context.Background()
	a, b := newSigner(t, "a", RS256), newSigner(t, "b", ES256)
	srv := newJWKSServer(t, a)
	_, v := newRemote(t, srv.URL, WithRefreshInterval(200*time.Millisecond, 100*time.Millisecond, time.Second))
	if _, err := v.Verify(ctx, a.token(t, "")); err != nil {
		t.Fatalf("key a: %v", err)
	}
	// b appears: its first token causes one fetch and passes.
	srv.publish(a, b)
	if _, err := v.Verify(ctx, b.token(t, "")); err != nil {
		t.Fatalf("newly published key b: %v", err)
	}
	// a is dropped: after the next background refresh its tokens fail.
	srv.publish(b)
	eventually(t, "dropped key refused", 2*time.Second, func() bool {
		_, err := v.Verify(ctx, a.token(t, ""))
		return errors.Is(err, ErrUnknownKey)
	})
	if _, err := v.Verify(ctx, b.token(t, "")); err != nil {
		t.Fatalf("key b after a was dropped: %v", err)
	}
}

// Failures of every kind keep the last good keys.
func TestRemoteOutage(t *testing.T) {
	ctx := context.Background()
	a := newSigner(t, "a", EdDSA)
	srv := newJWKSServer(t, a)
	r, v := newRemote(t, srv.URL, WithRefreshInterval(50*time.Millisecond, 10*time.Millisecond, time.Second),
		WithMaxKeySetSize(4096))
	good := a.token(t, "")
	for _, c := range []struct {
		name string
		set  func()
	}{
		{"503", func() { srv.set(503, `{"keys":[]}`) }},
		{"timeout", func() { srv.publish(a); srv.setDelay(time.Second) }},
		{"junk", func() { srv.setDelay(0); srv.set(200, `<html>oops</html>`) }},
		{"empty set", func() { srv.set(200, `{"keys":[]}`) }},
		{"only unusable keys", func() {
			srv.set(200, `{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"h"},{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"}]}`)
		}},
		{"oversize", func() { srv.set(200, `{"keys":[`+strings.Repeat(" ", 5000)+`]}`) }},
	} {
		before := r.Stats().Failures
		c.set()
		eventually(t, c.name+": a failure is counted", 3*time.Second, func() bool { return r.Stats().Failures > before })
		if _, err := v.Verify(ctx, good); err != nil {
			t.Fatalf("%s: the last good key is gone: %v", c.name, err)
		}
	}
	srv.setDelay(0)
	srv.publish(a)
}

// A flood of forged kids costs one fetch per gap; valid tokens keep
// passing; a key really rotated in during the flood passes within a gap.
func TestRemoteUnknownKidFlood(t *testing.T) {
	ctx := context.Background()
	a, b := newSigner(t, "a", ES256), newSigner(t, "b", ES256)
	srv := newJWKSServer(t, a)
	const gap = 100 * time.Millisecond
	_, v := newRemote(t, srv.URL, WithMinRefetchGap(gap))
	good := a.token(t, "")
	start := srv.fetches.Load()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var forged, validFailed atomic.Int64
	began := time.Now()
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := v.Verify(ctx, a.token(t, "forged-"+strconv.Itoa(w)+"-"+strconv.Itoa(i))); err == nil {
					t.Error("a forged kid passed")
				}
				forged.Add(1)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := v.Verify(ctx, good); err != nil {
				validFailed.Add(1)
			}
		}
	}()
	time.Sleep(300 * time.Millisecond)
	srv.publish(a, b) // a real rotation, mid-flood
	published := time.Now()
	var acceptedAfter time.Duration
	eventually(t, "rotated-in key accepted", 2*time.Second, func() bool {
		_, err := v.Verify(ctx, b.token(t, ""))
		acceptedAfter = time.Since(published)
		return err == nil
	})
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	elapsed := time.Since(began) // the sleeps overshoot on a loaded machine
	fetches := srv.fetches.Load() - start
	if limit := int64(elapsed/gap) + 2; fetches > limit {
		t.Errorf("%d forged kids caused %d fetches in %v; at most %d allowed", forged.Load(), fetches, elapsed, limit)
	}
	if validFailed.Load() > 0 {
		t.Errorf("%d valid verifications failed during the flood", validFailed.Load())
	}
	if acceptedAfter > 2*gap+500*time.Millisecond { // one gap, one fetch, and a loaded CI machine
		t.Errorf("rotated-in key accepted after %v, gap is %v", acceptedAfter, gap)
	}
	t.Logf("%d forged tokens, %d fetches, rotated key accepted after %v", forged.Load(), fetches, acceptedAfter)
}

// Starting empty: refused until keys arrive; 100 concurrent requests on a
// cold start share one fetch.
func TestRemoteColdStart(t *testing.T) {
	ctx := context.Background()
	a := newSigner(t, "a", PS256)
	srv := newJWKSServer(t, a)
	srv.setDelay(100 * time.Millisecond)
	_, v := newRemote(t, srv.URL, WithStartEmpty())
	tok := a.token(t, "")
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := v.Verify(ctx, tok); err != nil {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := srv.fetches.Load(); n != 1 {
		t.Errorf("100 concurrent requests on a cold start made %d fetches, want 1", n)
	}
	if failed.Load() > 0 {
		t.Errorf("%d of 100 cold-start requests failed", failed.Load())
	}
}

func TestRemoteStartup(t *testing.T) {
	ctx := context.Background()
	a := newSigner(t, "a", RS256)
	srv := newJWKSServer(t, a)
	srv.set(503, "")
	if _, err := NewRemoteKeySet(srv.URL, fastRemote()...); err == nil {
		t.Fatal("the default startup mode accepted a failing endpoint")
	}
	// Start empty: fail closed, retry with backoff, then work.
	r, v := newRemote(t, srv.URL, WithStartEmpty())
	if _, err := v.Verify(ctx, a.token(t, "")); !errors.Is(err, ErrUnknownKey) || !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("before keys: %v, want an invalid token (401)", err)
	}
	srv.publish(a)
	eventually(t, "keys after the endpoint recovers", 5*time.Second, func() bool { return r.Stats().Keys == 1 })
	if _, err := v.Verify(ctx, a.token(t, "")); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"ftp://x/jwks", "not a url", "https://"} {
		if _, err := NewRemoteKeySet(bad); err == nil {
			t.Errorf("NewRemoteKeySet(%q) accepted", bad)
		}
	}
}

// Cache-Control max-age drives the background refresh, within bounds.
func TestRemoteMaxAge(t *testing.T) {
	a := newSigner(t, "a", ES256)
	srv := newJWKSServer(t, a)
	srv.mu.Lock()
	srv.cache = "public, max-age=1"
	srv.mu.Unlock()
	newRemote(t, srv.URL, WithRefreshInterval(time.Hour, 500*time.Millisecond, 2*time.Hour))
	time.Sleep(2500 * time.Millisecond)
	// The interval (an hour) would give 1; max-age=1 gives one a second.
	if n := srv.fetches.Load(); n < 2 || n > 4 {
		t.Errorf("%d fetches in 2.5 s with max-age=1, want 2 to 4", n)
	}
}

// Remote sets never give HMAC keys, nor keys for encryption; a JWK's alg
// pins its key.
func TestRemoteHygiene(t *testing.T) {
	ctx := context.Background()
	rs := newSigner(t, "rs", RS256)
	ps := newSigner(t, "rs", PS256) // same kid, its own alg
	pub := string(encodeJWK(rs.sk.VerificationKey()))
	enc := strings.Replace(pub, `"use":"sig"`, `"use":"enc"`, 1)
	enc = strings.Replace(enc, `"kid":"rs"`, `"kid":"enc"`, 1)
	srv := newJWKSServer(t)
	srv.set(200, `{"keys":[`+pub+`,`+enc+`,{"kty":"oct","kid":"h","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}]}`)
	r, v := newRemote(t, srv.URL)
	if n := len(r.All()); n != 1 {
		t.Fatalf("%d keys taken from the set, want only the RSA signature key", n)
	}
	if _, err := v.Verify(ctx, rs.token(t, "")); err != nil {
		t.Fatalf("RS256 token: %v", err)
	}
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"exp": time.Now().Add(time.Hour).Unix()})
	hs.Header["kid"] = "h"
	raw, _ := hs.SignedString([]byte("secret-secret-secret-secret"))
	if _, err := v.Verify(ctx, raw); err == nil {
		t.Error("an HMAC token passed with a key from the remote set")
	}
	// The JWK says RS256: the same RSA key does not verify PS256.
	psWithRSKey := &signer{sk: ps.sk, priv: rs.priv}
	if _, err := v.Verify(ctx, psWithRSKey.token(t, "rs")); err == nil {
		t.Error("a PS256 token passed with a key pinned to RS256")
	}
	if _, err := v.Verify(ctx, rs.token(t, "enc")); err == nil {
		t.Error("a token passed with an encryption key")
	}
}

// Close ends every goroutine, a fetch in flight included.
func TestRemoteClose(t *testing.T) {
	base := runtime.NumGoroutine()
	a := newSigner(t, "a", ES256)
	srv := newJWKSServer(t, a)
	r, err := NewRemoteKeySet(srv.URL, fastRemote(WithRefreshInterval(10*time.Millisecond, 10*time.Millisecond, time.Second))...)
	if err != nil {
		t.Fatal(err)
	}
	srv.setDelay(time.Second) // a fetch will hang when Close comes
	time.Sleep(50 * time.Millisecond)
	r.Close()
	srv.setDelay(0)
	srv.CloseClientConnections()
	eventually(t, "goroutines back to the baseline", 3*time.Second, func() bool {
		return runtime.NumGoroutine() <= base+2 // the test server's own
	})
	if _, err := r.Keys(context.Background(), KeyQuery{Alg: ES256, KeyID: "zzz"}); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Keys after Close: %v", err)
	}
}

func TestDiscover(t *testing.T) {
	ctx := context.Background()
	a := newSigner(t, "a", EdDSA)
	jwks := newJWKSServer(t, a)
	var issuer, claimed string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"issuer":"` + claimed + `","jwks_uri":"` + jwks.URL + `"}`))
	})
	op := httptest.NewServer(mux)
	defer op.Close()
	issuer = op.URL
	claimed = issuer
	r, err := Discover(ctx, issuer, fastRemote()...)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.URL() != jwks.URL || len(r.All()) != 1 {
		t.Fatalf("discovered %s with %d keys", r.URL(), len(r.All()))
	}
	claimed = "https://evil.example"
	if _, err := Discover(ctx, issuer, fastRemote()...); err == nil {
		t.Fatal("a discovery document naming another issuer was accepted")
	}
	if _, err := Discover(ctx, issuer+"/nothing-here", fastRemote()...); err == nil {
		t.Fatal("a missing discovery document was accepted")
	}
}

// Several issuers, each with its keys and audiences; an unknown issuer is
// refused before any fetch.
func TestIssuersWithAudiences(t *testing.T) {
	ctx := context.Background()
	a, b := newSigner(t, "a", ES256), newSigner(t, "b", ES256)
	srv := newJWKSServer(t, b)
	remote, err := NewRemoteKeySet(srv.URL, fastRemote()...)
	if err != nil {
		t.Fatal(err)
	}
	defer remote.Close()
	static, _ := NewKeySet(a.sk.VerificationKey())
	issuers, err := NewIssuers(map[string]KeyProvider{"https://a": static, "https://b": remote})
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(issuers, WithTokenType(""), WithIssuerAudience("https://a", "api-a"), WithIssuerAudience("https://b", "api-b"))
	if err != nil {
		t.Fatal(err)
	}
	sign := func(s *signer, iss, aud string) string {
		tok := jwt.NewWithClaims(s.sk.method, jwt.MapClaims{"iss": iss, "aud": aud, "exp": time.Now().Add(time.Hour).Unix()})
		tok.Header["kid"] = s.sk.ID()
		raw, _ := tok.SignedString(s.priv)
		return raw
	}
	fetches := srv.fetches.Load()
	for _, c := range []struct {
		name, token string
		want        error
	}{
		{"a for api-a", sign(a, "https://a", "api-a"), nil},
		{"b for api-b", sign(b, "https://b", "api-b"), nil},
		{"a for api-b", sign(a, "https://a", "api-b"), ErrTokenInvalidAudience},
		{"b signed claiming a", sign(b, "https://a", "api-a"), ErrTokenUnverifiable},
		{"unknown issuer", sign(b, "https://c", "api-b"), ErrTokenInvalidIssuer},
	} {
		_, err := v.Verify(ctx, c.token)
		if (c.want == nil) != (err == nil) || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if n := srv.fetches.Load() - fetches; n != 0 {
		t.Errorf("%d fetches for tokens of known kids and unknown issuers", n)
	}
}

// A token in the verified-token cache is refused once its key leaves the
// remote set: the cache never outlives a key.
func TestRemoteKeyRemovalEndsCachedTokens(t *testing.T) {
	ctx := context.Background()
	a, b := newSigner(t, "a", RS256), newSigner(t, "b", ES256)
	srv := newJWKSServer(t, a, b)
	_, v := newRemote(t, srv.URL, WithRefreshInterval(200*time.Millisecond, 100*time.Millisecond, time.Second))
	raw := a.token(t, "")
	for range 2 {
		if _, err := v.Verify(ctx, raw); err != nil {
			t.Fatalf("key a: %v", err)
		}
	}
	if st := v.CacheStats(); st.Hits != 1 {
		t.Fatalf("token not cached: %+v", st)
	}
	srv.publish(b)
	eventually(t, "cached token of a dropped key refused", 3*time.Second, func() bool {
		_, err := v.Verify(ctx, raw)
		return errors.Is(err, ErrUnknownKey)
	})
}

// A refresh that brings the same keys keeps them, and so keeps the
// verified-token cache: no token is verified again.
func TestRemoteUnchangedRefreshKeepsCache(t *testing.T) {
	ctx := context.Background()
	a := newSigner(t, "a", ES256)
	srv := newJWKSServer(t, a)
	_, v := newRemote(t, srv.URL, WithRefreshInterval(100*time.Millisecond, 100*time.Millisecond, time.Second))
	raw := a.token(t, "")
	if _, err := v.Verify(ctx, raw); err != nil {
		t.Fatal(err)
	}
	fetched := srv.fetches.Load()
	eventually(t, "a background refresh", 3*time.Second, func() bool { return srv.fetches.Load() >= fetched+2 })
	if _, err := v.Verify(ctx, raw); err != nil {
		t.Fatal(err)
	}
	if st := v.CacheStats(); st.Hits != 1 || st.Inserted != 1 {
		t.Errorf("after refreshes with the same keys: %+v, want one hit and one insert", st)
	}
}
