package jwtguard

import "context"

// IssueDPoP is [Issuer.Issue] for a client that proved possession of a
// DPoP key (RFC 9449 §5): both tokens carry "cnf": {"jkt": thumbprint},
// the key's RFC 7638 thumbprint ([DPoPProof].Thumbprint), so that a
// resource server accepts the access token only with a proof made with
// the key, and [Issuer.RefreshDPoP] renews the pair only for a proof by
// the same key.
func (i *Issuer) IssueDPoP(ctx context.Context, subject, thumbprint string) (*Pair, error) {
	if err := checkThumbprint(thumbprint); err != nil {
		return nil, err
	}
	return i.issueAt(ctx, subject, i.cfg.now(), thumbprint)
}

// RefreshDPoP is [Issuer.Refresh] for a client that proved possession of
// the DPoP key of thumbprint: a refresh token bound to a key is renewed
// only for that key's proof (refused with [ErrDPoPKeyMismatch] otherwise),
// and the new pair is bound to the key. [Issuer.Refresh], without a
// proof, refuses a bound refresh token with [ErrDPoPBoundToken].
func (i *Issuer) RefreshDPoP(ctx context.Context, raw, thumbprint string) (*Pair, error) {
	if err := checkThumbprint(thumbprint); err != nil {
		return nil, err
	}
	return i.refreshBound(ctx, raw, thumbprint, nil)
}

// LogoutDPoP is [Issuer.Logout] for a client that proved possession of
// the DPoP key of thumbprint: a token bound to a key is logged out only
// for that key's proof (refused with [ErrDPoPKeyMismatch] otherwise), as
// it is refreshed only for it. [Issuer.Logout], without a proof, refuses
// a bound token with [ErrDPoPBoundToken].
func (i *Issuer) LogoutDPoP(ctx context.Context, raw, thumbprint string) error {
	if err := checkThumbprint(thumbprint); err != nil {
		return err
	}
	return i.logoutBound(ctx, raw, thumbprint, nil)
}

// checkThumbprint refuses what is not a SHA-256 thumbprint in base64url.
func checkThumbprint(thumbprint string) error {
	if b, err := b64url.DecodeString(thumbprint); err != nil || len(b) != 32 {
		return configError("DPoP key thumbprint %q is not a base64url SHA-256", thumbprint)
	}
	return nil
}

// checkBinding refuses a token bound to another key than jkt, or to a
// key when no proof was made (jkt empty).
func checkBinding(t *Token, jkt string) error {
	switch bound := t.Claims.KeyThumbprint; {
	case bound == "" || bound == jkt:
		return nil
	case jkt == "":
		return errDPoPBoundToken
	}
	return errDPoPKeyMismatch
}

// appendConfirmation appends a "cnf" claim binding a token to the DPoP key
// of thumbprint jkt, base64url and so in no need of escaping; nothing for
// "".
func appendConfirmation(dst []byte, jkt string) []byte {
	if jkt == "" {
		return dst
	}
	return append(append(append(dst, `,"cnf":{"jkt":"`...), jkt...), `"}`...)
}
