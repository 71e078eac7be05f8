package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/jwtguard/jwtguard"
)

// activationType is the token_type of activation links: unlike the
// tutorial's (an ordinary access token), they never work as access tokens,
// and access tokens never activate.
const activationType = "activation"

// activationPaths is where activation tokens travel: redacted in every
// log line (the tokens are JWTs, which the default rule hides anyway; the
// pattern also covers a truncated or mangled one).
const activationPaths = "/api-activate/*/"

// activationLifetime is how long an activation link works, as the
// tutorial's five-minute access token.
const activationLifetime = 5 * time.Minute

type registration struct {
	Username        string `json:"username"`
	Email           string `json:"email"`
	ConfirmationURL string `json:"confirmation_url"`
}

// Registrations per client address: each costs a password hash and a row.
const (
	registerRate = 20
	registerPer  = time.Hour
)

// hashWait is how long a sign-in or a registration waits for a hashing
// slot before it is answered 503.
const hashWait = time.Second

// register creates an inactive user and answers with the activation link.
// A client past its registrations gets 429, and every request while all
// hashing slots stay busy 503, both with Retry-After.
func (a *app) register(w http.ResponseWriter, r *http.Request) {
	fields, ok := a.registrationBody(w, r)
	if !ok {
		return
	}
	errs := fieldErrors{}
	username := errs.field(fields, "username", 150)
	email := errs.optionalField(fields, "email", 254)
	password := errs.password(fields)
	if len(errs) == 0 {
		u, ok := a.createInactive(w, r, username, password, email, &errs)
		switch {
		case !ok:
			return
		case u != nil:
			tok, _, err := a.issuer.IssueToken(r.Context(), activationType, strconv.FormatInt(u.ID, 10), activationLifetime)
			if err != nil {
				a.serverError(w, r, err)
				return
			}
			writeJSON(w, http.StatusCreated, registration{Username: username, Email: email,
				ConfirmationURL: a.origin(r) + "/api-activate/" + tok + "/"})
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	w.Write(errs.json())
}

// field reads a required CharField of at most max characters; a refusal
// goes into e.
func (e *fieldErrors) field(fields map[string]json.RawMessage, name string, max int) string {
	raw, present := fields[name]
	v, msg := charField(raw, present, max)
	if msg != "" {
		e.add(name, msg)
	}
	return v
}

// optionalField reads a CharField that may be absent or blank ("").
func (e *fieldErrors) optionalField(fields map[string]json.RawMessage, name string, max int) string {
	if raw, present := fields[name]; present && string(raw) != `""` {
		return e.field(fields, name, max)
	}
	return ""
}

// password reads the password, checked against Django's rules.
func (e *fieldErrors) password(fields map[string]json.RawMessage) string {
	raw, present := fields["password"]
	password, msg := charField(raw, present, 128)
	if msg != "" {
		e.add("password", msg)
		return ""
	}
	for _, msg := range passwordProblems(password) {
		e.add("password", msg)
	}
	return password
}

// registrationBody reads a registration's body, once the client is
// within its registrations; ok is false after it has answered.
func (a *app) registrationBody(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, bool) {
	if !a.registrationAllowed(w, r) {
		return nil, false
	}
	return readBody(w, r)
}

// registrationAllowed answers 429 with Retry-After, and reports false, when
// the client is past its registrations.
func (a *app) registrationAllowed(w http.ResponseWriter, r *http.Request) bool {
	wait, ok := a.registrations.AllowClient(r)
	if !ok {
		secs := max(int64((wait+time.Second-1)/time.Second), 1)
		unit := " seconds."
		if secs == 1 {
			unit = " second."
		}
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
		writeJSON(w, http.StatusTooManyRequests, detail("Request was throttled. Expected available in "+strconv.FormatInt(secs, 10)+unit))
	}
	return ok
}

// createInactive creates an inactive user with an email address. A taken
// username is a field error in errs (nil user, true); a failure is
// answered (false).
func (a *app) createInactive(w http.ResponseWriter, r *http.Request, username, password, email string, errs *fieldErrors) (*user, bool) {
	u, err := a.users.create(r.Context(), username, password, false)
	switch {
	case errors.Is(err, errDuplicate):
		errs.add("username", "A user with that username already exists.")
		return nil, true
	case errors.Is(err, errDjangoUsers):
		writeJSON(w, http.StatusForbidden, detail("Sign up at the Django site."))
		return nil, false
	case errors.Is(err, errHashBusy):
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, detail("Service temporarily unavailable, try again later."))
		return nil, false
	case err != nil:
		a.unavailable(w, r, err)
		return nil, false
	}
	if email != "" {
		if _, err := a.db.ExecContext(r.Context(), a.db.q(`UPDATE tasks_user SET email = ? WHERE id = ?`), email, u.ID); err != nil {
			a.unavailable(w, r, err)
			return nil, false
		}
		u.Email = email
	}
	return u, true
}

// activateUser activates the user of a valid activation link. A link
// works once (spent in the store, on every instance sharing it): used
// again, it answers as the first time while the account is active, and
// never activates an account that was deactivated since. The user check's
// cache learns of the activation at once.
func (a *app) activateUser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	raw := r.PathValue("token")
	tok, err := a.issuer.RedeemToken(ctx, activationType, raw)
	var id int64
	var dbErr error // the database's answer: errNoRow is a bad link, anything else a 503
	switch {
	case errors.Is(err, jwtguard.ErrTokenExpired):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Activation Expired"})
		return
	case errors.Is(err, jwtguard.ErrUnavailable):
		a.unavailable(w, r, err)
		return
	case errors.Is(err, jwtguard.ErrTokenSpent):
		// A second click: the same answer while the account is active.
		if tok, err = a.activate.Verify(ctx, raw); err == nil {
			if id, err = parseID(tok.Subject()); err == nil {
				var u *user
				if u, dbErr = a.db.userByID(ctx, id); dbErr == nil && !u.Active {
					dbErr = errNoRow
				}
			}
		}
	case err == nil:
		if id, err = parseID(tok.Subject()); err == nil {
			if dbErr = a.db.activate(ctx, id); dbErr == nil {
				a.issuer.UserChanged(tok.Subject())
			}
		}
	}
	if dbErr != nil && !errors.Is(dbErr, errNoRow) {
		a.unavailable(w, r, dbErr)
		return
	}
	if err != nil || dbErr != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Invalid token"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"email": "Successfully activated"})
}

// origin is the scheme and host the client used: https when the request
// came over TLS, or through a trusted proxy that says so.
func (a *app) origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	} else if peer := jwtguard.ClientAddr(&http.Request{RemoteAddr: r.RemoteAddr}); peer.IsValid() {
		for _, p := range a.trusted {
			if p.Contains(peer) && r.Header.Get("X-Forwarded-Proto") == "https" {
				scheme = "https"
			}
		}
	}
	return scheme + "://" + r.Host
}

// userSink lets the access log learn who a request was from.
type userSinkKey struct{}

func withUserSink(ctx context.Context, user *string) context.Context {
	return context.WithValue(ctx, userSinkKey{}, user)
}

func setUser(r *http.Request, id string) {
	if p, ok := r.Context().Value(userSinkKey{}).(*string); ok {
		*p = id
	}
}
