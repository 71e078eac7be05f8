package jwtguard

import (
	"errors"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// Every error that [Verifier.Verify] returns matches [ErrInvalidToken] with
// [errors.Is], and one of the more specific sentinels below. Where golang-jwt
// has a sentinel for the same failure, jwtguard's is that very value, so code
// written against golang-jwt keeps working:
//
//	errors.Is(err, jwtguard.ErrTokenExpired) // true
//	errors.Is(err, jwt.ErrTokenExpired)      // true as well
var (
	// ErrInvalidToken matches every token that failed verification.
	ErrInvalidToken = errors.New("jwtguard: invalid token")

	// ErrTokenMalformed: the token is not a compact JWS with a well-formed
	// header and claims set (segments, base64url, JSON, duplicate names).
	ErrTokenMalformed = jwt.ErrTokenMalformed
	// ErrTokenTooLarge: the token is longer than the verifier's size cap.
	ErrTokenTooLarge = errors.New("jwtguard: token too large")
	// ErrTokenUnverifiable: no trusted key can check the token: its algorithm
	// is not allowed, its kid is unknown, or its issuer is not trusted.
	ErrTokenUnverifiable = jwt.ErrTokenUnverifiable
	// ErrAlgorithmNotAllowed: the header names an algorithm outside the
	// allow-list, "none" included. It also matches [ErrTokenUnverifiable].
	ErrAlgorithmNotAllowed = errors.New("jwtguard: algorithm not allowed")
	// ErrUnknownKey: no configured key has the token's kid and algorithm.
	// It also matches [ErrTokenUnverifiable].
	ErrUnknownKey = errors.New("jwtguard: no key for token")
	// ErrCriticalHeader: the header has a "crit" parameter (or "b64": false),
	// which jwtguard never understands and so always rejects (RFC 7515 §4.1.11).
	ErrCriticalHeader = errors.New("jwtguard: critical header parameter")
	// ErrTokenSignatureInvalid: the signature does not match any candidate key.
	ErrTokenSignatureInvalid = jwt.ErrTokenSignatureInvalid
	// ErrTokenRequiredClaimMissing: a required claim ("exp" by default) is absent.
	ErrTokenRequiredClaimMissing = jwt.ErrTokenRequiredClaimMissing
	// ErrTokenInvalidClaims: a claim has the wrong JSON type or an absurd value,
	// or the custom validator refused the token.
	ErrTokenInvalidClaims = jwt.ErrTokenInvalidClaims
	// ErrTokenExpired: "exp" is at or before now, less the leeway.
	ErrTokenExpired = jwt.ErrTokenExpired
	// ErrTokenNotValidYet: "nbf" is after now, plus the leeway.
	ErrTokenNotValidYet = jwt.ErrTokenNotValidYet
	// ErrTokenUsedBeforeIssued: "iat" is after now, plus the leeway.
	ErrTokenUsedBeforeIssued = jwt.ErrTokenUsedBeforeIssued
	// ErrTokenInvalidIssuer: "iss" is not one of the trusted issuers.
	ErrTokenInvalidIssuer = jwt.ErrTokenInvalidIssuer
	// ErrTokenInvalidAudience: none of the token's audiences is accepted.
	ErrTokenInvalidAudience = jwt.ErrTokenInvalidAudience
	// ErrTokenWrongType: the "typ" header or the "token_type" claim is not the
	// expected one; a refresh token presented as an access token, for example.
	ErrTokenWrongType = errors.New("jwtguard: token has wrong type")

	// ErrNoCredentials: the request carries no token where one is required.
	ErrNoCredentials = errors.New("jwtguard: authentication credentials were not provided")
	// ErrMalformedCredentials: the credentials cannot be read: two
	// Authorization headers, a scheme without a token, a token with spaces.
	ErrMalformedCredentials = errors.New("jwtguard: malformed credentials")
	// errDuplicateCookie: two cookies of the token's name, as cookie tossing
	// from a sibling domain shows. It matches ErrMalformedCredentials.
	errDuplicateCookie = fmt.Errorf("%w: two cookies of the token's name", ErrMalformedCredentials)

	// ErrForbidden: the request is authenticated but a policy denies it.
	ErrForbidden = errors.New("jwtguard: permission denied")
	// ErrInsufficientScope: a scope policy denies the request. It also
	// matches [ErrForbidden]; the error is a [*ScopeError].
	ErrInsufficientScope = errors.New("jwtguard: insufficient scope")
)

// tokenError is a verification failure. It matches ErrInvalidToken, its kind
// and, when set, its cause, so that errors.Is works for all three.
type tokenError struct {
	msg   string
	kinds []error
}

func (e *tokenError) Error() string   { return "jwtguard: " + e.msg }
func (e *tokenError) Unwrap() []error { return e.kinds }

// invalid builds a token error. Errors built at package level cost nothing
// when returned, so the common failures do not allocate.
func invalid(msg string, kinds ...error) error {
	return &tokenError{msg: msg, kinds: append([]error{ErrInvalidToken}, kinds...)}
}

// Failures that carry no detail are built once.
var (
	errTooLarge     = invalid("token too large", ErrTokenTooLarge, ErrTokenMalformed)
	errSegments     = invalid("token must have three segments", ErrTokenMalformed)
	errEncoding     = invalid("token is not base64url without padding", ErrTokenMalformed)
	errHeaderJSON   = invalid("header is not a JSON object", ErrTokenMalformed)
	errClaimsJSON   = invalid("claims are not a JSON object", ErrTokenMalformed)
	errDuplicate    = invalid("duplicate member name", ErrTokenMalformed)
	errNoAlg        = invalid(`header has no "alg"`, ErrTokenMalformed)
	errAlg          = invalid("algorithm not allowed", ErrAlgorithmNotAllowed, ErrTokenUnverifiable)
	errCrit         = invalid("critical header parameter", ErrCriticalHeader, ErrTokenUnverifiable)
	errNoKey        = invalid("no key for token", ErrUnknownKey, ErrTokenUnverifiable)
	errSignature    = invalid("signature is invalid", ErrTokenSignatureInvalid)
	errNoExp        = invalid(`token has no "exp" claim`, ErrTokenRequiredClaimMissing)
	errExpired      = invalid("token is expired", ErrTokenExpired)
	errNotYet       = invalid("token is not valid yet", ErrTokenNotValidYet)
	errIssuedFuture = invalid("token used before issued", ErrTokenUsedBeforeIssued)
	errIssuer       = invalid("token has invalid issuer", ErrTokenInvalidIssuer)
	errAudience     = invalid("token has invalid audience", ErrTokenInvalidAudience)
	errTyp          = invalid(`token has wrong "typ"`, ErrTokenWrongType)
	errTokenType    = invalid(`token has wrong "token_type"`, ErrTokenWrongType)
)

// claimError reports a claim of the wrong type or with an absurd value.
func claimError(name string) error {
	return invalid(`claim "`+name+`" is invalid`, ErrTokenInvalidClaims)
}

// validatorError wraps what a custom validator returned. The cause stays
// matchable with errors.Is; it is logged, never shown to the client.
func validatorError(cause error) error {
	return invalid("validator: "+cause.Error(), ErrTokenInvalidClaims, cause)
}

// configError reports a bad argument or option to a constructor.
func configError(format string, args ...any) error {
	return fmt.Errorf("jwtguard: "+format, args...)
}

// providerError wraps a key provider's failure. The cause is for the logger.
func providerError(cause error) error {
	return invalid("key provider: "+cause.Error(), ErrTokenUnverifiable, cause)
}

// The refusals of the checks, the stores, the token endpoints and the
// policies: every sentinel of the package lives in this file.

var (
	// ErrUserNotFound: the token's user no longer exists. A [UserLookup]
	// returns it; the Guard answers 401 with simplejwt's user_not_found.
	ErrUserNotFound = errors.New("jwtguard: user not found")
	// ErrUserInactive: the token's user is deactivated (user_inactive).
	ErrUserInactive = errors.New("jwtguard: user is inactive")
	// ErrNoUserID: the token has no user claim to look up.
	ErrNoUserID = errors.New("jwtguard: token has no user identification")
	// ErrUnavailable: a store or user lookup that a check depends on failed,
	// so the token could be neither accepted nor refused. The request fails
	// closed with 503; the cause is wrapped, for the logger.
	ErrUnavailable = errors.New("jwtguard: service unavailable")
)

var (
	// ErrTokenRevoked: the token, its login session or its subject was
	// revoked (blacklisted). Errors from verification also match
	// [ErrInvalidToken].
	ErrTokenRevoked = errors.New("jwtguard: token is revoked")
	// ErrTokenSpent: the refresh token was already used by a rotation.
	// Presenting it again to [Issuer.Refresh] or [Issuer.Logout] revokes
	// its whole family.
	ErrTokenSpent = errors.New("jwtguard: refresh token already used")
)

// ErrCSRF matches every request that a [CSRF] check refuses: a cross-origin
// request, or a missing or wrong double-submit token. The [Guard] and the
// token endpoints answer it with 403 and a body whose "code" is
// "csrf_failed", never by treating the request as anonymous.
var ErrCSRF = errors.New("jwtguard: CSRF check failed")

// ErrInvalidCredentials: no active account matches the username and
// password. An [Authenticator] returns it.
var ErrInvalidCredentials = errors.New("jwtguard: no active account found with the given credentials")

// ErrNotFound: an object policy hides the object ([Hidden]); the default
// answer is DRF's 404 {"detail":"Not found."}, as if it did not exist.
var ErrNotFound = errors.New("jwtguard: not found")

// ErrTokenDuplicate: a refresh (or sliding) token spent by a rotation was
// presented again within the reuse grace window ([WithReuseGrace]). It is
// refused as simplejwt refuses a spent token (401 "Token is blacklisted"),
// but its session lives on: the pair the first presentation received keeps
// working. It also matches [ErrTokenSpent] and [ErrTokenRevoked].
var ErrTokenDuplicate = errors.New("jwtguard: refresh token presented again within the reuse grace window")

// unavailable wraps the failure of a store or lookup. It does not match
// ErrInvalidToken: the token may well be good.
func unavailable(cause error) error {
	return &tokenError{msg: "unavailable: " + cause.Error(), kinds: []error{ErrUnavailable, cause}}
}
