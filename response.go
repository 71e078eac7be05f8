package jwtguard

import (
	"errors"
	"net/http"
	"strings"
)

// ErrorHandler writes the response for a request that the [Guard] refuses.
// err matches one of the package's sentinels: [ErrNoCredentials],
// [ErrMalformedCredentials], [ErrInvalidToken], [ErrForbidden],
// [ErrInsufficientScope], [ErrCSRF], [ErrUnavailable] or, from
// [AuthorizeObject], [ErrNotFound]. Its text may hold
// internal detail: log it, do not send it. [StatusCode] and [Challenge]
// give the status and the WWW-Authenticate value the default handler uses.
type ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

// The default bodies, byte for byte those of Django REST Framework with
// djangorestframework-simplejwt, so a front end written for a Django API
// (one that checks code == "token_not_valid" to refresh, say) keeps working.
var (
	bodyNoCredentials = []byte(`{"detail":"Authentication credentials were not provided."}`)
	bodyMalformed     = []byte(`{"detail":"Authorization header must contain two space-delimited values","code":"bad_authorization_header"}`)
	bodyForbidden     = []byte(`{"detail":"You do not have permission to perform this action."}`)
	bodyScope         = []byte(`{"detail":"You do not have permission to perform this action.","code":"insufficient_scope"}`)
	bodyUserNotFound  = []byte(`{"detail":"User not found","code":"user_not_found"}`)
	bodyUserInactive  = []byte(`{"detail":"User is inactive","code":"user_inactive"}`)
	bodyNoUser        = []byte(`{"detail":"Token contained no recognizable user identification","code":"token_not_valid"}`)
	bodyUnavailable   = []byte(`{"detail":"Service temporarily unavailable, try again later.","code":"service_unavailable"}`)
	bodyNotFound      = []byte(`{"detail":"Not found."}`)
)

func tokenBody(message string) []byte {
	return []byte(`{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"` + message + `"}]}`)
}

// The messages of simplejwt for a token that failed.
const (
	msgInvalid   = "Token is invalid or expired"
	msgWrongType = "Token has wrong type"
	msgNoExp     = "Token has no 'exp' claim"
	msgNoID      = "Token has no id"
	msgNoType    = "Token has no type"
	msgRevoked   = "Token is blacklisted"
)

var (
	bodyInvalid   = tokenBody(msgInvalid)
	bodyWrongType = tokenBody(msgWrongType)
	bodyNoExp     = tokenBody(msgNoExp)
	bodyNoID      = tokenBody(msgNoID)
	bodyNoType    = tokenBody(msgNoType)
	bodyRevoked   = tokenBody(msgRevoked)
)

// StatusCode returns the HTTP status for a refusal: 403 for [ErrForbidden]
// (scope denials included) and [ErrCSRF], 404 for [ErrNotFound], 503 for
// [ErrUnavailable], 401 for everything else.
func StatusCode(err error) int {
	return classify(err).status()
}

// Challenge returns the WWW-Authenticate value of RFC 6750 §3 for a
// refusal, or "" for a plain 403, which has none. The description is a fixed
// text per kind of failure, never err's own text.
func Challenge(err error, realm string) string {
	return newChallenges(realm).of(err, classify(err))
}

// failure is a kind of refusal, each with its own status, challenge and body.
type failure uint8

const (
	failNoCredentials failure = iota
	failMalformed
	failInvalid
	failWrongType
	failNoExp
	failNoID
	failNoType
	failRevoked
	failUserNotFound
	failUserInactive
	failNoUser
	failScope
	failForbidden
	failUnavailable
	failNotFound
	failCSRFOrigin
	failCSRFNoCookie
	failCSRFMissing
	failCSRFIncorrect
	failDuplicateCookie
	failDPoPProof
	failDPoPNonce
	numFailures
)

// refusal is all the table knows of one kind of failure: the Guard's
// answer (status, challenge, body), the token endpoints' body, and the
// stable kind and fixed message that RefusalKind and RefusalMessage give
// entry points that cannot carry the HTTP answer.
type refusal struct {
	status  int
	kind    string // a Kind constant
	message string // the fixed text a client may be shown, never an error's own
	body    []byte // the Guard's JSON body
	// bearer: a 401's Bearer challenge, its params after the realm ("" for
	// the bare challenge); a 403, 404 or 503 has none.
	bearer bool
	params string
	// endpoint: the token endpoints' body for a failed token operation
	// (simplejwt's views', shorter than its authentication's); nil: a
	// token's other failure is answered as an invalid one, and a failure
	// that is not a token's with 500.
	endpoint []byte
}

// invalidToken is the challenge params of a token refused with msg.
func invalidToken(msg string) string {
	return `, error="invalid_token", error_description="` + msg + `"`
}

// refusals is the one table from a kind of failure to every answer of it.
var refusals = [numFailures]refusal{
	failNoCredentials: {status: http.StatusUnauthorized, kind: KindNoCredentials, message: "Authentication credentials were not provided.",
		body: bodyNoCredentials, bearer: true},
	failMalformed: {status: http.StatusUnauthorized, kind: KindMalformed, message: "Authorization header must contain two space-delimited values",
		body: bodyMalformed, bearer: true, params: `, error="invalid_request", error_description="Malformed credentials"`},
	failDuplicateCookie: {status: http.StatusUnauthorized, kind: KindDuplicateCookie, message: "Request must carry one token cookie, not two of the same name",
		body:   []byte(`{"detail":"Request must carry one token cookie, not two of the same name","code":"bad_cookie"}`),
		bearer: true, params: `, error="invalid_request", error_description="Two token cookies of the same name"`},
	failInvalid: {status: http.StatusUnauthorized, kind: KindTokenInvalid, message: msgInvalid,
		body: bodyInvalid, bearer: true, params: invalidToken(msgInvalid), endpoint: endpointTokenBody(msgInvalid)},
	failWrongType: {status: http.StatusUnauthorized, kind: KindTokenWrongType, message: msgWrongType,
		body: bodyWrongType, bearer: true, params: invalidToken(msgWrongType), endpoint: endpointTokenBody(msgWrongType)},
	failNoExp: {status: http.StatusUnauthorized, kind: KindTokenNoExp, message: msgNoExp,
		body: bodyNoExp, bearer: true, params: invalidToken(msgNoExp)},
	failNoID: {status: http.StatusUnauthorized, kind: KindTokenNoID, message: msgNoID,
		body: bodyNoID, bearer: true, params: invalidToken(msgNoID), endpoint: endpointTokenBody(msgNoID)},
	failNoType: {status: http.StatusUnauthorized, kind: KindTokenNoType, message: msgNoType,
		body: bodyNoType, bearer: true, params: invalidToken(msgNoType), endpoint: endpointTokenBody(msgNoType)},
	failRevoked: {status: http.StatusUnauthorized, kind: KindTokenRevoked, message: msgRevoked,
		body: bodyRevoked, bearer: true, params: invalidToken(msgRevoked), endpoint: endpointTokenBody(msgRevoked)},
	failUserNotFound: {status: http.StatusUnauthorized, kind: KindUserNotFound, message: "User not found",
		body: bodyUserNotFound, bearer: true, params: invalidToken("User not found"), endpoint: bodyNoActiveAccount},
	failUserInactive: {status: http.StatusUnauthorized, kind: KindUserInactive, message: "User is inactive",
		body: bodyUserInactive, bearer: true, params: invalidToken("User is inactive"), endpoint: bodyNoActiveAccount},
	failNoUser: {status: http.StatusUnauthorized, kind: KindNoUserID, message: "Token contained no recognizable user identification",
		body: bodyNoUser, bearer: true, params: invalidToken("Token contained no recognizable user identification")},
	failScope: {status: http.StatusForbidden, kind: KindScope, message: "You do not have permission to perform this action.",
		body: bodyScope, bearer: true, params: `, error="insufficient_scope", error_description="The token lacks a required scope"`},
	failForbidden: {status: http.StatusForbidden, kind: KindForbidden, message: "You do not have permission to perform this action.",
		body: bodyForbidden},
	failUnavailable: {status: http.StatusServiceUnavailable, kind: KindUnavailable, message: "Service temporarily unavailable, try again later.",
		body: bodyUnavailable},
	failNotFound: {status: http.StatusNotFound, kind: KindNotFound, message: "Not found.", body: bodyNotFound},
	failCSRFOrigin: {status: http.StatusForbidden, kind: KindCSRF, message: "CSRF Failed: " + errCSRFOrigin.(*csrfError).reason,
		body: csrfBody(errCSRFOrigin)},
	failCSRFNoCookie: {status: http.StatusForbidden, kind: KindCSRF, message: "CSRF Failed: " + errCSRFNoCookie.(*csrfError).reason,
		body: csrfBody(errCSRFNoCookie)},
	failCSRFMissing: {status: http.StatusForbidden, kind: KindCSRF, message: "CSRF Failed: " + errCSRFMissing.(*csrfError).reason,
		body: csrfBody(errCSRFMissing)},
	failCSRFIncorrect: {status: http.StatusForbidden, kind: KindCSRF, message: "CSRF Failed: " + errCSRFIncorrect.(*csrfError).reason,
		body: csrfBody(errCSRFIncorrect)},
	// The DPoP challenge, a Challenger's, says what failed.
	failDPoPProof: {status: http.StatusUnauthorized, kind: KindDPoPProof, message: "Invalid DPoP proof",
		body: []byte(`{"detail":"Invalid DPoP proof","code":"invalid_dpop_proof"}`), bearer: true},
	failDPoPNonce: {status: http.StatusUnauthorized, kind: KindDPoPNonce, message: "Resource server requires nonce in DPoP proof",
		body: []byte(`{"detail":"Resource server requires nonce in DPoP proof","code":"use_dpop_nonce"}`), bearer: true},
}

var bodyNoActiveAccount = []byte(`{"detail":"No active account found for the given token.","code":"no_active_account"}`)

func endpointTokenBody(message string) []byte {
	return []byte(`{"detail":"` + message + `","code":"token_not_valid"}`)
}

// csrfBody is DRF's answer to a failed CSRF check, with a code of its own.
func csrfBody(err error) []byte {
	return []byte(`{"detail":"CSRF Failed: ` + err.(*csrfError).reason + `","code":"csrf_failed"}`)
}

func classify(err error) failure {
	if err == ErrNoCredentials { // the commonest refusal, without the walk below
		return failNoCredentials
	}
	switch {
	case errors.Is(err, ErrUnavailable):
		return failUnavailable
	case errors.Is(err, ErrCSRF):
		switch {
		case errors.Is(err, errCSRFOrigin):
			return failCSRFOrigin
		case errors.Is(err, errCSRFNoCookie):
			return failCSRFNoCookie
		case errors.Is(err, errCSRFMissing):
			return failCSRFMissing
		}
		return failCSRFIncorrect
	case errors.Is(err, ErrDPoPNonce):
		return failDPoPNonce
	case errors.Is(err, ErrDPoPProof):
		return failDPoPProof
	case errors.Is(err, ErrNotFound):
		return failNotFound
	case errors.Is(err, ErrNoCredentials):
		return failNoCredentials
	case errors.Is(err, errDuplicateCookie):
		return failDuplicateCookie
	case errors.Is(err, ErrMalformedCredentials):
		return failMalformed
	case errors.Is(err, ErrInsufficientScope):
		return failScope
	case errors.Is(err, ErrForbidden):
		return failForbidden
	case errors.Is(err, ErrTokenRevoked):
		return failRevoked
	case errors.Is(err, ErrUserNotFound):
		return failUserNotFound
	case errors.Is(err, ErrUserInactive):
		return failUserInactive
	case errors.Is(err, ErrNoUserID):
		return failNoUser
	case errors.Is(err, errKindNoID):
		return failNoID
	case errors.Is(err, errKindNoType):
		return failNoType
	case errors.Is(err, ErrTokenWrongType):
		return failWrongType
	case errors.Is(err, ErrTokenRequiredClaimMissing):
		return failNoExp
	}
	return failInvalid
}

func (f failure) status() int { return refusals[f].status }

// challenges holds a realm's WWW-Authenticate values, built once, as
// header value slices the default handler shares between responses.
type challenges [numFailures][]string

func newChallenges(realm string) *challenges {
	base := `Bearer realm="` + quoteRealm(realm) + `"`
	var c challenges
	for f, r := range refusals {
		if r.bearer {
			c[f] = []string{base + r.params}
		}
	}
	return &c
}

// of returns the challenge for err, of kind f, "" for none. Scope denials
// name the scopes the policy asks for.
func (c *challenges) of(err error, f failure) string {
	if c[f] == nil {
		return ""
	}
	var scopeErr *ScopeError
	if f == failScope && errors.As(err, &scopeErr) {
		if scope := strings.Join(scopeErr.Scopes, " "); validScope(scope) {
			return c[f][0] + `, scope="` + scope + `"`
		}
	}
	return c[f][0]
}

// header is of as a header value. Appending to a shared slice copies it.
func (c *challenges) header(err error, f failure) []string {
	if f == failScope {
		return []string{c.of(err, f)}
	}
	return c[f][:len(c[f]):len(c[f])]
}

var (
	contentTypeJSON = []string{"application/json"}
	cacheNoStore    = []string{"no-store"}
	// retryUnavailable is the Retry-After of a 503, in seconds: a store
	// that failed or ran out of time may answer the next request, and every
	// call to it is bounded, so an early retry costs little.
	retryUnavailable = []string{"1"}
)

// refusalHeaderOf returns the header a refusal asks to be answered with
// (the DPoP-Nonce of "use_dpop_nonce"), or "" for none.
func refusalHeaderOf(err error) (name, value string) {
	var h interface{ refusalHeader() (string, string) }
	if errors.As(err, &h) {
		return h.refusalHeader()
	}
	return "", ""
}

// writeError is the default ErrorHandler's work.
func writeError(w http.ResponseWriter, status int, challenge []string, body []byte) {
	h := w.Header()
	if len(challenge) > 0 {
		h["Www-Authenticate"] = challenge
	}
	// Shared, capacity-bound slices: appending to them copies.
	h["Content-Type"] = contentTypeJSON[:1:1]
	h["Cache-Control"] = cacheNoStore[:1:1]
	if status == http.StatusServiceUnavailable {
		h["Retry-After"] = retryUnavailable[:1:1]
	}
	w.WriteHeader(status)
	w.Write(body)
}

// quoteRealm keeps a realm within RFC 7230's quoted-string, dropping
// quotes, backslashes and control characters.
func quoteRealm(realm string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, realm)
}

// validScope checks RFC 6750 §3's scope syntax: scope-tokens of %x21,
// %x23-5B and %x5D-7E, separated by single spaces.
func validScope(scope string) bool {
	if scope == "" {
		return false
	}
	for _, tok := range strings.Split(scope, " ") {
		if tok == "" {
			return false
		}
		for i := 0; i < len(tok); i++ {
			if c := tok[i]; c < 0x21 || c == '"' || c == '\\' || c > 0x7e {
				return false
			}
		}
	}
	return true
}
