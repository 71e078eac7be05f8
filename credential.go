package jwtguard

import (
	"net/http"
	"strings"
)

// Credential is a token as a request carried it: the token, where it was
// found, and what its source requires of the request beyond a valid token.
// An extractor that implements [CredentialExtractor] yields it; the [Guard]
// verifies Token and then runs Check, without knowing which kind of source
// or check it has.
type Credential struct {
	// Token is the raw token.
	Token string
	// Source is the kind of place the token was found in.
	Source CredentialSource
	// Name is the header, cookie or query parameter that held the token;
	// "" for an Authorization header and for a source of the application's
	// own that does not say.
	Name string
	// Scheme is the Authorization scheme as the client sent it ("Bearer",
	// "JWT", "DPoP", ...); "" for other sources.
	Scheme string
	// Check is what the source requires of the request beyond a valid
	// token (a proof of possession, say); nil for nothing. The Guard also
	// runs its own check for the source's kind: [CSRF] for a cookie.
	Check CredentialCheck

	// wordChecked: the token is known to hold no blank. A built-in header
	// or query source leaves the check to the Guard, which makes it only
	// when the token fails to verify (a verified token is base64url and
	// dots), keeping two reads of every token off the path of a cached
	// one. See oneWordError.
	wordChecked bool
}

// CredentialSource is the kind of place a [Credential] was found in.
type CredentialSource uint8

// The kinds of [CredentialSource].
const (
	// SourceUnknown: an extractor of the application's own that did not
	// say where its token came from (see [Own]). The Guard refuses such
	// an extractor ([WithExtractor]), and a credential of an unknown
	// source (from a [CredentialExtractor] of the application's own that
	// left Source unset) gets the cookie's CSRF check: it may be one.
	SourceUnknown CredentialSource = iota
	// SourceAuthorization: the Authorization header ([FromAuthorization]);
	// Credential.Scheme holds the scheme.
	SourceAuthorization
	// SourceHeader: a header of its own ([FromHeader]).
	SourceHeader
	// SourceCookie: a cookie ([FromCookie]). The Guard runs its [CSRF]
	// check on every unsafe request whose token came from one.
	SourceCookie
	// SourceQuery: a query parameter ([FromQuery]).
	SourceQuery
	numSources
)

var sourceNames = [numSources]string{
	SourceUnknown:       "unknown",
	SourceAuthorization: "authorization",
	SourceHeader:        "header",
	SourceCookie:        "cookie",
	SourceQuery:         "query",
}

// String returns the kind's name: "authorization", "header", "cookie",
// "query" or "unknown".
func (s CredentialSource) String() string {
	if s < numSources {
		return sourceNames[s]
	}
	return "unknown"
}

// CredentialExtractor is an [Extractor] that also tells where its token
// came from and what that source requires. Every built-in extractor is
// one. ExtractCredential returns a zero Credential and nil when the
// request carries no credentials it recognizes, and an error matching
// [ErrMalformedCredentials] when it carries credentials it cannot read.
// It must be safe for concurrent use.
type CredentialExtractor interface {
	Extractor
	ExtractCredential(r *http.Request) (Credential, error)
}

// CredentialCheck is what a credential's source requires of the request
// beyond a valid token: a [CSRF] check for a cookie, a proof of possession
// for a sender-constrained token (the token's "cnf" claim against a DPoP
// proof or the client's TLS certificate). The [Guard] runs it after the
// token verified, on cache hits too, with the verified token t, which is
// never nil. An error refuses the request even under
// [WithCredentialsOptional]; it should match one of the package's
// sentinels ([ErrInvalidToken], [ErrMalformedCredentials], [ErrCSRF],
// [ErrUnavailable], ...), which choose the answer's status and body. It
// must be safe for concurrent use.
type CredentialCheck interface {
	CheckCredential(r *http.Request, c Credential, t *Token) error
}

// Challenger is a credential source that adds a WWW-Authenticate challenge
// of its own scheme to the Guard's refusals, beside the Bearer one: a DPoP
// source announces its algorithms, and says error="invalid_dpop_proof"
// when its check refused the proof. An [Extractor] given to the Guard may
// implement it, alone or inside [FirstOf]. Challenge returns "" for no
// challenge. It must be safe for concurrent use.
type Challenger interface {
	Challenge(refusal error) string
}

// Own declares where an extractor of the application's own finds its
// token, so that the Guard runs the checks that kind of source requires:
// Own(e, SourceCookie) gets the CSRF check. An extractor passed to the
// Guard without Own, and that is no [CredentialExtractor], is refused by
// [WithExtractor], and so is Own(e, SourceUnknown). Own's token is taken
// as the extractor returns it, white space and all.
func Own(e Extractor, source CredentialSource) CredentialExtractor {
	return ownExtractor{e, source}
}

type ownExtractor struct {
	Extractor
	source CredentialSource
}

func (o ownExtractor) ExtractCredential(r *http.Request) (Credential, error) {
	tok, err := o.Extract(r)
	if err != nil || tok == "" {
		return Credential{}, err
	}
	source := o.source
	if source != SourceCookie && !safeMethod(r.Method) && inCookie(r, tok) {
		// A token a cookie holds is a cookie's, whatever the declaration
		// says: an extractor that reads one by hand and calls itself a
		// header's never skips the CSRF check.
		source = SourceCookie
	}
	return Credential{Token: tok, Source: source, wordChecked: true}, nil
}

// inCookie reports whether a cookie of r holds tok.
func inCookie(r *http.Request, tok string) bool {
	for _, c := range r.Cookies() {
		if c.Value == tok {
			return true
		}
	}
	return false
}

// declared reports whether e, and every part of it when it is a [FirstOf],
// says where its token comes from.
func declared(e Extractor) bool {
	switch x := e.(type) {
	case ownExtractor:
		return x.source != SourceUnknown && x.source < numSources
	case firstOf:
		for _, part := range x {
			if !declared(part) {
				return false
			}
		}
		return true
	case CredentialExtractor:
		return true
	}
	return false
}

// asCredentialExtractor returns e as a CredentialExtractor: itself when it
// is one, else of an unknown source.
func asCredentialExtractor(e Extractor) CredentialExtractor {
	if c, ok := e.(CredentialExtractor); ok {
		return c
	}
	return Own(e, SourceUnknown)
}

// extractToken is the Extract of a built-in CredentialExtractor: the
// token alone, the one-word rule applied.
func extractToken(c Credential, err error) (string, error) {
	if err == nil {
		err = c.oneWordError()
	}
	if err != nil {
		return "", err
	}
	return c.Token, nil
}

// oneWordError is the one-word rule, in one place: a token with a space or
// a tab in it is malformed credentials. It reads the token only when the
// source did not check it already.
func (c Credential) oneWordError() error {
	if !c.wordChecked && indexBlank(c.Token) >= 0 {
		return ErrMalformedCredentials
	}
	return nil
}

// indexBlank returns the index of the first space or tab in s, or -1.
// Two vectorized byte searches beat one loop over both bytes, and
// strings.IndexAny, which builds a set on every call, by far.
func indexBlank(s string) int {
	i := strings.IndexByte(s, ' ')
	if j := strings.IndexByte(s, '\t'); j >= 0 && (i < 0 || j < i) {
		return j
	}
	return i
}
