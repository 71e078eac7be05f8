package jwtguard

import (
	"net/http"
)

// GuardOption configures a [Guard]. [Option] is one too.
type GuardOption interface{ applyGuard(*guardConfig) }

type guardOption func(*guardConfig)

func (f guardOption) applyGuard(c *guardConfig) { f(c) }
func (o Option) applyGuard(c *guardConfig)      { o(&c.commonConfig) }

type guardConfig struct {
	commonConfig
	extractor Extractor
	onError   ErrorHandler
	paths     *PathRedactor
	skip      []func(*http.Request) bool
	preflight bool
	optional  bool
	realm     string
	csrf      *CSRF
	cookies   *CookieMode
	dpopMode  DPoPMode
	dpop      *DPoPVerifier
	dpopSet   bool // WithDPoP was given
}

// WithExtractor sets where tokens come from. The default is
// FromAuthorization("Bearer"); the query string is never read unless asked.
// Every extractor must say where its token comes from, so that the Guard
// runs the checks that source requires (CSRF for a cookie): the built-in
// ones do; wrap one of the application's own with [Own]. An extractor that
// does not, alone or inside [FirstOf], is refused: it might read a cookie,
// and a cookie's token never goes without its CSRF check.
func WithExtractor(e Extractor) GuardOption {
	return guardOption(func(c *guardConfig) {
		switch {
		case e == nil:
			c.fail("nil extractor")
		case !declared(e):
			c.fail("an extractor of the application's own must say where its token comes from: wrap it with jwtguard.Own(e, jwtguard.SourceHeader) (or SourceCookie, SourceAuthorization, SourceQuery)")
		}
		c.extractor = e
	})
}

// WithErrorHandler replaces the default refusal responses, which are
// Django REST Framework's JSON bodies with RFC 6750 challenges.
func WithErrorHandler(h ErrorHandler) GuardOption {
	return guardOption(func(c *guardConfig) {
		if h == nil {
			c.fail("nil error handler")
		}
		c.onError = h
	})
}

// WithLogRedaction sets the rule by which request paths are written to
// the refusal log (see [PathRedactor]). By default segments shaped like a
// JWT are hidden; give the same rule to every log of the application.
func WithLogRedaction(p *PathRedactor) GuardOption {
	return guardOption(func(c *guardConfig) {
		if p == nil {
			c.fail("nil path redactor")
		}
		c.paths = p
	})
}

// WithRealm sets the realm of WWW-Authenticate challenges. The default is
// "api", as Django REST Framework sends.
func WithRealm(realm string) GuardOption {
	return guardOption(func(c *guardConfig) {
		if realm == "" || quoteRealm(realm) != realm {
			c.fail("realm %q is empty or needs quoting", realm)
		}
		c.realm = realm
	})
}

// WithSkip makes the Guard pass requests for which skip returns true
// straight to the next handler: no authentication and no policy.
func WithSkip(skip func(r *http.Request) bool) GuardOption {
	return guardOption(func(c *guardConfig) {
		if skip == nil {
			c.fail("nil skip predicate")
		}
		c.skip = append(c.skip, skip)
	})
}

// WithSkipPaths is [WithSkip] for requests whose URL path is exactly one of
// paths, such as "/healthz".
func WithSkipPaths(paths ...string) GuardOption {
	set := make(map[string]struct{}, len(paths))
	for _, p := range paths {
		set[p] = struct{}{}
	}
	return WithSkip(func(r *http.Request) bool {
		_, ok := set[r.URL.Path]
		return ok
	})
}

// WithPreflight lets CORS preflight requests (OPTIONS with Origin and
// Access-Control-Request-Method) through without authentication or policy:
// browsers never send credentials with them. Off by default; a CORS
// middleware in front of the Guard usually answers them itself.
func WithPreflight() GuardOption {
	return guardOption(func(c *guardConfig) { c.preflight = true })
}

// WithCredentialsOptional treats malformed credentials and invalid tokens as
// no credentials at all: the request goes on anonymous and the policy
// decides. By default they are refused with 401 even on a public route, as
// Django REST Framework does, so a client learns at once that its token is
// bad and refreshes it.
func WithCredentialsOptional() GuardOption {
	return guardOption(func(c *guardConfig) { c.optional = true })
}

// WithCookies reads tokens as a browser app in [CookieMode] sends them: the
// Authorization header first, then the access cookie (unless
// [WithExtractor] says otherwise), with the cookie mode's [CSRF] check on
// every unsafe request authenticated by the cookie.
func WithCookies(m *CookieMode) GuardOption {
	return guardOption(func(c *guardConfig) {
		if m == nil {
			c.fail("nil cookie mode")
		}
		c.cookies = m
	})
}

// WithCSRF sets the check run on unsafe requests whose token came from a
// cookie ([FromCookie]). The default is the cookie mode's, or NewCSRF()
// without one: a Guard never takes a token from a cookie without a CSRF
// check.
func WithCSRF(check *CSRF) GuardOption {
	return guardOption(func(c *guardConfig) {
		if check == nil {
			c.fail("nil CSRF check")
		}
		c.csrf = check
	})
}
