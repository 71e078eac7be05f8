// Command tasks is the Task API of the Django REST Framework tutorial, on
// jwtguard: a client written for the Django version works against it
// unchanged.
//
//	go run ./examples/tasks                      # SQLite under ./data, 127.0.0.1:8000
//	JWT_SIGNING_KEY=... go run ./examples/tasks -create-user vitor:123
//	TASKS_CREATE_USER=alice:... go run ./examples/tasks  # a user, out of sight of ps
//	go run ./examples/tasks -database-url postgres://...   # many instances, one database
//	go run ./examples/tasks -django-database sqlite:///path/to/db.sqlite3  # a Django project's users and blacklist
//	go run ./examples/tasks -redis-url redis://host:6379/0 # revocations and throttles in Redis
//
//	go run ./examples/tasks -cookies            # browser mode: open http://127.0.0.1:8000/
//	go run ./examples/tasks -profile drf-jwt    # djangorestframework-jwt's tokens and views
//
// Routes: /api/token/ (obtain), /api/token/refresh/, /api/token/verify/,
// /api/token/blacklist/, /hello/, /tasks/, /tasks/<id>/, /api-register/,
// /api-activate/<token>/, /healthz, /readyz; with -cookies, / (a page that
// signs in, calls the API and refreshes through cookies) and /app.js.
// With -profile drf-jwt (drfjwt_profile.go): /auth/obtain_token/,
// /auth/refresh_token/, /auth/verify_token/ and their aliases instead of
// /api/token/….
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard"
	jwtguarddjango "github.com/jwtguard/jwtguard/django"
	"github.com/jwtguard/jwtguard/examples/internal/metrics"
	"github.com/jwtguard/jwtguard/examples/internal/serve"
	sqlstore "github.com/jwtguard/jwtguard/stores/sql"
)

type config struct {
	addr        string
	data        string
	databaseURL string
	djangoURL   string // a Django project's database: its users, simplejwt's blacklist, and the tasks
	redisURL    string // revocations, throttles and their push in Redis
	users       []string
	trusted     []netip.Prefix
	publicURL   string // the origin clients reach the API at, for DPoP proofs' "htu"
	signingKey  string
	cookies     bool      // tokens in HttpOnly cookies, with CSRF protection, and the browser page
	insecure    bool      // cookies without Secure, for plain http beyond localhost
	maxHashes   int       // password hashes running at once
	refreshes   int       // refreshes a minute per login session (0: no limit)
	gate        *hashGate // when set (tests), instead of one of maxHashes slots
	out         io.Writer // where the first run's notes go: stderr
	drain       time.Duration
	profile     string // "simplejwt" or "drf-jwt"
	jwtPrefix   string // the drf-jwt profile's Authorization prefix
	reuseGrace  time.Duration
	metricsAddr string            // where /metrics is served, on a listener of its own ("" for none)
	observer    jwtguard.Observer // told of every decision and issuing event; nil for none
}

func parseFlags(args []string, env func(string) string, out io.Writer) (*config, error) {
	c := config{signingKey: env("JWT_SIGNING_KEY"), out: out}
	fs := flag.NewFlagSet("tasks", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8000", "address to listen on")
	fs.StringVar(&c.data, "data", "data", "directory of the SQLite database")
	fs.StringVar(&c.databaseURL, "database-url", env("DATABASE_URL"), "PostgreSQL URL, for many instances sharing state (default $DATABASE_URL; SQLite under -data when empty)")
	fs.StringVar(&c.djangoURL, "django-database", "", "a Django project's database (sqlite:///path or postgres://...): sign in its users, share simplejwt's blacklist, keep the tasks beside them")
	fs.StringVar(&c.redisURL, "redis-url", env("REDIS_URL"), "Redis URL (redis://host:6379/0): revocations, shared throttles and their push in Redis, users and tasks in the database (default $REDIS_URL)")
	fs.BoolVar(&c.cookies, "cookies", false, "browser mode: tokens in HttpOnly cookies with CSRF protection, and a page at / to try it")
	fs.IntVar(&c.refreshes, "refreshes-per-minute", 5, "refreshes a minute per login session, past which refresh answers 429 (0: no limit)")
	fs.IntVar(&c.maxHashes, "max-hashes", 2*runtime.GOMAXPROCS(0), "password hashes (19 MiB each) running at once; past a 1 s wait for one, sign-in and registration answer 503")
	fs.DurationVar(&c.drain, "drain", serve.DefaultDrain, "after SIGTERM, how long to go on serving while /readyz answers 503, before shutting down")
	fs.StringVar(&c.profile, "profile", profileSimpleJWT, "token profile: simplejwt (pairs, /api/token/) or drf-jwt (djangorestframework-jwt's single token, /auth/obtain_token/)")
	fs.StringVar(&c.jwtPrefix, "jwt-prefix", "JWT", "with -profile drf-jwt: the Authorization header's prefix, JWT_AUTH_HEADER_PREFIX (Bearer in the tutorial)")
	fs.DurationVar(&c.reuseGrace, "reuse-grace", jwtguard.DefaultReuseGrace, "how long a spent refresh token presented again is a duplicate (two tabs, a retry) rather than a reuse that revokes its session")
	fs.StringVar(&c.metricsAddr, "metrics-addr", "", "serve Prometheus metrics at /metrics on this address (host:port), a listener of its own, never the public one (none when empty)")
	fs.StringVar(&c.publicURL, "public-url", env("TASKS_PUBLIC_URL"), "the origin clients reach the API at (https://tasks.example.com), which DPoP proofs name: required behind a reverse proxy; without it proofs pass only on a loopback host (default $TASKS_PUBLIC_URL)")
	fs.BoolVar(&c.insecure, "insecure-cookies", false, "with -cookies: leave out Secure, for plain http on a host other than localhost (never in production)")
	addUser := func(v string) error {
		name, pass, ok := strings.Cut(v, ":")
		if !ok || name == "" || pass == "" {
			return errors.New("want name:password")
		}
		c.users = append(c.users, v)
		return nil
	}
	fs.Func("create-user", "a user to create, name:password (repeatable; ps shows it: in production use $TASKS_CREATE_USER)", addUser)
	fs.Func("trusted-proxy", "a reverse proxy's address or CIDR whose X-Forwarded-For is believed (repeatable)", func(v string) error {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, err2 := netip.ParseAddr(v)
			if err2 != nil {
				return err
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.trusted = append(c.trusted, p)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if v := env("TASKS_CREATE_USER"); v != "" {
		if err := addUser(v); err != nil {
			return nil, fmt.Errorf("TASKS_CREATE_USER: %w", err)
		}
	}
	if c.refreshes < 0 {
		return nil, fmt.Errorf("-refreshes-per-minute %d is below 0", c.refreshes)
	}
	if c.maxHashes < 1 {
		return nil, fmt.Errorf("-max-hashes %d is below 1", c.maxHashes)
	}
	if err := c.checkProfile(); err != nil {
		return nil, err
	}
	if c.djangoURL != "" && (len(c.users) > 0 || c.databaseURL != "" || c.redisURL != "") {
		return nil, errors.New("-django-database: the users and the state are the Django project's; leave out -create-user, -database-url and -redis-url")
	}
	return &c, nil
}

// newApp opens the database, creates users, and wires jwtguard.
func newApp(ctx context.Context, c *config, log *slog.Logger) (http.Handler, func(), error) {
	d, store, djangoUsers, closeDB, err := openStores(ctx, c, log)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (http.Handler, func(), error) { closeDB(); return nil, nil, err }
	// The store of revocations and throttles: the database's, or Redis's.
	// Instances on one PostgreSQL database, or one Redis, share the
	// throttles' buckets; SQLite is one process.
	tokens := store
	var throttles jwtguard.ThrottleStore
	if ts, ok := store.(jwtguard.ThrottleStore); ok && d.dialect == sqlstore.PostgreSQL {
		throttles = ts
	}
	if c.redisURL != "" {
		rs, closeRedis, err := openRedis(ctx, c.redisURL, log)
		if err != nil {
			return fail(err)
		}
		tokens, throttles = rs, rs
		closeStores := closeDB
		closeDB = func() { closeRedis(); closeStores() }
	}
	secret := c.signingKey
	if secret == "" {
		b := make([]byte, 32)
		rand.Read(b)
		secret = hex.EncodeToString(b)
		log.Warn("JWT_SIGNING_KEY is not set: using a random key; tokens will not survive a restart")
	}
	key, err := jwtguard.NewSigningKey("", []byte(secret), jwtguard.HS256)
	if err != nil {
		return fail(err)
	}
	u := users{db: d, gate: c.gate, django: djangoUsers}
	if u.gate == nil {
		u.gate = newHashGate(c.maxHashes, hashWait)
	}
	u.creates = newHashGate(max(cap(u.gate.slots)/2, 1), hashWait)
	if c.profile == profileDRFJWT {
		h, err := newDRFJWTApp(ctx, c, d, u, key, throttles, log)
		if err != nil {
			return fail(err)
		}
		return h, closeDB, nil
	}
	// The settings every constructor takes alike: the logger, and the
	// observer when metrics are served.
	common := []jwtguard.Option{jwtguard.WithLogger(log)}
	if c.observer != nil {
		common = append(common, jwtguard.WithObserver(c.observer))
	}
	issuer, err := jwtguard.NewIssuer(key, tokens, append(options[jwtguard.IssuerOption](common),
		jwtguard.WithUserLookup(jwtguard.UserLoaderFunc[*user](u.load), 5*time.Second),
		jwtguard.WithAccessRevocation(5*time.Second),
		jwtguard.WithReuseGrace(c.reuseGrace))...)
	if err != nil {
		return fail(err)
	}
	verifier, err := issuer.Verifier()
	if err != nil {
		return fail(err)
	}
	paths, err := jwtguard.NewPathRedactor(activationPaths)
	if err != nil {
		return fail(err)
	}
	guardOpts := append(options[jwtguard.GuardOption](common), jwtguard.WithLogRedaction(paths))
	endpointOpts := options[jwtguard.EndpointOption](common)
	if c.cookies {
		mode, err := cookieMode(c)
		if err != nil {
			return fail(err)
		}
		guardOpts = append(guardOpts, jwtguard.WithCookies(mode))
		endpointOpts = append(endpointOpts, jwtguard.WithEndpointCookies(mode))
	}
	// DPoP: sign-ins and refreshes with a proof get bound tokens, which the
	// API accepts with their key's proofs. Proofs name the public origin,
	// which behind nginx (no TLS here, its Host upstream) only
	// -public-url can tell.
	var dpopOpts []jwtguard.DPoPOption
	if c.publicURL != "" {
		dpopOpts = append(dpopOpts, jwtguard.WithDPoPOrigin(c.publicURL))
	}
	dpop, err := jwtguard.NewDPoPVerifier(dpopOpts...)
	if err != nil {
		return fail(err)
	}
	guardOpts = append(guardOpts, jwtguard.WithDPoP(jwtguard.DPoPAllowed, dpop))
	endpointOpts = append(endpointOpts, jwtguard.WithEndpointDPoP(dpop))
	guard, err := jwtguard.NewGuard(verifier, guardOpts...)
	if err != nil {
		return fail(err)
	}
	activate, err := jwtguard.NewVerifier(issuer.Keys(), append(options[jwtguard.VerifierOption](common), jwtguard.WithTokenType(activationType))...)
	if err != nil {
		return fail(err)
	}
	// Instances on one PostgreSQL database, or one Redis, count sign-ins,
	// refreshes and registrations in shared buckets, and learn of each other's
	// revocations at once (the store's change feed, which the issuer's
	// checks subscribe to by themselves).
	shared := func(name string) []jwtguard.ThrottleOption {
		opts := options[jwtguard.ThrottleOption](common)
		if throttles == nil {
			return opts
		}
		return append(opts, jwtguard.WithSharedThrottle(throttles, name))
	}
	throttle, err := jwtguard.NewLoginThrottle(append(shared("signin"), jwtguard.WithTrustedProxies(c.trusted...), jwtguard.WithPerSession(c.refreshes, time.Minute))...)
	if err != nil {
		return fail(err)
	}
	endpoints, err := jwtguard.NewEndpoints(issuer, u, append(endpointOpts, jwtguard.WithLoginThrottle(throttle),
		jwtguard.WithLoginHook(func(r *http.Request, username, userID string, err error) {
			if err != nil {
				log.Info("sign-in refused", "username", username, "client", jwtguard.ClientAddr(r, c.trusted...).String())
			}
		}))...)
	if err != nil {
		return fail(err)
	}
	registrations, err := jwtguard.NewLoginThrottle(append(shared("register"), jwtguard.WithPerClient(registerRate, registerPer), jwtguard.WithTrustedProxies(c.trusted...))...)
	if err != nil {
		return fail(err)
	}
	if djangoUsers == nil {
		if err := seedUsers(ctx, u, c, log); err != nil {
			return fail(err)
		}
	}
	a := &app{db: d, users: u, registrations: registrations, issuer: issuer, guard: guard, activate: activate,
		trusted: c.trusted, log: log, paths: paths, page: c.cookies}
	return a.routes(endpoints), closeDB, nil
}

// openStores opens the tutorial's database and the issuer's store: the
// tutorial's own, or, with -django-database, the Django project's (and its
// users).
func openStores(ctx context.Context, c *config, log *slog.Logger) (*db, jwtguard.Store, *jwtguarddjango.Users, func(), error) {
	if c.djangoURL != "" {
		d, dj, err := openDjango(ctx, c.djangoURL)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		return d, dj.Store(), dj.Users(), func() { d.Close(); dj.Close() }, nil
	}
	d, err := openDB(ctx, c.databaseURL, c.data)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	store, err := sqlstore.New(ctx, d.DB, d.dialect, sqlstore.WithLogger(log))
	if err != nil {
		d.Close()
		return nil, nil, nil, nil, err
	}
	return d, store, nil, func() { store.Close(); d.Close() }, nil
}

// seedUsers creates the -create-user users, and a demo user on a first
// start without any.
func seedUsers(ctx context.Context, u users, c *config, log *slog.Logger) error {
	for _, v := range c.users {
		name, pass, _ := strings.Cut(v, ":")
		_, err := u.create(ctx, name, pass, true)
		switch {
		case errors.Is(err, errDuplicate):
			log.Info("user exists", "username", name)
		case err != nil:
			return err
		default:
			log.Info("user created", "username", name)
		}
	}
	n, err := u.db.countUsers(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		if len(c.users) == 0 {
			usersExist(c.out, c)
		}
		return nil
	}
	b := make([]byte, 9)
	rand.Read(b)
	pass := hex.EncodeToString(b)
	if _, err := u.create(ctx, "demo", pass, true); err != nil {
		return err
	}
	demoCreated(c.out, c, pass)
	return nil
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	c, err := parseFlags(args, os.Getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	obs, closeMetrics, err := metrics.ObserverFor(c.metricsAddr, log)
	if err != nil {
		return err
	}
	defer closeMetrics()
	c.observer = obs
	h, closeApp, err := newApp(ctx, c, log)
	if err != nil {
		return err
	}
	defer closeApp()
	return serve.ListenAndRun(ctx, c.addr, h, log, serve.WithDrain(c.drain))
}

// options gives the common settings as options of one constructor.
func options[T any](common []jwtguard.Option) []T {
	out := make([]T, 0, len(common)+4)
	for _, o := range common {
		out = append(out, any(o).(T))
	}
	return out
}

func main() { serve.Main("tasks", run) }
