package jwtguard_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard"
)

// TestEveryAlgorithm signs with golang-jwt (and by hand for the RFC 9864
// name) and verifies with jwtguard, for every supported algorithm.
func TestEveryAlgorithm(t *testing.T) {
	r384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	must(t, err)
	r521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	must(t, err)
	k := keysForTest
	type signer struct {
		m   jwt.SigningMethod
		key any
		pub any
	}
	for _, s := range []signer{
		{jwt.SigningMethodHS256, k.secret, nil}, {jwt.SigningMethodHS384, k.secret, nil}, {jwt.SigningMethodHS512, k.secret, nil},
		{jwt.SigningMethodRS256, k.rsa, &k.rsa.PublicKey}, {jwt.SigningMethodRS384, k.rsa, &k.rsa.PublicKey}, {jwt.SigningMethodRS512, k.rsa, &k.rsa.PublicKey},
		{jwt.SigningMethodPS256, k.rsa, &k.rsa.PublicKey}, {jwt.SigningMethodPS384, k.rsa, &k.rsa.PublicKey}, {jwt.SigningMethodPS512, k.rsa, &k.rsa.PublicKey},
		{jwt.SigningMethodES256, k.ec, &k.ec.PublicKey}, {jwt.SigningMethodES384, r384, &r384.PublicKey}, {jwt.SigningMethodES512, r521, &r521.PublicKey},
		{jwt.SigningMethodEdDSA, k.ed, k.ed.Public()},
	} {
		t.Run(s.m.Alg(), func(t *testing.T) {
			var key *jwtguard.Key
			var err error
			if s.pub == nil {
				key, err = jwtguard.NewHMACKey("", k.secret)
			} else {
				key, err = jwtguard.NewPublicKey("", s.pub)
			}
			must(t, err)
			set, err := jwtguard.NewKeySet(key)
			must(t, err)
			v, err := jwtguard.NewVerifier(set)
			must(t, err)
			// Many signatures, so ES512 and PS* hit their varying lengths.
			for i := range 20 {
				raw, err := jwt.NewWithClaims(s.m, jwt.MapClaims{"token_type": "access", "jti": fmt.Sprint(i), "sub": fmt.Sprint(i), "exp": future}).SignedString(s.key)
				must(t, err)
				tok, err := v.Verify(context.Background(), raw)
				if err != nil || tok.Claims.Subject != fmt.Sprint(i) || tok.Header.Alg != s.m.Alg() {
					t.Fatalf("Verify = %+v, %v", tok, err)
				}
			}
		})
	}
	t.Run("Ed25519", func(t *testing.T) {
		tok, err := verify(t, verifierFor(t), signRaw(t, "Ed25519", `{"alg":"Ed25519","kid":"ed"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d}`, future)))
		if err != nil || tok.Header.Alg != "Ed25519" {
			t.Fatal(tok, err)
		}
	})
}

func TestKeyFamilies(t *testing.T) {
	k := keysForTest
	rsaOnly, err := jwtguard.NewPublicKey("", &k.rsa.PublicKey)
	must(t, err)
	set, err := jwtguard.NewKeySet(rsaOnly)
	must(t, err)
	v, err := jwtguard.NewVerifier(set)
	must(t, err)
	// With only an RSA key, HS256 is not on the allow-list at all.
	_, err = verify(t, v, signRaw(t, "HS256", `{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d}`, future)))
	if !errors.Is(err, jwtguard.ErrAlgorithmNotAllowed) || !errors.Is(err, jwt.ErrTokenUnverifiable) {
		t.Errorf("HS256 against an RSA key: %v", err)
	}
	// A key narrowed to RS256 refuses PS256 even though both are RSA.
	rs256, err := jwtguard.NewPublicKey("", &k.rsa.PublicKey, jwtguard.RS256)
	must(t, err)
	set, _ = jwtguard.NewKeySet(rs256)
	v, _ = jwtguard.NewVerifier(set)
	if _, err := verify(t, v, signRaw(t, "PS256", `{"alg":"PS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d}`, future))); !errors.Is(err, jwtguard.ErrAlgorithmNotAllowed) {
		t.Errorf("PS256 against an RS256 key: %v", err)
	}
	if _, err := jwtguard.NewPublicKey("", &k.rsa.PublicKey, jwtguard.ES256); err == nil {
		t.Error("an RSA key for ES256 was accepted")
	}
	if _, err := jwtguard.NewHMACKey("", k.secret, jwtguard.RS256); err == nil {
		t.Error("an HMAC key for RS256 was accepted")
	}
	if _, err := jwtguard.NewHMACKey("", nil); err == nil {
		t.Error("an empty HMAC secret was accepted")
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	must(t, err)
	if _, err := jwtguard.NewPublicKey("", &small.PublicKey); err == nil {
		t.Error("a 1024-bit RSA key was accepted")
	}
	if _, err := jwtguard.NewPublicKey("", "not a key"); err == nil {
		t.Error("a string was accepted as a key")
	}
}

func TestKeySetSelection(t *testing.T) {
	k := keysForTest
	a, _ := jwtguard.NewHMACKey("a", []byte("secret-a-0123456789"))
	b, _ := jwtguard.NewHMACKey("b", []byte("secret-b-0123456789"))
	set, err := jwtguard.NewKeySet(a, b)
	must(t, err)
	v, _ := jwtguard.NewVerifier(set)
	claims := fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d}`, future)
	mk := func(header string, secret string) string {
		input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
		return input + "." + enc.EncodeToString(signature(t, "HS256", []byte(input), []byte(secret)))
	}
	for _, c := range []struct {
		name, tok string
		want      error
	}{
		{"kid a", mk(`{"alg":"HS256","kid":"a"}`, "secret-a-0123456789"), nil},
		{"kid b", mk(`{"alg":"HS256","kid":"b"}`, "secret-b-0123456789"), nil},
		{"kid a signed by b", mk(`{"alg":"HS256","kid":"a"}`, "secret-b-0123456789"), jwtguard.ErrTokenSignatureInvalid},
		{"unknown kid", mk(`{"alg":"HS256","kid":"c"}`, "secret-a-0123456789"), jwtguard.ErrUnknownKey},
		{"no kid tries every key", mk(`{"alg":"HS256"}`, "secret-b-0123456789"), nil},
	} {
		_, err := verify(t, v, c.tok)
		if (c.want == nil && err != nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := jwtguard.NewKeySet(a, a); err == nil {
		t.Error("two keys with one kid and algorithm were accepted")
	}
	if _, err := jwtguard.NewKeySet(); err == nil {
		t.Error("an empty key set was accepted")
	}
	_ = k
}

func TestClaimChecks(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := jwtguard.WithClock(func() time.Time { return now })
	hs := func(payload string) string { return signRaw(t, "HS256", `{"alg":"HS256","typ":"at+jwt"}`, payload) }
	at := func(d time.Duration) int64 { return now.Add(d).Unix() }
	for _, c := range []struct {
		name    string
		opts    []jwtguard.VerifierOption
		payload string
		want    error
	}{
		{"exp one second ahead", nil, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d}`, at(time.Second)), nil},
		{"exp now is expired", nil, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d}`, at(0)), jwt.ErrTokenExpired},
		{"exp within leeway", []jwtguard.VerifierOption{jwtguard.WithLeeway(30 * time.Second)}, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d}`, at(-20*time.Second)), nil},
		{"exp fractional", nil, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d.5}`, at(0)), nil},
		{"nbf ahead", nil, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"nbf":%d}`, at(time.Hour), at(time.Minute)), jwt.ErrTokenNotValidYet},
		{"nbf within leeway", []jwtguard.VerifierOption{jwtguard.WithLeeway(time.Minute)}, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"nbf":%d}`, at(time.Hour), at(time.Minute)), nil},
		{"iat ahead", nil, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"iat":%d}`, at(time.Hour), at(time.Second)), jwt.ErrTokenUsedBeforeIssued},
		{"exp optional", []jwtguard.VerifierOption{jwtguard.WithExpirationOptional()}, `{"token_type":"access","jti":"j","sub":"x"}`, nil},
		{"issuer ok", []jwtguard.VerifierOption{jwtguard.WithIssuer("a", "b")}, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"iss":"b"}`, at(time.Hour)), nil},
		{"issuer wrong", []jwtguard.VerifierOption{jwtguard.WithIssuer("a")}, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"iss":"b"}`, at(time.Hour)), jwt.ErrTokenInvalidIssuer},
		{"issuer missing", []jwtguard.VerifierOption{jwtguard.WithIssuer("a")}, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d}`, at(time.Hour)), jwt.ErrTokenInvalidIssuer},
		{"audience any of", []jwtguard.VerifierOption{jwtguard.WithAudience("api", "web")}, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"aud":["x","web"]}`, at(time.Hour)), nil},
		{"audience string", []jwtguard.VerifierOption{jwtguard.WithAudience("api")}, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"aud":"api"}`, at(time.Hour)), nil},
		{"audience wrong", []jwtguard.VerifierOption{jwtguard.WithAudience("api")}, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"aud":["web"]}`, at(time.Hour)), jwt.ErrTokenInvalidAudience},
		{"audience missing", []jwtguard.VerifierOption{jwtguard.WithAudience("api")}, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d}`, at(time.Hour)), jwt.ErrTokenInvalidAudience},
		{"typ ok", []jwtguard.VerifierOption{jwtguard.WithExpectedType("application/AT+JWT")}, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d}`, at(time.Hour)), nil},
		{"typ wrong", []jwtguard.VerifierOption{jwtguard.WithExpectedType("JWT")}, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d}`, at(time.Hour)), jwtguard.ErrTokenWrongType},
		{"token_type refresh", nil, fmt.Sprintf(`{"jti":"j","exp":%d,"token_type":"refresh"}`, at(time.Hour)), jwtguard.ErrTokenWrongType},
		{"token_type check off", []jwtguard.VerifierOption{jwtguard.WithTokenType("")}, fmt.Sprintf(`{"jti":"j","exp":%d,"token_type":"refresh"}`, at(time.Hour)), nil},
		{"token_type missing", nil, fmt.Sprintf(`{"jti":"j","exp":%d}`, at(time.Hour)), jwtguard.ErrTokenWrongType},
		{"jti missing", nil, fmt.Sprintf(`{"token_type":"access","exp":%d}`, at(time.Hour)), jwtguard.ErrTokenRequiredClaimMissing},
		{"profile off: neither token_type nor jti", []jwtguard.VerifierOption{jwtguard.WithTokenType("")}, fmt.Sprintf(`{"exp":%d}`, at(time.Hour)), nil},
		{"token_type other expected", []jwtguard.VerifierOption{jwtguard.WithTokenType("refresh")}, fmt.Sprintf(`{"jti":"j","exp":%d,"token_type":"refresh"}`, at(time.Hour)), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := verify(t, verifierFor(t, append(c.opts, clock)...), hs(c.payload))
			if c.want == nil && err != nil {
				t.Fatalf("unexpected %v", err)
			}
			if c.want != nil && (!errors.Is(err, c.want) || !errors.Is(err, jwtguard.ErrInvalidToken)) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestValidator(t *testing.T) {
	errBanned := errors.New("subject is banned")
	v := verifierFor(t, jwtguard.WithValidator(func(_ context.Context, tok *jwtguard.Token) error {
		if tok.Subject() == "mallory" {
			return errBanned
		}
		return nil
	}))
	_, err := verify(t, v, signRaw(t, "HS256", `{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"sub":"mallory"}`, future)))
	if !errors.Is(err, errBanned) || !errors.Is(err, jwt.ErrTokenInvalidClaims) || !errors.Is(err, jwtguard.ErrInvalidToken) {
		t.Errorf("validator error: %v", err)
	}
	if _, err := verify(t, v, signRaw(t, "HS256", `{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"sub":"alice"}`, future))); err != nil {
		t.Error(err)
	}
}

func TestOptionErrorsTogether(t *testing.T) {
	set, _ := jwtguard.NewKeySet(must1(jwtguard.NewHMACKey("", []byte("a-secret-of-16-b"))))
	_, err := jwtguard.NewVerifier(set, jwtguard.WithLeeway(-time.Second), jwtguard.WithAlgorithms("none"),
		jwtguard.WithIssuer(""), jwtguard.WithMaxTokenSize(1), jwtguard.WithClock(nil))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"leeway", `"none"`, "empty issuer", "max token size", "nil clock"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if _, err := jwtguard.NewVerifier(nil); err == nil {
		t.Error("nil provider accepted")
	}
	if _, err := jwtguard.NewGuard(nil, jwtguard.WithRealm(`a"b`), jwtguard.WithExtractor(nil)); err == nil || !strings.Contains(err.Error(), "realm") || !strings.Contains(err.Error(), "nil verifier") {
		t.Errorf("guard options: %v", err)
	}
}

func must1[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestTypedClaims(t *testing.T) {
	payload := fmt.Sprintf(`{"iss":"https://id.example","sub":"s\u00e9b","aud":"api","exp":%d,"nbf":1700000000,"iat":1700000000.25,`+
		`"jti":"j1","token_type":"access","user_id":42,"scope":"a b  c","scp":"x y","client_id":"cli",`+
		`"tenant":{"id":7,"name":"acme"},"roles":["admin"]}`, future)
	tok, err := verify(t, verifierFor(t), signRaw(t, "HS256", `{"alg":"HS256","kid":"","typ":"JWT"}`, payload))
	must(t, err)
	c := tok.Claims
	if c.Issuer != "https://id.example" || c.Subject != "séb" || len(c.Audience) != 1 || c.Audience[0] != "api" ||
		c.ID != "j1" || c.TokenType != "access" || c.UserID != "42" || c.ClientID != "cli" ||
		c.ExpiresAt.Unix() != future || c.NotBefore.Unix() != 1700000000 || c.IssuedAt.UnixMilli() != 1700000000250 {
		t.Errorf("claims %+v", c)
	}
	for _, s := range []string{"a", "b", "c", "x", "y"} {
		if !tok.HasScope(s) {
			t.Errorf("scope %s missing", s)
		}
	}
	if tok.HasScope("") || tok.HasScope("z") {
		t.Error("scope matched wrongly")
	}
	var custom struct {
		Tenant struct {
			ID   int    `json:"id"`
			Name string `json:"name"`
		} `json:"tenant"`
	}
	must(t, tok.Decode(&custom))
	if custom.Tenant.ID != 7 || custom.Tenant.Name != "acme" {
		t.Errorf("Decode: %+v", custom)
	}
	if roles, ok := jwtguard.ClaimAs[[]string](tok, "roles"); !ok || roles[0] != "admin" {
		t.Errorf("ClaimAs: %v %v", roles, ok)
	}
	if _, ok := jwtguard.ClaimAs[int](tok, "roles"); ok {
		t.Error("ClaimAs decoded an array into an int")
	}
	if raw, ok := tok.RawClaim("tenant"); !ok || string(raw) != `{"id":7,"name":"acme"}` {
		t.Errorf("RawClaim: %s", raw)
	}
	if _, ok := tok.Claim("missing"); ok {
		t.Error("missing claim found")
	}
	if fmt.Sprint(tok.Raw) != "[REDACTED]" {
		t.Error("raw token printed")
	}
	// A string user_id, and sub preferred over user_id.
	tok, err = verify(t, verifierFor(t), signRaw(t, "HS256", `{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"user_id":"u-1"}`, future)))
	must(t, err)
	if tok.Subject() != "u-1" {
		t.Errorf("Subject = %q", tok.Subject())
	}
}

// tamperedSignature returns tok with the last two characters of its
// signature changed: to "AA", or to "BA" when they were "AA" already (a
// random ES256 signature ends so once in 4096).
func tamperedSignature(tok string) string {
	if strings.HasSuffix(tok, "AA") {
		return tok[:len(tok)-2] + "BA"
	}
	return tok[:len(tok)-2] + "AA"
}

// TestConcurrentVerify shares one verifier, and its pooled MACs, between
// goroutines that verify good and bad tokens at once; run it with -race.
func TestConcurrentVerify(t *testing.T) {
	v := verifierFor(t)
	good := map[string]string{}
	for _, alg := range []string{"HS256", "ES256", "EdDSA"} {
		kid := map[string]string{"HS256": "", "ES256": "ec", "EdDSA": "ed"}[alg]
		good[alg] = signRaw(t, alg, `{"alg":"`+alg+`","kid":"`+kid+`"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"sub":"%s"}`, future, alg))
	}
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 100 {
				for alg, tok := range good {
					if i%2 == g%2 {
						tok = tamperedSignature(tok) // a bad signature in between
					}
					got, err := v.Verify(context.Background(), tok)
					if i%2 == g%2 {
						if err == nil {
							errs <- fmt.Errorf("%s: tampered token accepted", alg)
							return
						}
						continue
					}
					if err != nil || got.Claims.Subject != alg {
						errs <- fmt.Errorf("%s: %v", alg, err)
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
