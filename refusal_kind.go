package jwtguard

// The kinds of refusal, as [RefusalKind] names them. They are stable: a
// client or a dashboard may match them. Entry points that cannot carry the
// HTTP answer (gRPC status details and trailers, for one) carry the kind.
const (
	KindNoCredentials   = "no_credentials"        // 401: no token where one is required
	KindMalformed       = "malformed_credentials" // 401: credentials that cannot be read
	KindTokenInvalid    = "token_invalid"         // 401: signature, dates, key, algorithm, issuer, audience, form
	KindTokenWrongType  = "token_wrong_type"      // 401: typ or token_type is not the expected one
	KindTokenNoExp      = "token_no_exp"          // 401: a required claim (exp) is missing
	KindTokenNoID       = "token_no_id"           // 401: simplejwt's profile: the token has no jti
	KindTokenNoType     = "token_no_type"         // 401: simplejwt's profile: the token has no token_type
	KindDuplicateCookie = "duplicate_cookie"      // 401: two token cookies of the same name
	KindNotFound        = "not_found"             // 404: an object policy wrapped in Hidden said no
	KindTokenRevoked    = "token_revoked"         // 401: revoked by logout, reuse or subject
	KindUserNotFound    = "user_not_found"        // 401: the user check found no such user
	KindUserInactive    = "user_inactive"         // 401: the user check found the user inactive
	KindNoUserID        = "no_user_id"            // 401: the token names no user to check
	KindScope           = "insufficient_scope"    // 403: a scope policy said no
	KindForbidden       = "forbidden"             // 403: another policy said no
	KindUnavailable     = "unavailable"           // 503: a store or user lookup could not answer
	KindCSRF            = "csrf_failed"           // 403: a cookie's token failed the CSRF check
	KindDPoPProof       = "dpop_invalid"          // 401: a DPoP proof was missing or refused
	KindDPoPNonce       = "dpop_nonce"            // 401: the DPoP proof lacks the server's current nonce
)

// RefusalKind returns the kind of a refusal that [Guard.Authenticate] or
// [Guard.Authorize] returned: one of the Kind constants. It sorts errors as
// [StatusCode] does; an error it does not know is [KindTokenInvalid].
func RefusalKind(err error) string { return refusals[classify(err)].kind }

// RefusalMessage returns the fixed text a client may be shown for a
// refusal: the message of the default JSON body (simplejwt's, for a bad
// token), never err's own text, which may hold internal detail.
func RefusalMessage(err error) string { return refusals[classify(err)].message }
