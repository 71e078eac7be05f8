package jwtguard

import (
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// Guard is the net/http middleware: it extracts a token, verifies it, puts
// it in the request context and enforces a [Policy], answering refusals
// with a status, an RFC 6750 challenge and a JSON body. It is immutable and
// safe for concurrent use.
//
// [Guard.Handler] and [Guard.Require] are for net/http and chi; framework
// adapters call [Guard.Authenticate], [Guard.Authorize] and
// [Guard.WriteError] so that every framework answers alike.
type Guard struct {
	verifier   *Verifier
	extractor  CredentialExtractor
	checks     [numSources]CredentialCheck // the Guard's check per kind of source
	challenge  []Challenger                // the sources' own challenges
	onError    ErrorHandler
	log        *slog.Logger
	obs        Observer // nil: none
	now        func() time.Time
	paths      *PathRedactor // nil: the default rule
	skip       []func(*http.Request) bool
	preflight  bool
	optional   bool
	challenges *challenges
	dpopNonce  func() string // with DPoP nonces: the next one, sent on success
}

// NewGuard returns a guard that verifies tokens with v. It reports every
// problem with the options at once.
func NewGuard(v *Verifier, opts ...GuardOption) (*Guard, error) {
	c := guardConfig{realm: "api"}
	if v == nil {
		c.fail("nil verifier")
	}
	for _, opt := range opts {
		opt.applyGuard(&c)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	c.setDefaults()
	g := &Guard{
		verifier:   v,
		onError:    c.onError,
		log:        c.logger,
		obs:        c.observer,
		now:        c.now,
		paths:      c.paths,
		skip:       c.skip,
		preflight:  c.preflight,
		optional:   c.optional,
		challenges: newChallenges(c.realm),
	}
	switch {
	case c.extractor != nil:
		g.extractor = asCredentialExtractor(c.extractor)
	case c.cookies != nil:
		g.extractor = asCredentialExtractor(c.cookies.Extractor())
	default:
		g.extractor = FromAuthorization()
	}
	g.challenge = challengers(g.extractor)
	// In every mode, a token bound to a key is refused as a bearer token;
	// off only means the DPoP scheme is not accepted.
	src := newDPoPSource(g.extractor, c.dpopMode, c.dpop)
	src.announce = c.dpopSet
	g.extractor, g.challenge = src, append(g.challenge, src)
	if c.dpopSet && !src.off {
		warnNoOrigin(g.log, src.v)
	}
	if !src.off && src.v.usesNonces() {
		g.dpopNonce = src.v.Nonce
	}
	csrf := c.csrf
	if csrf == nil && c.cookies != nil {
		csrf = c.cookies.csrf
	}
	if csrf == nil {
		csrf = defaultCSRF // never a cookie's token without a CSRF check
	}
	g.checks[SourceCookie] = csrf
	// A credential that does not say where it came from (an application's
	// own CredentialExtractor that left Source unset) may be a cookie's:
	// it gets the cookie's check.
	g.checks[SourceUnknown] = csrf
	if g.onError == nil {
		g.onError = g.defaultError
	}
	return g, nil
}

// Authenticate extracts and verifies the request's token. It returns nil
// and nil for a request without credentials, and an error matching
// [ErrMalformedCredentials] or [ErrInvalidToken] for bad ones (nil and nil
// under [WithCredentialsOptional]). A verified token must then pass the
// checks its source requires ([Credential].Check, and the Guard's [CSRF]
// check for a token taken from a cookie on an unsafe request); a failure
// there is refused with or without WithCredentialsOptional, a CSRF one
// matching [ErrCSRF]. Failures are logged.
func (g *Guard) Authenticate(r *http.Request) (*Token, error) {
	ob := beginUntimed(r.Context(), g.obs, EventDecision)
	c, err := g.extractor.ExtractCredential(r)
	if err == nil && c.Token == "" {
		g.decided(ob, r, DecisionAuthenticate, nil, false, nil, "")
		return nil, nil
	}
	var t *Token
	var cached bool
	if err == nil {
		var at time.Time
		t, cached, at, err = g.verifier.verifyCached(ob.ctx, c.Token)
		if ob.obs != nil && !cached {
			ob.start = at // a verification is timed, a cache hit is not
		}
		if err != nil && c.oneWordError() != nil {
			// Only now, off the path of a good token (see wordChecked).
			err = ErrMalformedCredentials
		}
	} else if !errors.Is(err, ErrMalformedCredentials) {
		err = errors.Join(ErrMalformedCredentials, err)
	}
	if err == nil {
		err = g.checkCredential(r, c, t)
		if err != nil {
			g.decided(ob, r, DecisionAuthenticate, nil, cached, err, "credential check failed")
			return nil, err
		}
	}
	if err != nil && g.optional {
		g.logRefusal(r, "authentication failed", err)
		g.decided(ob, r, DecisionAuthenticate, nil, cached, nil, "")
		return nil, nil
	}
	g.decided(ob, r, DecisionAuthenticate, t, cached, err, "authentication failed")
	if err != nil {
		return nil, err
	}
	return t, nil
}

// checkCredential runs the Guard's check for the credential's kind of
// source, then the credential's own.
func (g *Guard) checkCredential(r *http.Request, c Credential, t *Token) error {
	source := c.Source
	if source >= numSources {
		source = SourceUnknown
	}
	if check := g.checks[source]; check != nil {
		if err := check.CheckCredential(r, c, t); err != nil {
			return err
		}
	}
	if c.Check != nil {
		return c.Check.CheckCredential(r, c, t)
	}
	return nil
}

// Authorize runs policy on the request and its token (nil when anonymous).
// A denial of an anonymous request becomes [ErrNoCredentials]: 401, since a
// token might change the answer. Denials are logged.
func (g *Guard) Authorize(r *http.Request, t *Token, policy Policy) error {
	ob := beginUntimed(r.Context(), g.obs, EventDecision)
	err := policy.Check(r, t)
	if err == nil {
		g.decided(ob, r, DecisionAuthorize, t, false, nil, "")
		return nil
	}
	msg := "permission denied"
	if t == nil {
		err, msg = ErrNoCredentials, "credentials required"
	} else if !errors.Is(err, ErrForbidden) {
		err = errors.Join(ErrForbidden, err)
	}
	g.decided(ob, r, DecisionAuthorize, t, false, err, msg)
	return err
}

// decided is the one point every decision passes: a refusal (err) is
// logged with msg, and the decision is reported to the observer: refused,
// accepted (t) or anonymous (neither).
func (g *Guard) decided(ob observation, r *http.Request, name string, t *Token, cached bool, err error, msg string) {
	if err != nil {
		g.logRefusal(r, msg, err)
	}
	if ob.obs == nil {
		return
	}
	e := Event{Kind: EventDecision, Name: name, Cached: cached, Outcome: OutcomeAnonymous}
	switch {
	case err != nil:
		e.Outcome, e.Refusal, e.Err = OutcomeRefused, RefusalKind(err), err
	case t != nil:
		e.Outcome, e.Alg = OutcomeAccepted, t.Header.Alg
	}
	ob.end(g.now, e)
}

// WriteError answers a refused request through the error handler.
func (g *Guard) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	g.onError(w, r, err)
}

func (g *Guard) defaultError(w http.ResponseWriter, _ *http.Request, err error) {
	f := classify(err)
	challenge := g.challenges.header(err, f)
	for _, ch := range g.challenge {
		if v := ch.Challenge(err); v != "" {
			challenge = append(challenge, v) // a shared slice: this copies
		}
	}
	if f == failDPoPNonce {
		if name, value := refusalHeaderOf(err); name != "" {
			w.Header().Set(name, value) // the DPoP-Nonce to retry with
		}
	}
	writeError(w, f.status(), challenge, refusals[f].body)
}

// Handler authenticates requests that carry credentials and passes them on
// with the token in their context; requests without credentials go on
// anonymous. Bad credentials are refused. Put a policy after it with
// [Guard.Require], or check [FromContext] in the handler.
func (g *Guard) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.skipped(r) {
			next.ServeHTTP(w, r)
			return
		}
		if r, _, ok := g.authenticate(w, r); ok {
			next.ServeHTTP(w, r)
		}
	})
}

// Require returns middleware that enforces policy. It authenticates the
// request itself unless a Guard upstream already put a token in its context.
func (g *Guard) Require(policy Policy) func(http.Handler) http.Handler {
	if policy == nil {
		policy = Not(AllowAny()) // fail closed
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if g.skipped(r) {
				next.ServeHTTP(w, r)
				return
			}
			r, t, ok := g.authenticate(w, r)
			if !ok {
				return
			}
			if err := g.Authorize(r, t, policy); err != nil {
				g.onError(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// authenticate returns r with the token in its context, reusing a token a
// Guard upstream put there. On failure it answers and reports false.
func (g *Guard) authenticate(w http.ResponseWriter, r *http.Request) (*http.Request, *Token, bool) {
	if t, ok := FromContext(r.Context()); ok {
		return r, t, true
	}
	t, err := g.Authenticate(r)
	if err != nil {
		g.onError(w, r, err)
		return r, nil, false
	}
	if t != nil {
		r = withToken(r, t)
		if g.dpopNonce != nil && r.Header["Dpop"] != nil {
			w.Header().Set("DPoP-Nonce", g.dpopNonce()) // the next proof's (RFC 9449 §8.2)
		}
	}
	return r, t, true
}

func (g *Guard) skipped(r *http.Request) bool {
	if g.preflight && r.Method == http.MethodOptions &&
		r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		return true
	}
	for _, skip := range g.skip {
		if skip(r) {
			return true
		}
	}
	return false
}

func (g *Guard) logRefusal(r *http.Request, msg string, err error) {
	ctx := r.Context()
	level := slog.LevelInfo
	if errors.Is(err, ErrUnavailable) {
		level = slog.LevelError // not the client's fault: someone must look
	}
	if !g.log.Enabled(ctx, level) {
		return
	}
	g.log.LogAttrs(ctx, level, "jwtguard: "+msg,
		slog.String("method", r.Method),
		slog.String("path", g.paths.Redact(r.URL.Path)),
		slog.String("remote", r.RemoteAddr),
		slog.String("error", err.Error()))
}
