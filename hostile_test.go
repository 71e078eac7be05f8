package jwtguard_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

type hostileCase struct {
	name  string
	token string
	want  error // a sentinel the error must match, beside ErrInvalidToken
}

// hostileTokens are the attacks of RFC 8725 and of published CVEs against
// JWT libraries, and malformed input of every shape.
func hostileTokens(t *testing.T, fetchURL string) []hostileCase {
	k := keysForTest
	claims := fmt.Sprintf(`{"token_type":"access","jti":"j","sub":"mallory","exp":%d}`, future)
	hs := func(header, payload string) string { return signRaw(t, "HS256", header, payload) }
	valid := hs(`{"alg":"HS256","typ":"JWT"}`, claims)
	parts := strings.Split(valid, ".")

	var cases []hostileCase
	for _, none := range []string{"none", "None", "NONE", "nOnE"} {
		h := enc.EncodeToString([]byte(`{"alg":"` + none + `","typ":"JWT"}`))
		cases = append(cases,
			hostileCase{"alg " + none + " unsigned", h + "." + parts[1] + ".", jwtguard.ErrAlgorithmNotAllowed},
			hostileCase{"alg " + none + " with signature", h + "." + parts[1] + "." + parts[2], jwtguard.ErrAlgorithmNotAllowed})
	}
	cases = append(cases, hostileCase{"alg missing", hs(`{"typ":"JWT"}`, claims), jwtguard.ErrTokenMalformed},
		hostileCase{"alg not a string", hs(`{"alg":["HS256"]}`, claims), jwtguard.ErrTokenMalformed},
		hostileCase{"alg lower case", hs(`{"alg":"hs256"}`, claims), jwtguard.ErrAlgorithmNotAllowed},
		hostileCase{"alg unknown", hs(`{"alg":"HS1"}`, claims), jwtguard.ErrAlgorithmNotAllowed})

	// Algorithm confusion: HS256 keyed with the bytes of a public key.
	der, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	must(t, err)
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	jwkBytes, _ := json.Marshal(map[string]string{"kty": "RSA", "n": enc.EncodeToString(k.rsa.N.Bytes()), "e": "AQAB"})
	for name, secret := range map[string][]byte{"PEM": pemBytes, "DER": der, "JWK": jwkBytes} {
		for _, kid := range []string{"", "rsa"} {
			header := `{"alg":"HS256","kid":"` + kid + `"}`
			if kid == "" {
				header = `{"alg":"HS256"}`
			}
			input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
			tok := input + "." + enc.EncodeToString(signature(t, "HS256", []byte(input), secret))
			// With the RSA key's kid, no key fits HS256; without a kid, the
			// HMAC key is tried and the signature does not match it.
			want := jwtguard.ErrTokenUnverifiable
			if kid == "" {
				want = jwtguard.ErrTokenSignatureInvalid
			}
			cases = append(cases, hostileCase{"HS256 keyed with public key " + name + " kid=" + kid, tok, want})
		}
	}
	// CVE-2022-21449: ECDSA with r = s = 0.
	esInput := enc.EncodeToString([]byte(`{"alg":"ES256","kid":"ec"}`)) + "." + enc.EncodeToString([]byte(claims))
	cases = append(cases, hostileCase{"ECDSA r=s=0", esInput + "." + enc.EncodeToString(make([]byte, 64)), jwtguard.ErrTokenSignatureInvalid})
	n := keysForTest.ec.Curve.Params().N.FillBytes(make([]byte, 32))
	cases = append(cases, hostileCase{"ECDSA r=s=n", esInput + "." + enc.EncodeToString(append(n, n...)), jwtguard.ErrTokenSignatureInvalid})

	// Keys offered by the token itself, signed by the attacker's own key.
	attacker, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	ax := enc.EncodeToString(attacker.X.FillBytes(make([]byte, 32)))
	ay := enc.EncodeToString(attacker.Y.FillBytes(make([]byte, 32)))
	for _, h := range []string{
		`{"alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"` + ax + `","y":"` + ay + `"}}`,
		`{"alg":"ES256","jku":"` + fetchURL + `/jwks.json"}`,
		`{"alg":"ES256","x5u":"` + fetchURL + `/cert.pem"}`,
		`{"alg":"ES256","kid":"ec","jku":"` + fetchURL + `/jwks.json","x5u":"` + fetchURL + `/x5u"}`,
		`{"alg":"ES256","x5c":["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]}`,
	} {
		input := enc.EncodeToString([]byte(h)) + "." + enc.EncodeToString([]byte(claims))
		cases = append(cases, hostileCase{"embedded key " + h[:30], input + "." + enc.EncodeToString(ecSign(t, attacker, input)), jwtguard.ErrTokenSignatureInvalid})
	}

	for _, kid := range []string{"../../../../dev/null", "' OR '1'='1", "\\u0000", "%00", "rsa\\u0000", strings.Repeat("k", 2000), "http://169.254.169.254/latest"} {
		// The attacker hopes the kid makes the server key the MAC with
		// something guessable: an empty file, a NUL, the kid itself.
		input := enc.EncodeToString([]byte(`{"alg":"HS256","kid":"`+kid+`"}`)) + "." + enc.EncodeToString([]byte(claims))
		for _, guess := range [][]byte{{}, {0}, []byte(kid)} {
			tok := input + "." + enc.EncodeToString(signature(t, "HS256", []byte(input), guess))
			cases = append(cases, hostileCase{fmt.Sprintf("kid injection %.20s keyed %q", kid, guess), tok, jwtguard.ErrTokenSignatureInvalid})
		}
	}

	cases = append(cases,
		hostileCase{"crit", hs(`{"alg":"HS256","crit":["exp"],"exp":1}`, claims), jwtguard.ErrCriticalHeader},
		hostileCase{"crit empty", hs(`{"alg":"HS256","crit":[]}`, claims), jwtguard.ErrCriticalHeader},
		hostileCase{"b64 false", hs(`{"alg":"HS256","b64":false,"crit":["b64"]}`, claims), jwtguard.ErrCriticalHeader},
		hostileCase{"b64 false without crit", hs(`{"alg":"HS256","b64":false}`, claims), jwtguard.ErrCriticalHeader},
		hostileCase{"duplicate alg", hs(`{"alg":"HS256","alg":"none"}`, claims), jwtguard.ErrTokenMalformed},
		hostileCase{"duplicate alg escaped", hs(`{"alg":"HS256","\u0061lg":"HS256"}`, claims), jwtguard.ErrTokenMalformed},
		hostileCase{"duplicate kid", hs(`{"alg":"HS256","kid":"a","kid":"b"}`, claims), jwtguard.ErrTokenMalformed},
		hostileCase{"duplicate exp", hs(`{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"exp":%d}`, past, future)), jwtguard.ErrTokenMalformed},
		hostileCase{"duplicate sub", hs(`{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"sub":"a","sub":"b"}`, future)), jwtguard.ErrTokenMalformed},
		hostileCase{"duplicate by case", hs(`{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"sub":"alice","Sub":"admin"}`, future)), jwtguard.ErrTokenMalformed},
		hostileCase{"duplicate by case among many claims", hs(`{"alg":"HS256"}`, strings.Replace(manyClaims(40, false), `"c39"`, `"C3"`, 1)), jwtguard.ErrTokenMalformed},
		hostileCase{"duplicate among many claims", hs(`{"alg":"HS256"}`, manyClaims(40, true)), jwtguard.ErrTokenMalformed},
		hostileCase{"exp 0", hs(`{"alg":"HS256"}`, `{"token_type":"access","jti":"j","exp":0}`), jwtguard.ErrTokenInvalidClaims},
		hostileCase{"exp negative", hs(`{"alg":"HS256"}`, `{"token_type":"access","jti":"j","exp":-1}`), jwtguard.ErrTokenInvalidClaims},
		hostileCase{"exp string", hs(`{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":"%d"}`, future)), jwtguard.ErrTokenInvalidClaims},
		hostileCase{"exp null", hs(`{"alg":"HS256"}`, `{"token_type":"access","jti":"j","exp":null}`), jwtguard.ErrTokenInvalidClaims},
		hostileCase{"exp true", hs(`{"alg":"HS256"}`, `{"token_type":"access","jti":"j","exp":true}`), jwtguard.ErrTokenInvalidClaims},
		hostileCase{"exp huge", hs(`{"alg":"HS256"}`, `{"token_type":"access","jti":"j","exp":1e300}`), jwtguard.ErrTokenInvalidClaims},
		hostileCase{"exp beyond year 9999", hs(`{"alg":"HS256"}`, `{"token_type":"access","jti":"j","exp":99999999999999}`), jwtguard.ErrTokenInvalidClaims},
		hostileCase{"exp absent", hs(`{"alg":"HS256"}`, `{"sub":"x"}`), jwtguard.ErrTokenRequiredClaimMissing},
		hostileCase{"exp past", hs(`{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d}`, past)), jwtguard.ErrTokenExpired},
		hostileCase{"nbf future", hs(`{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"nbf":%d}`, future, future-60)), jwtguard.ErrTokenNotValidYet},
		hostileCase{"iat future", hs(`{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"iat":%d}`, future, future-60)), jwtguard.ErrTokenUsedBeforeIssued},
		hostileCase{"aud wrong type", hs(`{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"aud":7}`, future)), jwtguard.ErrTokenInvalidClaims},
		hostileCase{"depth bomb in claims", hs(`{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"x":%s1%s}`, future, strings.Repeat("[", 5000), strings.Repeat("]", 5000))), jwtguard.ErrTokenMalformed},
		hostileCase{"depth bomb of objects", hs(`{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"x":%s1%s}`, future, strings.Repeat(`{"a":`, 3000), strings.Repeat("}", 3000))), jwtguard.ErrTokenMalformed},
		hostileCase{"depth bomb in header", hs(`{"alg":"HS256","x":`+strings.Repeat("[", 2000)+strings.Repeat("]", 2000)+`}`, claims), jwtguard.ErrTokenMalformed},
		hostileCase{"header not an object", hs(`["HS256"]`, claims), jwtguard.ErrTokenMalformed},
		hostileCase{"header null", hs(`null`, claims), jwtguard.ErrTokenMalformed},
		hostileCase{"claims not an object", hs(`{"alg":"HS256"}`, `"exp"`), jwtguard.ErrTokenMalformed},
		hostileCase{"trailing garbage in claims", hs(`{"alg":"HS256"}`, claims+"x"), jwtguard.ErrTokenMalformed},
		hostileCase{"two objects", hs(`{"alg":"HS256"}{}`, claims), jwtguard.ErrTokenMalformed},
		hostileCase{"invalid UTF-8", hs(`{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"sub":"\xff\xfe"}`, future)), jwtguard.ErrTokenMalformed},
		hostileCase{"control character", hs(`{"alg":"HS256"}`, fmt.Sprintf("{\"exp\":%d,\"sub\":\"a\x01b\"}", future)), jwtguard.ErrTokenMalformed},
		hostileCase{"bad escape", hs(`{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"sub":"\x"}`, future)), jwtguard.ErrTokenMalformed},
		hostileCase{"number leading zero", hs(`{"alg":"HS256"}`, `{"token_type":"access","jti":"j","exp":01}`), jwtguard.ErrTokenInvalidClaims},
		hostileCase{"1 MB token", strings.Repeat("a", 1<<20), jwtguard.ErrTokenTooLarge},
		hostileCase{"9 KiB token", hs(`{"alg":"HS256"}`, fmt.Sprintf(`{"token_type":"access","jti":"j","exp":%d,"pad":"%s"}`, future, strings.Repeat("p", 7000))), jwtguard.ErrTokenTooLarge},
		hostileCase{"standard base64 plus", strings.Replace(valid, "e", "+", 1), jwtguard.ErrTokenMalformed},
		hostileCase{"standard base64 slash", parts[0] + "." + parts[1] + "/." + parts[2], jwtguard.ErrTokenMalformed},
		hostileCase{"padding", parts[0] + "=." + parts[1] + "." + parts[2], jwtguard.ErrTokenMalformed},
		hostileCase{"padded signature", valid + "=", jwtguard.ErrTokenMalformed},
		hostileCase{"non-zero trailing bits", valid[:len(valid)-1] + "B", jwtguard.ErrInvalidToken},
		hostileCase{"two segments", parts[0] + "." + parts[1], jwtguard.ErrTokenMalformed},
		hostileCase{"four segments", valid + ".x", jwtguard.ErrTokenMalformed},
		hostileCase{"five segments (JWE)", valid + ".a.b", jwtguard.ErrTokenMalformed},
		hostileCase{"empty", "", jwtguard.ErrTokenMalformed},
		hostileCase{"dots only", "..", jwtguard.ErrTokenMalformed},
		hostileCase{"newline inside", parts[0] + ".\n" + parts[1] + "." + parts[2], jwtguard.ErrTokenMalformed},
		hostileCase{"space inside", parts[0] + ". " + parts[1] + "." + parts[2], jwtguard.ErrTokenMalformed},
		hostileCase{"tab at end", valid + "\t", jwtguard.ErrTokenMalformed},
		hostileCase{"tampered claims", parts[0] + "." + enc.EncodeToString([]byte(fmt.Sprintf(`{"token_type":"access","jti":"j","sub":"admin","exp":%d}`, future))) + "." + parts[2], jwtguard.ErrTokenSignatureInvalid},
		hostileCase{"empty signature", parts[0] + "." + parts[1] + ".", jwtguard.ErrTokenSignatureInvalid},
		hostileCase{"huge signature", parts[0] + "." + parts[1] + "." + strings.Repeat("A", 4000), jwtguard.ErrTokenSignatureInvalid},
		hostileCase{"refresh token", hs(`{"alg":"HS256"}`, fmt.Sprintf(`{"jti":"j","exp":%d,"token_type":"refresh"}`, future)), jwtguard.ErrTokenWrongType},
	)
	return cases
}

func manyClaims(n int, dup bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"token_type":"access","jti":"j","exp":%d`, future)
	for i := range n {
		fmt.Fprintf(&b, `,"c%d":%d`, i, i)
	}
	if dup {
		b.WriteString(`,"c3":0`)
	}
	b.WriteString("}")
	return b.String()
}

func ecSign(t *testing.T, key *ecdsa.PrivateKey, input string) []byte {
	t.Helper()
	saved := keysForTest.ec
	keysForTest.ec = key
	defer func() { keysForTest.ec = saved }()
	return signature(t, "ES256", []byte(input), nil)
}

// TestHostileTokens checks that each hostile token fails verification with
// the right sentinel, is answered 401 by a Guard, and that nothing the
// tokens point at is ever fetched.
func TestHostileTokens(t *testing.T) {
	var fetched atomic.Int32
	bait := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fetched.Add(1) }))
	defer bait.Close()

	v := verifierFor(t)
	g, err := jwtguard.NewGuard(v)
	must(t, err)
	srv := httptest.NewServer(g.Require(jwtguard.AllowAny())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("reached"))
	})))
	defer srv.Close()

	for _, c := range hostileTokens(t, bait.URL) {
		t.Run(c.name, func(t *testing.T) {
			done := make(chan struct{})
			go func() {
				defer close(done)
				tok, err := verify(t, v, c.token)
				if tok != nil || !errors.Is(err, jwtguard.ErrInvalidToken) || !errors.Is(err, c.want) {
					t.Errorf("Verify = %v, %v; want an error matching %v", tok, err, c.want)
				}
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Verify hangs")
			}
			if c.token == "" || strings.ContainsAny(c.token, "\n\t ") || len(c.token) > 64<<10 {
				return // not a valid header value; covered by TestHostileHeaders
			}
			req, _ := http.NewRequest("GET", srv.URL, nil)
			req.Header.Set("Authorization", "Bearer "+c.token)
			resp, err := srv.Client().Do(req)
			must(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("status %d, challenge %q, body %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
			}
			if strings.Contains(string(body), "jwtguard:") || strings.Contains(string(body), "reached") {
				t.Errorf("body leaks or passes: %s", body)
			}
		})
	}
	if n := fetched.Load(); n != 0 {
		t.Errorf("the verifier fetched %d URLs named by tokens", n)
	}
}

// TestHostileHeaders sends credentials that cannot be a token at all.
func TestHostileHeaders(t *testing.T) {
	g, err := jwtguard.NewGuard(verifierFor(t))
	must(t, err)
	srv := httptest.NewServer(g.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	defer srv.Close()
	for _, c := range []struct {
		name   string
		value  string
		status int
	}{
		{"2 MB header", "Bearer " + strings.Repeat("a", 2<<20), http.StatusRequestHeaderFieldsTooLarge},
		{"100 KB token", "Bearer " + strings.Repeat("a", 100<<10), http.StatusUnauthorized},
		{"space inside token", "Bearer abc. def.ghi", http.StatusUnauthorized},
		{"tab inside token", "Bearer abc.\tdef.ghi", http.StatusUnauthorized},
		{"only spaces", "Bearer      ", http.StatusUnauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL, nil)
			req.Header.Set("Authorization", c.value)
			resp, err := srv.Client().Do(req)
			must(t, err)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Errorf("status %d, want %d", resp.StatusCode, c.status)
			}
		})
	}
}
