package redisstore_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	redisstore "github.com/jwtguard/jwtguard/stores/redis"
	"github.com/redis/go-redis/v9"
)

// lossWatch collects what a store reports about its state: log lines and
// state losses.
type lossWatch struct {
	mu     sync.Mutex
	log    bytes.Buffer
	losses []redisstore.StateLoss
}

func (w *lossWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.log.Write(p)
}

func (w *lossWatch) options() []redisstore.Option {
	return []redisstore.Option{
		redisstore.WithLogger(slog.New(slog.NewTextHandler(w, nil))),
		redisstore.WithStateLossHook(func(l redisstore.StateLoss) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.losses = append(w.losses, l)
		}),
	}
}

func (w *lossWatch) seen() (string, []redisstore.StateLoss) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.log.String(), append([]redisstore.StateLoss(nil), w.losses...)
}

func watchedStore(t *testing.T, c redis.UniversalClient, prefix string) (*redisstore.Store, *lossWatch) {
	t.Helper()
	w := &lossWatch{}
	s, err := redisstore.New(c, append(w.options(), redisstore.WithKeyPrefix(prefix))...)
	if err != nil {
		t.Fatal(err)
	}
	return s, w
}

// wipe empties the store under prefix, as a Redis restarted without
// persistence or flushed would be.
func wipe(t *testing.T, c redis.UniversalClient, prefix string) {
	t.Helper()
	if err := deleteKeys(context.Background(), c, prefix+"*"); err != nil {
		t.Fatal(err)
	}
}

// TestStateLossRefusesOlderTokens: once Redis forgot the store's entries, a
// revoked token, a spent refresh token and a token of a revoked session
// issued before the loss are all refused, the loss is logged and reported
// once, and tokens issued after the loss pass.
func TestStateLossRefusesOlderTokens(t *testing.T) {
	c := newClient(t)
	prefix := newPrefix(t, c)
	s, w := watchedStore(t, c, prefix)
	ctx := context.Background()
	revoked, spent, family, live := record(), record(), record(), record()
	must(t, s.Revoke(ctx, revoked))
	must(t, s.Spend(ctx, spent))
	must(t, s.RevokeFamily(ctx, family.Family, family.ExpiresAt))
	expect(t, s.Check(ctx, live), nil, "a live token before the loss")
	if log, losses := w.seen(); len(losses) != 0 || strings.Contains(log, "level=ERROR") {
		t.Fatalf("before any loss: losses %v, log %s", losses, log)
	}

	wipe(t, c, prefix)
	before := time.Now().Truncate(time.Second)
	expect(t, s.Check(ctx, revoked), jwtguard.ErrTokenRevoked, "a token revoked before the loss")
	after := time.Now()
	expect(t, s.Spend(ctx, spent), jwtguard.ErrTokenRevoked, "a refresh token spent before the loss, replayed")
	expect(t, s.Check(ctx, family), jwtguard.ErrTokenRevoked, "a token of a session revoked before the loss")
	expect(t, s.Check(ctx, live), jwtguard.ErrTokenRevoked, "a token issued before the loss")

	fresh := record()
	fresh.IssuedAt = after.Add(time.Second)
	expect(t, s.Spend(ctx, fresh), nil, "a token issued after the cut-off")
	expect(t, s.Spend(ctx, fresh), jwtguard.ErrTokenSpent, "it spends as usual")

	log, losses := w.seen()
	if len(losses) != 1 {
		t.Fatalf("losses reported: %v, want one", losses)
	}
	if cut := losses[0].Cutoff; cut.Before(before) || cut.After(after) {
		t.Errorf("cut-off %v, want between %v and %v", cut, before, after)
	}
	if !strings.Contains(log, "level=ERROR") || !strings.Contains(log, "lost the store's state") {
		t.Errorf("the loss was not logged as an error: %s", log)
	}
}

// TestNewStoreHasNoCutoff: a store on a Redis without its marker, seen by a
// process for the first time, is a new store: nothing is refused, and a
// warning says what that assumes.
func TestNewStoreHasNoCutoff(t *testing.T) {
	c := newClient(t)
	s, w := watchedStore(t, c, newPrefix(t, c))
	ctx := context.Background()
	r := record()
	expect(t, s.Check(ctx, r), nil, "a token on a new store")
	expect(t, s.Spend(ctx, r), nil, "its first spend")
	log, losses := w.seen()
	if len(losses) != 0 {
		t.Errorf("losses on a new store: %v", losses)
	}
	if strings.Count(log, "level=WARN") != 1 || !strings.Contains(log, "no state marker") {
		t.Errorf("want one warning about the missing marker, got: %s", log)
	}
}

// TestStateLossSurvivesNewProcesses: the cut-off lives in Redis, so a
// process started after the loss refuses the old tokens too.
func TestStateLossSurvivesNewProcesses(t *testing.T) {
	c := newClient(t)
	prefix := newPrefix(t, c)
	a := newStore(t, c, prefix)
	ctx := context.Background()
	r := record()
	must(t, a.Revoke(ctx, r))
	wipe(t, c, prefix)
	expect(t, a.Check(ctx, r), jwtguard.ErrTokenRevoked, "after the loss, on the process that saw it")
	b := newStore(t, newClient(t), prefix)
	expect(t, b.Check(ctx, r), jwtguard.ErrTokenRevoked, "after the loss, on a process started later")
	expect(t, b.Check(ctx, record()), jwtguard.ErrTokenRevoked, "any token issued before the loss, on the later process")
}

// TestStateLossFoundByNewcomerFirst: when a process started after the loss
// writes the new marker (it cannot tell a lost store from a new one), the
// first process that had seen the old marker sets the cut-off to when the
// new one was written, for every process.
func TestStateLossFoundByNewcomerFirst(t *testing.T) {
	c := newClient(t)
	prefix := newPrefix(t, c)
	old, w := watchedStore(t, c, prefix)
	ctx := context.Background()
	r := record()
	must(t, old.Revoke(ctx, r))
	wipe(t, c, prefix)

	newcomer := newStore(t, newClient(t), prefix)
	// Unavoidable: the newcomer takes the empty Redis for a new store.
	expect(t, newcomer.Check(ctx, r), nil, "on the newcomer, before any process that knew the store came")
	expect(t, old.Check(ctx, record()), jwtguard.ErrTokenRevoked, "on the old process, a token issued before the loss")
	expect(t, newcomer.Check(ctx, r), jwtguard.ErrTokenRevoked, "on the newcomer, once the old process came")
	if _, losses := w.seen(); len(losses) != 1 {
		t.Errorf("losses the old process reported: %v, want one", losses)
	}
}

// TestMalformedMarker: a marker the store cannot read makes every method
// fail rather than answer.
func TestMalformedMarker(t *testing.T) {
	c := newClient(t)
	prefix := newPrefix(t, c)
	s := newStore(t, c, prefix)
	ctx := context.Background()
	must(t, c.Set(ctx, prefix+"{store}:marker", "garbage", 0).Err())
	for name, err := range everyMethod(s, record()) {
		if err == nil || !strings.Contains(err.Error(), "malformed state marker") {
			t.Errorf("%s with a malformed marker: %v, want an error", name, err)
		}
	}
}
