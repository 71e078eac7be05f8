package jwtguard

import (
	"net/http"
	"net/textproto"
	"strings"
)

// Extractor finds the raw token in a request. It returns "" and nil when the
// request carries no credentials it recognizes, and an error matching
// [ErrMalformedCredentials] when it carries credentials it cannot read.
// Extractors must be safe for concurrent use. The [Guard] runs its [CSRF]
// check on unsafe requests whose token came from a cookie: [FromCookie]
// says so itself, and the token of an extractor of your own counts as a
// cookie's when a cookie of the request holds it.
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
func FromAuthorization(schemes ...string) Extractor {
	if len(schemes) == 0 {
		schemes = []string{"Bearer"}
	}
	return authHeader{schemes: append([]string(nil), schemes...)}
}

type authHeader struct{ schemes []string }

func (a authHeader) Extract(r *http.Request) (string, error) {
	return oneWord(a.extractSource(r))
}

func (a authHeader) extractSource(r *http.Request) (string, origin, error) {
	v, err := singleHeader(r.Header, "Authorization")
	if v == "" || err != nil {
		return "", 0, err
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
		return "", 0, nil
	}
	tok, err := nonEmpty(v[i:])
	return tok, unchecked, err
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
func FromHeader(name string) Extractor {
	return namedHeader(textproto.CanonicalMIMEHeaderKey(name))
}

type namedHeader string

func (h namedHeader) Extract(r *http.Request) (string, error) {
	return oneWord(h.extractSource(r))
}

func (h namedHeader) extractSource(r *http.Request) (string, origin, error) {
	v, err := singleHeader(r.Header, string(h))
	if v == "" || err != nil {
		return "", 0, err
	}
	tok, err := nonEmpty(v)
	return tok, unchecked, err
}

// FromCookie reads the token from the named cookie. Two cookies of that name,
// which is how cookie tossing from a sibling domain shows, are malformed.
// A [Guard] runs its [CSRF] check on every unsafe request whose token this
// extractor found, alone or inside [FirstOf].
func FromCookie(name string) Extractor { return cookieExtractor(name) }

type cookieExtractor string

func (c cookieExtractor) Extract(r *http.Request) (string, error) {
	return oneWord(c.extractSource(r))
}

// A cookie's token is checked to be one word here, not left to the Guard:
// malformed credentials must be found before the CSRF check, which would
// otherwise refuse them first (and refuse them even under
// WithCredentialsOptional, where malformed credentials count as none).
func (c cookieExtractor) extractSource(r *http.Request) (string, origin, error) {
	cookies := r.CookiesNamed(string(c))
	switch len(cookies) {
	case 0:
		return "", 0, nil
	case 1:
		if cookies[0].Value == "" {
			return "", 0, nil
		}
		tok, err := nonEmpty(cookies[0].Value)
		if tok, err = oneWord(tok, 0, err); err != nil {
			return "", 0, err
		}
		return tok, fromCookie, nil
	}
	return "", 0, errDuplicateCookie
}

// FromQuery reads the token from the named query parameter. Tokens in URLs end
// up in access logs, browser history and Referer headers (RFC 6750 §2.3):
// use it only where nothing else works, a websocket handshake for example.
// No default extractor reads the query. Two values are malformed.
func FromQuery(name string) Extractor { return queryParam(name) }

type queryParam string

func (q queryParam) Extract(r *http.Request) (string, error) {
	return oneWord(q.extractSource(r))
}

func (q queryParam) extractSource(r *http.Request) (string, origin, error) {
	if r.URL == nil || r.URL.RawQuery == "" {
		return "", 0, nil
	}
	vs := r.URL.Query()[string(q)]
	switch len(vs) {
	case 0:
		return "", 0, nil
	case 1:
		if vs[0] == "" {
			return "", 0, nil
		}
		tok, err := nonEmpty(vs[0])
		return tok, unchecked, err
	}
	return "", 0, ErrMalformedCredentials
}

// FirstOf tries each extractor in turn and returns the first token found.
// An error stops the search: malformed credentials are never skipped over
// in favour of others.
func FirstOf(extractors ...Extractor) Extractor {
	f := make(firstOf, len(extractors))
	for i, e := range extractors {
		f[i] = asSource(e)
	}
	return f
}

type firstOf []sourceExtractor

func (f firstOf) Extract(r *http.Request) (string, error) {
	return oneWord(f.extractSource(r))
}

func (f firstOf) extractSource(r *http.Request) (string, origin, error) {
	for _, e := range f {
		if tok, o, err := e.extractSource(r); tok != "" || err != nil {
			return tok, o, err
		}
	}
	return "", 0, nil
}

// origin tells the Guard what it must still do with an extracted token.
type origin uint8

const (
	// fromCookie: the token came from a cookie, so an unsafe request must
	// pass the CSRF check.
	fromCookie origin = 1 << iota
	// unchecked: a built-in extractor's token, trimmed and non-empty but
	// not yet known to be one word. The Guard looks for a blank only in a
	// token that failed to verify (a verified one is base64url and dots),
	// which keeps two reads of every token off the path of a cached one.
	unchecked
)

// sourceExtractor is an Extractor that also tells the origin of its
// token. Its Extract makes every check itself.
type sourceExtractor interface {
	extractSource(r *http.Request) (string, origin, error)
}

// asSource returns e as a sourceExtractor: itself when it is one of the
// package's, else an ownExtractor.
func asSource(e Extractor) sourceExtractor {
	if s, ok := e.(sourceExtractor); ok {
		return s
	}
	return ownExtractor{e}
}

// ownExtractor is an extractor of the application's own. It says nothing
// of its source: its token counts as a cookie's when any cookie of the
// request holds it, so that wrapping FromCookie, or reading r.Cookie by
// hand, never skips the CSRF check; and it is taken as it is, white space
// and all.
type ownExtractor struct{ Extractor }

func (o ownExtractor) extractSource(r *http.Request) (string, origin, error) {
	tok, err := o.Extract(r)
	// Safe methods pass the CSRF check anyway: no need to parse cookies.
	if tok != "" && !safeMethod(r.Method) && inCookie(r, tok) {
		return tok, fromCookie, err
	}
	return tok, 0, err
}

// inCookie reports whether a cookie of r has the value tok.
func inCookie(r *http.Request, tok string) bool {
	if len(r.Header["Cookie"]) == 0 {
		return false
	}
	for _, c := range r.Cookies() {
		if c.Value == tok {
			return true
		}
	}
	return false
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

// oneWord finishes an extractSource for Extract: a token with a blank in
// it is malformed.
func oneWord(tok string, _ origin, err error) (string, error) {
	if err == nil && indexBlank(tok) >= 0 {
		return "", ErrMalformedCredentials
	}
	return tok, err
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
