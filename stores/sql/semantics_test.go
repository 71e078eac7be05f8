package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	sqlstore "github.com/jwtguard/jwtguard/stores/sql"
)

// The store answers as the in-memory store does, the reference for the
// Store contract, over random operations on a few colliding IDs, families
// and subjects, with expiries in the past and the future, and issue times
// and cutoffs that differ by less than a second.
func TestSameAnswersAsMemoryStore(t *testing.T) {
	dialects(t, func(t *testing.T, s *sqlstore.Store, _ *sql.DB, _ string) {
		ctx := context.Background()
		mem := jwtguard.NewMemoryStore()
		base := time.Now()
		ids := []string{"a", "b", "c"}
		families := []string{"f", "g", ""}
		subjects := []string{"u", "v"}
		expiries := []time.Duration{-2 * time.Hour, -time.Hour, time.Hour, 2 * time.Hour, 3 * time.Hour}
		instants := []time.Duration{-3 * time.Hour, -2*time.Hour - 500*time.Millisecond, -2 * time.Hour,
			-2*time.Hour + 400*time.Millisecond, -time.Hour, 0}
		rng := rand.New(rand.NewPCG(1, 2))
		pick := func(n int) int { return rng.IntN(n) }
		at := func(d time.Duration) time.Time { return base.Add(d) }
		rec := func() jwtguard.Record {
			return jwtguard.Record{
				ID:        ids[pick(len(ids))],
				Family:    families[pick(len(families))],
				Subject:   subjects[pick(len(subjects))],
				IssuedAt:  at(instants[pick(len(instants))]),
				ExpiresAt: at(expiries[pick(len(expiries))]),
			}
		}
		same := func(step int, what string, got, want error) {
			t.Helper()
			if class(got) != class(want) {
				t.Fatalf("step %d, %s: store says %v, memory store says %v", step, what, got, want)
			}
		}
		for step := range 400 {
			switch pick(6) {
			case 0, 1:
				r := rec()
				same(step, fmt.Sprintf("Spend(%+v)", r), s.Spend(ctx, r), mem.Spend(ctx, r))
			case 2:
				r := rec()
				same(step, fmt.Sprintf("Check(%+v)", r), s.Check(ctx, r), mem.Check(ctx, r))
			case 3:
				r := rec()
				same(step, fmt.Sprintf("Revoke(%+v)", r), s.Revoke(ctx, r), mem.Revoke(ctx, r))
			case 4:
				f, until := families[pick(len(families))], at(expiries[pick(len(expiries))])
				same(step, fmt.Sprintf("RevokeFamily(%q, %v)", f, until), s.RevokeFamily(ctx, f, until), mem.RevokeFamily(ctx, f, until))
			case 5:
				sub, until := subjects[pick(len(subjects))], at(expiries[pick(len(expiries))])
				var before time.Time // the zero cutoff revokes nothing
				if i := pick(len(instants) + 1); i < len(instants) {
					before = at(instants[i])
				}
				same(step, fmt.Sprintf("RevokeSubject(%q, %v, %v)", sub, before, until),
					s.RevokeSubject(ctx, sub, before, until), mem.RevokeSubject(ctx, sub, before, until))
			}
		}
		for _, id := range ids {
			for _, f := range families {
				for _, sub := range subjects {
					for _, iat := range instants {
						r := jwtguard.Record{ID: id, Family: f, Subject: sub, IssuedAt: at(iat), ExpiresAt: at(time.Hour)}
						same(-1, fmt.Sprintf("final Check(%+v)", r), s.Check(ctx, r), mem.Check(ctx, r))
					}
				}
			}
		}
	})
}

// class names the answer a Store gives, ignoring wrapping.
func class(err error) string {
	switch {
	case err == nil:
		return "nil"
	case errors.Is(err, jwtguard.ErrTokenRevoked):
		return "revoked"
	case errors.Is(err, jwtguard.ErrTokenSpent):
		return "spent"
	}
	return "error: " + err.Error()
}

// A subject's revocation keeps the later cutoff and the later expiry of
// every call while it is in force, and is replaced once it expired.
func TestRevokeSubjectKeepsTheMaximum(t *testing.T) {
	dialects(t, func(t *testing.T, s *sqlstore.Store, db *sql.DB, schema string) {
		ctx := context.Background()
		now := time.Now().Truncate(time.Second)
		row := func(sub string) (before, until int64) {
			t.Helper()
			err := db.QueryRow(`SELECT before_ms, expires_ms FROM "`+schema+`"."jwtguard_subjects" WHERE subject = '`+sub+`'`).
				Scan(&before, &until)
			if err != nil {
				t.Fatal(err)
			}
			return before, until
		}
		ms := func(t time.Time) int64 { return t.UnixMilli() }
		must(t, s.RevokeSubject(ctx, "u", now.Add(-time.Hour), now.Add(2*time.Hour)))
		must(t, s.RevokeSubject(ctx, "u", now, now.Add(time.Hour)))                        // later cutoff, earlier expiry
		must(t, s.RevokeSubject(ctx, "u", now.Add(-2*time.Hour), now.Add(90*time.Minute))) // earlier cutoff, earlier expiry
		if before, until := row("u"); before != ms(now) || until != ms(now.Add(2*time.Hour)) {
			t.Errorf("cutoff %d, expiry %d; want %d, %d", before, until, ms(now), ms(now.Add(2*time.Hour)))
		}
		// The cutoff is kept in whole seconds.
		must(t, s.RevokeSubject(ctx, "w", now.Add(1999*time.Millisecond), now.Add(time.Hour)))
		if before, _ := row("w"); before != ms(now.Add(time.Second)) {
			t.Errorf("cutoff %d, want %d", before, ms(now.Add(time.Second)))
		}
		// An expired revocation is forgotten, not merged.
		must(t, s.RevokeSubject(ctx, "x", now, now.Add(-time.Minute)))
		must(t, s.RevokeSubject(ctx, "x", now.Add(-time.Hour), now.Add(time.Hour)))
		if before, until := row("x"); before != ms(now.Add(-time.Hour)) || until != ms(now.Add(time.Hour)) {
			t.Errorf("after an expired revocation: cutoff %d, expiry %d; want %d, %d",
				before, until, ms(now.Add(-time.Hour)), ms(now.Add(time.Hour)))
		}
	})
}

// A family's revocation is never shortened, and a token's revocation keeps
// its longer expiry.
func TestRevocationsNeverShorten(t *testing.T) {
	dialects(t, func(t *testing.T, s *sqlstore.Store, db *sql.DB, schema string) {
		ctx := context.Background()
		now := time.Now().Truncate(time.Millisecond)
		expiry := func(table, key, value string) int64 {
			t.Helper()
			var ms int64
			err := db.QueryRow(`SELECT expires_ms FROM "` + schema + `"."jwtguard_` + table + `" WHERE ` + key + ` = '` + value + `'`).Scan(&ms)
			if err != nil {
				t.Fatal(err)
			}
			return ms
		}
		must(t, s.RevokeFamily(ctx, "f", now.Add(2*time.Hour)))
		must(t, s.RevokeFamily(ctx, "f", now.Add(time.Hour)))
		if got, want := expiry("families", "family", "f"), now.Add(2*time.Hour).UnixMilli(); got != want {
			t.Errorf("family expiry %d, want %d", got, want)
		}
		must(t, s.RevokeFamily(ctx, "f", now.Add(3*time.Hour)))
		if got, want := expiry("families", "family", "f"), now.Add(3*time.Hour).UnixMilli(); got != want {
			t.Errorf("family expiry %d, want %d", got, want)
		}
		r := jwtguard.Record{ID: "t", ExpiresAt: now.Add(2 * time.Hour)}
		must(t, s.Spend(ctx, r))
		r.ExpiresAt = now.Add(time.Hour)
		must(t, s.Revoke(ctx, r))
		if got, want := expiry("tokens", "id", "t"), now.Add(2*time.Hour).UnixMilli(); got != want {
			t.Errorf("token expiry %d, want %d", got, want)
		}
	})
}

// An entry that expired no longer stops a Spend, and the ID is spent anew.
func TestSpendAfterExpiry(t *testing.T) {
	dialects(t, func(t *testing.T, s *sqlstore.Store, _ *sql.DB, _ string) {
		ctx := context.Background()
		r := record()
		r.ExpiresAt = time.Now().Add(-time.Second)
		must(t, s.Spend(ctx, r))
		must(t, s.Spend(ctx, r))
		r.ExpiresAt = time.Now().Add(time.Hour)
		must(t, s.Spend(ctx, r))
		if err := s.Spend(ctx, r); !errors.Is(err, jwtguard.ErrTokenSpent) {
			t.Errorf("second Spend of a live token: %v, want ErrTokenSpent", err)
		}
		revoked := record()
		revoked.ExpiresAt = time.Now().Add(-time.Second)
		must(t, s.Revoke(ctx, revoked))
		revoked.ExpiresAt = time.Now().Add(time.Hour)
		must(t, s.Spend(ctx, revoked))
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
