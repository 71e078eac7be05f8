package jwtguard

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"net/http"
	"strconv"
	"time"
)

// JWKS returns a handler that publishes the issuer's public keys, the
// signing key's and the retired ones, as a JWK Set (RFC 7517), so other
// services verify its tokens with a remote key set. HMAC secrets are never
// published: an issuer that signs with HMAC publishes only its retired
// public keys, if any. Responses may be cached for maxAge (Cache-Control);
// publish a new key at least maxAge before signing with it.
func (i *Issuer) JWKS(maxAge time.Duration) http.Handler {
	body := encodeJWKSet(i.keys.All())
	maxAge = max(maxAge, 0)
	cache := []string{"public, max-age=" + strconv.Itoa(int(maxAge/time.Second))}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, nil,
				append(append([]byte(`{"detail":`), appendJSONString(nil, `Method "`+r.Method+`" not allowed.`)...), '}'))
			return
		}
		h := w.Header()
		h["Content-Type"] = []string{"application/jwk-set+json"}
		h["Cache-Control"] = cache[:1:1]
		w.Write(body)
	})
}

// encodeJWKSet writes the public keys among keys as a JWK Set.
func encodeJWKSet(keys []*Key) []byte {
	out := []byte(`{"keys":[`)
	n := 0
	for _, k := range keys {
		jwk := encodeJWK(k)
		if jwk == nil {
			continue
		}
		if n > 0 {
			out = append(out, ',')
		}
		out = append(out, jwk...)
		n++
	}
	return append(out, "]}"...)
}

// encodeJWK writes one public key as a JWK with "use":"sig", its kid, and
// its "alg" when the key allows exactly one algorithm; nil for HMAC keys.
func encodeJWK(k *Key) []byte {
	b64 := base64.RawURLEncoding
	var out []byte
	switch pub := k.Public().(type) {
	case *rsa.PublicKey:
		out = append(out, `{"kty":"RSA","n":"`...)
		out = b64.AppendEncode(out, pub.N.Bytes())
		out = append(out, `","e":"`...)
		out = b64.AppendEncode(out, big.NewInt(int64(pub.E)).Bytes())
		out = append(out, '"')
	case *ecdsa.PublicKey:
		point, err := pub.Bytes() // 0x04 || X || Y
		if err != nil {
			return nil
		}
		size := (len(point) - 1) / 2
		x, y := point[1:1+size], point[1+size:]
		out = append(out, `{"kty":"EC","crv":"`...)
		out = append(out, pub.Curve.Params().Name...)
		out = append(out, `","x":"`...)
		out = b64.AppendEncode(out, x)
		out = append(out, `","y":"`...)
		out = b64.AppendEncode(out, y)
		out = append(out, '"')
	case ed25519.PublicKey:
		out = append(out, `{"kty":"OKP","crv":"Ed25519","x":"`...)
		out = b64.AppendEncode(out, pub)
		out = append(out, '"')
	default:
		return nil
	}
	out = append(out, `,"use":"sig"`...)
	if k.ID() != "" {
		out = append(out, `,"kid":`...)
		out = appendJSONString(out, k.ID())
	}
	if algs := k.Algorithms(); len(algs) == 1 {
		out = append(out, `,"alg":"`+algs[0]+`"`...)
	}
	return append(out, '}')
}
