package jwtguard

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
)

// DPoPMode is how a [Guard] treats DPoP (RFC 9449): see [WithDPoP].
type DPoPMode uint8

// The modes of [WithDPoP].
const (
	// DPoPAllowed, the default: "Authorization: DPoP <token>" with a proof
	// is accepted beside the Guard's other credentials; a DPoP-bound token
	// presented any other way is refused (RFC 9449 §7.2). In every mode, a
	// token whose "cnf" holds a confirmation method other than "jkt", or
	// none, is refused ([ErrUnsupportedConfirmation]) unless the check of
	// the credential's own source enforces it.
	DPoPAllowed DPoPMode = iota
	// DPoPRequired: only DPoP-bound tokens with a proof are accepted; a
	// token presented any other way is refused ([ErrDPoPRequired]).
	DPoPRequired
	// DPoPOff: the DPoP scheme is not read, and no DPoP challenge is
	// sent; a DPoP-bound token is still refused as a bearer token
	// ([ErrDPoPBoundToken]): off means the DPoP scheme is not accepted,
	// never that a stolen bound token becomes a bearer token.
	DPoPOff
)

// WithDPoP sets how the Guard treats DPoP, and the verifier of its proofs:
// nil for one with the defaults of [NewDPoPVerifier] (replays remembered in
// this process, the request's own origin). The default is [DPoPAllowed]
// with such a verifier. In production, pass a verifier with
// [WithDPoPOrigin] (and [WithDPoPStore] for several instances): without an
// origin, proofs pass only for requests to a loopback host, and a Guard
// given WithDPoP in mode allowed or required logs a warning when built.
//
// A request with "Authorization: DPoP <token>" must carry exactly one DPoP
// header whose proof passes [DPoPVerifier.Check] for the token and the key
// of its "cnf" "jkt", on every request: the verified-token cache spares
// the token's signature check, never the proof's. A refused proof is
// answered 401 with `WWW-Authenticate: DPoP error="invalid_dpop_proof",
// algs="…"` beside the Bearer challenge; a token problem with
// error="invalid_token"; a missing or stale server nonce with
// error="use_dpop_nonce" and a DPoP-Nonce header.
func WithDPoP(mode DPoPMode, v *DPoPVerifier) GuardOption {
	return guardOption(func(c *guardConfig) {
		if mode > DPoPOff {
			c.fail("unknown DPoP mode %d", mode)
		}
		c.dpopMode, c.dpop, c.dpopSet = mode, v, true
	})
}

// dpopSource is the Guard's credential source in every mode:
// "Authorization: DPoP <token>", whose check is the proof (not in mode
// off), and the Guard's other extractor, whose tokens are checked not to
// be bound.
type dpopSource struct {
	v        *DPoPVerifier // nil in mode off
	required bool
	off      bool
	scheme   CredentialExtractor // FromAuthorization("DPoP")
	other    CredentialExtractor
	bearer   dpopBearerCheck // other's check, when it has none of its own
	algs     string          // the challenge's base: DPoP algs="…"
	announce bool            // WithDPoP was given: a 401 without credentials offers DPoP too
}

// newDPoPSource wraps other, the Guard's extractor.
func newDPoPSource(other CredentialExtractor, mode DPoPMode, v *DPoPVerifier) *dpopSource {
	if mode == DPoPOff {
		return &dpopSource{off: true, other: other}
	}
	if v == nil {
		v, _ = NewDPoPVerifier() // the defaults cannot fail
	}
	s := &dpopSource{v: v, required: mode == DPoPRequired, scheme: FromAuthorization("DPoP"), other: other,
		algs: `DPoP algs="` + strings.Join(v.Algorithms(), " ") + `"`}
	s.bearer = dpopBearerCheck{required: s.required}
	return s
}

// Extract implements [Extractor].
func (s *dpopSource) Extract(r *http.Request) (string, error) {
	return extractToken(s.ExtractCredential(r))
}

// ExtractCredential implements [CredentialExtractor]: a DPoP token first,
// with the proof as its check, else the other extractor's credential, with
// the check that it is not bound.
func (s *dpopSource) ExtractCredential(r *http.Request) (Credential, error) {
	if !s.off {
		c, err := s.scheme.ExtractCredential(r)
		if err != nil || c.Token != "" {
			c.Check = s
			return c, err
		}
	}
	c, err := s.other.ExtractCredential(r)
	if err != nil || c.Token == "" {
		return c, err
	}
	if c.Check == nil {
		c.Check = &s.bearer
	} else {
		c.Check = &dpopBearerCheck{required: s.required, then: c.Check}
	}
	return c, nil
}

// CheckCredential is the check of a DPoP token: bound to a key, and the
// request's proof made with it, for this token, method and URI.
func (s *dpopSource) CheckCredential(r *http.Request, c Credential, t *Token) error {
	switch {
	case t.Claims.KeyThumbprint == "":
		return errDPoPUnboundToken
	case t.Claims.otherCnf:
		return errUnsupportedConfirmation // bound by jkt and more: fail closed
	}
	_, err := s.v.Check(r, c.Token, t.Claims.KeyThumbprint)
	return err
}

// Challenge implements [Challenger]: the DPoP scheme and its algorithms,
// with RFC 9449's error, for a refusal DPoP concerns (a proof, a nonce, a
// token's binding); for a request without credentials, so that a client
// learns the scheme is accepted (RFC 9449 §7.1); in mode required for
// every 401 too, since no other scheme is accepted. Other refusals keep
// the Guard's challenges as they were before DPoP.
func (s *dpopSource) Challenge(refusal error) string {
	if s.off {
		return "" // the DPoP scheme is not accepted: the Bearer challenge says it all
	}
	if refusal == ErrNoCredentials {
		// The commonest refusal, answered without a look inside: DPoP's
		// scheme beside Bearer (RFC 9449 §7.1) where the application asked
		// for DPoP; a Guard that never mentioned it answers as before
		// DPoP, as simplejwt does, and offers DPoP on the refusals that
		// concern it.
		if s.announce || s.required {
			return s.algs
		}
		return ""
	}
	switch {
	case errors.Is(refusal, ErrDPoPNonce):
		return s.algs + `, error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"`
	case errors.Is(refusal, ErrDPoPProof):
		return s.algs + `, error="invalid_dpop_proof", error_description="Invalid DPoP proof"`
	case errors.Is(refusal, ErrDPoPKeyMismatch), errors.Is(refusal, ErrDPoPBoundToken),
		errors.Is(refusal, ErrDPoPUnboundToken), errors.Is(refusal, ErrDPoPRequired):
		return s.algs + `, error="invalid_token", error_description="Invalid DPoP key binding"`
	case !s.required || StatusCode(refusal) != http.StatusUnauthorized:
		return ""
	case errors.Is(refusal, ErrInvalidToken):
		return s.algs + `, error="invalid_token"`
	}
	return s.algs
}

// dpopBearerCheck refuses a token presented without the DPoP scheme when
// it is bound to a key, or whatever it is when DPoP is required; then runs
// the credential's own check, if any, or else refuses a token whose "cnf"
// holds a confirmation method the Guard cannot check.
type dpopBearerCheck struct {
	required bool
	then     CredentialCheck
}

func (b *dpopBearerCheck) CheckCredential(r *http.Request, c Credential, t *Token) error {
	switch {
	case b.required:
		return errDPoPRequired
	case t.Claims.KeyThumbprint != "":
		return errDPoPBoundToken
	case b.then != nil:
		// The source's own check, which may enforce another confirmation
		// method (a certificate-bound token's "x5t#S256").
		return b.then.CheckCredential(r, c, t)
	case t.Claims.otherCnf:
		return errUnsupportedConfirmation
	}
	return nil
}

// dpopNoOrigin is the warning of a Guard or Endpoints built with a DPoP
// verifier that has no public origin.
const dpopNoOrigin = "jwtguard: DPoP without WithDPoPOrigin: proofs pass only for requests to a loopback host " +
	"(the Host header is the client's to write); set the public origin in production"

// warnNoOrigin logs dpopNoOrigin once, at construction, when v has no
// configured origin.
func warnNoOrigin(log *slog.Logger, v *DPoPVerifier) {
	if v != nil && len(v.cfg.origins) == 0 {
		log.LogAttrs(context.Background(), slog.LevelWarn, dpopNoOrigin)
	}
}
