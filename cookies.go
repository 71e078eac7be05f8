package jwtguard

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// Default cookie names and paths of a [CookieMode].
const (
	DefaultAccessCookie  = "access_token"
	DefaultRefreshCookie = "refresh_token"
	// DefaultRefreshCookiePath is the prefix of the token endpoints, as
	// Endpoints.Register mounts them: the refresh and blacklist endpoints
	// receive the refresh cookie, no other route does.
	DefaultRefreshCookiePath = "/api/token/"
)

// CookieMode carries tokens in cookies, for browser apps that should not
// keep them where script can read them:
//
//   - the token endpoints ([WithEndpointCookies]) set the access and the
//     refresh token as HttpOnly cookies, each with a Max-Age of its token's
//     lifetime, and a CSRF cookie that the page's script reads and echoes
//     in a header; refresh reads the refresh cookie when the body has no
//     token, and rotates all three; blacklist (logout) revokes the session
//     and clears all three;
//   - the [Guard] ([WithCookies]) reads the access token from the
//     Authorization header first, then from the access cookie, and runs
//     the [CSRF] check on every unsafe request whose token came from the
//     cookie. A failed check is a 403, never an anonymous request.
//
// Defaults: cookies access_token (Path /) and refresh_token (Path
// /api/token/, so that only the token endpoints ever receive it: refresh
// to rotate it, blacklist to revoke its session), csrftoken (Path /,
// readable by script); Secure, SameSite=Lax, no Domain; tokens left out
// of response bodies. A CookieMode is immutable and safe for
// concurrent use.
type CookieMode struct {
	access, refresh cookieSpec
	csrfPath        string
	domain          string
	sameSite        http.SameSite
	secure          bool
	body            bool
	csrf            *CSRF
}

// cookieSpec is one token cookie's name and path.
type cookieSpec struct{ name, path string }

// CookieOption configures a [CookieMode].
type CookieOption func(*cookieConfig)

type cookieConfig struct {
	CookieMode
	optionErrors
}

// WithCookieNames sets the names of the access and refresh cookies,
// "access_token" and "refresh_token" by default. A name starting with
// "__Host-" makes browsers refuse the cookie unless it is Secure, has Path
// "/" and no Domain, which keeps a sibling subdomain from planting one of
// its own; "__Secure-" needs Secure. NewCookieMode refuses the
// combinations browsers would drop.
func WithCookieNames(access, refresh string) CookieOption {
	return func(c *cookieConfig) {
		for _, n := range []string{access, refresh} {
			if !validCookieName(n) {
				c.fail("cookie name %q is not a valid cookie name", n)
			}
		}
		c.access.name, c.refresh.name = access, refresh
	}
}

// WithCookiePaths sets the Path of the access and refresh cookies, "/" and
// "/api/token/" by default. Give the refresh cookie the prefix the token
// endpoints are mounted at. A path that only the refresh endpoint matches
// ("/api/token/refresh/") keeps it from the blacklist endpoint, which then
// finds the session through the access cookie, and cannot once that
// cookie has expired: signing out then clears the cookies but leaves the
// session's refresh token valid until it expires.
func WithCookiePaths(access, refresh string) CookieOption {
	return func(c *cookieConfig) {
		for _, p := range []string{access, refresh} {
			if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, ";\x00\r\n") {
				c.fail("cookie path %q must start with / and hold no ';' or control characters", p)
			}
		}
		c.access.path, c.refresh.path = access, refresh
	}
}

// WithCookieDomain sets the Domain of every cookie, so that subdomains
// receive them too. None by default: the cookies go to the host that set
// them only, which is safer.
func WithCookieDomain(domain string) CookieOption {
	return func(c *cookieConfig) {
		if !validCookieDomain(domain) {
			c.fail("cookie domain %q is not a valid domain", domain)
		}
		c.domain = domain
	}
}

// WithSameSite sets the SameSite attribute of every cookie,
// [http.SameSiteLaxMode] by default. [http.SameSiteNoneMode] needs Secure
// cookies.
func WithSameSite(mode http.SameSite) CookieOption {
	return func(c *cookieConfig) {
		if mode < http.SameSiteLaxMode || mode > http.SameSiteNoneMode {
			c.fail("SameSite must be Lax, Strict or None")
		}
		c.sameSite = mode
	}
}

// WithInsecureCookies leaves out the Secure attribute, for development over
// plain http on a host other than localhost. Browsers then send the tokens
// in the clear: never in production. Off by default.
func WithInsecureCookies() CookieOption {
	return func(c *cookieConfig) { c.secure = false }
}

// WithTokensInBody returns the tokens in the endpoints' JSON bodies as well
// as in cookies, as simplejwt does without cookies. Off by default: a token
// that script can read is a token that an injected script can steal.
func WithTokensInBody() CookieOption {
	return func(c *cookieConfig) { c.body = true }
}

// WithCookieCSRF sets the CSRF check, NewCSRF() by default. Its cookie
// name is the CSRF cookie the endpoints set.
func WithCookieCSRF(check *CSRF) CookieOption {
	return func(c *cookieConfig) {
		if check == nil {
			c.fail("nil CSRF check")
		}
		c.csrf = check
	}
}

// NewCookieMode returns a cookie mode for [WithEndpointCookies] and
// [WithCookies]. It reports every problem with the options at once.
func NewCookieMode(opts ...CookieOption) (*CookieMode, error) {
	c := cookieConfig{CookieMode: CookieMode{
		access:   cookieSpec{DefaultAccessCookie, "/"},
		refresh:  cookieSpec{DefaultRefreshCookie, DefaultRefreshCookiePath},
		csrfPath: "/",
		sameSite: http.SameSiteLaxMode,
		secure:   true,
		csrf:     defaultCSRF,
	}}
	for _, opt := range opts {
		opt(&c)
	}
	if c.sameSite == http.SameSiteNoneMode && !c.secure {
		c.fail("SameSite=None needs Secure cookies")
	}
	c.checkPrefix(c.access)
	c.checkPrefix(c.refresh)
	if c.csrf != nil && c.csrf.token {
		c.checkPrefix(cookieSpec{c.csrf.cookie, c.csrfPath})
	}
	if c.csrf != nil {
		names := map[string]bool{}
		for _, n := range []string{c.access.name, c.refresh.name, c.csrf.cookie} {
			if names[n] {
				c.fail("cookie name %q is used twice", n)
			}
			names[n] = true
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	m := c.CookieMode
	return &m, nil
}

// checkPrefix refuses a cookie whose name's prefix its attributes break
// (RFC 6265bis §4.1.3): browsers would drop it without a word.
func (c *cookieConfig) checkPrefix(s cookieSpec) {
	switch {
	case strings.HasPrefix(s.name, "__Host-") && (!c.secure || c.domain != "" || s.path != "/"):
		c.fail("cookie %q needs Secure, Path \"/\" and no Domain", s.name)
	case strings.HasPrefix(s.name, "__Secure-") && !c.secure:
		c.fail("cookie %q needs Secure", s.name)
	}
}

// AccessCookie returns the name of the access token's cookie.
func (m *CookieMode) AccessCookie() string { return m.access.name }

// RefreshCookie returns the name of the refresh token's cookie.
func (m *CookieMode) RefreshCookie() string { return m.refresh.name }

// CSRF returns the CSRF check of the cookie mode.
func (m *CookieMode) CSRF() *CSRF { return m.csrf }

// Extractor returns where a [Guard] in cookie mode finds tokens: the
// Authorization header (Bearer), then the access cookie.
func (m *CookieMode) Extractor() Extractor {
	return FirstOf(FromAuthorization(), FromCookie(m.access.name))
}

// cookie returns a cookie of the mode's attributes; maxAge < 0 clears it.
func (m *CookieMode) cookie(name, path, value string, maxAge int, httpOnly bool) *http.Cookie {
	return &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     path,
		Domain:   m.domain,
		MaxAge:   maxAge,
		Secure:   m.secure,
		HttpOnly: httpOnly,
		SameSite: m.sameSite,
	}
}

// setPair sets the cookies of a pair issued at now, with a fresh CSRF
// token: a value planted in the browser never outlives a sign-in or a
// refresh.
func (m *CookieMode) setPair(w http.ResponseWriter, p *Pair, now time.Time) {
	refreshAge := secondsUntil(p.RefreshExpiresAt, now)
	http.SetCookie(w, m.cookie(m.access.name, m.access.path, p.Access, secondsUntil(p.AccessExpiresAt, now), true))
	http.SetCookie(w, m.cookie(m.refresh.name, m.refresh.path, p.Refresh, refreshAge, true))
	if m.csrf.token {
		http.SetCookie(w, m.cookie(m.csrf.cookie, m.csrfPath, newCSRFToken(), refreshAge, false))
	}
}

// clear expires every cookie of the mode.
func (m *CookieMode) clear(w http.ResponseWriter) {
	http.SetCookie(w, m.cookie(m.access.name, m.access.path, "", -1, true))
	http.SetCookie(w, m.cookie(m.refresh.name, m.refresh.path, "", -1, true))
	if m.csrf.token {
		http.SetCookie(w, m.cookie(m.csrf.cookie, m.csrfPath, "", -1, false))
	}
}

// secondsUntil is the whole seconds from now to exp, at least 1.
func secondsUntil(exp, now time.Time) int {
	s := int(exp.Sub(now) / time.Second)
	if s < 1 {
		s = 1
	}
	return s
}

// newCSRFToken returns 32 random bytes, base64url-encoded (43 characters).
func newCSRFToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// validCookieDomain reports whether d is a host name a Domain attribute may
// carry: dot-separated labels of letters, digits and inner hyphens, an
// optional leading dot.
func validCookieDomain(d string) bool {
	d = strings.TrimPrefix(d, ".")
	if d == "" || len(d) > 253 {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
