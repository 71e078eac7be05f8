package redisstore_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	redisstore "github.com/jwtguard/jwtguard/stores/redis"
	"github.com/jwtguard/jwtguard/storetest"
	"github.com/redis/go-redis/v9"
)

func TestStore(t *testing.T) {
	c := newClient(t)
	storetest.Run(t, newStore(t, c, newPrefix(t, c)))
}

// TestShared runs two stores on two clients, each with its own connection
// pool, as two instances of a service would.
func TestShared(t *testing.T) {
	a, b := newClient(t), newClient(t)
	prefix := newPrefix(t, a)
	storetest.RunShared(t, newStore(t, a, prefix), newStore(t, b, prefix))
}

// TestPrefixesAreSeparate checks that stores with different prefixes on one
// Redis share nothing.
func TestPrefixesAreSeparate(t *testing.T) {
	c := newClient(t)
	a, b := newStore(t, c, newPrefix(t, c)), newStore(t, c, newPrefix(t, c))
	ctx := context.Background()
	r := record()
	must(t, a.Revoke(ctx, r))
	expect(t, b.Check(ctx, r), nil, "Check through a store with another prefix")
}

// TestTTL checks that every key the store writes expires with its entry.
func TestTTL(t *testing.T) {
	c := newClient(t)
	prefix := newPrefix(t, c)
	s := newStore(t, c, prefix)
	ctx := context.Background()
	in := 90 * time.Minute
	spent, revoked := record(), record()
	spent.ExpiresAt = time.Now().Add(in)
	revoked.ExpiresAt = spent.ExpiresAt
	must(t, s.Spend(ctx, spent))
	must(t, s.Revoke(ctx, revoked))
	must(t, s.RevokeFamily(ctx, spent.Family, spent.ExpiresAt))
	must(t, s.RevokeSubject(ctx, spent.Subject, spent.IssuedAt, spent.ExpiresAt))
	for _, key := range []string{
		tokenKey(prefix, spent.ID),
		tokenKey(prefix, revoked.ID),
		familyKey(prefix, spent.Family),
		subjectKey(prefix, spent.Subject),
	} {
		expectTTL(t, c, key, in)
	}
}

// TestRevokeKeepsLongerExpiry: revoking a spent token, a family or a
// subject for a shorter time than already kept never shortens the entry.
func TestRevokeKeepsLongerExpiry(t *testing.T) {
	c := newClient(t)
	prefix := newPrefix(t, c)
	s := newStore(t, c, prefix)
	ctx := context.Background()
	long, short := time.Now().Add(2*time.Hour), time.Now().Add(time.Hour)

	r := record()
	r.ExpiresAt = long
	must(t, s.Spend(ctx, r))
	r.ExpiresAt = short
	must(t, s.Revoke(ctx, r))
	expect(t, s.Check(ctx, r), jwtguard.ErrTokenRevoked, "Check of a spent, then revoked token")
	expectTTL(t, c, tokenKey(prefix, r.ID), 2*time.Hour)
	r.ExpiresAt = time.Now().Add(3 * time.Hour)
	must(t, s.Revoke(ctx, r))
	expectTTL(t, c, tokenKey(prefix, r.ID), 3*time.Hour)

	must(t, s.RevokeFamily(ctx, r.Family, long))
	must(t, s.RevokeFamily(ctx, r.Family, short))
	expectTTL(t, c, familyKey(prefix, r.Family), 2*time.Hour)

	must(t, s.RevokeSubject(ctx, r.Subject, r.IssuedAt, long))
	must(t, s.RevokeSubject(ctx, r.Subject, r.IssuedAt.Add(time.Second), short))
	expectTTL(t, c, subjectKey(prefix, r.Subject), 2*time.Hour)
	later := record()
	later.Subject, later.IssuedAt = r.Subject, r.IssuedAt.Add(time.Second)
	expect(t, s.Check(ctx, later), jwtguard.ErrTokenRevoked, "token issued at the later cutoff")
}

// TestExpiredRecords: a record whose expiry has passed is nothing to keep;
// writing it is not an error, and Spend still reports revocations.
func TestExpiredRecords(t *testing.T) {
	c := newClient(t)
	prefix := newPrefix(t, c)
	s := newStore(t, c, prefix)
	ctx := context.Background()
	for _, past := range []time.Time{time.Now().Add(-time.Minute), {}} {
		r := record()
		r.ExpiresAt = past
		must(t, s.Spend(ctx, r))
		must(t, s.Revoke(ctx, r))
		must(t, s.RevokeFamily(ctx, r.Family, past))
		must(t, s.RevokeSubject(ctx, r.Subject, r.IssuedAt, past))
		expect(t, s.Check(ctx, r), nil, "Check of an expired record after writes")
		for _, key := range []string{tokenKey(prefix, r.ID), familyKey(prefix, r.Family), subjectKey(prefix, r.Subject)} {
			if n := c.Exists(ctx, key).Val(); n != 0 {
				t.Errorf("%s exists after writing an expired record", key)
			}
		}
	}

	// Spend of an expired token still sees its own, its family's and its
	// subject's live revocations, and a live spent marker.
	live := time.Now().Add(time.Hour)
	revoked, family, subject, spent := record(), record(), record(), record()
	must(t, s.Revoke(ctx, revoked))
	must(t, s.RevokeFamily(ctx, family.Family, live))
	must(t, s.RevokeSubject(ctx, subject.Subject, subject.IssuedAt, live))
	must(t, s.Spend(ctx, spent))
	for _, r := range []*jwtguard.Record{&revoked, &family, &subject, &spent} {
		r.ExpiresAt = time.Now().Add(-time.Second)
	}
	expect(t, s.Spend(ctx, revoked), jwtguard.ErrTokenRevoked, "Spend of an expired, revoked token")
	expect(t, s.Spend(ctx, family), jwtguard.ErrTokenRevoked, "Spend of an expired token of a revoked family")
	expect(t, s.Spend(ctx, subject), jwtguard.ErrTokenRevoked, "Spend of an expired token of a revoked subject")
	expect(t, s.Spend(ctx, spent), jwtguard.ErrTokenSpent, "Spend of an expired, spent token")

	// Revoking with a past expiry still turns a live spent marker into a
	// revocation, for as long as the marker had.
	must(t, s.Revoke(ctx, spent))
	expect(t, s.Check(ctx, spent), jwtguard.ErrTokenRevoked, "Check of a spent token revoked after its expiry")
	expectTTL(t, c, tokenKey(prefix, spent.ID), time.Hour)
}

// TestSubjectCutoffs checks whole-second comparison and that a zero cutoff
// revokes nothing.
func TestSubjectCutoffs(t *testing.T) {
	c := newClient(t)
	s := newStore(t, c, newPrefix(t, c))
	ctx := context.Background()
	cut := time.Unix(1_700_000_000, 0)
	r := record()
	must(t, s.RevokeSubject(ctx, r.Subject, cut.Add(999*time.Millisecond), r.ExpiresAt))
	at := func(iat time.Time) jwtguard.Record {
		x := record()
		x.Subject, x.IssuedAt = r.Subject, iat
		return x
	}
	expect(t, s.Check(ctx, at(cut)), jwtguard.ErrTokenRevoked, "token issued in the cutoff's second")
	expect(t, s.Check(ctx, at(cut.Add(time.Second))), nil, "token issued the second after")
	expect(t, s.Check(ctx, at(cut.Add(-time.Hour*24*365*60))), jwtguard.ErrTokenRevoked, "token issued before 1970")

	old := record()
	must(t, s.RevokeSubject(ctx, old.Subject, time.Unix(-100, 0), old.ExpiresAt))
	old.IssuedAt = time.Unix(-100, 0)
	expect(t, s.Check(ctx, old), jwtguard.ErrTokenRevoked, "token issued at a cutoff before 1970")
	old.IssuedAt = time.Unix(-99, 0)
	expect(t, s.Check(ctx, old), nil, "token issued after a cutoff before 1970")

	zero := record()
	must(t, s.RevokeSubject(ctx, zero.Subject, time.Time{}, zero.ExpiresAt))
	zero.IssuedAt = time.Time{}
	expect(t, s.Check(ctx, zero), nil, "token of a subject revoked with a zero cutoff")
	must(t, s.RevokeSubject(ctx, r.Subject, time.Time{}, r.ExpiresAt))
	expect(t, s.Check(ctx, at(cut)), jwtguard.ErrTokenRevoked, "after a zero cutoff was set over a real one")
}

// TestMalformedEntry: an entry the store cannot read makes Check and Spend
// fail rather than answer.
func TestMalformedEntry(t *testing.T) {
	c := newClient(t)
	prefix := newPrefix(t, c)
	s := newStore(t, c, prefix)
	ctx := context.Background()
	r := record()
	must(t, c.Set(ctx, subjectKey(prefix, r.Subject), "garbage", time.Hour).Err())
	if err := s.Check(ctx, r); err == nil || errors.Is(err, jwtguard.ErrTokenSpent) {
		t.Errorf("Check with a malformed subject entry: %v, want an error", err)
	}
	if err := s.Spend(ctx, r); err == nil || errors.Is(err, jwtguard.ErrTokenSpent) {
		t.Errorf("Spend with a malformed subject entry: %v, want an error", err)
	}
	// A revocation replaces the malformed entry.
	must(t, s.RevokeSubject(ctx, r.Subject, r.IssuedAt, r.ExpiresAt))
	expect(t, s.Check(ctx, r), jwtguard.ErrTokenRevoked, "Check after the entry was rewritten")
}

// TestRedisDown: a store whose Redis cannot be reached returns errors.
func TestRedisDown(t *testing.T) {
	down := errors.New("no route to Redis")
	c := redis.NewClient(&redis.Options{
		Addr:          "127.0.0.1:6379",
		Dialer:        func(context.Context, string, string) (net.Conn, error) { return nil, down },
		MaxRetries:    -1,
		DialerRetries: 1,
	})
	defer c.Close()
	s, err := redisstore.New(c)
	if err != nil {
		t.Fatal(err)
	}
	for name, err := range everyMethod(s, record()) {
		if !errors.Is(err, down) {
			t.Errorf("%s without Redis: %v, want the dialer's error", name, err)
		}
	}
}

// everyMethod calls each of the store's methods on r, and returns their
// errors by name.
func everyMethod(s *redisstore.Store, r jwtguard.Record) map[string]error {
	ctx := context.Background()
	return map[string]error{
		"Spend":         s.Spend(ctx, r),
		"Check":         s.Check(ctx, r),
		"Revoke":        s.Revoke(ctx, r),
		"RevokeFamily":  s.RevokeFamily(ctx, r.Family, r.ExpiresAt),
		"RevokeSubject": s.RevokeSubject(ctx, r.Subject, r.IssuedAt, r.ExpiresAt),
	}
}

func tokenKey(prefix, id string) string   { return prefix + "{store}:token:" + id }
func familyKey(prefix, id string) string  { return prefix + "{store}:family:" + id }
func subjectKey(prefix, id string) string { return prefix + "{store}:subject:" + id }

// expectTTL checks that key expires in about want.
func expectTTL(t *testing.T, c redis.UniversalClient, key string, want time.Duration) {
	t.Helper()
	got, err := c.PTTL(context.Background(), key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if got < want-5*time.Second || got > want+time.Second {
		t.Errorf("%s expires in %v, want about %v", key, got, want)
	}
}

// record returns a record with fresh identifiers, issued a minute ago and
// expiring in an hour.
func record() jwtguard.Record {
	now := time.Now()
	return jwtguard.Record{
		ID:        randomID(),
		Family:    randomID(),
		Subject:   randomID(),
		IssuedAt:  now.Add(-time.Minute),
		ExpiresAt: now.Add(time.Hour),
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func expect(t *testing.T, got, want error, what string) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Errorf("%s: %v, want nil", what, got)
		}
		return
	}
	if !errors.Is(got, want) {
		t.Errorf("%s: %v, want %v", what, got, want)
	}
}
