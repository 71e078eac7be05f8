package jwtguard

import (
	"errors"
	"log/slog"
	"net/http"
)

// WithEndpointDPoP sets the verifier of the DPoP proofs that sign-ins and
// refreshes may carry (RFC 9449 §5). The default is one with the defaults
// of [NewDPoPVerifier], which accepts proofs only for requests to a
// loopback host; in production pass one with [WithDPoPOrigin] (and
// [WithDPoPStore] for several instances). One without an origin is
// warned of in the log when the endpoints are built.
//
// A sign-in or refresh with a DPoP header whose proof passes (for the
// endpoint's method and URL, without "ath") gets tokens bound to the
// proof's key: "cnf": {"jkt": …} in both, and "token_type": "DPoP" added
// to the response. A refresh token so bound is renewed, and logged out
// (the blacklist endpoints, cookie logout), only with a proof by the same
// key (401 otherwise). A proof is checked first and spent in the replay
// cache only once the password (the refresh token, the token logged out)
// passed: a failed sign-in or refresh spends nothing, so that no one fills
// the cache without an account. A refused proof is answered 400 with
// {"detail":"Invalid DPoP proof","code":"invalid_dpop_proof",
// "error":"invalid_dpop_proof",…}, simplejwt's fields and OAuth's; a proof
// without the server's nonce 400 with "use_dpop_nonce" in both and a
// DPoP-Nonce header. With nonces, an accepted proof's answer carries a
// fresh DPoP-Nonce too (RFC 9449 §8.2). Without a DPoP header, requests
// and answers are as before.
func WithEndpointDPoP(v *DPoPVerifier) EndpointOption {
	return endpointOption(func(c *endpointConfig) {
		if v == nil {
			c.fail("nil DPoP verifier")
		}
		c.dpop = v
	})
}

var (
	// simplejwt's fields, and OAuth's (RFC 6749 §5.2, RFC 9449 §5, §8)
	// for DPoP clients that read those.
	bodyDPoPProof = []byte(`{"detail":"Invalid DPoP proof","code":"invalid_dpop_proof",` +
		`"error":"invalid_dpop_proof","error_description":"Invalid DPoP proof"}`)
	bodyDPoPNonce = []byte(`{"detail":"Authorization server requires nonce in DPoP proof","code":"use_dpop_nonce",` +
		`"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof"}`)
)

// dpopProof checks the request's DPoP proof, if it has a DPoP header,
// without spending it: nil without one. On a refused proof it answers and
// reports false. A proof it returns must go through dpopSpend before its
// key is used.
func (e *Endpoints) dpopProof(w http.ResponseWriter, r *http.Request) (*DPoPProof, bool) {
	if _, present := r.Header["Dpop"]; !present {
		return nil, true
	}
	p, err := e.dpop.checkUnspent(r, "", "")
	if err != nil {
		e.dpopRefused(w, r, err)
		return nil, false
	}
	return p, true
}

// dpopSpend records p in the replay cache; on a replay (or a store that
// cannot answer) it answers and reports false.
func (e *Endpoints) dpopSpend(w http.ResponseWriter, r *http.Request, p *DPoPProof) bool {
	if err := e.spendOnce(w, r, p)(); err != nil {
		e.dpopRefused(w, r, err)
		return false
	}
	return true
}

// spendOnce returns the function that spends p, a proof checked by
// dpopProof, in the replay cache, and sets the next DPoP-Nonce on w: nil
// for no proof.
func (e *Endpoints) spendOnce(w http.ResponseWriter, r *http.Request, p *DPoPProof) func() error {
	if p == nil {
		return nil
	}
	return func() error {
		if err := e.dpop.spendProof(r.Context(), p); err != nil {
			return err
		}
		if n := e.dpop.Nonce(); n != "" {
			w.Header().Set("DPoP-Nonce", n) // the next proof's (RFC 9449 §8.2)
		}
		return nil
	}
}

// thumbprint returns the proof's key thumbprint, "" for no proof.
func (p *DPoPProof) thumbprint() string {
	if p == nil {
		return ""
	}
	return p.Thumbprint
}

// dpopRefused answers a refused proof.
func (e *Endpoints) dpopRefused(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrUnavailable) {
		e.fail(w, r, err)
		return
	}
	e.log.LogAttrs(r.Context(), slog.LevelInfo, "jwtguard: DPoP proof refused", slog.String("error", err.Error()))
	body := bodyDPoPProof
	if name, value := refusalHeaderOf(err); name != "" {
		w.Header().Set(name, value)
		body = bodyDPoPNonce
	}
	e.write(w, http.StatusBadRequest, body)
}

// dpopTokenType adds "token_type": "DPoP" to a pair's body when it is bound
// to a key (jkt not empty).
func dpopTokenType(body []byte, jkt string) []byte {
	if jkt == "" {
		return body
	}
	return append(body[:len(body)-1], `,"token_type":"DPoP"}`...)
}
