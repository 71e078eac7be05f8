package drfjwt

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/jwtguard/jwtguard"
)

// One table from a refusal to the old library's answer. The
// authentication class answered 401 {"detail": M} with WWW-Authenticate;
// the token views 400 {"non_field_errors": [M]} without it. Refusals the
// old library did not catch (an unexpected algorithm, a future nbf, an
// audience: 500 there) and the ones it never made (a missing exp) are a
// 401 "Incorrect authentication credentials." on both; a simplejwt token
// (a token_type claim) is that at the Guard and "Error decoding
// signature." at the token views.

// refusal is a kind of answer.
type refusal uint8

const (
	refNoCredentials refusal = iota
	refPrefixOnly
	refSpaces
	refExpired
	refDecode
	refIncorrect
	refTyped
	refPayload
	refNoUser
	refInactive
	refRefreshExpired
	refNoOrigIAT
	refForbidden
	refNotFound
	refUnavailable
	numRefusals
)

// messages are the old library's texts, [authentication class, token view]
// where they differ.
var messages = [numRefusals][2]string{
	refNoCredentials:  {"Authentication credentials were not provided.", ""},
	refPrefixOnly:     {"Invalid Authorization header. No credentials provided.", ""},
	refSpaces:         {"Invalid Authorization header. Credentials string should not contain spaces.", ""},
	refExpired:        {"Signature has expired.", "Signature has expired."},
	refDecode:         {"Error decoding signature.", "Error decoding signature."},
	refIncorrect:      {"Incorrect authentication credentials.", ""},
	refTyped:          {"Incorrect authentication credentials.", "Error decoding signature."},
	refPayload:        {"Invalid payload.", "Invalid payload."},
	refNoUser:         {"Invalid signature.", "User doesn't exist."},
	refInactive:       {"User account is disabled.", "User account is disabled."},
	refRefreshExpired: {"", "Refresh has expired."},
	refNoOrigIAT:      {"", "orig_iat field is required."},
	refForbidden:      {"You do not have permission to perform this action.", ""},
	refNotFound:       {"Not found.", ""},
	refUnavailable:    {"Service temporarily unavailable, try again later.", ""},
}

func classify(err error) refusal {
	switch {
	case errors.Is(err, jwtguard.ErrUnavailable):
		return refUnavailable
	case errors.Is(err, jwtguard.ErrNotFound):
		return refNotFound
	case errors.Is(err, jwtguard.ErrForbidden), errors.Is(err, jwtguard.ErrCSRF):
		return refForbidden // a token that came from a cookie failed the CSRF check: 403, as DRF
	case errors.Is(err, errPrefixOnly):
		return refPrefixOnly
	case errors.Is(err, errSpaces), errors.Is(err, jwtguard.ErrMalformedCredentials):
		return refSpaces
	case errors.Is(err, jwtguard.ErrNoCredentials):
		return refNoCredentials
	case errors.Is(err, ErrRefreshExpired):
		return refRefreshExpired
	case errors.Is(err, ErrNoOrigIAT):
		return refNoOrigIAT
	case errors.Is(err, jwtguard.ErrNoUserID):
		return refPayload
	case errors.Is(err, jwtguard.ErrUserNotFound):
		return refNoUser
	case errors.Is(err, jwtguard.ErrUserInactive):
		return refInactive
	case errors.Is(err, errAudience):
		return refIncorrect // PyJWT's InvalidAudienceError
	case errors.Is(err, errTokenType):
		return refTyped // a simplejwt token: never the old library's
	case errors.Is(err, jwtguard.ErrTokenExpired):
		return refExpired
	case errors.Is(err, jwtguard.ErrTokenMalformed),
		errors.Is(err, jwtguard.ErrTokenSignatureInvalid),
		errors.Is(err, jwtguard.ErrTokenInvalidClaims):
		return refDecode // PyJWT's DecodeError: bad segments, JSON, signature, a non-numeric exp
	}
	// Another algorithm, "none", a kid-less key refused, crit, nbf or iat in
	// the future, no exp: PyJWT's other InvalidTokenErrors.
	return refIncorrect
}

// WriteError answers a request the profile's Guard refused, as
// JSONWebTokenAuthentication did: 401 {"detail": …} with
// WWW-Authenticate: <prefix> realm="api" (no "code" member, unlike
// simplejwt); 403 for a policy's denial of an authenticated request; 503
// with Retry-After when [Accounts] could not answer. It is the Guard's
// [jwtguard.ErrorHandler]. err's own text is never sent.
func (p *Profile) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	f := classify(err)
	if f == refUnavailable {
		p.cfg.log.LogAttrs(r.Context(), slog.LevelError, "drfjwt: accounts unavailable", slog.String("error", err.Error()))
	}
	p.answer(w, f, messages[f][0], false)
}

// answer writes refusal f with message msg: {"detail": msg}, or, for a
// token view's serializer error, {"non_field_errors": [msg]} with 400.
func (p *Profile) answer(w http.ResponseWriter, f refusal, msg string, view bool) {
	status := http.StatusUnauthorized
	switch f {
	case refForbidden:
		status = http.StatusForbidden
	case refNotFound:
		status = http.StatusNotFound
	case refUnavailable:
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "1")
	}
	if view && messages[f][1] != "" {
		writeJSON(w, http.StatusBadRequest, nonFieldErrors(messages[f][1]))
		return
	}
	if msg == "" {
		msg = messages[f][0]
	}
	if msg == "" { // a token view's refusal of a kind the Guard never makes
		msg = messages[refIncorrect][0]
	}
	if status == http.StatusUnauthorized {
		w.Header()["Www-Authenticate"] = p.challenge[:1:1]
	}
	writeJSON(w, status, detail(msg))
}

// detail is {"detail": msg}.
func detail(msg string) []byte {
	return append(append([]byte(`{"detail":`), jsonString(msg)...), '}')
}

// nonFieldErrors is {"non_field_errors": [msg]}.
func nonFieldErrors(msg string) []byte {
	return append(append([]byte(`{"non_field_errors":[`), jsonString(msg)...), ']', '}')
}

// jsonString is s as a JSON string.
func jsonString(s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

// writeJSON writes a JSON body as DRF's renderer did: application/json
// without a charset, and Vary: Accept, which DRF's content negotiation put
// on every answer (added to a Vary already set, as Django's
// patch_vary_headers did).
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	varyAccept(h)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(body)
}

// writeTokens writes a 200 answer that carries tokens: writeJSON's, with
// Cache-Control: no-store, which the old library did not send (a
// deviation: a token must not be kept by a cache).
func writeTokens(w http.ResponseWriter, body []byte) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, body)
}

// varyAccept adds Accept to h's Vary unless it is there already.
func varyAccept(h http.Header) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "*" || strings.EqualFold(f, "Accept") {
				return
			}
		}
	}
	h.Add("Vary", "Accept")
}
