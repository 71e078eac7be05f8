package jwtguard

import (
	"encoding/json"
	"log/slog"
	"strings"
	"time"
)

// Header is the JOSE header of a verified token. jwtguard reads the
// parameters below and never takes a key from a token's own header: "jku",
// "jwk", "x5u" and "x5c" are ignored, and "crit" is always rejected.
type Header struct {
	// Alg is the signing algorithm, one of the allow-list.
	Alg string
	// Kid is the key ID, "" when absent.
	Kid string
	// Typ is the media type, "JWT" or "at+jwt" for example; "" when absent.
	Typ string
}

// Claims holds the registered claims of RFC 7519 and the common ones of
// simplejwt and RFC 9068. Absent claims are zero. Decode the claims set into
// your own type with [Token.Decode] for anything else.
type Claims struct {
	Issuer    string    // iss
	Subject   string    // sub
	Audience  []string  // aud: a single string becomes a one-element slice
	ExpiresAt time.Time // exp
	NotBefore time.Time // nbf
	IssuedAt  time.Time // iat
	ID        string    // jti

	// TokenType is simplejwt's token_type: "access", "refresh" or "sliding".
	TokenType string
	// UserID is simplejwt's user_id, as text: the JSON number 1 becomes "1".
	UserID string
	// Scope is the space-separated "scope" claim (RFC 8693, RFC 9068).
	Scope string
	// Scp is the "scp" claim: an array of scopes (Azure AD, Okta), or a
	// space-separated string split into one.
	Scp []string
	// ClientID is the "client_id" claim of RFC 9068.
	ClientID string
	// SessionID is the "sid" claim: the login session a token belongs to.
	// An [Issuer] gives every token of one login, across rotations, the
	// same sid, and revokes them together.
	SessionID string
	// KeyThumbprint is the "jkt" of the "cnf" claim (RFC 7800, RFC 9449
	// §6.1): the RFC 7638 thumbprint of the key a DPoP-bound token is
	// bound to; "" for a bearer token. See [WithDPoP].
	KeyThumbprint string

	// otherCnf: "cnf" holds a member other than "jkt", or none (a token
	// bound by a confirmation method the Guard cannot check).
	otherCnf bool
}

// Token is a verified JWT. It is immutable, and may be shared between
// requests and goroutines: do not modify it, nor the slices it holds.
//
// Its methods, and [ClaimAs], are safe on a nil *Token, which is what
// [FromRequest] returns for an anonymous request: they answer as for a
// token without claims ("", false or nil), and Decode returns
// [ErrNoCredentials]. So tok.Subject() after
// tok, _ := jwtguard.FromRequest(r) is "" on a public route, never a
// panic. Its fields are not: read tok.Claims only after FromRequest
// reported true.
type Token struct {
	// Raw is the compact token as received. Never log it; see [RawToken].
	Raw RawToken
	// Header is the verified JOSE header.
	Header Header
	// Claims are the verified registered and common claims.
	Claims Claims

	payload []byte // the decoded claims set, JSON
	user    any    // what a UserLoaderFunc loaded; see UserFromContext
}

// Subject returns "sub" when present and otherwise simplejwt's "user_id": the
// identity of the caller either way.
func (t *Token) Subject() string {
	if t == nil {
		return ""
	}
	if t.Claims.Subject != "" {
		return t.Claims.Subject
	}
	return t.Claims.UserID
}

// HasScope reports whether the token grants scope, through "scope" or "scp".
// It does not allocate.
func (t *Token) HasScope(scope string) bool {
	if t == nil || scope == "" {
		return false
	}
	for _, s := range t.Claims.Scp {
		if s == scope {
			return true
		}
	}
	rest := t.Claims.Scope
	for rest != "" {
		var s string
		s, rest, _ = strings.Cut(rest, " ")
		if s == scope {
			return true
		}
	}
	return false
}

// Scopes returns every scope the token grants, from "scope" and "scp".
func (t *Token) Scopes() []string {
	if t == nil {
		return nil
	}
	out := strings.Fields(t.Claims.Scope)
	return append(out, t.Claims.Scp...)
}

// Payload returns a copy of the decoded claims set as JSON, nil for a nil
// token.
func (t *Token) Payload() []byte {
	if t == nil {
		return nil
	}
	return append([]byte(nil), t.payload...)
}

// Decode unmarshals the claims set into v, as encoding/json does: declare a
// struct with the claims your application uses. On a nil token it leaves v
// alone and returns [ErrNoCredentials].
func (t *Token) Decode(v any) error {
	if t == nil {
		return ErrNoCredentials
	}
	return json.Unmarshal(t.payload, v)
}

// RawClaim returns the JSON text of the top-level claim name, without
// decoding the whole claims set. The bytes are a copy: the token, shared
// between requests, is never changed through them.
func (t *Token) RawClaim(name string) ([]byte, bool) {
	v, ok := t.rawClaim(name)
	if !ok {
		return nil, false
	}
	return append([]byte(nil), v...), true
}

// rawClaim is RawClaim without the copy, for readers inside the package,
// which never write to it.
func (t *Token) rawClaim(name string) ([]byte, bool) {
	if t == nil {
		return nil, false
	}
	s := scanner{data: t.payload}
	s.beginObject()
	for first := true; ; first = false {
		n, done, ok := s.nextMember(first)
		if !ok || done {
			return nil, false
		}
		v, ok := s.skipValue(0)
		if !ok {
			return nil, false
		}
		if n == name {
			return v, true
		}
	}
}

// Claim returns the claim name decoded as encoding/json decodes into an
// interface value: string, float64, bool, []any, map[string]any or nil.
func (t *Token) Claim(name string) (any, bool) {
	return ClaimAs[any](t, name)
}

// ClaimAs decodes the top-level claim name into a T. It reports false when
// the claim is absent or does not decode into a T.
func ClaimAs[T any](t *Token, name string) (T, bool) {
	var v T
	raw, ok := t.rawClaim(name)
	if !ok || json.Unmarshal(raw, &v) != nil {
		var zero T
		return zero, false
	}
	return v, true
}

// RawToken is a compact JWT. Its String and LogValue hide it, so a token
// that reaches a log line or an error message does not leak.
type RawToken string

// String returns "[REDACTED]".
func (RawToken) String() string { return "[REDACTED]" }

// LogValue implements [slog.LogValuer]: loggers see "[REDACTED]".
func (RawToken) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// claimText returns a string or number claim as text, "" for anything else.
func claimText(t *Token, name string) string {
	raw, ok := t.rawClaim(name)
	if !ok || len(raw) == 0 {
		return ""
	}
	if raw[0] == '"' {
		s, _ := ClaimAs[string](t, name)
		return s
	}
	if raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9' {
		return string(raw)
	}
	return ""
}
