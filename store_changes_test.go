package jwtguard_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// racingStore is a MemoryStore with a feed of its own process (a
// ChangeHub), whose Check, once armed, revokes the token it just
// reported good and announces it before answering: the revocation of
// another instance that lands between a verifier's store read and its
// cache write.
type racingStore struct {
	*jwtguard.MemoryStore
	jwtguard.ChangeHub
	armed atomic.Bool
}

func (s *racingStore) Check(ctx context.Context, r jwtguard.Record) error {
	err := s.MemoryStore.Check(ctx, r)
	if s.armed.CompareAndSwap(true, false) {
		if err := s.MemoryStore.Revoke(ctx, r); err != nil {
			return err
		}
		s.Deliver(jwtguard.Change{Kind: jwtguard.ChangedToken, Key: r.ID})
	}
	return err
}

func (s *racingStore) Announce(_ context.Context, c jwtguard.Change) error {
	s.Deliver(c)
	return nil
}

// racingSetup returns a racing store, the verifier of an issuer on it
// whose revocation answers are cached for an hour, and a pair for user.
func racingSetup(t *testing.T, user string) (*racingStore, *jwtguard.Verifier, *jwtguard.Pair) {
	t.Helper()
	store := &racingStore{MemoryStore: jwtguard.NewMemoryStore()}
	key, err := jwtguard.NewSigningKey("", []byte("store-changes-test-secret-0123456789"), jwtguard.HS256)
	must(t, err)
	iss, err := jwtguard.NewIssuer(key, store, jwtguard.WithAccessRevocation(time.Hour))
	must(t, err)
	v, err := iss.Verifier()
	must(t, err)
	p, err := iss.Issue(context.Background(), user)
	must(t, err)
	return store, v, p
}

// An answer read from the store before a change is not cached after it:
// the next request asks again and is refused, though the cache time is an
// hour. Each kind of change drops what it names, and only that.
func TestChangeDuringCheckIsNotCached(t *testing.T) {
	ctx := context.Background()
	store, v, p := racingSetup(t, "1")
	store.armed.Store(true)
	if _, err := v.Verify(ctx, p.Access); err != nil {
		t.Fatalf("the first verification, answered before the revocation: %v", err)
	}
	if _, err := v.Verify(ctx, p.Access); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Fatalf("after a revocation announced during the check: %v, want ErrTokenRevoked", err)
	}
}

// Each kind of change drops the cached answers it names and no other: a
// revocation written straight into the store, behind the cache's back,
// shows only once a change names the token, its session or its subject.
func TestChangeKindsDropWhatTheyName(t *testing.T) {
	ctx := context.Background()
	for _, kind := range []jwtguard.ChangeKind{jwtguard.ChangedToken, jwtguard.ChangedFamily, jwtguard.ChangedSubject, jwtguard.ChangedAll} {
		store, v, p := racingSetup(t, "7")
		tok, err := v.Verify(ctx, p.Access)
		must(t, err)
		// Revoked behind the cache's back, as another instance would.
		must(t, store.MemoryStore.RevokeSubject(ctx, "7", time.Now(), time.Now().Add(time.Hour)))
		other := map[jwtguard.ChangeKind]string{
			jwtguard.ChangedToken: "another-jti", jwtguard.ChangedFamily: "another-sid", jwtguard.ChangedSubject: "8",
		}
		if key, ok := other[kind]; ok {
			store.Deliver(jwtguard.Change{Kind: kind, Key: key})
			if _, err := v.Verify(ctx, p.Access); err != nil {
				t.Fatalf("kind %d naming another: %v, want the cached answer", kind, err)
			}
		}
		name := map[jwtguard.ChangeKind]string{
			jwtguard.ChangedToken: tok.Claims.ID, jwtguard.ChangedFamily: tok.Claims.SessionID, jwtguard.ChangedSubject: "7",
		}[kind]
		store.Deliver(jwtguard.Change{Kind: kind, Key: name})
		if _, err := v.Verify(ctx, p.Access); !errors.Is(err, jwtguard.ErrTokenRevoked) {
			t.Errorf("kind %d naming the token's: %v, want ErrTokenRevoked", kind, err)
		}
	}
}

// A change's text form round-trips, and malformed text is an error.
func TestChangeText(t *testing.T) {
	for _, c := range []jwtguard.Change{
		{Kind: jwtguard.ChangedToken, Key: "jti:with:colons"},
		{Kind: jwtguard.ChangedFamily, Key: "sid"},
		{Kind: jwtguard.ChangedSubject, Key: ""},
		{Kind: jwtguard.ChangedUser, Key: "42"},
		{Kind: jwtguard.ChangedAll},
	} {
		b, err := c.MarshalText()
		must(t, err)
		var got jwtguard.Change
		if err := got.UnmarshalText(b); err != nil || got != c {
			t.Errorf("%+v: text %q read back as %+v, %v", c, b, got, err)
		}
	}
	if _, err := (jwtguard.Change{Kind: 9}).MarshalText(); err == nil {
		t.Error("an unknown kind was written")
	}
	for _, bad := range []string{"", "t", "x:1", "?:1", "t1", ":t"} {
		var c jwtguard.Change
		if err := c.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("%q read as %+v", bad, c)
		}
	}
}

// Reading a change from the wire never panics, and what it reads writes
// back the same.
func FuzzChangeText(f *testing.F) {
	f.Add([]byte("t:abc"))
	f.Add([]byte("a:"))
	f.Add([]byte("\xff:"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var c jwtguard.Change
		if c.UnmarshalText(b) != nil {
			return
		}
		out, err := c.MarshalText()
		if err != nil || string(out) != string(b) {
			t.Fatalf("%q read as %+v, written as %q, %v", b, c, out, err)
		}
	})
}

// A subscription ends with its cancel.
func TestChangeHubCancel(t *testing.T) {
	var h jwtguard.ChangeHub
	var n atomic.Int32
	cancel := h.Subscribe(func(jwtguard.Change) { n.Add(1) })
	h.Deliver(jwtguard.Change{Kind: jwtguard.ChangedAll})
	cancel()
	h.Deliver(jwtguard.Change{Kind: jwtguard.ChangedAll})
	if got := n.Load(); got != 1 {
		t.Fatalf("%d deliveries, want 1 (before the cancel only)", got)
	}
}
