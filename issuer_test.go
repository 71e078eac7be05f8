package jwtguard_test

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jwtguard/jwtguard"
)

// testClock is a settable clock for issuers and verifiers.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: time.Now().Truncate(time.Second)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newIssuer returns an HS256 issuer over a memory store, on clock.
func newIssuer(t testing.TB, clock *testClock, opts ...jwtguard.IssuerOption) (*jwtguard.Issuer, jwtguard.Store) {
	t.Helper()
	key, err := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	must(t, err)
	store := jwtguard.NewMemoryStore(jwtguard.WithClock(clock.Now))
	iss, err := jwtguard.NewIssuer(key, store, append([]jwtguard.IssuerOption{jwtguard.WithClock(clock.Now)}, opts...)...)
	must(t, err)
	return iss, store
}

// decodePart returns a token's header (0) or payload (1) JSON.
func decodePart(t testing.TB, token string, part int) string {
	t.Helper()
	b, err := enc.DecodeString(strings.Split(token, ".")[part])
	must(t, err)
	return string(b)
}

var claimsShape = regexp.MustCompile(`^\{"token_type":"(access|refresh)","exp":(\d+),"iat":(\d+),"jti":"[0-9a-f]{32}","user_id":42,"sid":"[0-9a-f]{32}"\}$`)

// Tokens look like simplejwt's, byte for byte where simplejwt fixes them.
func TestIssuerTokenShape(t *testing.T) {
	clock := newTestClock()
	iss, _ := newIssuer(t, clock)
	p, err := iss.Issue(context.Background(), "42")
	must(t, err)
	for _, c := range []struct {
		token, kind string
		life        time.Duration
	}{{p.Access, "access", 5 * time.Minute}, {p.Refresh, "refresh", 24 * time.Hour}} {
		if h := strings.Split(c.token, ".")[0]; h != "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" {
			t.Errorf("%s header = %s, want simplejwt's", c.kind, decodePart(t, c.token, 0))
		}
		claims := decodePart(t, c.token, 1)
		m := claimsShape.FindStringSubmatch(claims)
		if m == nil || m[1] != c.kind {
			t.Fatalf("%s claims = %s", c.kind, claims)
		}
		if m[3] != jsonInt(clock.Now().Unix()) || m[2] != jsonInt(clock.Now().Add(c.life).Unix()) {
			t.Errorf("%s iat/exp = %s/%s, want now and now+%v", c.kind, m[3], m[2], c.life)
		}
		if len(strings.Split(c.token, ".")[2]) != 43 {
			t.Errorf("%s signature is not 43 base64url characters", c.kind)
		}
	}
	if sid := func(tok string) string {
		var v struct{ Sid string }
		json.Unmarshal([]byte(decodePart(t, tok, 1)), &v)
		return v.Sid
	}; sid(p.Access) != sid(p.Refresh) {
		t.Error("the pair's tokens have different sids")
	}

	// Another implementation accepts them.
	parsed, err := jwt.Parse(p.Access, func(*jwt.Token) (any, error) { return keysForTest.secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(clock.Now))
	if err != nil || !parsed.Valid {
		t.Fatalf("golang-jwt refuses the access token: %v", err)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// A user ID that is not a canonical integer is a string; "sub" is always one.
func TestIssuerUserClaim(t *testing.T) {
	clock := newTestClock()
	for _, c := range []struct {
		claim, id, want string
	}{
		{"", "7", `"user_id":7`},
		{"", "007", `"user_id":"007"`},
		{"", "a1b2-uuid", `"user_id":"a1b2-uuid"`},
		{"", "99999999999999999999", `"user_id":"99999999999999999999"`},
		{"sub", "7", `"sub":"7"`},
		{"uid", `we"ird`, `"uid":"we\"ird"`},
	} {
		var opts []jwtguard.IssuerOption
		if c.claim != "" {
			opts = append(opts, jwtguard.WithUserClaim(c.claim))
		}
		iss, _ := newIssuer(t, clock, opts...)
		p, err := iss.Issue(context.Background(), c.id)
		must(t, err)
		if got := decodePart(t, p.Access, 1); !strings.Contains(got, c.want) {
			t.Errorf("user %q claim %q: claims %s lack %s", c.id, c.claim, got, c.want)
		}
		v, err := iss.Verifier(jwtguard.WithUserCheck(jwtguard.UserLookupFunc(func(_ context.Context, id string) (bool, error) {
			if id != c.id {
				return false, jwtguard.ErrUserNotFound
			}
			return true, nil
		}), 0))
		must(t, err)
		if _, err := v.Verify(context.Background(), p.Access); err != nil {
			t.Errorf("user %q claim %q: the user check does not find the user: %v", c.id, c.claim, err)
		}
		// Refresh keeps the user.
		p2, err := iss.Refresh(context.Background(), p.Refresh)
		must(t, err)
		if got := decodePart(t, p2.Access, 1); !strings.Contains(got, c.want) {
			t.Errorf("after refresh, claims %s lack %s", got, c.want)
		}
	}
}

func TestIssuerRotation(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	iss, _ := newIssuer(t, clock, jwtguard.WithAccessRevocation(0))
	access, err := iss.Verifier()
	must(t, err)

	p1, err := iss.Issue(ctx, "1")
	must(t, err)
	clock.Add(time.Minute)
	p2, err := iss.Refresh(ctx, p1.Refresh)
	must(t, err)
	if p2.Refresh == p1.Refresh || p2.Access == p1.Access {
		t.Fatal("refresh did not rotate")
	}
	if _, err := access.Verify(ctx, p2.Access); err != nil {
		t.Fatalf("rotated access token refused: %v", err)
	}
	// The new refresh token works once; the old one is spent.
	p3, err := iss.Refresh(ctx, p2.Refresh)
	must(t, err)

	// Reuse of p1.Refresh past the grace window: theft. The whole session
	// dies, the newest pair too.
	clock.Add(jwtguard.DefaultReuseGrace + time.Second)
	_, err = iss.Refresh(ctx, p1.Refresh)
	if !errors.Is(err, jwtguard.ErrTokenSpent) || !errors.Is(err, jwtguard.ErrTokenRevoked) || !errors.Is(err, jwtguard.ErrInvalidToken) {
		t.Fatalf("reuse: %v, want ErrTokenSpent and ErrTokenRevoked", err)
	}
	if _, err := iss.Refresh(ctx, p3.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Fatalf("newest refresh token after reuse: %v, want ErrTokenRevoked", err)
	}
	if _, err := access.Verify(ctx, p3.Access); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Fatalf("newest access token after reuse: %v, want ErrTokenRevoked", err)
	}
	// Another login of the same user is untouched.
	other, err := iss.Issue(ctx, "1")
	must(t, err)
	if _, err := iss.Refresh(ctx, other.Refresh); err != nil {
		t.Fatalf("another session after reuse: %v", err)
	}
}

// Of 100 concurrent refreshes of one token exactly one succeeds; the rest
// are duplicates within the reuse grace window, and the one pair's session
// lives on: one rotation chain, no second session.
func TestIssuerConcurrentRefresh(t *testing.T) {
	ctx := context.Background()
	iss, _ := newIssuer(t, newTestClock())
	p, err := iss.Issue(ctx, "1")
	must(t, err)
	var wg sync.WaitGroup
	results := make([]error, 100)
	pairs := make([]*jwtguard.Pair, 100)
	start := make(chan struct{})
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			pairs[i], results[i] = iss.Refresh(ctx, p.Refresh)
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	var pair *jwtguard.Pair
	for n, err := range results {
		switch {
		case err == nil:
			won++
			pair = pairs[n]
		case !errors.Is(err, jwtguard.ErrTokenDuplicate):
			t.Errorf("concurrent refresh: %v, want ErrTokenDuplicate", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of 100 concurrent refreshes succeeded, want 1", won)
	}
	if _, err := iss.Refresh(ctx, pair.Refresh); err != nil {
		t.Errorf("the one pair's session after the duplicates: %v", err)
	}
}

func TestIssuerLogoutAndRevocation(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	iss, _ := newIssuer(t, clock, jwtguard.WithAccessRevocation(time.Minute))
	access, err := iss.Verifier()
	must(t, err)

	p, err := iss.Issue(ctx, "1")
	must(t, err)
	if _, err := access.Verify(ctx, p.Access); err != nil {
		t.Fatal(err)
	}
	must(t, iss.Logout(ctx, p.Refresh))
	if err := iss.Logout(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Errorf("second logout: %v, want ErrTokenRevoked", err)
	}
	if _, err := iss.Refresh(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Errorf("refresh after logout: %v, want ErrTokenRevoked", err)
	}
	if err := iss.Logout(ctx, p.Access); !errors.Is(err, jwtguard.ErrTokenWrongType) {
		t.Errorf("logout with an access token: %v, want ErrTokenWrongType", err)
	}
	// The access token was checked (and cached as good) a moment ago: it
	// may pass until the cache entry ages out, and not after.
	if _, err := access.Verify(ctx, p.Access); err != nil {
		t.Errorf("within the staleness bound: %v", err)
	}
	clock.Add(time.Minute)
	if _, err := access.Verify(ctx, p.Access); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Errorf("access token after logout and the staleness bound: %v, want ErrTokenRevoked", err)
	}

	// One token by jti.
	q, err := iss.Issue(ctx, "2")
	must(t, err)
	tok, err := access.Verify(ctx, q.Access)
	must(t, err)
	must(t, iss.RevokeToken(ctx, tok))
	clock.Add(time.Minute)
	if _, err := access.Verify(ctx, q.Access); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Errorf("revoked access token: %v", err)
	}
	if _, err := iss.Refresh(ctx, q.Refresh); err != nil {
		t.Errorf("the refresh token of a pair whose access token was revoked: %v", err)
	}

	// Everything of a subject before now.
	r1, err := iss.Issue(ctx, "3")
	must(t, err)
	clock.Add(time.Second)
	must(t, iss.RevokeSubject(ctx, "3"))
	clock.Add(time.Second)
	r2, err := iss.Issue(ctx, "3")
	must(t, err)
	if _, err := iss.Refresh(ctx, r1.Refresh); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Errorf("refresh issued before RevokeSubject: %v", err)
	}
	if _, err := access.Verify(ctx, r1.Access); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Errorf("access issued before RevokeSubject: %v", err)
	}
	if _, err := iss.Refresh(ctx, r2.Refresh); err != nil {
		t.Errorf("refresh issued after RevokeSubject: %v", err)
	}
}

func TestIssuerRefreshRefuses(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	iss, _ := newIssuer(t, clock)
	p, err := iss.Issue(ctx, "1")
	must(t, err)
	otherKey, _ := jwtguard.NewSigningKey("", []byte("another-secret-entirely-0123456"), jwtguard.HS256)
	stranger, err := jwtguard.NewIssuer(otherKey, jwtguard.NewMemoryStore(), jwtguard.WithClock(clock.Now))
	must(t, err)
	sp, err := stranger.Issue(ctx, "1")
	must(t, err)
	for _, c := range []struct {
		name, token string
		want        error
	}{
		{"access token", p.Access, jwtguard.ErrTokenWrongType},
		{"garbage", "not.a.jwt", jwtguard.ErrTokenMalformed},
		{"another key", sp.Refresh, jwtguard.ErrTokenSignatureInvalid},
		{"no token_type", signRaw(t, "HS256", `{"alg":"HS256"}`, `{"exp":`+jsonInt(future)+`,"jti":"x","user_id":1}`), jwtguard.ErrTokenWrongType},
		{"no jti", signRaw(t, "HS256", `{"alg":"HS256"}`, `{"token_type":"refresh","exp":`+jsonInt(future)+`,"user_id":1}`), jwtguard.ErrInvalidToken},
	} {
		if _, err := iss.Refresh(ctx, c.token); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	clock.Add(24*time.Hour + time.Second)
	if _, err := iss.Refresh(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrTokenExpired) {
		t.Errorf("expired refresh: %v", err)
	}
}

// Signing keys of every family, a rotation of the signing key that logs
// nobody out, and tokens golang-jwt accepts.
func TestIssuerKeys(t *testing.T) {
	ctx := context.Background()
	k := keysForTest
	for _, c := range []struct {
		alg string
		key any
	}{
		{jwtguard.HS384, k.secret}, {jwtguard.HS512, k.secret},
		{jwtguard.RS256, k.rsa}, {jwtguard.PS256, k.rsa}, {jwtguard.ES256, k.ec},
		{jwtguard.EdDSA, k.ed}, {jwtguard.Ed25519, k.ed},
	} {
		sk, err := jwtguard.NewSigningKey("k1", c.key, c.alg)
		must(t, err)
		iss, err := jwtguard.NewIssuer(sk, jwtguard.NewMemoryStore())
		must(t, err)
		p, err := iss.Issue(ctx, "1")
		must(t, err)
		if h := decodePart(t, p.Access, 0); h != `{"alg":"`+c.alg+`","kid":"k1","typ":"JWT"}` {
			t.Errorf("%s header %s", c.alg, h)
		}
		v, err := iss.Verifier()
		must(t, err)
		if _, err := v.Verify(ctx, p.Access); err != nil {
			t.Errorf("%s: own verifier refuses: %v", c.alg, err)
		}
		if c.alg != jwtguard.Ed25519 {
			pub := any(sk.VerificationKey().Public())
			if pub == nil {
				pub = k.secret
			}
			if _, err := jwt.Parse(p.Access, func(*jwt.Token) (any, error) { return pub, nil }, jwt.WithValidMethods([]string{c.alg})); err != nil {
				t.Errorf("%s: golang-jwt refuses: %v", c.alg, err)
			}
		}
	}

	// Rotation: sign with k2, keep k1 as retired; k1's tokens still refresh.
	k1, _ := jwtguard.NewSigningKey("k1", k.ec, jwtguard.ES256)
	old, err := jwtguard.NewIssuer(k1, jwtguard.NewMemoryStore())
	must(t, err)
	p, err := old.Issue(ctx, "1")
	must(t, err)
	k2, _ := jwtguard.NewSigningKey("k2", k.ed, jwtguard.EdDSA)
	store := jwtguard.NewMemoryStore()
	rotated, err := jwtguard.NewIssuer(k2, store, jwtguard.WithRetiredKeys(k1.VerificationKey()))
	must(t, err)
	p2, err := rotated.Refresh(ctx, p.Refresh)
	must(t, err)
	if h := decodePart(t, p2.Access, 0); !strings.Contains(h, `"kid":"k2"`) {
		t.Errorf("rotated issuer signs with %s", h)
	}

	for _, bad := range []struct {
		alg string
		key any
	}{{jwtguard.HS256, []byte("short")}, {jwtguard.ES384, k.ec}, {jwtguard.RS256, k.ec}, {"none", k.secret}, {jwtguard.HS256, "string"}} {
		if _, err := jwtguard.NewSigningKey("", bad.key, bad.alg); err == nil {
			t.Errorf("NewSigningKey(%s, %T) accepted", bad.alg, bad.key)
		}
	}
}

func TestIssuerExtraClaimsAndOptions(t *testing.T) {
	ctx := context.Background()
	roles := "reader"
	iss, _ := newIssuer(t, newTestClock(),
		jwtguard.WithTokenIssuer("https://auth.example"),
		jwtguard.WithTokenAudience("api"),
		jwtguard.WithExtraClaims(func(_ context.Context, subject string) (map[string]any, error) {
			return map[string]any{"roles": []string{roles}, "name": "user " + subject}, nil
		}))
	p, err := iss.Issue(ctx, "1")
	must(t, err)
	if got := decodePart(t, p.Access, 1); !strings.HasSuffix(got, `"iss":"https://auth.example","aud":"api","name":"user 1","roles":["reader"]}`) {
		t.Errorf("claims %s", got)
	}
	roles = "admin"
	p2, err := iss.Refresh(ctx, p.Refresh)
	must(t, err)
	v, err := iss.Verifier()
	must(t, err)
	tok, err := v.Verify(ctx, p2.Access)
	must(t, err)
	if r, _ := jwtguard.ClaimAs[[]string](tok, "roles"); len(r) != 1 || r[0] != "admin" {
		t.Errorf("roles after refresh = %v, want the current ones", r)
	}
	// Another issuer or audience does not pass.
	other, _ := newIssuer(t, newTestClock(), jwtguard.WithTokenIssuer("https://elsewhere"))
	if _, err := other.Refresh(ctx, p2.Refresh); !errors.Is(err, jwtguard.ErrTokenInvalidIssuer) {
		t.Errorf("foreign issuer: %v", err)
	}

	bad, _ := newIssuer(t, newTestClock(), jwtguard.WithExtraClaims(func(context.Context, string) (map[string]any, error) {
		return map[string]any{"exp": 1}, nil
	}))
	if _, err := bad.Issue(ctx, "1"); err == nil {
		t.Error("an extra claim overriding exp was accepted")
	}

	key, _ := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	_, err = jwtguard.NewIssuer(key, nil, jwtguard.WithAccessLifetime(0), jwtguard.WithRefreshLifetime(time.Second),
		jwtguard.WithUserClaim("exp"), jwtguard.WithClock(nil))
	if err == nil || strings.Count(err.Error(), "\n") < 3 {
		t.Errorf("NewIssuer with five problems: %v", err)
	}
}

// failingStore answers every call with an error.
type failingStore struct{ jwtguard.Store }

var errDown = errors.New("store is down")

func (failingStore) Spend(context.Context, jwtguard.Record) error { return errDown }
func (failingStore) Check(context.Context, jwtguard.Record) error { return errDown }

// A store that cannot answer fails closed, and says so.
func TestIssuerStoreDown(t *testing.T) {
	ctx := context.Background()
	key, _ := jwtguard.NewSigningKey("", keysForTest.secret, jwtguard.HS256)
	iss, err := jwtguard.NewIssuer(key, failingStore{}, jwtguard.WithAccessRevocation(time.Minute))
	must(t, err)
	p, err := iss.Issue(ctx, "1")
	must(t, err)
	if _, err := iss.Refresh(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrUnavailable) || !errors.Is(err, errDown) || errors.Is(err, jwtguard.ErrInvalidToken) {
		t.Errorf("refresh with the store down: %v", err)
	}
	v, err := iss.Verifier()
	must(t, err)
	if _, err := v.Verify(ctx, p.Access); !errors.Is(err, jwtguard.ErrUnavailable) {
		t.Errorf("access check with the store down: %v", err)
	}
	if got := jwtguard.StatusCode(jwtguard.ErrUnavailable); got != 503 {
		t.Errorf("StatusCode(ErrUnavailable) = %d", got)
	}
}

// The user lookup ends a deactivated user's refreshes.
func TestIssuerUserLookup(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	users := map[string]bool{"1": true}
	lookup := jwtguard.UserLookupFunc(func(_ context.Context, id string) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		active, ok := users[id]
		if !ok {
			return false, jwtguard.ErrUserNotFound
		}
		return active, nil
	})
	iss, _ := newIssuer(t, newTestClock(), jwtguard.WithUserLookup(lookup, 0))
	p, err := iss.Issue(ctx, "1")
	must(t, err)
	mu.Lock()
	users["1"] = false
	mu.Unlock()
	if _, err := iss.Refresh(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrUserInactive) {
		t.Errorf("refresh of an inactive user: %v", err)
	}
	q, err := iss.Issue(ctx, "2")
	must(t, err)
	if _, err := iss.Refresh(ctx, q.Refresh); !errors.Is(err, jwtguard.ErrUserNotFound) {
		t.Errorf("refresh of a deleted user: %v", err)
	}
}
