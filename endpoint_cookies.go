package jwtguard

import (
	"log/slog"
	"net/http"
)

// errCookieMalformed: two cookies of one token's name, as cookie tossing
// from a sibling domain leaves them.
var errCookieMalformed = invalid("two cookies of the same name", ErrTokenMalformed)

// refreshToken returns the refresh token of a refresh request: the body's
// "refresh", or in cookie mode, when the body has none, the refresh cookie
// once the request passes the CSRF check. On failure it answers and
// reports false.
func (e *Endpoints) refreshToken(w http.ResponseWriter, r *http.Request) (string, bool) {
	if e.cookies == nil {
		v, ok := e.form(w, r, fieldRefresh)
		if !ok {
			return "", false
		}
		return v[0], true
	}
	v, ok := e.form(w, r, fieldRefreshOrCookie)
	if !ok {
		return "", false
	}
	if v[0] != "" {
		return v[0], true
	}
	raw, err := FromCookie(e.cookies.refresh.name).Extract(r)
	switch {
	case err != nil:
		e.fail(w, r, errCookieMalformed)
		return "", false
	case raw == "":
		e.write(w, http.StatusBadRequest, append(append([]byte{'{'}, appendFieldError(nil, fieldRefresh.name, "This field is required.")...), '}'))
		return "", false
	}
	if !e.csrfPassed(w, r) {
		return "", false
	}
	return raw, true
}

// cookieLogout is the blacklist endpoint in cookie mode. A refresh token
// in the body is logged out as without cookies, and the cookies are left
// alone: they may belong to another session. Otherwise it revokes the
// session of the refresh cookie, else of the access cookie (when the
// refresh cookie's path keeps it from this endpoint), after the CSRF
// check, and clears the cookies whatever the tokens' state, so that a
// browser is signed out even when its tokens had expired. A request with
// no token at all is answered 200 {}: signing out twice is not an error.
// A token bound to a DPoP key is revoked only with the request's proof by
// that key (the cookies are cleared all the same).
func (e *Endpoints) cookieLogout(w http.ResponseWriter, r *http.Request) {
	v, ok := e.form(w, r, fieldRefreshOrCookie)
	if !ok {
		return
	}
	if v[0] != "" {
		e.logout(w, r, v[0])
		return
	}
	refresh, errR := FromCookie(e.cookies.refresh.name).Extract(r)
	access, errA := FromCookie(e.cookies.access.name).Extract(r)
	if errR != nil || errA != nil {
		e.cookies.clear(w)
		e.fail(w, r, errCookieMalformed)
		return
	}
	if (refresh != "" || access != "") && !e.csrfPassed(w, r) {
		return
	}
	proof, ok := e.dpopProof(w, r)
	if !ok {
		return
	}
	e.cookies.clear(w)
	var err error
	switch ctx, jkt := r.Context(), proof.thumbprint(); {
	case refresh != "":
		err = e.issuer.logoutBound(ctx, refresh, jkt, e.spendOnce(w, r, proof))
	case access != "":
		var t *Token
		if t, err = e.issuer.Verify(ctx, access); err == nil {
			err = checkBinding(t, jkt)
		}
		if spend := e.spendOnce(w, r, proof); err == nil && spend != nil {
			err = spend()
		}
		if err == nil {
			err = e.issuer.EndSession(ctx, t)
		}
	}
	if err != nil {
		e.proofFailed(w, r, err)
		return
	}
	e.write(w, http.StatusOK, bodyEmpty)
}

// csrfPassed runs the cookie mode's CSRF check on a request that
// authenticates with a cookie; on failure it answers 403 and reports false.
func (e *Endpoints) csrfPassed(w http.ResponseWriter, r *http.Request) bool {
	if err := e.cookies.csrf.Check(r); err != nil {
		e.log.LogAttrs(r.Context(), slog.LevelInfo, "jwtguard: CSRF check failed",
			slog.String("path", (*PathRedactor)(nil).Redact(r.URL.Path)), slog.String("error", err.Error()))
		e.write(w, http.StatusForbidden, refusals[classify(err)].body)
		return false
	}
	return true
}

// writePair answers a sign-in or refresh with body, or with {} in cookie
// mode unless the tokens also go in the body.
func (e *Endpoints) writePair(w http.ResponseWriter, body []byte) {
	if e.cookies != nil && !e.cookies.body {
		body = bodyEmpty
	}
	e.write(w, http.StatusOK, body)
}
