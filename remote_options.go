package jwtguard

import (
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"time"
)

// The defaults of a [RemoteKeySet].
const (
	DefaultRefreshInterval = time.Hour
	DefaultMinRefetchGap   = 5 * time.Second
	DefaultMaxKeySetSize   = 1 << 20
	DefaultFetchTimeout    = 10 * time.Second
	DefaultFetchWait       = time.Second
)

type remoteConfig struct {
	commonConfig
	client         *http.Client
	interval       time.Duration
	minInterval    time.Duration
	maxInterval    time.Duration
	minGap         time.Duration
	maxSize        int64
	timeout        time.Duration
	wait           time.Duration
	startEmpty     bool
	startupTimeout time.Duration
	hook           func(RemoteEvent)
}

// WithHTTPClient sets the client that fetches key sets and discovery
// documents. The default has no timeout of its own (each fetch has one,
// see [WithFetchTimeout]) and does not follow redirects to other hosts.
func WithHTTPClient(c *http.Client) RemoteOption {
	return remoteOption(func(rc *remoteConfig) {
		if c == nil {
			rc.fail("nil HTTP client")
		}
		rc.client = c
	})
}

// WithRefreshInterval sets how often the key set is fetched in the
// background when the response has no Cache-Control max-age. The default is
// [DefaultRefreshInterval], an hour. A max-age is honoured within [min, max]:
// by default one minute and one day.
func WithRefreshInterval(interval, min, max time.Duration) RemoteOption {
	return remoteOption(func(rc *remoteConfig) {
		if min <= 0 || min > interval || interval > max {
			rc.fail("refresh bounds must be 0 < min <= interval <= max, got %v, %v, %v", min, interval, max)
		}
		rc.interval, rc.minInterval, rc.maxInterval = interval, min, max
	})
}

// WithMinRefetchGap sets the shortest time between two fetches caused by
// tokens with an unknown kid. The default is [DefaultMinRefetchGap], 5 s; it
// may be at most 10 s, so that a key the provider really rotated in is
// accepted within one gap however many forged kids arrive meanwhile. A
// request never waits for the gap: an unknown kid outside it is refused
// at once.
func WithMinRefetchGap(d time.Duration) RemoteOption {
	return remoteOption(func(rc *remoteConfig) {
		if d <= 0 || d > 10*time.Second {
			rc.fail("minimum refetch gap %v is outside (0, 10s]", d)
		}
		rc.minGap = d
	})
}

// WithMaxKeySetSize sets the largest key set body read, [DefaultMaxKeySetSize]
// (1 MiB) by default; a larger one is a failed fetch.
func WithMaxKeySetSize(n int64) RemoteOption {
	return remoteOption(func(rc *remoteConfig) {
		if n < 1 {
			rc.fail("max key set size %d is below 1", n)
		}
		rc.maxSize = n
	})
}

// WithFetchTimeout bounds each fetch, [DefaultFetchTimeout] (10 s) by default.
func WithFetchTimeout(d time.Duration) RemoteOption {
	return remoteOption(func(rc *remoteConfig) {
		if d <= 0 {
			rc.fail("fetch timeout %v is not positive", d)
		}
		rc.timeout = d
	})
}

// WithFetchWait bounds how long a request with an unknown kid waits for
// the fetch it caused, or found in flight: [DefaultFetchWait] (1 s) by
// default. Past it the token is refused as of an unknown key (401) while
// the fetch goes on, so a key server that hangs holds no request, nor its
// connection, longer than this. A fetch that failed is followed by no
// other that requests cause for one refetch gap after it ended.
func WithFetchWait(d time.Duration) RemoteOption {
	return remoteOption(func(rc *remoteConfig) {
		if d <= 0 {
			rc.fail("fetch wait %v is not positive", d)
		}
		rc.wait = d
	})
}

// WithStartupTimeout makes the constructor wait at most d for the first
// key set, and fail if it has none by then. This is the default, with the
// fetch timeout as d.
func WithStartupTimeout(d time.Duration) RemoteOption {
	return remoteOption(func(rc *remoteConfig) {
		if d <= 0 {
			rc.fail("startup timeout %v is not positive", d)
		}
		rc.startupTimeout = d
	})
}

// WithStartEmpty makes the constructor return at once, without keys: until
// the first fetch succeeds every token is refused (401, never a 5xx), and
// fetches are retried in the background with exponential backoff from one
// second to the refresh interval.
func WithStartEmpty() RemoteOption {
	return remoteOption(func(rc *remoteConfig) { rc.startEmpty = true })
}

// WithRemoteLogger is [WithLogger].
//
// Deprecated: use WithLogger, which every constructor accepts.
func WithRemoteLogger(l *slog.Logger) RemoteOption { return WithLogger(l) }

// WithRemoteHook sets a function told of every fetch, failure and key-set
// change, for metrics. It must be quick and safe for concurrent use, and
// must not call [RemoteKeySet.Close].
func WithRemoteHook(hook func(RemoteEvent)) RemoteOption {
	return remoteOption(func(rc *remoteConfig) {
		if hook == nil {
			rc.fail("nil hook")
		}
		rc.hook = hook
	})
}

// WithRemoteClock is [WithClock].
//
// Deprecated: use WithClock, which every constructor accepts.
func WithRemoteClock(now func() time.Time) RemoteOption { return WithClock(now) }

func newRemoteConfig(opts []RemoteOption) remoteConfig {
	c := remoteConfig{
		interval:    DefaultRefreshInterval,
		minInterval: time.Minute,
		maxInterval: 24 * time.Hour,
		minGap:      DefaultMinRefetchGap,
		maxSize:     DefaultMaxKeySetSize,
		timeout:     DefaultFetchTimeout,
		wait:        DefaultFetchWait,
	}
	for _, opt := range opts {
		opt.applyRemote(&c)
	}
	if c.startupTimeout == 0 {
		c.startupTimeout = c.timeout
	}
	if c.client == nil {
		c.client = &http.Client{CheckRedirect: sameHostRedirect}
	}
	c.setDefaults()
	return c
}

// sameHostRedirect follows at most three redirects, and none to another
// host or scheme (no https to http).
func sameHostRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 3 || req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
		return http.ErrUseLastResponse
	}
	return nil
}

// usableURL reports whether u may serve keys: https, or http on a
// loopback host (a local provider, tests). Plain http elsewhere would let
// anyone on the path hand the verifier its keys.
func usableURL(u *url.URL) bool {
	if u.Host == "" || u.User != nil {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		host := u.Hostname()
		ip, err := netip.ParseAddr(host)
		return host == "localhost" || err == nil && ip.IsLoopback()
	}
	return false
}
