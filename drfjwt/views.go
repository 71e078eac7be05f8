package drfjwt

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/jwtguard/jwtguard"
)

// The token views: obtain_jwt_token, refresh_jwt_token and
// verify_jwt_token. They authenticate nobody (an Authorization header is
// ignored, as the old views had no authentication classes), read JSON,
// form-encoded and multipart bodies as DRF's serializers did, and answer
// {"token": …} or DRF's 400 field errors, byte for byte.

var (
	fieldUsername = jwtguard.FormField{Name: "username", Trim: true}
	fieldPassword = jwtguard.FormField{Name: "password", Trim: true} // the old PasswordField trimmed
	fieldToken    = jwtguard.FormField{Name: "token", Trim: true}
)

var bodyBadCredentials = nonFieldErrors("Unable to log in with provided credentials.")

// Obtain is obtain_jwt_token: {"username", "password"} in, {"token": …}
// out. Wrong credentials, an unknown user and an inactive account get the
// same answer, 400 "Unable to log in with provided credentials.", as
// Django's ModelBackend gave them.
func (p *Profile) Obtain() http.Handler {
	return p.view("Obtain JSON Web Token", func(w http.ResponseWriter, r *http.Request) {
		if p.cfg.throttle != nil {
			if wait, ok := p.cfg.throttle.AllowClient(r); !ok {
				throttled(w, wait)
				return
			}
		}
		v, ok := p.form(w, r, fieldUsername, fieldPassword)
		if !ok {
			return
		}
		var attempt *jwtguard.SignInAttempt
		if p.cfg.throttle != nil {
			var wait time.Duration
			if attempt, wait, ok = p.cfg.throttle.StartSignIn(r, v[0]); !ok {
				throttled(w, wait)
				return
			}
		}
		ctx, cancel := context.WithTimeout(r.Context(), jwtguard.DefaultStoreTimeout)
		defer cancel()
		u, err := p.accounts.Authenticate(ctx, v[0], v[1])
		switch {
		case errors.Is(err, jwtguard.ErrInvalidCredentials) || err == nil && !u.Active:
			writeJSON(w, http.StatusBadRequest, bodyBadCredentials) // the failure stays counted
			return
		case err != nil:
			if attempt != nil {
				attempt.NotCounted()
			}
			p.viewFail(w, r, errors.Join(jwtguard.ErrUnavailable, err))
			return
		}
		if attempt != nil {
			attempt.Succeeded()
		}
		tok, err := p.IssueToken(u)
		p.writeToken(w, r, tok, err)
	})
}

// Refresh is refresh_jwt_token: {"token": …} in, a new {"token": …} out,
// while the token is unexpired and its orig_iat plus the refresh window
// is not past ([Profile.RefreshToken]).
func (p *Profile) Refresh() http.Handler {
	return p.view("Refresh JSON Web Token", func(w http.ResponseWriter, r *http.Request) {
		if v, ok := p.form(w, r, fieldToken); ok {
			tok, err := p.RefreshToken(r.Context(), v[0])
			p.writeToken(w, r, tok, err)
		}
	})
}

// Verify is verify_jwt_token: {"token": …} in and, when it decodes and
// names an active account, the same {"token": …} out.
func (p *Profile) Verify() http.Handler {
	return p.view("Verify JSON Web Token", func(w http.ResponseWriter, r *http.Request) {
		v, ok := p.form(w, r, fieldToken)
		if !ok {
			return
		}
		_, _, err := p.VerifyToken(r.Context(), v[0])
		p.writeToken(w, r, v[0], err)
	})
}

// view answers OPTIONS, refuses methods other than POST with 405, and
// sets the headers of DRF's APIView.
func (p *Profile) view(name string, post http.HandlerFunc) http.Handler {
	options := []byte(`{"name":` + string(jsonString(name)) + `,"description":"","renders":["application/json"],` +
		`"parses":["application/json","application/x-www-form-urlencoded","multipart/form-data"]}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Allow", "POST, OPTIONS")
		switch r.Method {
		case http.MethodPost:
			post(w, r)
		case http.MethodOptions:
			writeJSON(w, http.StatusOK, options)
		default:
			writeJSON(w, http.StatusMethodNotAllowed, detail(`Method "`+r.Method+`" not allowed.`))
		}
	})
}

func (p *Profile) form(w http.ResponseWriter, r *http.Request, fields ...jwtguard.FormField) ([]string, bool) {
	v, err := jwtguard.ReadForm(r, p.cfg.maxBody, fields...)
	var fe *jwtguard.FormError
	switch {
	case errors.As(err, &fe):
		writeJSON(w, fe.Status, fe.Body)
		return nil, false
	case err != nil:
		writeJSON(w, http.StatusBadRequest, detail("Malformed request."))
		return nil, false
	}
	return v, true
}

// writeToken answers {"token": tok}, or the refusal err.
func (p *Profile) writeToken(w http.ResponseWriter, r *http.Request, tok string, err error) {
	if err != nil {
		p.viewFail(w, r, err)
		return
	}
	writeTokens(w, append(append([]byte(`{"token":`), jsonString(tok)...), '}'))
}

// viewFail answers a token view's refusal: the serializer's 400, or 401
// for what the old views did not catch, or 503.
func (p *Profile) viewFail(w http.ResponseWriter, r *http.Request, err error) {
	f := classify(err)
	if f == refUnavailable {
		p.cfg.log.LogAttrs(r.Context(), slog.LevelError, "drfjwt: accounts unavailable", slog.String("error", err.Error()))
	}
	p.answer(w, f, "", true)
}

// throttled answers 429 as DRF's throttles do.
func throttled(w http.ResponseWriter, wait time.Duration) {
	secs := max(int64((wait+time.Second-1)/time.Second), 1)
	unit := " seconds."
	if secs == 1 {
		unit = " second."
	}
	n := strconv.FormatInt(secs, 10)
	w.Header().Set("Retry-After", n)
	writeJSON(w, http.StatusTooManyRequests, detail("Request was throttled. Expected available in "+n+unit))
}

// Guard returns a [jwtguard.Guard] that authenticates as
// JSONWebTokenAuthentication did: the profile's [Profile.Extractor],
// [Profile.Verifier] and [Profile.WriteError]. opts come after these
// (a logger, log redaction); an extractor or error handler among them
// replaces the profile's.
func (p *Profile) Guard(opts ...jwtguard.GuardOption) (*jwtguard.Guard, error) {
	return jwtguard.NewGuard(p.guarded, append([]jwtguard.GuardOption{
		jwtguard.WithExtractor(p.Extractor()),
		jwtguard.WithErrorHandler(p.WriteError),
	}, opts...)...)
}
