package jwtguard

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// EndpointOption configures [Endpoints]. [Option] is one too.
type EndpointOption interface{ applyEndpoint(*endpointConfig) }

type endpointOption func(*endpointConfig)

func (f endpointOption) applyEndpoint(c *endpointConfig) { f(c) }
func (o Option) applyEndpoint(c *endpointConfig)         { o(&c.commonConfig) }

// Authenticator checks a username and password for the obtain endpoint. It
// is supplied by the application.
type Authenticator interface {
	// Authenticate returns the user's ID and whether the account is active,
	// or an error matching [ErrInvalidCredentials] when the username and
	// password do not match a user. Any other error is a failure to answer
	// (a database down, every hashing slot busy): the endpoint logs it and
	// responds 503 with Retry-After: 1. It must be safe for concurrent
	// use, and should take the same time whether or not the user exists.
	// ctx ends after the issuer's store timeout ([WithStoreTimeout]): a user
	// store that hangs is a 503 then.
	Authenticate(ctx context.Context, username, password string) (userID string, active bool, err error)
}

// AuthenticatorFunc adapts a function to an [Authenticator].
type AuthenticatorFunc func(ctx context.Context, username, password string) (string, bool, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(ctx context.Context, username, password string) (string, bool, error) {
	return f(ctx, username, password)
}

// LoginHook is told of every sign-in attempt that reached the
// [Authenticator]: err is nil on success, and matches
// [ErrInvalidCredentials] or [ErrUserInactive] on failure. userID is "" when
// unknown. It runs before the response is written; keep it quick.
type LoginHook func(r *http.Request, username, userID string, err error)

// Endpoints are the HTTP token endpoints of simplejwt, answering as a
// Django REST Framework server does (same statuses, JSON bodies and key
// order, WWW-Authenticate on every 401, Allow on 405), so a client written
// for a Django API works unchanged:
//
//	POST /api/token/            {"username","password"} -> {"refresh","access"}
//	POST /api/token/refresh/    {"refresh"}             -> {"access","refresh"} (rotated)
//	POST /api/token/verify/     {"token"}               -> {}
//	POST /api/token/blacklist/  {"refresh"}             -> {} (logout)
//
// Bodies may be JSON, form-encoded or multipart. Responses carry
// Cache-Control: no-store. Endpoints are immutable and safe for concurrent
// use.
type Endpoints struct {
	issuer   *Issuer
	auth     Authenticator
	throttle *LoginThrottle
	hook     LoginHook
	log      *slog.Logger
	maxBody  int64
	realm    []string
	cookies  *CookieMode // nil: tokens in bodies only
	dpop     *DPoPVerifier
	obs      Observer // nil: none
	now      func() time.Time
}

type endpointConfig struct {
	commonConfig
	throttle *LoginThrottle
	hook     LoginHook
	maxBody  int64
	realm    string
	cookies  *CookieMode
	dpop     *DPoPVerifier
}

// WithLoginThrottle limits sign-in attempts and refreshes (see
// [LoginThrottle]). There is no throttle by default; production servers
// want one.
func WithLoginThrottle(t *LoginThrottle) EndpointOption {
	return endpointOption(func(c *endpointConfig) {
		if t == nil {
			c.fail("nil throttle")
		}
		c.throttle = t
	})
}

// WithLoginHook sets a function told of every sign-in attempt.
func WithLoginHook(h LoginHook) EndpointOption {
	return endpointOption(func(c *endpointConfig) {
		if h == nil {
			c.fail("nil login hook")
		}
		c.hook = h
	})
}

// WithEndpointLogger is [WithLogger].
//
// Deprecated: use WithLogger, which every constructor accepts.
func WithEndpointLogger(l *slog.Logger) EndpointOption { return WithLogger(l) }

// WithMaxBodySize sets the largest request body read, [DefaultMaxBodySize]
// (64 KiB) by default; larger ones are refused with 413.
func WithMaxBodySize(n int64) EndpointOption {
	return endpointOption(func(c *endpointConfig) {
		if n < 1 {
			c.fail("max body size %d is below 1", n)
		}
		c.maxBody = n
	})
}

// WithEndpointRealm sets the realm of the WWW-Authenticate challenge,
// "api" by default, as DRF's.
func WithEndpointRealm(realm string) EndpointOption {
	return endpointOption(func(c *endpointConfig) { c.realm = realm })
}

// WithEndpointCookies sets tokens as cookies ([CookieMode]): sign-in and
// refresh set the access, refresh and CSRF cookies (the tokens stay out of
// the body unless [WithTokensInBody]); refresh and blacklist take the
// refresh token from its cookie when the body has none, after the CSRF
// check; blacklist clears the cookies. Every POST must also pass the
// cookie mode's origin check, so that another site can neither sign a
// browser in to an account of its choosing nor sign it out. The sliding
// token endpoints are not affected: they answer in the body.
func WithEndpointCookies(m *CookieMode) EndpointOption {
	return endpointOption(func(c *endpointConfig) {
		if m == nil {
			c.fail("nil cookie mode")
		}
		c.cookies = m
	})
}

// NewEndpoints returns the token endpoints of issuer, signing users in
// through auth.
func NewEndpoints(issuer *Issuer, auth Authenticator, opts ...EndpointOption) (*Endpoints, error) {
	c := endpointConfig{maxBody: DefaultMaxBodySize, realm: "api"}
	if issuer == nil {
		c.fail("nil issuer")
	}
	if auth == nil {
		c.fail("nil authenticator")
	}
	for _, opt := range opts {
		opt.applyEndpoint(&c)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	c.setDefaults()
	e := &Endpoints{
		issuer:   issuer,
		auth:     auth,
		throttle: c.throttle,
		hook:     c.hook,
		log:      c.logger,
		maxBody:  c.maxBody,
		realm:    []string{`Bearer realm="` + quoteRealm(c.realm) + `"`},
		cookies:  c.cookies,
		dpop:     c.dpop,
		obs:      c.observer,
		now:      c.now,
	}
	if e.dpop == nil {
		e.dpop, _ = NewDPoPVerifier() // the defaults cannot fail
	} else {
		warnNoOrigin(e.log, e.dpop)
	}
	return e, nil
}

// Register mounts the four endpoints on mux under prefix, "/api/token/"
// for simplejwt's paths. A request without the trailing slash is
// redirected to it with 307, which, unlike the 301 of Django's
// APPEND_SLASH, keeps the POST and its body.
func (e *Endpoints) Register(mux *http.ServeMux, prefix string) {
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	mux.Handle(prefix+"{$}", e.Obtain())
	mux.Handle(prefix+"refresh/{$}", e.Refresh())
	mux.Handle(prefix+"verify/{$}", e.Verify())
	mux.Handle(prefix+"blacklist/{$}", e.Blacklist())
}

// RegisterSliding mounts simplejwt's sliding-token views on mux under
// prefix: obtain ({"username","password"} -> {"token"}) and refresh/
// ({"token"} -> {"token"}), and logout, blacklist/ ({"token"} -> {}).
func (e *Endpoints) RegisterSliding(mux *http.ServeMux, prefix string) {
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	mux.Handle(prefix+"{$}", e.SlidingObtain())
	mux.Handle(prefix+"refresh/{$}", e.SlidingRefresh())
	mux.Handle(prefix+"blacklist/{$}", e.SlidingBlacklist())
}

var (
	fieldUsername = formField{name: "username", trim: true}
	fieldPassword = formField{name: "password"}
	fieldRefresh  = formField{name: "refresh", trim: true}
	// fieldRefreshOrCookie is the refresh field where a cookie may stand in.
	fieldRefreshOrCookie = formField{name: "refresh", trim: true, optional: true}
	fieldToken           = formField{name: "token", trim: true}
)

// Fixed bodies of the endpoints, DRF's and simplejwt's.
var (
	bodyEmpty         = []byte(`{}`)
	bodyNoAccount     = []byte(`{"detail":"No active account found with the given credentials"}`)
	bodyVerifyRevoked = []byte(`{"non_field_errors":["Token is blacklisted"]}`)
	bodyServerError   = []byte(`{"detail":"A server error occurred."}`)
	allowPost         = []string{"POST, OPTIONS"}
)

// Obtain is the sign-in endpoint: username and password in, a pair out.
func (e *Endpoints) Obtain() http.Handler {
	return e.endpoint(EndpointObtain, "Token Obtain Pair", func(w http.ResponseWriter, r *http.Request) {
		checked := e.issuer.now()
		// The proof is checked before the password and spent only after
		// it: a failed sign-in takes no place in the replay cache, so
		// that flooding it needs an account.
		proof, ok := e.dpopProof(w, r)
		if !ok {
			return
		}
		id, ok := e.login(w, r)
		if !ok {
			return
		}
		var jkt string
		if proof != nil {
			if !e.dpopSpend(w, r, proof) {
				return
			}
			jkt = proof.Thumbprint
		}
		pair, err := e.issuer.issueAt(r.Context(), id, checked, jkt)
		if err != nil {
			e.fail(w, r, err)
			return
		}
		if e.cookies != nil {
			e.cookies.setPair(w, pair, checked)
		}
		e.writePair(w, dpopTokenType(pairBody("refresh", pair.Refresh, "access", pair.Access), jkt))
	})
}

// SlidingObtain is the sign-in endpoint for sliding tokens: username and
// password in, {"token": …} out.
func (e *Endpoints) SlidingObtain() http.Handler {
	return e.endpoint(EndpointSlidingObtain, "Token Obtain Sliding", func(w http.ResponseWriter, r *http.Request) {
		id, ok := e.login(w, r)
		if !ok {
			return
		}
		tok, _, err := e.issuer.IssueSliding(r.Context(), id)
		if err != nil {
			e.fail(w, r, err)
			return
		}
		e.write(w, http.StatusOK, []byte(`{"token":"`+tok+`"}`))
	})
}

// SlidingRefresh renews a sliding token: {"token": …} in and out.
func (e *Endpoints) SlidingRefresh() http.Handler {
	return e.endpoint(EndpointSlidingRefresh, "Token Refresh Sliding", func(w http.ResponseWriter, r *http.Request) {
		v, ok := e.form(w, r, fieldToken)
		if !ok {
			return
		}
		if wait, ok := e.refreshAllowed(r.Context(), e.issuer.sliding, "sliding", v[0]); !ok {
			e.throttled(w, wait)
			return
		}
		tok, _, err := e.issuer.RefreshSliding(r.Context(), v[0])
		if err != nil {
			e.fail(w, r, err)
			return
		}
		e.write(w, http.StatusOK, []byte(`{"token":"`+tok+`"}`))
	})
}

// SlidingBlacklist is the logout endpoint of sliding tokens: {"token": …}
// in, {} out; the token's login session is revoked, so that no token of
// it renews again (nor authenticates, for verifiers that check
// revocation). The pair endpoint Blacklist takes a sliding token in its
// "refresh" field as well.
func (e *Endpoints) SlidingBlacklist() http.Handler {
	return e.endpoint(EndpointSlidingBlacklist, "Token Blacklist Sliding", func(w http.ResponseWriter, r *http.Request) {
		if v, ok := e.form(w, r, fieldToken); ok {
			e.logout(w, r, v[0])
		}
	})
}

// login checks the credentials of a sign-in request, throttled, and
// returns the user's ID; on failure it answers and reports false.
func (e *Endpoints) login(w http.ResponseWriter, r *http.Request) (string, bool) {
	if e.throttle != nil {
		if wait, ok := e.throttle.AllowClient(r); !ok {
			e.signIn(r, OutcomeThrottled, nil)
			e.throttled(w, wait)
			return "", false
		}
	}
	v, ok := e.form(w, r, fieldUsername, fieldPassword)
	if !ok {
		return "", false
	}
	username, password := v[0], v[1]
	var attempt signIn
	if e.throttle != nil {
		var wait time.Duration
		if attempt, wait, ok = e.throttle.reserveUser(r, username); !ok {
			e.signIn(r, OutcomeThrottled, nil)
			e.throttled(w, wait)
			return "", false
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), e.issuer.storeTimeout()) // its user store, as the issuer's
	defer cancel()
	id, active, err := e.auth.Authenticate(ctx, username, password)
	if err == nil && (id == "" || !active) {
		err = ErrUserInactive
	}
	if err != nil && !errors.Is(err, ErrInvalidCredentials) && !errors.Is(err, ErrUserInactive) {
		if e.throttle != nil {
			e.throttle.notCounted(attempt) // not the user's failure
		}
		e.log.LogAttrs(ctx, slog.LevelError, "jwtguard: authenticator failed", slog.String("error", err.Error()))
		e.signIn(r, OutcomeFailed, unavailable(err))
		w.Header().Set("Retry-After", "1")
		e.write(w, http.StatusServiceUnavailable, bodyUnavailable)
		return "", false
	}
	if e.hook != nil {
		e.hook(r, username, id, err)
	}
	if err != nil {
		e.signIn(r, OutcomeFailed, nil)
		e.write(w, http.StatusUnauthorized, bodyNoAccount)
		return "", false
	}
	if e.throttle != nil {
		e.throttle.succeeded(attempt)
	}
	e.signIn(r, OutcomeSucceeded, nil)
	return id, true
}

// signIn reports a sign-in's outcome; unavailable is the error of an
// authenticator that could not answer.
func (e *Endpoints) signIn(r *http.Request, outcome string, unavailable error) {
	if e.obs == nil {
		return
	}
	ev := Event{Kind: EventSignIn, Outcome: outcome}
	if unavailable != nil {
		ev.Refusal, ev.Err = KindUnavailable, unavailable
	}
	e.obs.Observe(r.Context(), ev)
}

// Refresh is the refresh endpoint: a refresh token in, a new pair out; the
// presented token is spent.
func (e *Endpoints) Refresh() http.Handler {
	return e.endpoint(EndpointRefresh, "Token Refresh", func(w http.ResponseWriter, r *http.Request) {
		raw, ok := e.refreshToken(w, r)
		if !ok {
			return
		}
		if wait, ok := e.refreshAllowed(r.Context(), e.issuer.refresh, "refresh", raw); !ok {
			e.throttled(w, wait)
			return
		}
		// As at sign-in, the proof is spent only once the refresh token
		// passed its checks: a flood with tokens that fail spends nothing.
		proof, ok := e.dpopProof(w, r)
		if !ok {
			return
		}
		jkt := proof.thumbprint()
		now := e.issuer.now()
		pair, err := e.issuer.refreshBound(r.Context(), raw, jkt, e.spendOnce(w, r, proof))
		if err != nil {
			e.proofFailed(w, r, err)
			return
		}
		if e.cookies != nil {
			e.cookies.setPair(w, pair, now)
		}
		e.writePair(w, dpopTokenType(pairBody("access", pair.Access, "refresh", pair.Refresh), jkt))
	})
}

// refreshAllowed takes one refresh (or sliding renewal) from the budget
// of the token's login session ([WithPerSession]). The token is verified first
// by v, as a token of tokenType, so a forged one cannot spend another
// session's budget; a token that fails is left to the issuer to refuse
// (its verification is then a cache hit or as cheap as this one).
func (e *Endpoints) refreshAllowed(ctx context.Context, v *Verifier, tokenType, raw string) (time.Duration, bool) {
	if e.throttle == nil {
		return 0, true
	}
	t, err := v.Verify(ctx, raw)
	if err != nil || t.Claims.TokenType != tokenType || t.Claims.ID == "" {
		return 0, true
	}
	return e.throttle.allowRefresh(ctx, recordOf(t, "").Family)
}

// Verify is the verify endpoint: 200 {} for a good token of either type.
func (e *Endpoints) Verify() http.Handler {
	return e.endpoint(EndpointVerify, "Token Verify", func(w http.ResponseWriter, r *http.Request) {
		v, ok := e.form(w, r, fieldToken)
		if !ok {
			return
		}
		_, err := e.issuer.Verify(r.Context(), v[0])
		switch {
		case err == nil:
			e.write(w, http.StatusOK, bodyEmpty)
		case errors.Is(err, ErrTokenRevoked):
			e.write(w, http.StatusBadRequest, bodyVerifyRevoked)
		default:
			e.fail(w, r, err)
		}
	})
}

// Blacklist is the logout endpoint: it revokes a refresh token and its
// login session. A refresh token bound to a DPoP key needs the request's
// proof by that key, as at the refresh endpoint.
func (e *Endpoints) Blacklist() http.Handler {
	return e.endpoint(EndpointBlacklist, "Token Blacklist", func(w http.ResponseWriter, r *http.Request) {
		if e.cookies != nil {
			e.cookieLogout(w, r)
			return
		}
		v, ok := e.form(w, r, fieldRefresh)
		if !ok {
			return
		}
		e.logout(w, r, v[0])
	})
}

// logout revokes the session of the refresh token raw and answers. A
// token bound to a DPoP key needs the request's proof by that key, as a
// refresh does; the proof is spent only once the token's binding held.
func (e *Endpoints) logout(w http.ResponseWriter, r *http.Request, raw string) {
	proof, ok := e.dpopProof(w, r)
	if !ok {
		return
	}
	if err := e.issuer.logoutBound(r.Context(), raw, proof.thumbprint(), e.spendOnce(w, r, proof)); err != nil {
		e.proofFailed(w, r, err)
		return
	}
	e.write(w, http.StatusOK, bodyEmpty)
}

// proofFailed answers a refused refresh or logout: a refused proof as at
// sign-in, anything else as usual.
func (e *Endpoints) proofFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrDPoPProof) {
		e.dpopRefused(w, r, err)
		return
	}
	e.fail(w, r, err)
}

// endpoint answers OPTIONS and refuses methods other than POST. Each call
// is reported to the observer as the endpoint event (an EventEndpoint
// name); display is the name DRF's OPTIONS answer shows.
func (e *Endpoints) endpoint(event, display string, post http.HandlerFunc) http.Handler {
	options := []byte(`{"name":"` + display + `","description":"","renders":["application/json"],` +
		`"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"]}`)
	serve := func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			if e.cookies != nil {
				if err := e.cookies.csrf.checkOrigin(r); err != nil {
					refused(w, err)
					e.write(w, http.StatusForbidden, refusals[classify(err)].body)
					return
				}
			}
			post(w, r)
		case http.MethodOptions:
			e.write(w, http.StatusOK, options)
		default:
			body := append([]byte(`{"detail":`), appendJSONString(nil, `Method "`+r.Method+`" not allowed.`)...)
			e.write(w, http.StatusMethodNotAllowed, append(body, '}'))
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e.obs == nil {
			serve(w, r)
			return
		}
		ob := begin(r.Context(), e.obs, e.now, EventEndpoint)
		rec := &endpointRecorder{ResponseWriter: w, status: http.StatusOK}
		serve(rec, r.WithContext(ob.ctx))
		ob.end(e.now, Event{Kind: EventEndpoint, Name: event, Status: rec.status, Refusal: rec.refusal, Err: rec.err})
	})
}

// endpointRecorder keeps what an endpoint answered, for its event.
type endpointRecorder struct {
	http.ResponseWriter
	status  int
	refusal string
	err     error
}

func (rec *endpointRecorder) WriteHeader(status int) {
	rec.status = status
	rec.ResponseWriter.WriteHeader(status)
}

// refused notes the refusal err on w, when w records one.
func refused(w http.ResponseWriter, err error) {
	if rec, ok := w.(*endpointRecorder); ok {
		rec.refusal, rec.err = RefusalKind(err), err
	}
}

func (e *Endpoints) form(w http.ResponseWriter, r *http.Request, fields ...formField) ([]string, bool) {
	v, err := readForm(r, e.maxBody, fields...)
	if err != nil {
		var fe *formError
		if errors.As(err, &fe) {
			e.write(w, fe.status, fe.body)
		} else {
			e.write(w, http.StatusBadRequest, bodyServerError)
		}
		return nil, false
	}
	return v, true
}

// fail answers a failed token operation.
func (e *Endpoints) fail(w http.ResponseWriter, r *http.Request, err error) {
	refused(w, err)
	f := classify(err)
	body := refusals[f].endpoint
	switch {
	case f == failUnavailable:
		e.log.LogAttrs(r.Context(), slog.LevelError, "jwtguard: token store unavailable", slog.String("error", err.Error()))
		e.write(w, http.StatusServiceUnavailable, bodyUnavailable)
		return
	case (body == nil || f == failInvalid) && errors.Is(err, ErrInvalidToken):
		body = refusals[failInvalid].endpoint
	case body == nil || f == failInvalid: // not a token's failure: the issuer's
		e.log.LogAttrs(r.Context(), slog.LevelError, "jwtguard: issuing failed", slog.String("error", err.Error()))
		e.write(w, http.StatusInternalServerError, bodyServerError)
		return
	}
	e.write(w, http.StatusUnauthorized, body)
}

func (e *Endpoints) throttled(w http.ResponseWriter, wait time.Duration) {
	secs := int64((wait + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	n := strconv.FormatInt(secs, 10)
	unit := " seconds."
	if secs == 1 {
		unit = " second."
	}
	w.Header().Set("Retry-After", n)
	e.write(w, http.StatusTooManyRequests, []byte(`{"detail":"Request was throttled. Expected available in `+n+unit+`"}`))
}

func (e *Endpoints) write(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Allow"] = allowPost[:1:1]
	h["X-Content-Type-Options"] = []string{"nosniff"}
	var challenge []string
	if status == http.StatusUnauthorized {
		challenge = e.realm[:1:1]
	}
	writeError(w, status, challenge, body)
}

// pairBody writes {"k1":"v1","k2":"v2"}; tokens need no escaping.
func pairBody(k1, v1, k2, v2 string) []byte {
	return []byte(`{"` + k1 + `":"` + v1 + `","` + k2 + `":"` + v2 + `"}`)
}
