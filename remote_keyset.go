package jwtguard

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// RemoteKeySet is a [KeyProvider] over a remote JWK Set URL, as identity
// providers publish (Auth0, Keycloak, Cognito, any OpenID provider; see
// [Discover]). Keys are parsed with keyfunc's JWK validation and jwtguard's
// own, then served from memory: verifying a token never waits on the
// network unless its kid is unknown.
//
//   - The set is fetched in the background every refresh interval, or as
//     the response's Cache-Control max-age says, within bounds
//     ([WithRefreshInterval]: an hour by default, max-age honoured between a
//     minute and a day).
//   - A token with an unknown kid causes a fetch, at most one per minimum
//     gap ([WithMinRefetchGap], 5 s by default), shared by every request
//     that arrives while it runs. Outside the gap an unknown kid is refused
//     at once: a flood of forged kids costs one fetch per gap and delays no
//     valid request, and a key the provider really rotated in is accepted
//     within one gap.
//   - The last good keys stay in use when a fetch fails, times out, or
//     returns junk, an empty set, or a body over the size cap.
//   - HMAC ("oct") keys are never taken from a remote set, keys whose "use"
//     is not "sig" are skipped, a JWK's "alg" pins its key to that
//     algorithm, and a token without kid is tried only against keys of its
//     own algorithm.
//
// It is safe for concurrent use. [RemoteKeySet.Close] stops its goroutines.
// The HTTP refresh machinery of keyfunc is not used: it replaces the keys
// with an empty set, reads bodies without bound, ignores Cache-Control, and
// makes requests wait on its rate limiter.
type RemoteKeySet struct {
	url string
	cfg remoteConfig

	set     atomic.Pointer[KeySet]
	limiter *rate.Limiter // unknown-kid fetches

	mu   sync.Mutex
	call *fetchCall // the fetch in flight, nil when none
	wg   sync.WaitGroup

	ctx    context.Context
	cancel context.CancelFunc

	fetches, failures, changes atomic.Uint64
	lastOK                     atomic.Int64 // Unix nanoseconds
	fingerprint                []byte       // of the current set; under mu
	quietUntil                 time.Time    // after a failed fetch, none for a request before; under mu
}

type fetchCall struct {
	done chan struct{}
	next time.Duration // when to refresh again
	err  error
}

// RemoteEvent tells a [WithRemoteHook] hook what a key set did.
type RemoteEvent struct {
	Kind    RemoteEventKind
	URL     string
	Reason  string // "startup", "refresh" or "unknown kid"
	Keys    int    // keys in use after the event
	Skipped int    // keys of the fetched set that were not usable
	Err     error  // for RemoteFailed
}

// RemoteEventKind is what happened to a remote key set.
type RemoteEventKind uint8

// The kinds of [RemoteEvent].
const (
	RemoteFetched RemoteEventKind = iota // a fetch succeeded
	RemoteFailed                         // a fetch failed; the last good keys stay
	RemoteChanged                        // a fetch brought a different set of keys
)

// RemoteStats are counters of a [RemoteKeySet], for metrics.
type RemoteStats struct {
	Fetches     uint64    // fetches that succeeded
	Failures    uint64    // fetches that failed
	Changes     uint64    // fetches that changed the keys
	Keys        int       // keys in use
	LastSuccess time.Time // zero before the first success
}

// NewRemoteKeySet returns a key set fetched from rawURL (https, or http for
// loopback and tests). By default it waits for the first fetch, at most
// the fetch timeout, and fails if that fetch fails; with [WithStartEmpty] it
// returns at once and refuses every token until keys arrive.
func NewRemoteKeySet(rawURL string, opts ...RemoteOption) (*RemoteKeySet, error) {
	c := newRemoteConfig(opts)
	u, err := url.Parse(rawURL)
	if err != nil || !usableURL(u) {
		c.fail("key set URL %q is not https (or http on a loopback host)", rawURL)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	r := &RemoteKeySet{url: rawURL, cfg: c, limiter: rate.NewLimiter(rate.Every(c.minGap), 1)}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	first := time.Duration(0)
	if !c.startEmpty {
		call := r.start("startup")
		var err error
		select {
		case <-call.done:
			err = call.err
		case <-time.After(c.startupTimeout):
			err = context.DeadlineExceeded
		}
		if err != nil {
			r.Close()
			return nil, configError("fetching key set %s: %v", rawURL, err)
		}
		first = call.next
	}
	r.wg.Add(1)
	go r.run(first)
	return r, nil
}

// Keys implements [KeyProvider].
func (r *RemoteKeySet) Keys(ctx context.Context, q KeyQuery) ([]*Key, error) {
	set := r.set.Load()
	if set != nil {
		keys, err := set.Keys(ctx, q)
		// A kid the set does not name is unknown even when keys without a
		// kid are offered for it: it may be a key rotated in since.
		_, named := set.byKid[q.KeyID]
		if err == nil && (q.KeyID == "" || named) || err != nil && !errors.Is(err, ErrUnknownKey) {
			return keys, err
		}
	}
	r.mu.Lock()
	call := r.call
	if call == nil && r.ctx.Err() == nil && !time.Now().Before(r.quietUntil) && r.limiter.Allow() {
		call = r.startLocked("unknown kid")
	}
	r.mu.Unlock()
	if call == nil {
		if set != nil {
			return set.Keys(ctx, q)
		}
		return nil, ErrUnknownKey
	}
	return r.await(ctx, call, q)
}

// await waits for the fetch call, at most the fetch wait, then looks q up
// in the keys it left. A request that stops waiting leaves the fetch
// going.
func (r *RemoteKeySet) await(ctx context.Context, call *fetchCall, q KeyQuery) ([]*Key, error) {
	wait := time.NewTimer(r.cfg.wait)
	defer wait.Stop()
	select {
	case <-call.done:
	case <-ctx.Done():
		return nil, ErrUnknownKey
	case <-wait.C:
		return nil, ErrUnknownKey
	}
	set := r.set.Load()
	if set == nil {
		return nil, ErrUnknownKey
	}
	return set.Keys(ctx, q)
}

// All returns the keys in use, nil before the first fetch.
func (r *RemoteKeySet) All() []*Key {
	if set := r.set.Load(); set != nil {
		return set.All()
	}
	return nil
}

// URL returns the key set's URL.
func (r *RemoteKeySet) URL() string { return r.url }

// Stats returns the key set's counters.
func (r *RemoteKeySet) Stats() RemoteStats {
	s := RemoteStats{Fetches: r.fetches.Load(), Failures: r.failures.Load(), Changes: r.changes.Load()}
	if set := r.set.Load(); set != nil {
		s.Keys = len(set.keys)
	}
	if ns := r.lastOK.Load(); ns != 0 {
		s.LastSuccess = time.Unix(0, ns)
	}
	return s
}

// Close stops the background refresh and any fetch in flight, and waits
// for their goroutines to end. Keys still answers from the last keys.
func (r *RemoteKeySet) Close() error {
	// Under mu, so that no Keys call starts a fetch (wg.Add) after this.
	r.mu.Lock()
	r.cancel()
	r.mu.Unlock()
	r.wg.Wait()
	return nil
}

// run refreshes the set in the background: after first (at once when 0),
// then as each fetch says, with exponential backoff after failures.
func (r *RemoteKeySet) run(first time.Duration) {
	defer r.wg.Done()
	timer := time.NewTimer(first)
	defer timer.Stop()
	backoff := time.Second
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-timer.C:
		}
		r.mu.Lock()
		if r.ctx.Err() != nil {
			r.mu.Unlock()
			return
		}
		call := r.call
		if call == nil {
			call = r.startLocked("refresh")
		}
		r.mu.Unlock()
		select {
		case <-r.ctx.Done():
			return
		case <-call.done:
		}
		next := call.next
		if call.err != nil {
			next, backoff = backoff, min(backoff*2, r.cfg.interval)
		} else {
			backoff = time.Second
		}
		timer.Reset(next)
	}
}

func (r *RemoteKeySet) start(reason string) *fetchCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.call != nil {
		return r.call
	}
	return r.startLocked(reason)
}

// startLocked starts a fetch; r.mu is held and no fetch is in flight.
func (r *RemoteKeySet) startLocked(reason string) *fetchCall {
	call := &fetchCall{done: make(chan struct{})}
	r.call = call
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.fetch(call, reason)
	}()
	return call
}

// fetch fetches, parses and installs the set, then ends call.
func (r *RemoteKeySet) fetch(call *fetchCall, reason string) {
	ob := begin(r.ctx, r.cfg.observer, r.cfg.now, EventKeySet)
	ctx, cancel := context.WithTimeout(ob.ctx, r.cfg.timeout)
	defer cancel()
	body, age, hasAge, err := fetchBody(ctx, r.cfg.client, r.url, r.cfg.maxSize)
	var keys []*Key
	var skipped int
	if err == nil {
		keys, skipped, err = parseRemoteKeySet(body)
	}
	var set *KeySet
	if err == nil {
		set, err = NewKeySet(keys...)
	}

	r.mu.Lock()
	changed := false
	if err == nil {
		fp := fingerprint(keys)
		old := r.set.Load()
		changed = old != nil && !bytes.Equal(fp, r.fingerprint)
		if old == nil || changed {
			// An unchanged set keeps its *Key values, so that the
			// verified-token caches of its verifiers stay valid.
			r.fingerprint = fp
			r.set.Store(set)
		}
	}
	r.call = nil
	if err != nil {
		r.quietUntil = time.Now().Add(r.cfg.minGap)
	}
	r.mu.Unlock()

	call.err = err
	call.next = r.cfg.interval
	if hasAge {
		call.next = min(max(age, r.cfg.minInterval), r.cfg.maxInterval)
	}
	close(call.done) // waiting requests go on before the hook and the logger run
	if r.ctx.Err() == nil || err == nil {
		r.report(ob, reason, len(keys), skipped, changed, err)
	}
}

// report tells the logger, the hook and the observer (through ob, begun
// with the fetch) what a fetch did.
func (r *RemoteKeySet) report(ob observation, reason string, n, skipped int, changed bool, err error) {
	outcome := OutcomeFetched
	if err != nil {
		outcome = OutcomeFailed
	}
	ob.end(r.cfg.now, Event{Kind: EventKeySet, Outcome: outcome, Name: r.url, Err: err})
	ev := RemoteEvent{URL: r.url, Reason: reason, Keys: n, Skipped: skipped}
	attrs := []slog.Attr{slog.String("url", r.url), slog.String("reason", reason)}
	switch {
	case err != nil:
		r.failures.Add(1)
		ev.Kind, ev.Err = RemoteFailed, err
		if set := r.set.Load(); set != nil {
			ev.Keys = len(set.keys)
		}
		r.cfg.logger.LogAttrs(r.ctx, slog.LevelWarn, "jwtguard: key set fetch failed; keeping the last good keys",
			append(attrs, slog.String("error", err.Error()), slog.Int("keys", ev.Keys))...)
	default:
		r.fetches.Add(1)
		r.lastOK.Store(r.cfg.now().UnixNano())
		r.cfg.logger.LogAttrs(r.ctx, slog.LevelDebug, "jwtguard: key set fetched",
			append(attrs, slog.Int("keys", n), slog.Int("skipped", skipped))...)
	}
	if r.cfg.hook != nil {
		r.cfg.hook(ev)
	}
	if changed {
		r.changes.Add(1)
		observe(ob.ctx, ob.obs, Event{Kind: EventKeySet, Outcome: OutcomeChanged, Name: r.url})
		r.cfg.logger.LogAttrs(r.ctx, slog.LevelInfo, "jwtguard: key set changed", append(attrs, slog.Int("keys", n))...)
		if r.cfg.hook != nil {
			ev.Kind = RemoteChanged
			r.cfg.hook(ev)
		}
	}
}

// fingerprint identifies a set of public keys, in any order, to notice
// changes.
func fingerprint(keys []*Key) []byte {
	jwks := make([]string, len(keys))
	for i, k := range keys {
		jwks[i] = string(encodeJWK(k))
	}
	slices.Sort(jwks)
	return []byte(strings.Join(jwks, "\x00"))
}
