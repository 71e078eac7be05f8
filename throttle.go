package jwtguard

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LoginThrottle limits sign-in attempts per client address and failed
// attempts per username, with token buckets (golang.org/x/time/rate). A
// refused attempt is answered 429 with Retry-After. Memory is bounded: each
// table holds at most a fixed number of limiters, dropping idle ones (whose
// bucket is full again, so nothing is forgotten) first and then the least
// recently seen. It is safe for concurrent use.
type LoginThrottle struct {
	clients *limiters
	users   *limiters
	trusted []netip.Prefix
	now     func() time.Time
}

// ThrottleOption configures a [LoginThrottle].
type ThrottleOption func(*throttleConfig)

type throttleConfig struct {
	clientN, userN     int
	clientPer, userPer time.Duration
	trusted            []netip.Prefix
	max                int
	now                func() time.Time
	errs               []error
}

// PerClient allows n sign-in attempts per client address in each period
// per, in bursts of up to n. The default is 20 a minute; n 0 turns it off.
func PerClient(n int, per time.Duration) ThrottleOption {
	return func(c *throttleConfig) {
		c.clientN, c.clientPer = n, per
		c.check(n, per)
	}
}

// PerUsername allows n failed sign-ins per username in each period per;
// then every attempt for that username is refused until the bucket refills.
// The default is 5 a minute; n 0 turns it off.
func PerUsername(n int, per time.Duration) ThrottleOption {
	return func(c *throttleConfig) {
		c.userN, c.userPer = n, per
		c.check(n, per)
	}
}

// TrustedProxies names the reverse proxies whose X-Forwarded-For entries
// are believed when finding the client address (see [ClientAddr]). There
// are none by default: the connection's peer is the client.
func TrustedProxies(prefixes ...netip.Prefix) ThrottleOption {
	return func(c *throttleConfig) {
		for _, p := range prefixes {
			if !p.IsValid() {
				c.errs = append(c.errs, configError("invalid trusted proxy prefix"))
			}
		}
		c.trusted = append(c.trusted, prefixes...)
	}
}

// MaxTracked bounds the limiters kept per table. The default is 10000.
func MaxTracked(n int) ThrottleOption {
	return func(c *throttleConfig) {
		if n < 1 {
			c.errs = append(c.errs, configError("MaxTracked %d is below 1", n))
		}
		c.max = n
	}
}

// ThrottleClock sets the clock the throttle reads. The default is time.Now.
func ThrottleClock(now func() time.Time) ThrottleOption {
	return func(c *throttleConfig) {
		if now == nil {
			c.errs = append(c.errs, configError("nil clock"))
		}
		c.now = now
	}
}

func (c *throttleConfig) check(n int, per time.Duration) {
	if n < 0 || n > 0 && per <= 0 {
		c.errs = append(c.errs, configError("throttle rate %d per %v is invalid", n, per))
	}
}

// NewLoginThrottle returns a throttle for [WithLoginThrottle].
func NewLoginThrottle(opts ...ThrottleOption) (*LoginThrottle, error) {
	c := throttleConfig{clientN: 20, clientPer: time.Minute, userN: 5, userPer: time.Minute, max: 10000, now: time.Now}
	for _, opt := range opts {
		opt(&c)
	}
	if err := errors.Join(c.errs...); err != nil {
		return nil, err
	}
	return &LoginThrottle{
		clients: newLimiters(c.clientN, c.clientPer, c.max),
		users:   newLimiters(c.userN, c.userPer, c.max),
		trusted: c.trusted,
		now:     c.now,
	}, nil
}

// allowClient takes one attempt from the client's bucket, or reports how
// long until one is available. IPv6 clients are counted per /64, the
// block one subscriber gets, so rotating addresses within it buys nothing.
func (t *LoginThrottle) allowClient(r *http.Request) (time.Duration, bool) {
	addr := ClientAddr(r, t.trusted...)
	key := addr.String()
	if addr.Is6() {
		key = netip.PrefixFrom(addr, 64).Masked().String()
	}
	return t.clients.take(key, t.now())
}

// reserveUser takes a token from username's bucket before the password is
// checked, so that concurrent guesses count; [LoginThrottle.succeeded]
// gives it back. It reports how long to wait when the bucket is empty.
func (t *LoginThrottle) reserveUser(username string) (*rate.Reservation, time.Duration, bool) {
	return t.users.reserve(userKey(username), t.now())
}

// succeeded returns a sign-in's token: only failures count.
func (t *LoginThrottle) succeeded(res *rate.Reservation) {
	if res != nil {
		res.CancelAt(t.now())
	}
}

// userKey bounds the memory a username takes in the table: long ones are
// hashed.
func userKey(username string) string {
	if len(username) <= 64 {
		return username
	}
	sum := sha256.Sum256([]byte(username))
	return "#" + hex.EncodeToString(sum[:])
}

// limiters is a bounded table of token buckets.
type limiters struct {
	limit rate.Limit
	burst int
	max   int

	mu sync.Mutex
	m  map[string]*limiterEntry
}

type limiterEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiters(n int, per time.Duration, max int) *limiters {
	if n == 0 {
		return nil
	}
	return &limiters{limit: rate.Limit(float64(n) / per.Seconds()), burst: n, max: max, m: map[string]*limiterEntry{}}
}

func (l *limiters) take(key string, now time.Time) (time.Duration, bool) {
	if l == nil {
		return 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entry(key, now)
	if e.lim.AllowN(now, 1) {
		return 0, true
	}
	return l.wait(e, now), false
}

func (l *limiters) reserve(key string, now time.Time) (*rate.Reservation, time.Duration, bool) {
	if l == nil {
		return nil, 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entry(key, now)
	res := e.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return nil, d, false
	}
	return res, 0, true
}

// wait is how long until e's bucket holds a token.
func (l *limiters) wait(e *limiterEntry, now time.Time) time.Duration {
	missing := 1 - e.lim.TokensAt(now)
	return time.Duration(math.Ceil(missing / float64(l.limit) * float64(time.Second)))
}

func (l *limiters) entry(key string, now time.Time) *limiterEntry {
	e, ok := l.m[key]
	if !ok {
		if len(l.m) >= l.max {
			l.evict(now)
		}
		e = &limiterEntry{lim: rate.NewLimiter(l.limit, l.burst)}
		l.m[key] = e
	}
	e.seen = now
	return e
}

// evict drops idle limiters (full buckets: dropping them forgets nothing),
// then, if the table is still over three quarters full, the least recently
// seen down to that mark.
func (l *limiters) evict(now time.Time) {
	for k, e := range l.m {
		if e.lim.TokensAt(now) >= float64(l.burst) {
			delete(l.m, k)
		}
	}
	keep := l.max * 3 / 4
	if len(l.m) <= keep {
		return
	}
	keys := make([]string, 0, len(l.m))
	for k := range l.m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return l.m[a].seen.Compare(l.m[b].seen) })
	for _, k := range keys[:len(keys)-keep] {
		delete(l.m, k)
	}
}

// len is the number of limiters held.
func (l *limiters) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}
