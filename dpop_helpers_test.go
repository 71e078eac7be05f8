package jwtguard_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jwtguard/jwtguard"
)

// dpopKey is a client's key pair for crafting proofs by hand, with what
// jwtguard's own prover never writes: wrong types, private members,
// another key's jwk.
type dpopKey struct {
	alg  string
	priv crypto.Signer
	jwk  map[string]any // the public members
}

func newDPoPKey(t testing.TB, alg string) *dpopKey {
	t.Helper()
	var priv crypto.Signer
	var err error
	switch alg {
	case "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ES512":
		priv, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "RS256", "PS256", "RS512":
		priv = keysForTest.rsa
	case "EdDSA", "Ed25519":
		priv = keysForTest.ed
	default:
		t.Fatalf("no key for %s", alg)
	}
	must(t, err)
	return &dpopKey{alg: alg, priv: priv, jwk: publicJWK(t, priv.Public())}
}

// publicJWK returns the public members of a key as a JWK.
func publicJWK(t testing.TB, pub crypto.PublicKey) map[string]any {
	t.Helper()
	b64 := base64.RawURLEncoding
	switch p := pub.(type) {
	case *ecdsa.PublicKey:
		point, err := p.Bytes()
		must(t, err)
		size := (len(point) - 1) / 2
		x, y := point[1:1+size], point[1+size:]
		return map[string]any{"kty": "EC", "crv": p.Curve.Params().Name, "x": b64.EncodeToString(x), "y": b64.EncodeToString(y)}
	case *rsa.PublicKey:
		return map[string]any{"kty": "RSA", "n": b64.EncodeToString(p.N.Bytes()), "e": b64.EncodeToString(big.NewInt(int64(p.E)).Bytes())}
	case ed25519.PublicKey:
		return map[string]any{"kty": "OKP", "crv": "Ed25519", "x": b64.EncodeToString(p)}
	}
	t.Fatalf("no JWK for %T", pub)
	return nil
}

// thumbprint is the key's RFC 7638 thumbprint, through jwtguard.
func (k *dpopKey) thumbprint(t testing.TB) string {
	t.Helper()
	pk, err := jwtguard.NewPublicKey("", k.priv.Public())
	must(t, err)
	tp, err := pk.Thumbprint()
	must(t, err)
	return tp
}

// proofParts are a proof's header and claims, to change before signing.
type proofParts struct {
	header, claims map[string]any
}

// proof signs a proof for method and url (and token's "ath" when token is
// not empty) after edit changed its parts.
func (k *dpopKey) proof(t testing.TB, method, url, token string, edit func(*proofParts)) string {
	t.Helper()
	p := proofParts{
		header: map[string]any{"typ": "dpop+jwt", "alg": k.alg, "jwk": k.jwk},
		claims: map[string]any{"jti": randomJTI(t), "htm": method, "htu": url, "iat": time.Now().Unix()},
	}
	if token != "" {
		p.claims["ath"] = jwtguard.DPoPTokenHash(token)
	}
	if edit != nil {
		edit(&p)
	}
	return signParts(t, k.alg, k.priv, p)
}

// signParts signs header and claims as they are, with alg and key.
func signParts(t testing.TB, alg string, key any, p proofParts) string {
	t.Helper()
	method := jwt.GetSigningMethod(alg)
	if method == nil {
		t.Fatalf("no signing method %s", alg)
	}
	tok := jwt.NewWithClaims(method, jwt.MapClaims(p.claims))
	tok.Header = p.header
	s, err := tok.SignedString(key)
	must(t, err)
	return s
}

func randomJTI(t testing.TB) string {
	t.Helper()
	var b [12]byte
	_, err := rand.Read(b[:])
	must(t, err)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// dpopSentinels lists every proof sentinel, so that a server can name the
// one a refusal matched.
var dpopSentinels = []error{
	jwtguard.ErrDPoPMissing, jwtguard.ErrDPoPMultiple, jwtguard.ErrDPoPTooLarge,
	jwtguard.ErrDPoPMalformed, jwtguard.ErrDPoPType, jwtguard.ErrDPoPAlgorithm, jwtguard.ErrDPoPKey,
	jwtguard.ErrDPoPPrivateKey, jwtguard.ErrDPoPSignature, jwtguard.ErrDPoPMethod, jwtguard.ErrDPoPURI,
	jwtguard.ErrDPoPStale, jwtguard.ErrDPoPFuture, jwtguard.ErrDPoPID, jwtguard.ErrDPoPReplay, jwtguard.ErrDPoPKeyQuota,
	jwtguard.ErrDPoPTokenHash, jwtguard.ErrDPoPKeyMismatch, jwtguard.ErrDPoPNonce, jwtguard.ErrUnavailable,
}

// sentinelOf returns the one sentinel err matches, failing the test when
// it matches none or several.
func sentinelOf(t testing.TB, err error) error {
	t.Helper()
	var found error
	for _, s := range dpopSentinels {
		if errors.Is(err, s) {
			if found != nil {
				t.Errorf("%v matches both %v and %v", err, found, s)
			}
			found = s
		}
	}
	if found == nil {
		t.Errorf("%v matches no DPoP sentinel", err)
	}
	return found
}

// dpopServer serves a resource that checks each request's proof, for the
// access token token bound to the key of thumbprint ("" for any), and
// answers 200 with the proof key's thumbprint, or 401 with the text of the
// sentinel the refusal matched.
func dpopServer(t testing.TB, v *jwtguard.DPoPVerifier, token, thumbprint string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := v.Check(r, token, thumbprint)
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, sentinelOf(t, err).Error())
			return
		}
		io.WriteString(w, p.Thumbprint)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// send sends a request with the DPoP header values given, and returns the
// status and the body.
func send(t testing.TB, method, url string, proofs ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	must(t, err)
	for _, p := range proofs {
		req.Header.Add("DPoP", p)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

func newDPoPVerifier(t testing.TB, opts ...jwtguard.DPoPOption) *jwtguard.DPoPVerifier {
	t.Helper()
	v, err := jwtguard.NewDPoPVerifier(opts...)
	must(t, err)
	return v
}
