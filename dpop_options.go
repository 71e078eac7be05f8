package jwtguard

import "time"

// Defaults of a [DPoPVerifier].
const (
	// DefaultDPoPWindow is how old a proof's "iat" may be: RFC 9449 asks
	// for a short window, since a proof is made for one request.
	DefaultDPoPWindow = 60 * time.Second
	// DefaultDPoPLeeway is the clock skew allowed on either side of the
	// window: a proof up to this much in the future is accepted.
	DefaultDPoPLeeway = 5 * time.Second
	// DefaultDPoPReplayEntries bounds the in-memory replay cache: about
	// 120 bytes an entry, so 8 MiB at most. One key may hold 1/16 of it.
	DefaultDPoPReplayEntries = 65536
	// MaxDPoPProofSize is the longest DPoP header read: a proof signed
	// with an 8192-bit RSA key, its key in the header, fits with room.
	MaxDPoPProofSize = 8192
	// MaxDPoPIDLength is the longest "jti" accepted, in bytes.
	MaxDPoPIDLength = 128
)

// dpopAsymmetric is every algorithm a proof may use: never HMAC (RFC 9449
// §4.2: "MUST NOT be none or an identifier for a symmetric algorithm").
var dpopAsymmetric = setOf(algRS256, algRS384, algRS512, algPS256, algPS384, algPS512,
	algES256, algES384, algES512, algEdDSA, algEd25519)

// dpopConfig is what the options of a DPoPVerifier set.
type dpopConfig struct {
	commonConfig
	algs           algSet
	window, leeway time.Duration
	origins        []string // normalized, without a trailing slash
	store          Store
	entries        int
	nonces         DPoPNonces
}

// DPoPOption configures a [DPoPVerifier]. [Option] is one too: [WithClock]
// sets the clock proofs' "iat" is compared with.
type DPoPOption interface{ applyDPoP(*dpopConfig) }

type dpopOption func(*dpopConfig)

func (f dpopOption) applyDPoP(c *dpopConfig) { f(c) }
func (o Option) applyDPoP(c *dpopConfig)     { o(&c.commonConfig) }

// WithDPoPAlgorithms sets the algorithms a proof may be signed with. The
// default is every asymmetric algorithm jwtguard verifies: ES256, ES384,
// ES512, RS256, RS384, RS512, PS256, PS384, PS512, EdDSA and Ed25519. The
// HMAC algorithms are refused, as "none" always is.
func WithDPoPAlgorithms(names ...string) DPoPOption {
	return dpopOption(func(c *dpopConfig) {
		var set algSet
		for _, n := range names {
			a, ok := parseAlg(n)
			switch {
			case !ok:
				c.fail("DPoP: unsupported algorithm %q", n)
			case !dpopAsymmetric.has(a):
				c.fail("DPoP: algorithm %s is symmetric; proofs must use an asymmetric one", n)
			default:
				set |= 1 << a
			}
		}
		if len(names) == 0 {
			c.fail("DPoP: no algorithms")
		}
		c.algs = set
	})
}

// WithDPoPWindow sets how old a proof's "iat" may be, and the leeway for
// clock skew on either side. The defaults are [DefaultDPoPWindow] (60 s)
// and [DefaultDPoPLeeway] (5 s). Replays are remembered for window plus
// leeway, so a longer window costs memory or store entries.
func WithDPoPWindow(window, leeway time.Duration) DPoPOption {
	return dpopOption(func(c *dpopConfig) {
		if window < time.Second || window > time.Hour {
			c.fail("DPoP: window %v must be between 1s and 1h", window)
		}
		if leeway < 0 || leeway > 5*time.Minute {
			c.fail("DPoP: leeway %v must be between 0 and 5m", leeway)
		}
		c.window, c.leeway = window, leeway
	})
}

// WithDPoPOrigin sets the public origin the server is reached at, as
// clients write it in a proof's "htu": "https://api.example.com", or with
// a path prefix a reverse proxy strips, "https://example.com/api". Several
// origins may be given; a proof must name one of them, whatever the
// request's Host header says. Set it in production: it is required there.
//
// Without it, the request's own view is used ("https" when the connection
// has TLS, else "http", and the Host header), and only when that Host is a
// loopback one (localhost, 127.0.0.1, [::1]), for development and tests:
// the Host header is the client's to write, so a proof made for another
// server would pass if it were believed. Any other Host has every proof
// refused ([ErrDPoPURI]), and a [Guard] or [Endpoints] given such a
// verifier says so in a warning when it is built. Behind a reverse proxy
// the request's view is not the client's anyway (no TLS, the upstream's
// Host); X-Forwarded-* headers are never read.
func WithDPoPOrigin(origins ...string) DPoPOption {
	return dpopOption(func(c *dpopConfig) {
		if len(origins) == 0 {
			c.fail("DPoP: no origin")
		}
		for _, o := range origins {
			n, err := normalizeOrigin(o)
			if err != nil {
				c.errs = append(c.errs, err)
				continue
			}
			c.origins = append(c.origins, n)
		}
	})
}

// WithDPoPStore keeps the replay cache in store, so that a proof used at
// one instance is refused at every instance sharing the store. Each proof
// is spent there ([Store.Spend]) under an ID of its own namespace
// ("dpop:" and a hash of the key's thumbprint and the "jti"), remembered
// until the proof's window is over. The default is a cache in this
// process's memory (see [WithDPoPReplayEntries]). A store that cannot
// answer fails the request closed, with [ErrUnavailable].
func WithDPoPStore(store Store) DPoPOption {
	return dpopOption(func(c *dpopConfig) {
		if store == nil {
			c.fail("DPoP: nil store")
		}
		c.store = store
	})
}

// WithDPoPReplayEntries bounds the in-memory replay cache to n proofs; the
// default is [DefaultDPoPReplayEntries]. One key (one client) may hold at
// most n/16 of them (at least one): 4096 at the default, some 62 requests
// a second with one key over the window and leeway. Its next proofs are
// refused ([ErrDPoPKeyQuota]) until its older ones expire, and nothing
// held is dropped for them, so a client flooding the cache with valid
// proofs of its own key locks out no one but itself. Serve a client that
// makes more requests than that with a larger n, or [WithDPoPStore].
//
// When the cache is full of proofs still inside their window (many keys,
// each under its share), the oldest are dropped and the window shrinks to
// match: a proof issued no later than one dropped is refused as stale
// ([ErrDPoPStale]), so a dropped proof can never be replayed. Memory stays
// bounded whatever comes. At the token endpoints a proof is spent only
// once the password (or the refresh token) passed, so filling the cache
// takes bound tokens or accounts, one key's share at a time.
func WithDPoPReplayEntries(n int) DPoPOption {
	return dpopOption(func(c *dpopConfig) {
		if n < 1 {
			c.fail("DPoP: replay cache of %d entries", n)
		}
		c.entries = n
	})
}

// WithDPoPNonces makes the verifier require server nonces (RFC 9449 §8): a
// proof must carry a "nonce" that nonces accepts, or it is refused with
// [ErrDPoPNonce], which the client is answered as "use_dpop_nonce" with a
// fresh nonce in the DPoP-Nonce header. See [NewDPoPNonces], whose nonces
// then tell the time by the verifier's clock ([WithClock]). The default is
// no nonces.
func WithDPoPNonces(nonces DPoPNonces) DPoPOption {
	return dpopOption(func(c *dpopConfig) {
		if nonces == nil {
			c.fail("DPoP: nil nonces")
		}
		c.nonces = nonces
	})
}

// newDPoPConfig applies opts over the defaults and returns every problem
// at once.
func newDPoPConfig(opts []DPoPOption) (dpopConfig, error) {
	c := dpopConfig{algs: dpopAsymmetric, window: DefaultDPoPWindow, leeway: DefaultDPoPLeeway,
		entries: DefaultDPoPReplayEntries}
	for i, opt := range opts {
		if opt == nil {
			c.fail("DPoP: option %d is nil", i)
			continue
		}
		opt.applyDPoP(&c)
	}
	c.setDefaults()
	return c, c.err()
}
