package bench

import (
	"context"
	"errors"
	"net/http"
	"strings"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	"github.com/auth0/go-jwt-middleware/v2/validator"
	"github.com/go-chi/jwtauth/v5"
	"github.com/golang-jwt/jwt/v5"
	jwxjwt "github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/jwtguard/jwtguard"
)

// newJWTGuard is jwtguard's quick start, plus issuer and audience checks:
// a KeySet of one key, a Verifier (with its verified-token cache, on by
// default), and a Guard requiring authentication.
func newJWTGuard(a *algorithm, next http.Handler) (http.Handler, error) {
	return jwtGuard(a, next)
}

// newJWTGuardUncached is newJWTGuard without the verified-token cache:
// every request decodes its token and checks its signature, as the peers
// do.
func newJWTGuardUncached(a *algorithm, next http.Handler) (http.Handler, error) {
	return jwtGuard(a, next, jwtguard.WithoutCache())
}

func jwtGuard(a *algorithm, next http.Handler, opts ...jwtguard.VerifierOption) (http.Handler, error) {
	var key *jwtguard.Key
	var err error
	if secret, ok := a.verify.([]byte); ok {
		key, err = jwtguard.NewHMACKey("", secret, a.name)
	} else {
		key, err = jwtguard.NewPublicKey("", a.verify, a.name)
	}
	if err != nil {
		return nil, err
	}
	keys, err := jwtguard.NewKeySet(key)
	if err != nil {
		return nil, err
	}
	v, err := jwtguard.NewVerifier(keys, append(opts, jwtguard.WithIssuer(issuer), jwtguard.WithAudience(audience))...)
	if err != nil {
		return nil, err
	}
	g, err := jwtguard.NewGuard(v)
	if err != nil {
		return nil, err
	}
	return g.Require(jwtguard.IsAuthenticated())(next), nil
}

// minimalKey is the context key of the minimal middleware's claims.
type minimalKey struct{}

// newMinimal is what a careful developer writes by hand with golang-jwt
// (the baseline of the root module's BenchmarkGuard): strip "Bearer ",
// ParseWithClaims with an algorithm allow-list and exp required, and the
// claims into the context.
func newMinimal(a *algorithm, next http.Handler) (http.Handler, error) {
	parser := jwt.NewParser(jwt.WithValidMethods([]string{a.name}), jwt.WithExpirationRequired())
	key := a.verify
	keyFunc := func(*jwt.Token) (any, error) { return key, nil }
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		claims := &jwt.RegisteredClaims{}
		if _, err := parser.ParseWithClaims(raw, claims, keyFunc); err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), minimalKey{}, claims)))
	}), nil
}

// newAuth0 is auth0/go-jwt-middleware v2 with its validator package: one
// algorithm, a key function returning the fixed key, the issuer and the
// audience (both required by validator.New). Its default error handler
// answers 400 to a request without a token; the handler set here answers
// 401 instead, as RFC 6750 asks and as every other implementation does.
func newAuth0(a *algorithm, next http.Handler) (http.Handler, error) {
	key := a.verify
	keyFunc := func(context.Context) (any, error) { return key, nil }
	v, err := validator.New(keyFunc, validator.SignatureAlgorithm(a.name), issuer, []string{audience})
	if err != nil {
		return nil, err
	}
	mw := jwtmiddleware.New(v.ValidateToken, jwtmiddleware.WithErrorHandler(auth0Refusal))
	return mw.CheckJWT(next), nil
}

// auth0Refusal answers a missing or invalid token with 401 and anything
// else with 500, with a short JSON body.
func auth0Refusal(w http.ResponseWriter, _ *http.Request, err error) {
	w.Header().Set("Content-Type", "application/json")
	if errors.Is(err, jwtmiddleware.ErrJWTMissing) || errors.Is(err, jwtmiddleware.ErrJWTInvalid) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"detail":"unauthorized"}`))
		return
	}
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(`{"detail":"error"}`))
}

// newJWTAuth is go-chi/jwtauth v5 as its README shows it, Verifier then
// Authenticator, with the token looked up in the Authorization header only
// (jwtauth.Verify with TokenFromHeader; Verifier would try a cookie too),
// and iss and aud checked through jwtauth.New's validation options.
func newJWTAuth(a *algorithm, next http.Handler) (http.Handler, error) {
	ja := jwtauth.New(a.name, nil, a.verify, jwxjwt.WithIssuer(issuer), jwxjwt.WithAudience(audience))
	return jwtauth.Verify(ja, jwtauth.TokenFromHeader)(jwtauth.Authenticator(ja)(next)), nil
}
