// Package storetest checks a [jwtguard.Store] implementation against the
// contract of the interface: atomic spending, revocation by token, family
// and subject, expiry, and failing closed. Run it from the store's tests:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, newStore(t))
//	}
//
// and, for a store that several processes share, with two handles on the
// same backing state:
//
//	storetest.RunShared(t, newStore(t), newStore(t))
//
// RunSessions checks, over two such handles, what an [jwtguard.Issuer]
// builds on the store: the refresh reuse grace window and single-use
// purpose tokens.
//
// The kit writes entries under random IDs, so it may run against a store
// that holds other data, and several runs may share one database.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

// Concurrency is the number of goroutines that race to spend one token.
const Concurrency = 100

// Run checks s against the [jwtguard.Store] contract. The expiry case takes
// about two seconds of real time, since stores expire entries by the clock.
func Run(t *testing.T, s jwtguard.Store) {
	t.Helper()
	cases := []struct {
		name string
		fn   func(*testing.T, jwtguard.Store)
	}{
		{"SpendOnce", testSpendOnce},
		{"SpendConcurrently", testSpendConcurrently},
		{"Revoke", testRevoke},
		{"RevokeAfterSpend", testRevokeAfterSpend},
		{"RevokeFamily", testRevokeFamily},
		{"RevokeSubject", testRevokeSubject},
		{"Expiry", testExpiry},
		{"CanceledContext", testCanceled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, s) })
	}
}

// RunShared checks that two handles on one shared store see each other's
// writes, and that a token spent concurrently through both is spent once.
func RunShared(t *testing.T, a, b jwtguard.Store) {
	t.Helper()
	ctx := context.Background()
	t.Run("RevokeSeen", func(t *testing.T) {
		r := record()
		must(t, a.Revoke(ctx, r))
		expect(t, b.Check(ctx, r), jwtguard.ErrTokenRevoked, "Check through the second handle")
		r = record()
		must(t, b.RevokeFamily(ctx, r.Family, r.ExpiresAt))
		expect(t, a.Spend(ctx, r), jwtguard.ErrTokenRevoked, "Spend through the first handle")
		r = record()
		must(t, a.RevokeSubject(ctx, r.Subject, r.IssuedAt, r.ExpiresAt))
		expect(t, b.Check(ctx, r), jwtguard.ErrTokenRevoked, "Check through the second handle")
	})
	t.Run("SpendSeen", func(t *testing.T) {
		r := record()
		must(t, a.Spend(ctx, r))
		expect(t, b.Spend(ctx, r), jwtguard.ErrTokenSpent, "second Spend through the other handle")
	})
	t.Run("SpendConcurrently", func(t *testing.T) {
		spendRace(t, record(), a, b)
	})
}

func testSpendOnce(t *testing.T, s jwtguard.Store) {
	ctx := context.Background()
	r := record()
	expect(t, s.Check(ctx, r), nil, "Check of a new token")
	expect(t, s.Spend(ctx, r), nil, "first Spend")
	expect(t, s.Spend(ctx, r), jwtguard.ErrTokenSpent, "second Spend")
	expect(t, s.Check(ctx, r), jwtguard.ErrTokenSpent, "Check of a spent token")
	other := record()
	other.Family = r.Family
	expect(t, s.Spend(ctx, other), nil, "Spend of another token of the same family")
}

func testSpendConcurrently(t *testing.T, s jwtguard.Store) {
	spendRace(t, record(), s)
}

// spendRace spends r from Concurrency goroutines spread over stores and
// checks that exactly one wins and every other sees ErrTokenSpent.
func spendRace(t *testing.T, r jwtguard.Record, stores ...jwtguard.Store) {
	t.Helper()
	ctx := context.Background()
	errs := make([]error, Concurrency)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = stores[i%len(stores)].Spend(ctx, r)
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, jwtguard.ErrTokenSpent):
		default:
			t.Errorf("concurrent Spend: %v, want nil or ErrTokenSpent", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent Spends succeeded, want exactly 1", won, Concurrency)
	}
}

func testRevoke(t *testing.T, s jwtguard.Store) {
	ctx := context.Background()
	r := record()
	must(t, s.Revoke(ctx, r))
	must(t, s.Revoke(ctx, r)) // twice is not an error
	expect(t, s.Check(ctx, r), jwtguard.ErrTokenRevoked, "Check of a revoked token")
	expect(t, s.Spend(ctx, r), jwtguard.ErrTokenRevoked, "Spend of a revoked token")
	expect(t, s.Check(ctx, r), jwtguard.ErrTokenRevoked, "Check after a refused Spend")
	sibling := record()
	sibling.Family = r.Family
	expect(t, s.Check(ctx, sibling), nil, "Check of another token of the family")
}

func testRevokeAfterSpend(t *testing.T, s jwtguard.Store) {
	ctx := context.Background()
	r := record()
	must(t, s.Spend(ctx, r))
	must(t, s.Revoke(ctx, r))
	expect(t, s.Check(ctx, r), jwtguard.ErrTokenRevoked, "Check of a spent, then revoked token")
	expect(t, s.Spend(ctx, r), jwtguard.ErrTokenRevoked, "Spend of a spent, then revoked token")
}

func testRevokeFamily(t *testing.T, s jwtguard.Store) {
	ctx := context.Background()
	r := record()
	must(t, s.RevokeFamily(ctx, r.Family, r.ExpiresAt))
	must(t, s.RevokeFamily(ctx, r.Family, r.ExpiresAt.Add(-time.Minute))) // never shortens
	expect(t, s.Check(ctx, r), jwtguard.ErrTokenRevoked, "Check of a token of a revoked family")
	expect(t, s.Spend(ctx, r), jwtguard.ErrTokenRevoked, "Spend of a token of a revoked family")
	other := record()
	expect(t, s.Check(ctx, other), nil, "Check of a token of another family")
	orphan := record()
	orphan.Family = ""
	expect(t, s.Spend(ctx, orphan), nil, "Spend of a token without a family")
}

func testRevokeSubject(t *testing.T, s jwtguard.Store) {
	ctx := context.Background()
	cut := time.Now().Truncate(time.Second)
	r := record()
	must(t, s.RevokeSubject(ctx, r.Subject, cut, r.ExpiresAt))

	at := func(iat time.Time) jwtguard.Record {
		x := record()
		x.Subject, x.IssuedAt = r.Subject, iat
		return x
	}
	expect(t, s.Check(ctx, at(cut.Add(-time.Hour))), jwtguard.ErrTokenRevoked, "token issued an hour before the cutoff")
	expect(t, s.Check(ctx, at(cut)), jwtguard.ErrTokenRevoked, "token issued at the cutoff")
	expect(t, s.Check(ctx, at(cut.Add(900*time.Millisecond))), jwtguard.ErrTokenRevoked, "token issued in the cutoff's second")
	expect(t, s.Spend(ctx, at(cut.Add(-time.Hour))), jwtguard.ErrTokenRevoked, "Spend of a token issued before the cutoff")
	expect(t, s.Check(ctx, at(cut.Add(time.Second))), nil, "token issued a second after the cutoff")
	expect(t, s.Spend(ctx, at(cut.Add(time.Second))), nil, "Spend of a token issued after the cutoff")

	// An earlier cutoff does not undo a later one.
	must(t, s.RevokeSubject(ctx, r.Subject, cut.Add(-time.Hour), r.ExpiresAt))
	expect(t, s.Check(ctx, at(cut.Add(-time.Minute))), jwtguard.ErrTokenRevoked, "after an earlier cutoff was set")

	other := at(cut.Add(-time.Hour))
	other.Subject = randomID()
	expect(t, s.Check(ctx, other), nil, "token of another subject")
}

func testExpiry(t *testing.T, s jwtguard.Store) {
	ctx := context.Background()
	until := time.Now().Add(time.Second)
	spent, revoked, family, subject := record(), record(), record(), record()
	for _, r := range []*jwtguard.Record{&spent, &revoked, &family, &subject} {
		r.ExpiresAt = until
	}
	must(t, s.Spend(ctx, spent))
	must(t, s.Revoke(ctx, revoked))
	must(t, s.RevokeFamily(ctx, family.Family, until))
	must(t, s.RevokeSubject(ctx, subject.Subject, subject.IssuedAt, until))
	expect(t, s.Check(ctx, spent), jwtguard.ErrTokenSpent, "spent token before expiry")
	expect(t, s.Check(ctx, family), jwtguard.ErrTokenRevoked, "revoked family before expiry")

	deadline := time.Now().Add(10 * time.Second)
	for _, r := range []jwtguard.Record{spent, revoked, family, subject} {
		for {
			err := s.Check(ctx, r)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("an entry that expired at %v is still reported at %v: %v", until, time.Now(), err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func testCanceled(t *testing.T, s jwtguard.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := record()
	if err := s.Check(ctx, r); err == nil {
		t.Error("Check with a canceled context returned nil; a store that cannot answer must fail closed")
	}
	if err := s.Spend(ctx, r); err == nil {
		t.Error("Spend with a canceled context returned nil; a store that cannot answer must fail closed")
	}
}

// record returns a record with fresh random identifiers, issued a minute
// ago and expiring in an hour.
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

func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
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
