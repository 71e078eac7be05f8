package jwtguard

import (
	"encoding/base64"
	"errors"
)

// Sign returns the compact JWS of a claims set the caller wrote, signed
// with k: for token profiles whose claims an [Issuer] does not write
// (djangorestframework-jwt's, say), byte for byte in the caller's order.
//
// header is the JOSE header's JSON, written as given: its "alg" must be
// k's algorithm, and its "kid", when k has one, k's ID; nil is k's own
// header ({"alg":…,"kid":…,"typ":"JWT"}). claims must be a claims set that
// a [Verifier] reads: a JSON object without duplicate names, its
// registered claims of their types. Neither is otherwise changed.
func (k *SigningKey) Sign(header, claims []byte) (string, error) {
	h := k.header
	if header != nil {
		var parsed Header
		if err := parseHeader(header, &parsed); err != nil {
			return "", errors.Join(configError("header is not a JOSE header a verifier reads"), err)
		}
		if parsed.Alg != k.Algorithm() {
			return "", configError("header alg %q is not the key's %q", parsed.Alg, k.Algorithm())
		}
		if parsed.Kid != k.ID() {
			return "", configError("header kid %q is not the key's %q", parsed.Kid, k.ID())
		}
		h = base64.RawURLEncoding.EncodeToString(header)
	}
	var c Claims
	var d dates
	if err := parseClaims(claims, &c, &d); err != nil {
		return "", errors.Join(configError("claims are not a claims set a verifier reads"), err)
	}
	out := make([]byte, 0, len(h)+1+base64.RawURLEncoding.EncodedLen(len(claims))+1+86)
	out = append(out, h...)
	out = append(out, '.')
	out = base64.RawURLEncoding.AppendEncode(out, claims)
	input := len(out)
	out, err := k.sign(append(out, '.'), out[:input])
	if err != nil {
		return "", err
	}
	return string(out), nil
}
