// Package drfjwt is the djangorestframework-jwt profile of jwtguard: a Go
// service answers the clients of a Django API built on
// djangorestframework-jwt (rest_framework_jwt, 1.11) unchanged, on the same
// Guard, policies and throttles as the simplejwt profile.
//
// # The old library's contract
//
// One token is the access token and the refresh credential both:
//
//	POST obtain  {"username","password"} -> {"token": T}
//	POST refresh {"token": T}            -> {"token": T2}  (orig_iat kept; within the window)
//	POST verify  {"token": T}            -> {"token": T}
//	GET  /any/   Authorization: JWT T
//
// T's claims are user_id, username, exp, email and orig_iat, in that order
// ([Profile.IssueToken]), under the header {"typ":"JWT","alg":"HS256"},
// signed with the shared secret: a token minted here from the same claims
// is byte for byte the one the old library minted. A refresh re-reads the
// account ([Accounts.Lookup]), sets exp to now plus the lifetime and keeps
// orig_iat, while now is at most orig_iat plus the refresh window
// ([WithRefreshWindow], seven days by default); an expired token cannot be
// refreshed. The views read JSON, form-encoded and multipart bodies and
// answer DRF's field errors, {"non_field_errors": […]} with 400 and the
// old messages ("Signature has expired.", "Error decoding signature.",
// "Refresh has expired.", "orig_iat field is required.", …).
//
// The Guard ([Profile.Guard]) reads "Authorization: JWT <token>" (the
// prefix configurable with [WithPrefix], matched without regard to ASCII
// case), looks the account up by the token's username claim, as the old
// JSONWebTokenAuthentication did, and hands it to handlers as
// jwtguard.UserFromRequest[drfjwt.User]. Its refusals are 401 with
// WWW-Authenticate: JWT realm="api" and {"detail": …}, without simplejwt's
// "code".
//
// # Where the profile is stricter than the old library
//
// Each of these is a request the old library answered in a way that was
// unsafe or broken; the profile fails closed instead:
//
//   - A token without exp is refused (401 "Incorrect authentication
//     credentials."): the old library accepted it, forever.
//   - alg "none", another HMAC algorithm than the key's (HS384, HS512),
//     a future nbf, and an aud claim are 401 "Incorrect authentication
//     credentials." on the refresh and verify views too: the old views
//     let PyJWT's exception escape, a 500 with Django's error page.
//   - Any aud is refused, whatever PyJWT version: PyJWT 2 accepted an
//     empty one.
//   - A token with a token_type claim is refused (401 "Incorrect
//     authentication credentials." at the Guard, 400 "Error decoding
//     signature." at the token views, an error from [Profile.Decode]): the
//     old library never wrote one, and every token of simplejwt's kind
//     (access, refresh, sliding) and jwtguard's single-purpose tokens
//     (activation links, password resets) carry one, so where both kinds
//     share the secret (a migration) none of them passes as an old token,
//     whatever username claim it has. (The Guard reads the username first:
//     a typed token without one is "Invalid payload.") A jti or sid is not
//     refused: the old library never wrote them, but a project's own
//     JWT_PAYLOAD_HANDLER may have, and token_type alone marks simplejwt's
//     tokens.
//   - An iat in the future is refused, as PyJWT 2 refuses it (PyJWT 1.x,
//     which the old library pinned, did not check iat).
//   - orig_iat must be an integer; anything else is "orig_iat field is
//     required." (a string there was a 500).
//   - A token is refused when it is larger than the verifier's size cap
//     (8 KiB), and a body larger than [WithMaxBodySize] is a 413.
//   - An account that cannot be looked up (a database down) is a 503 with
//     Retry-After, never a 500 or an anonymous request.
//   - A request without the trailing slash is redirected with 307, which
//     keeps the POST, where Django's APPEND_SLASH answered 301.
//   - A 200 that carries tokens (obtain, refresh, verify, an exchange's
//     pair) has Cache-Control: no-store, which the old library did not
//     send: a token must not be kept by a cache. The profile's other
//     answers have none, as the old library's; every one has DRF's
//     Vary: Accept.
//   - An unknown path answers what the application's mux answers: Go's
//     http.ServeMux a text/plain 404 "404 page not found", where Django
//     answered its HTML 404 page (the contract's case 80).
//
// Kept as the old library did, because clients depend on it: the account
// is looked up by username only (user_id and email are not compared), a
// token stays valid until its exp after a refresh (no rotation, no
// revocation), iss is ignored, and wrong credentials, unknown users and
// inactive accounts get one answer at sign-in.
//
// # Migrating to simplejwt-style tokens
//
// A service moving to the simplejwt profile ([jwtguard.Issuer],
// [jwtguard.Endpoints]) accepts both for a while: [Profile.Exchange]
// trades an old token, inside its refresh window, for a pair of the new
// kind, once per sign-in (a copy refreshed at the old view shares its
// orig_iat and is not exchanged again); [Either] lets the old Guard authenticate old tokens and the
// new Guard everything else.
package drfjwt
