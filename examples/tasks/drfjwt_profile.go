package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/drfjwt"
)

// The seed's app on djangorestframework-jwt: its token views (the
// tutorial's paths and the library's aliases), JWT_EXPIRATION_DELTA of one
// hour, JWT_REFRESH_EXPIRATION_DELTA of seven days, and its register and
// activate views, whose confirmation link is an ordinary login token (so
// it activates only an account that was never active).

const (
	profileSimpleJWT = "simplejwt"
	profileDRFJWT    = "drf-jwt"

	// The seed's JWT_AUTH settings.
	drfExpiration    = time.Hour
	drfRefreshWindow = 7 * 24 * time.Hour
)

// checkProfile refuses a profile it does not know, and what the drf-jwt
// profile does not serve.
func (c *config) checkProfile() error {
	switch c.profile {
	case profileSimpleJWT:
		return nil
	case profileDRFJWT:
	default:
		return fmt.Errorf("-profile %q: want %s or %s", c.profile, profileSimpleJWT, profileDRFJWT)
	}
	switch {
	case c.cookies:
		return errors.New("-profile drf-jwt: tokens travel in the Authorization header; leave out -cookies")
	case c.djangoURL != "":
		return errors.New("-profile drf-jwt: -django-database serves simplejwt's blacklist; leave it out")
	}
	return nil
}

// drfAccounts is the profile's user table: the tutorial's users, every
// password check through the hashing bound.
type drfAccounts struct{ users users }

// Authenticate implements drfjwt.Accounts.
func (a drfAccounts) Authenticate(ctx context.Context, username, password string) (drfjwt.User, error) {
	if _, _, err := a.users.Authenticate(ctx, username, password); err != nil {
		return drfjwt.User{}, err
	}
	return a.Lookup(ctx, username)
}

// Lookup implements drfjwt.Accounts.
func (a drfAccounts) Lookup(ctx context.Context, username string) (drfjwt.User, error) {
	row, err := a.users.db.userByName(ctx, username)
	switch {
	case errors.Is(err, errNoRow):
		return drfjwt.User{}, jwtguard.ErrUserNotFound
	case err != nil:
		return drfjwt.User{}, err
	}
	return drfUser(row), nil
}

func drfUser(row *user) drfjwt.User {
	return drfjwt.User{ID: strconv.FormatInt(row.ID, 10), Username: row.Username, Email: row.Email, Active: row.Active}
}

// newDRFJWTApp wires the drf-jwt profile over the tutorial's database.
func newDRFJWTApp(ctx context.Context, c *config, d *db, u users, key *jwtguard.SigningKey, throttles jwtguard.ThrottleStore, log *slog.Logger) (http.Handler, error) {
	// The settings every constructor takes alike: the logger, and the
	// observer when metrics are served (the profile's own views report
	// nothing yet; its Guard and throttles do).
	common := []jwtguard.Option{jwtguard.WithLogger(log)}
	if c.observer != nil {
		common = append(common, jwtguard.WithObserver(c.observer))
	}
	throttle := func(name string, opts ...jwtguard.ThrottleOption) (*jwtguard.LoginThrottle, error) {
		opts = append(append(options[jwtguard.ThrottleOption](common), opts...), jwtguard.WithTrustedProxies(c.trusted...))
		if throttles != nil {
			opts = append(opts, jwtguard.WithSharedThrottle(throttles, name))
		}
		return jwtguard.NewLoginThrottle(opts...)
	}
	signins, err := throttle("signin")
	if err != nil {
		return nil, err
	}
	registrations, err := throttle("register", jwtguard.WithPerClient(registerRate, registerPer))
	if err != nil {
		return nil, err
	}
	p, err := drfjwt.New(key, drfAccounts{u}, drfjwt.WithPrefix(c.jwtPrefix), drfjwt.WithExpiration(drfExpiration),
		drfjwt.WithRefreshWindow(drfRefreshWindow), drfjwt.WithUserCache(5*time.Second), drfjwt.WithLogger(log),
		drfjwt.WithLoginThrottle(signins))
	if err != nil {
		return nil, err
	}
	paths, err := jwtguard.NewPathRedactor(activationPaths)
	if err != nil {
		return nil, err
	}
	guard, err := p.Guard(append(options[jwtguard.GuardOption](common), jwtguard.WithLogRedaction(paths))...)
	if err != nil {
		return nil, err
	}
	if err := seedUsers(ctx, u, c, log); err != nil {
		return nil, err
	}
	a := &app{db: d, users: u, registrations: registrations, guard: guard, trusted: c.trusted, log: log, paths: paths}
	mux := http.NewServeMux()
	for path, h := range map[string]http.Handler{
		"/auth/obtain_token/": p.Obtain(), "/api-token-auth/": p.Obtain(), "/api-auth/": p.Obtain(),
		"/auth/refresh_token/": p.Refresh(), "/api-token-refresh/": p.Refresh(),
		"/auth/verify_token/": p.Verify(), "/api-token-verify/": p.Verify(),
	} {
		mux.Handle(path, h) // a subtree, as the tutorial's patterns have no "$"
	}
	a.mountAPI(mux, a.helloDRF, a.registerDRF(p), a.activateDRF(p))
	return a.serve(mux), nil
}

// helloDRF greets the account the Guard looked up by the token's username.
func (a *app) helloDRF(w http.ResponseWriter, r *http.Request) {
	u, _ := jwtguard.UserFromRequest[drfjwt.User](r)
	writeJSON(w, http.StatusOK, helloReply{Message: "Hello, " + u.Username})
}

// registerDRF is the seed's CreateUserView: username, password, tasks (a
// list, required in JSON as the seed's serializer made it; only empty, as
// assigning existing tasks would hand other users' tasks to the new one),
// email (optional: the seed answered 500 without it). The account starts
// inactive; the answer is {"confirmation_url": …/api-activate/<token>/},
// the token an ordinary login token of the new account.
func (a *app) registerDRF(p *drfjwt.Profile) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fields, ok := a.registrationBody(w, r)
		if !ok {
			return
		}
		errs := fieldErrors{}
		username := errs.field(fields, "username", 150)
		password := errs.password(fields)
		mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch raw, present := fields["tasks"]; {
		case !present && mediaType == "application/json":
			errs.add("tasks", "This field is required.")
		case !present:
		case len(raw) == 0 || raw[0] != '[':
			errs.add("tasks", `Expected a list of items but got type "`+pyType(raw)+`".`)
		case string(raw) != "[]":
			errs.add("tasks", "Tasks cannot be assigned at registration.")
		}
		email := errs.optionalField(fields, "email", 254)
		if len(errs) == 0 {
			row, ok := a.createInactive(w, r, username, password, email, &errs)
			switch {
			case !ok:
				return
			case row != nil:
				tok, err := p.IssueToken(drfUser(row))
				if err != nil {
					a.serverError(w, r, err)
					return
				}
				writeJSON(w, http.StatusCreated, map[string]string{"confirmation_url": a.origin(r) + "/api-activate/" + tok + "/"})
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write(errs.json())
	}
}

// activateDRF is the seed's ActivateUser: a token that decodes activates
// the account of its user_id, ["User Activated"], and answers so again
// while the account is active, without a write; one that does not is the
// old library's 401 ({"detail": "Signature has expired."}, …). As the
// link is an ordinary login token, it activates only an account that was
// never active (tasks_user.activated_at): one deactivated since is 401
// "User account is disabled.", so that no login token of it brings it
// back (the seed set is_active again for any). A token with a token_type
// (simplejwt's, signed with the same secret) is refused by Decode. A
// token whose account is gone is 401 "Invalid signature." (the seed
// answered 500).
func (a *app) activateDRF(p *drfjwt.Profile) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		tok, err := p.Decode(ctx, r.PathValue("token"))
		if err != nil {
			p.WriteError(w, r, err)
			return
		}
		id, err := parseID(tok.Claims.UserID)
		if err != nil {
			p.WriteError(w, r, jwtguard.ErrUserNotFound)
			return
		}
		row, err := a.db.userByID(ctx, id)
		if err == nil {
			err = a.db.activateFirst(ctx, id)
		}
		switch {
		case errors.Is(err, errNoRow):
			p.WriteError(w, r, jwtguard.ErrUserNotFound)
			return
		case errors.Is(err, errDeactivated):
			p.WriteError(w, r, jwtguard.ErrUserInactive)
			return
		case err != nil:
			a.unavailable(w, r, err)
			return
		}
		if !row.Active {
			p.UserChanged(row.Username)
		}
		writeJSON(w, http.StatusOK, []string{"User Activated"})
	}
}
