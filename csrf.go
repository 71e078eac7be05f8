package jwtguard

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/textproto"
)

// ErrCSRF matches every request that a [CSRF] check refuses: a cross-origin
// request, or a missing or wrong double-submit token. The [Guard] and the
// token endpoints answer it with 403 and a body whose "code" is
// "csrf_failed", never by treating the request as anonymous.
var ErrCSRF = errors.New("jwtguard: CSRF check failed")

// csrfError is a CSRF refusal with Django's reason text, which the
// response body carries after "CSRF Failed: ".
type csrfError struct{ reason string }

func (e *csrfError) Error() string { return "jwtguard: CSRF check failed: " + e.reason }
func (e *csrfError) Is(target error) bool {
	return target == ErrCSRF
}

// The refusals, built once; their reasons are Django's.
var (
	errCSRFOrigin    error = &csrfError{"Origin checking failed - the request is cross-origin."}
	errCSRFNoCookie  error = &csrfError{"CSRF cookie not set."}
	errCSRFMissing   error = &csrfError{"CSRF token missing."}
	errCSRFIncorrect error = &csrfError{"CSRF token incorrect."}
)

// Default names of the double-submit cookie and header: Django's, so a
// front end configured for a Django API (axios' xsrfCookieName and
// xsrfHeaderName, say) needs no change.
const (
	DefaultCSRFCookie = "csrftoken"
	DefaultCSRFHeader = "X-CSRFToken"
)

// minCSRFToken is the shortest double-submit value accepted; the token
// endpoints write 43 characters.
const minCSRFToken = 16

// CSRF protects requests authenticated by a cookie from cross-site request
// forgery. Safe methods (GET, HEAD, OPTIONS) always pass. Any other request
// must pass two checks:
//
//   - origin: net/http's [http.CrossOriginProtection] — the browser's
//     Sec-Fetch-Site must say same-origin (or none), or, from older
//     browsers, the Origin header must match the Host; trusted origins
//     ([WithTrustedOrigins]) pass too;
//   - double submit: the CSRF cookie (readable by the page's script, set by
//     the token endpoints) echoed in the CSRF header, exactly, once each.
//     Two cookies of that name, which is how a cookie planted from a
//     sibling domain shows, fail.
//
// The [Guard] runs it on every request whose token came from a cookie
// ([FromCookie], [WithCookies]); requests authenticated by the
// Authorization header are not affected, since a browser never attaches
// that header by itself. It is immutable and safe for concurrent use.
type CSRF struct {
	origin *http.CrossOriginProtection
	cookie string
	header string
	token  bool
}

// CSRFOption configures a [CSRF] check.
type CSRFOption func(*csrfConfig)

type csrfConfig struct {
	cookie, header string
	origins        []string
	noToken        bool
	optionErrors
}

// WithCSRFNames sets the double-submit cookie and header names,
// [DefaultCSRFCookie] ("csrftoken") and [DefaultCSRFHeader] ("X-CSRFToken")
// by default.
func WithCSRFNames(cookie, header string) CSRFOption {
	return func(c *csrfConfig) {
		if !validCookieName(cookie) {
			c.fail("CSRF cookie name %q is not a valid cookie name", cookie)
		}
		if !validHeaderName(header) {
			c.fail("CSRF header name %q is not a valid header name", header)
		}
		c.cookie, c.header = cookie, header
	}
}

// WithTrustedOrigins lets requests from other origins pass the origin
// check, each given as "scheme://host[:port]" — a front end on its own
// domain, for example. None by default. The double-submit token is still
// required of them.
func WithTrustedOrigins(origins ...string) CSRFOption {
	return func(c *csrfConfig) { c.origins = append(c.origins, origins...) }
}

// WithoutCSRFToken keeps the origin check and drops the double-submit
// token: for apps whose cookies are SameSite=Strict and whose users run
// browsers that send Sec-Fetch-Site or Origin. Off by default.
func WithoutCSRFToken() CSRFOption {
	return func(c *csrfConfig) { c.noToken = true }
}

// NewCSRF returns a CSRF check. It reports every problem with the options
// at once.
func NewCSRF(opts ...CSRFOption) (*CSRF, error) {
	c := csrfConfig{cookie: DefaultCSRFCookie, header: DefaultCSRFHeader}
	for _, opt := range opts {
		opt(&c)
	}
	origin := http.NewCrossOriginProtection()
	for _, o := range c.origins {
		if err := origin.AddTrustedOrigin(o); err != nil {
			c.fail("trusted origin %q: %v", o, err)
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return &CSRF{
		origin: origin,
		cookie: c.cookie,
		header: textproto.CanonicalMIMEHeaderKey(c.header),
		token:  !c.noToken,
	}, nil
}

// defaultCSRF is the check a Guard runs when it finds a token in a cookie
// and was given no CSRF of its own: fail closed.
var defaultCSRF = func() *CSRF {
	c, err := NewCSRF()
	if err != nil {
		panic(err)
	}
	return c
}()

// CookieName returns the name of the double-submit cookie.
func (c *CSRF) CookieName() string { return c.cookie }

// HeaderName returns the name of the header that must echo the cookie.
func (c *CSRF) HeaderName() string { return c.header }

// Check reports whether r may go on: nil for safe methods and for unsafe
// ones that pass both checks, an error matching [ErrCSRF] otherwise.
func (c *CSRF) Check(r *http.Request) error {
	if safeMethod(r.Method) {
		return nil
	}
	return c.check(r, c.token)
}

// CheckCredential is Check, as the [CredentialCheck] of a token taken
// from a cookie: the Guard runs it on every such token.
func (c *CSRF) CheckCredential(r *http.Request, _ Credential, _ *Token) error {
	return c.Check(r)
}

// checkOrigin runs the origin check alone on an unsafe request: for a
// sign-in, before any CSRF cookie exists.
func (c *CSRF) checkOrigin(r *http.Request) error {
	if safeMethod(r.Method) {
		return nil
	}
	return c.check(r, false)
}

func (c *CSRF) check(r *http.Request, token bool) error {
	if c.origin.Check(r) != nil {
		return errCSRFOrigin
	}
	if !token {
		return nil
	}
	cookies := r.CookiesNamed(c.cookie)
	if len(cookies) == 0 || cookies[0].Value == "" {
		return errCSRFNoCookie
	}
	if len(cookies) > 1 {
		return errCSRFIncorrect
	}
	sent := r.Header[c.header]
	if len(sent) == 0 || sent[0] == "" {
		return errCSRFMissing
	}
	want := cookies[0].Value
	if len(sent) > 1 || len(want) < minCSRFToken ||
		subtle.ConstantTimeCompare([]byte(sent[0]), []byte(want)) != 1 {
		return errCSRFIncorrect
	}
	return nil
}

// safeMethod reports the methods that must not change state (RFC 9110
// §9.2.1) and that CSRF checks let through, as net/http's do.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// validCookieName reports whether name is an RFC 6265 cookie name.
func validCookieName(name string) bool {
	return name != "" && (&http.Cookie{Name: name, Value: "x"}).Valid() == nil
}

// validHeaderName reports whether name is an RFC 9110 field name.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || c == ':' || c == '"' || c == '(' || c == ')' || c == ',' ||
			c == '/' || c == ';' || c == '<' || c == '=' || c == '>' || c == '?' || c == '@' ||
			c == '[' || c == '\\' || c == ']' || c == '{' || c == '}' {
			return false
		}
	}
	return true
}
