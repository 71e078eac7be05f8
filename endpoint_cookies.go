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
// once the request passes the CSRF check (cookie is then true). On
// failure it answers and reports false.
func (e *Endpoints) refreshToken(w http.ResponseWriter, r *http.Request) (raw string, cookie, ok bool) {
	if e.cookies == nil {
		v, ok := e.form(w, r, fieldRefresh)
		if !ok {
			return "", false, false
		}
		return v[0], false, true
	}
	v, ok := e.form(w, r, fieldRefreshOrCookie)
	if !ok {
		return "", false, false
	}
	if v[0] != "" {
		return v[0], false, true
	}
	raw, err := FromCookie(e.cookies.refresh.name).Extract(r)
	switch {
	case err != nil:
		e.fail(w, r, errCookieMalformed)
		return "", false, false
	case raw == "":
		e.write(w, http.StatusBadRequest, append(append([]byte{'{'}, appendFieldError(nil, fieldRefresh.name, "This field is required.")...), '}'))
		return "", false, false
	}
	if !e.csrfPassed(w, r) {
		return "", false, false
	}
	return raw, true, true
}

// cookieLogout is the blacklist endpoint in cookie mode. It revokes the
// session of the body's refresh token, else of the refresh cookie, else
// of the access cookie (the refresh cookie's path may keep it from this
// endpoint), and clears the cookies whatever the token's state, so that a
// browser is signed out even when its tokens had expired. A request with
// no token at all is answered 200 {}: signing out twice is not an error.
func (e *Endpoints) cookieLogout(w http.ResponseWriter, r *http.Request) {
	v, ok := e.form(w, r, fieldRefreshOrCookie)
	if !ok {
		return
	}
	refresh, access := v[0], ""
	if refresh == "" {
		var errR, errA error
		refresh, errR = FromCookie(e.cookies.refresh.name).Extract(r)
		access, errA = FromCookie(e.cookies.access.name).Extract(r)
		if errR != nil || errA != nil {
			e.cookies.clear(w)
			e.fail(w, r, errCookieMalformed)
			return
		}
		if (refresh != "" || access != "") && !e.csrfPassed(w, r) {
			return
		}
	}
	e.cookies.clear(w)
	var err error
	switch ctx := r.Context(); {
	case refresh != "":
		err = e.issuer.Logout(ctx, refresh)
	case access != "":
		var t *Token
		if t, err = e.issuer.Verify(ctx, access); err == nil {
			err = e.issuer.EndSession(ctx, t)
		}
	}
	if err != nil {
		e.fail(w, r, err)
		return
	}
	e.write(w, http.StatusOK, bodyEmpty)
}

// csrfPassed runs the cookie mode's CSRF check on a request that
// authenticates with a cookie; on failure it answers 403 and reports false.
func (e *Endpoints) csrfPassed(w http.ResponseWriter, r *http.Request) bool {
	if err := e.cookies.csrf.Check(r); err != nil {
		e.log.LogAttrs(r.Context(), slog.LevelInfo, "jwtguard: CSRF check failed",
			slog.String("path", r.URL.Path), slog.String("error", err.Error()))
		e.write(w, http.StatusForbidden, failureBodies[classify(err)])
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
