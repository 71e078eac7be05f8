package jwtguard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// LoginThrottle limits sign-in attempts and refreshes, with token buckets
// (golang.org/x/time/rate). A refused request is answered 429 with
// Retry-After. It is safe for concurrent use.
//
// Sign-in counts three things:
//   - every attempt per client address ([WithPerClient], 20 a minute);
//   - failed attempts per username and client address ([WithPerUsernameClient],
//     5 a minute): a user mistyping from their own client waits, others
//     do not;
//   - failed attempts per username from every client that has not signed
//     in as that user lately ([WithPerUsername], 20 per 10 minutes): guessing
//     from many addresses stays slow. A client that signed in as the user
//     in the last [KnownClientFor] is exempt from this ceiling, so a
//     stranger's guesses do not lock the user out of their usual client
//     (others behind the same address share the exemption); a user on a
//     new address while their username is under attack waits.
//
// A failure is counted when the attempt starts, so concurrent guesses
// count; a success, or an [Authenticator] error, gives it back.
// Refreshes are counted per login session ([WithPerSession], 5 a minute), so
// one stolen or scripted session cannot fill the [Store] with spent tokens.
//
// Memory is bounded: each table holds at most [WithMaxTracked] buckets. A
// bucket is dropped only once it is full again (dropping it forgets
// nothing); a table full of buckets in use refuses new keys, with 429,
// until one refills, so a flood can neither grow memory nor wipe the
// counts of the usernames it is guessing. The sessions' table is the
// exception: full, it lets a new session's refresh through untracked, so
// that one account's many sessions cannot shut everybody's refresh out
// (sessions are made only by sign-in, which the other tables bound).
type LoginThrottle struct {
	clients  *limiters // every sign-in attempt, per client address
	pairs    *limiters // failures per (username, client)
	users    *limiters // failures per username, from clients not known for it
	sessions *limiters // refreshes per login session
	known    *knownClients
	trusted  []netip.Prefix
	now      func() time.Time
	obs      Observer // told of every refusal; nil: none
}

// KnownClientFor is how long a sign-in exempts its (username, client
// address) from the per-username ceiling of [WithPerUsername].
const KnownClientFor = 7 * 24 * time.Hour

type rateConfig struct {
	n   int
	per time.Duration
}

type throttleConfig struct {
	commonConfig
	client, pair, user, session rateConfig
	trusted                     []netip.Prefix
	max                         int
	shared                      ThrottleStore
	sharedName                  string
}

func (c *throttleConfig) set(r *rateConfig, n int, per time.Duration) {
	r.n, r.per = n, per
	if n < 0 || n > 0 && per <= 0 {
		c.fail("throttle rate %d per %v is invalid", n, per)
	}
}

// WithPerClient allows n sign-in attempts per client address in each period
// per, in bursts of up to n. The default is 20 a minute; n 0 turns it off.
func WithPerClient(n int, per time.Duration) ThrottleOption {
	return throttleOption(func(c *throttleConfig) { c.set(&c.client, n, per) })
}

// WithPerUsernameClient allows n failed sign-ins per username from one client
// address in each period per; then that client's attempts for that
// username are refused until the bucket refills. The default is 5 a
// minute; n 0 turns it off.
func WithPerUsernameClient(n int, per time.Duration) ThrottleOption {
	return throttleOption(func(c *throttleConfig) { c.set(&c.pair, n, per) })
}

// WithPerUsername allows n failed sign-ins per username in each period per,
// from all client addresses together but those that signed in as the user
// within [KnownClientFor]; past it, attempts for that username from other
// clients are refused until the bucket refills. The default is 20 per 10
// minutes; n 0 turns it off.
func WithPerUsername(n int, per time.Duration) ThrottleOption {
	return throttleOption(func(c *throttleConfig) { c.set(&c.user, n, per) })
}

// WithPerSession allows n refreshes per login session in each period per, in
// bursts of up to n. The default is 5 a minute; n 0 turns it off.
func WithPerSession(n int, per time.Duration) ThrottleOption {
	return throttleOption(func(c *throttleConfig) { c.set(&c.session, n, per) })
}

// WithTrustedProxies names the reverse proxies whose X-Forwarded-For entries
// are believed when finding the client address (see [ClientAddr]). There
// are none by default: the connection's peer is the client.
func WithTrustedProxies(prefixes ...netip.Prefix) ThrottleOption {
	return throttleOption(func(c *throttleConfig) {
		for _, p := range prefixes {
			if !p.IsValid() {
				c.fail("invalid trusted proxy prefix")
			}
		}
		c.trusted = append(c.trusted, prefixes...)
	})
}

// WithMaxTracked bounds the buckets kept per table (and the known clients).
// The default is 10000.
func WithMaxTracked(n int) ThrottleOption {
	return throttleOption(func(c *throttleConfig) {
		if n < 1 {
			c.fail("WithMaxTracked %d is below 1", n)
		}
		c.max = n
	})
}

// ThrottleClock is [WithClock].
//
// Deprecated: use WithClock, which every constructor accepts.
func ThrottleClock(now func() time.Time) ThrottleOption { return WithClock(now) }

// NewLoginThrottle returns a throttle for [WithLoginThrottle].
func NewLoginThrottle(opts ...ThrottleOption) (*LoginThrottle, error) {
	c := throttleConfig{
		client:  rateConfig{20, time.Minute},
		pair:    rateConfig{5, time.Minute},
		user:    rateConfig{20, 10 * time.Minute},
		session: rateConfig{5, time.Minute},
		max:     10000,
	}
	for _, opt := range opts {
		opt.applyThrottle(&c)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	c.setDefaults()
	t := &LoginThrottle{
		clients:  newLimiters(c.client.n, c.client.per, c.max),
		pairs:    newLimiters(c.pair.n, c.pair.per, c.max),
		users:    newLimiters(c.user.n, c.user.per, c.max),
		sessions: newLimiters(c.session.n, c.session.per, c.max),
		trusted:  c.trusted,
		now:      c.now,
		obs:      c.observer,
	}
	if t.sessions != nil {
		// The refresh throttle bounds the store's growth; sessions are made
		// only through sign-in, which its own tables bound. A table full of
		// one account's sessions must not refuse everybody else's refresh.
		t.sessions.failOpen = true
	}
	if t.users != nil {
		t.known = &knownClients{max: c.max, m: map[string]time.Time{}}
	}
	if c.shared != nil {
		t.clients.share(c.shared, c.sharedName+":client", c.logger)
		t.pairs.share(c.shared, c.sharedName+":pair", c.logger)
		t.users.share(c.shared, c.sharedName+":user", c.logger)
		t.sessions.share(c.shared, c.sharedName+":session", c.logger)
	}
	return t, nil
}

// AllowClient takes one attempt from the bucket of r's client address
// ([WithPerClient]), or reports how long until one is available. The sign-in
// endpoint calls it; an application can throttle another endpoint that
// way, registration say, with a LoginThrottle of its own.
func (t *LoginThrottle) AllowClient(r *http.Request) (time.Duration, bool) {
	wait, ok := t.clients.take(t.clientKey(r), t.now())
	if !ok {
		t.refused(r.Context(), ThrottleSignIn)
	}
	return wait, ok
}

// refused tells the observer that the limit name refused a request.
func (t *LoginThrottle) refused(ctx context.Context, name string) {
	observe(ctx, t.obs, Event{Kind: EventThrottled, Name: name})
}

// clientKey is r's client address. IPv6 clients are counted per /64, the
// block one subscriber gets, so rotating addresses within it buys nothing.
func (t *LoginThrottle) clientKey(r *http.Request) string {
	addr := ClientAddr(r, t.trusted...)
	if addr.Is6() {
		return netip.PrefixFrom(addr, 64).Masked().String()
	}
	return addr.String()
}

// signIn is a sign-in attempt's claim on the username's buckets.
type signIn struct {
	pair, user reservation
	known      string // the (username, client) key
}

// reserveUser counts a failure of username from r's client before the
// password is checked, so that concurrent guesses count;
// [LoginThrottle.succeeded] and [LoginThrottle.notCounted] give it back.
// It reports how long to wait when a bucket is empty.
func (t *LoginThrottle) reserveUser(r *http.Request, username string) (signIn, time.Duration, bool) {
	now := t.now()
	pairKey := userKey(username) + "\x00" + t.clientKey(r)
	pair, wait, ok := t.pairs.reserve(pairKey, now)
	if !ok {
		t.refused(r.Context(), ThrottleFailures)
		return signIn{}, wait, false
	}
	a := signIn{pair: pair, known: pairKey}
	if t.known.has(pairKey, now) {
		return a, 0, true
	}
	if a.user, wait, ok = t.users.reserve(userKey(username), now); !ok {
		t.refused(r.Context(), ThrottleFailures)
		pair.refund()
		return signIn{}, wait, false
	}
	return a, 0, true
}

// succeeded gives a sign-in's tokens back, only failures count, and
// remembers its client as one the user signs in from.
func (t *LoginThrottle) succeeded(a signIn) {
	t.notCounted(a)
	t.known.add(a.known, t.now().Add(KnownClientFor))
}

// notCounted gives back the tokens of an attempt that was not the user's
// failure: the authenticator could not answer.
func (t *LoginThrottle) notCounted(a signIn) {
	a.pair.refund()
	a.user.refund()
}

// allowRefresh takes one refresh from the bucket of the login session
// family, or reports how long until one is available.
func (t *LoginThrottle) allowRefresh(ctx context.Context, family string) (time.Duration, bool) {
	wait, ok := t.sessions.take(userKey(family), t.now())
	if !ok {
		t.refused(ctx, ThrottleRefresh)
	}
	return wait, ok
}

// userKey bounds the memory a username takes in the table: long ones are
// hashed. The key is a string of its own, never a slice of a request.
func userKey(username string) string {
	if len(username) <= 64 {
		return string([]byte(username))
	}
	sum := sha256.Sum256([]byte(username))
	return "#" + hex.EncodeToString(sum[:])
}

// knownClients remembers the (username, client) pairs that signed in
// lately, bounded: when full, expired entries go, then the ones that
// expire soonest; forgetting one only puts its client back under the
// per-username ceiling.
type knownClients struct {
	max int
	mu  sync.Mutex
	m   map[string]time.Time // pair -> until
}

func (k *knownClients) has(key string, now time.Time) bool {
	if k == nil {
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	until, ok := k.m[key]
	return ok && now.Before(until)
}

func (k *knownClients) add(key string, until time.Time) {
	if k == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[key]; !ok && len(k.m) >= k.max {
		k.evict()
	}
	k.m[key] = until
}

// evict drops an eighth of the entries, those that expire first.
func (k *knownClients) evict() {
	var cut time.Time
	drop := max(len(k.m)/8, 1)
	untils := make([]time.Time, 0, len(k.m))
	for _, u := range k.m {
		untils = append(untils, u)
	}
	slices.SortFunc(untils, time.Time.Compare)
	cut = untils[drop-1]
	for key, u := range k.m {
		if !u.After(cut) && drop > 0 {
			delete(k.m, key)
			drop--
		}
	}
}

// PerClient is [WithPerClient].
//
// Deprecated: use WithPerClient.
func PerClient(n int, per time.Duration) ThrottleOption { return WithPerClient(n, per) }

// PerUsernameClient is [WithPerUsernameClient].
//
// Deprecated: use WithPerUsernameClient.
func PerUsernameClient(n int, per time.Duration) ThrottleOption { return WithPerUsernameClient(n, per) }

// PerUsername is [WithPerUsername].
//
// Deprecated: use WithPerUsername.
func PerUsername(n int, per time.Duration) ThrottleOption { return WithPerUsername(n, per) }

// PerSession is [WithPerSession].
//
// Deprecated: use WithPerSession.
func PerSession(n int, per time.Duration) ThrottleOption { return WithPerSession(n, per) }

// TrustedProxies is [WithTrustedProxies].
//
// Deprecated: use WithTrustedProxies.
func TrustedProxies(prefixes ...netip.Prefix) ThrottleOption { return WithTrustedProxies(prefixes...) }

// MaxTracked is [WithMaxTracked].
//
// Deprecated: use WithMaxTracked.
func MaxTracked(n int) ThrottleOption { return WithMaxTracked(n) }
