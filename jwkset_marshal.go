package jwtguard

// MarshalJWKSet returns the public keys among keys as a JWK Set (RFC 7517):
// the form that [ParseJWKSet] and [NewRemoteKeySet] read and [Issuer.JWKS]
// publishes. Each key has "use":"sig", its kid, and its "alg" when it
// allows exactly one algorithm. HMAC secrets are never written: they are
// left out, and so are nil keys.
func MarshalJWKSet(keys ...*Key) []byte {
	public := make([]*Key, 0, len(keys))
	for _, k := range keys {
		if k != nil {
			public = append(public, k)
		}
	}
	return encodeJWKSet(public)
}
