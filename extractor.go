package jwtguard

import (
	"net/http"
	"net/textproto"
	"strings"
)

// Extractor finds the raw token in a request. It returns "" and nil when the
// request carries no credentials it recognizes, and an error matching
// [ErrMalformedCredentials] when it carries credentials it cannot read.
// Extractors must be safe for concurrent use. The built-in extractors are
// [CredentialExtractor]s too: they tell the [Guard] where their token came
// from, so that it runs the [CSRF] check on unsafe requests whose token
// came from a cookie. An extractor of your own says where its token comes
// from with [Own], or by implementing CredentialExtractor.
type Extractor interface {
	Extract(r *http.Request) (string, error)
}

// ExtractorFunc adapts a function to an [Extractor].
type ExtractorFunc func(r *http.Request) (string, error)

// Extract calls f(r).
func (f ExtractorFunc) Extract(r *http.Request) (string, error) { return f(r) }

// FromAuthorization reads "Authorization: <scheme> <token>" for the
// given schemes, "Bearer" when none are given ("JWT" serves clients of
// djangorestframework-jwt). Schemes match without regard to case (RFC 7235
// §2.1). A header with another scheme, "Basic" say, is not jwtguard's and
// counts as no credentials. Two Authorization headers, a scheme without a
// token, or a token with spaces in it are malformed.
func FromAuthorization(schemes ...string) CredentialExtractor {
	if len(schemes) == 0 {
		schemes = []string{"Bearer"}
	}
	return authHeader{schemes: append([]string(nil), schemes...)}
}

type authHeader struct{ schemes []string }

func (a authHeader) Extract(r *http.Request) (string, error) {
	return extractToken(a.ExtractCredential(r))
}

// ExtractCredential reads the header; the token's scheme is in Scheme.
func (a authHeader) ExtractCredential(r *http.Request) (Credential, error) {
	v, err := singleHeader(r.Header, "Authorization")
	if v == "" || err != nil {
		return Credential{}, err
	}
	// Split at the first space or tab: a tab must not hide the header and
	// let FirstOf fall through to other credentials. A scheme is a short
	// word, so this loop stops early where a search for either byte would
	// read the whole token.
	i := 0
	for i < len(v) && v[i] != ' ' && v[i] != '\t' {
		i++
	}
	if !a.matches(v[:i]) {
		return Credential{}, nil
	}
	tok, err := nonEmpty(v[i:])
	return Credential{Token: tok, Source: SourceAuthorization, Scheme: v[:i]}, err
}

func (a authHeader) matches(scheme string) bool {
	for _, s := range a.schemes {
		// Clients send the scheme as it is written nearly always.
		if s == scheme || strings.EqualFold(s, scheme) {
			return true
		}
	}
	return false
}

// FromHeader reads the token as the whole value of the named header, such as
// "X-Auth-Token". Two such headers, or a value with spaces, are malformed.
func FromHeader(name string) CredentialExtractor {
	return namedHeader(textproto.CanonicalMIMEHeaderKey(name))
}

type namedHeader string

func (h namedHeader) Extract(r *http.Request) (string, error) {
	return extractToken(h.ExtractCredential(r))
}

// ExtractCredential reads the header; its name is in Name.
func (h namedHeader) ExtractCredential(r *http.Request) (Credential, error) {
	v, err := singleHeader(r.Header, string(h))
	if v == "" || err != nil {
		return Credential{}, err
	}
	tok, err := nonEmpty(v)
	return Credential{Token: tok, Source: SourceHeader, Name: string(h)}, err
}

// FromCookie reads the token from the named cookie. Two cookies of that name,
// which is how cookie tossing from a sibling domain shows, are malformed.
// A [Guard] runs its [CSRF] check on every unsafe request whose token this
// extractor found, alone or inside [FirstOf].
func FromCookie(name string) CredentialExtractor { return cookieExtractor(name) }

type cookieExtractor string

func (c cookieExtractor) Extract(r *http.Request) (string, error) {
	return extractToken(c.ExtractCredential(r))
}

// ExtractCredential reads the cookie; its name is in Name. A cookie's
// token is checked to be one word here, not left to the Guard: malformed
// credentials are found before any check of the cookie source runs, and
// under WithCredentialsOptional they count as none.
func (c cookieExtractor) ExtractCredential(r *http.Request) (Credential, error) {
	cookies := r.CookiesNamed(string(c))
	switch len(cookies) {
	case 0:
		return Credential{}, nil
	case 1:
		if cookies[0].Value == "" {
			return Credential{}, nil
		}
		cred := Credential{Source: SourceCookie, Name: string(c)}
		tok, err := nonEmpty(cookies[0].Value)
		cred.Token = tok
		if err == nil {
			err = cred.oneWordError()
		}
		if err != nil {
			return Credential{}, err
		}
		cred.wordChecked = true
		return cred, nil
	}
	return Credential{}, errDuplicateCookie
}

// FromQuery reads the token from the named query parameter. Tokens in URLs end
// up in access logs, browser history and Referer headers (RFC 6750 §2.3):
// use it only where nothing else works, a websocket handshake for example.
// No default extractor reads the query. Two values are malformed.
func FromQuery(name string) CredentialExtractor { return queryParam(name) }

type queryParam string

func (q queryParam) Extract(r *http.Request) (string, error) {
	return extractToken(q.ExtractCredential(r))
}

// ExtractCredential reads the parameter; its name is in Name.
func (q queryParam) ExtractCredential(r *http.Request) (Credential, error) {
	if r.URL == nil || r.URL.RawQuery == "" {
		return Credential{}, nil
	}
	vs := r.URL.Query()[string(q)]
	switch len(vs) {
	case 0:
		return Credential{}, nil
	case 1:
		if vs[0] == "" {
			return Credential{}, nil
		}
		tok, err := nonEmpty(vs[0])
		return Credential{Token: tok, Source: SourceQuery, Name: string(q)}, err
	}
	return Credential{}, ErrMalformedCredentials
}

// FirstOf tries each extractor in turn and returns the first token found.
// An error stops the search: malformed credentials are never skipped over
// in favour of others. Its credential is the one the extractor that found
// it yields; an extractor that is no [CredentialExtractor] counts as
// [SourceUnknown] (see [Own]).
func FirstOf(extractors ...Extractor) CredentialExtractor {
	f := make(firstOf, len(extractors))
	for i, e := range extractors {
		f[i] = asCredentialExtractor(e)
	}
	return f
}

type firstOf []CredentialExtractor

func (f firstOf) Extract(r *http.Request) (string, error) {
	return extractToken(f.ExtractCredential(r))
}

// ExtractCredential returns the first credential found, or the first error.
func (f firstOf) ExtractCredential(r *http.Request) (Credential, error) {
	for _, e := range f {
		if c, err := e.ExtractCredential(r); c.Token != "" || err != nil {
			return c, err
		}
	}
	return Credential{}, nil
}

// singleHeader returns the value of a header that may appear at most once,
// trimmed of surrounding white space.
func singleHeader(h http.Header, key string) (string, error) {
	vs := h[key]
	switch len(vs) {
	case 0:
		return "", nil
	case 1:
		return trimBlank(vs[0]), nil
	}
	return "", ErrMalformedCredentials
}

// nonEmpty trims the space between a scheme and its token and checks that
// something is left.
func nonEmpty(s string) (string, error) {
	if s = trimBlank(s); s == "" {
		return "", ErrMalformedCredentials
	}
	return s, nil
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

// trimBlank strips spaces and tabs from both ends of s. (strings.Trim
// builds its character set on every call: on the path of every request,
// that costs more than the rest of the extraction.)
func trimBlank(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
