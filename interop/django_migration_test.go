package interop_test

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/interop/internal/django"
)

// blacklisted is the refusal both sides give a blacklisted refresh token.
const blacklisted = `{"detail":"Token is blacklisted","code":"token_not_valid"}`

// eachDatabase runs f on a Django project on SQLite, then on PostgreSQL,
// with a Go service on the same database.
func eachDatabase(t *testing.T, f func(t *testing.T, o django.Options)) {
	for _, db := range databases {
		t.Run(db.name, func(t *testing.T) { f(t, db.opts(t)) })
	}
}

// Django's users sign in at the Go service, with the passwords Django
// hashed: Django's default hasher, argon2 and bcrypt_sha256. Inactive
// users and wrong passwords are refused as simplejwt refuses them; the
// tokens work at both services.
func TestDjangoUsersSignInAtGo(t *testing.T) {
	eachDatabase(t, func(t *testing.T, o django.Options) {
		s := startShared(t, o)
		djangoShell(t, s.django, `
from django.contrib.auth.models import User
from django.contrib.auth.hashers import make_password
for pk, name, hasher in ((10, "argon", "argon2"), (11, "bcrypt", "bcrypt_sha256")):
    User.objects.create(id=pk, username=name, password=make_password("pw-"+name, hasher=hasher), is_active=True)
`)
		for _, u := range []struct{ name, password string }{
			{django.Username, django.Password}, {"argon", "pw-argon"}, {"bcrypt", "pw-bcrypt"},
		} {
			access, _ := s.goPair(t, "/api/token/", map[string]string{"username": u.name, "password": u.password})
			if status, body := s.django.Hello(t, access); status != http.StatusOK || !strings.Contains(body, u.name) {
				t.Errorf("%s: Django refuses the Go service's access token: %d %s", u.name, status, body)
			}
		}
		const refused = `{"detail":"No active account found with the given credentials"}`
		for _, c := range [][2]string{
			{django.InactiveUsername, django.InactivePassword}, {django.Username, "wrong"}, {"nobody", "123"},
		} {
			if status, body := s.goPost(t, "/api/token/", map[string]string{"username": c[0], "password": c[1]}); status != http.StatusUnauthorized || body != refused {
				t.Errorf("%s/%s at Go: %d %s, want 401 %s", c[0], c[1], status, body, refused)
			}
			if r := s.django.Login(t, c[0], c[1]); r.Status != http.StatusUnauthorized || r.Body != refused {
				t.Errorf("%s/%s at Django: %d %s", c[0], c[1], r.Status, r.Body)
			}
		}
	})
}

// The blacklist is one: a refresh token Django issued and the Go service
// rotated is refused by Django; one logged out at Django is refused by the
// Go service; one the Go service issued and Django rotated is refused by
// the Go service.
func TestDjangoSharedBlacklist(t *testing.T) {
	eachDatabase(t, func(t *testing.T, o django.Options) {
		s := startShared(t, o)

		_, refresh := s.django.Obtain(t, django.Username, django.Password)
		_, rotated := s.goPair(t, "/api/token/refresh/", map[string]string{"refresh": refresh})
		if status, body := s.django.Refresh(t, refresh); status != http.StatusUnauthorized || body != blacklisted {
			t.Errorf("Django refreshes a token the Go service rotated: %d %s", status, body)
		}
		// The Go service's rotated token is good at Django.
		s.django.RefreshPair(t, rotated)

		_, refresh = s.django.Obtain(t, django.Username, django.Password)
		if status, body := s.django.Blacklist(t, refresh); status != http.StatusOK {
			t.Fatalf("Django logout: %d %s", status, body)
		}
		if status, body := s.goPost(t, "/api/token/refresh/", map[string]string{"refresh": refresh}); status != http.StatusUnauthorized || body != blacklisted {
			t.Errorf("the Go service refreshes a token logged out at Django: %d %s", status, body)
		}

		_, goRefresh := s.goPair(t, "/api/token/", map[string]string{"username": django.Username, "password": django.Password})
		s.django.RefreshPair(t, goRefresh)
		if status, body := s.goPost(t, "/api/token/refresh/", map[string]string{"refresh": goRefresh}); status != http.StatusUnauthorized || body != blacklisted {
			t.Errorf("the Go service refreshes its token that Django rotated: %d %s", status, body)
		}

		// Logout at the Go service: Django refuses the token.
		_, goRefresh = s.goPair(t, "/api/token/", map[string]string{"username": django.Username, "password": django.Password})
		if status, body := s.goPost(t, "/api/token/blacklist/", map[string]string{"refresh": goRefresh}); status != http.StatusOK {
			t.Fatalf("logout at Go: %d %s", status, body)
		}
		if status, body := s.django.Refresh(t, goRefresh); status != http.StatusUnauthorized || body != blacklisted {
			t.Errorf("Django refreshes a token logged out at the Go service: %d %s", status, body)
		}
	})
}

// The Go service's refresh tokens are outstanding tokens of their user in
// Django's tables, and Django's flushexpiredtokens removes the expired
// ones, blacklisted or not, and leaves the Go side working.
func TestDjangoOutstandingTokens(t *testing.T) {
	eachDatabase(t, func(t *testing.T, o django.Options) {
		past := func() time.Time { return time.Now().Add(-48 * time.Hour) }
		s := startShared(t, o)
		_, live := s.goPair(t, "/api/token/", map[string]string{"username": django.Username, "password": django.Password})
		if got := djangoShell(t, s.django, `
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
t = OutstandingToken.objects.get(jti="`+jti(t, live)+`")
print(t.user.username, t.token == "`+live+`", t.expires_at > t.created_at)
`); got != "vitor True True" {
			t.Fatalf("Django's outstanding token for the Go service's refresh token: %q", got)
		}

		// Tokens issued two days ago (a refresh lifetime is one day), one
		// of them rotated: expired, and flushed by Django.
		old := startSharedIssuer(t, s, jwtguard.WithClock(past))
		ctx := context.Background()
		_, err := old.Issue(ctx, django.UserID)
		must(t, err)
		spent, err := old.Issue(ctx, django.UserID)
		must(t, err)
		if _, err := old.Refresh(ctx, spent.Refresh); err != nil {
			t.Fatal(err)
		}
		count := `
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken, BlacklistedToken
print(OutstandingToken.objects.count(), BlacklistedToken.objects.count())
`
		if got := djangoShell(t, s.django, count); got != "4 1" {
			t.Fatalf("outstanding and blacklisted tokens before the flush: %q, want 4 1", got)
		}
		s.django.Manage(t, "flushexpiredtokens")
		if got := djangoShell(t, s.django, count); got != "1 0" {
			t.Fatalf("outstanding and blacklisted tokens after the flush: %q, want 1 0 (the live token)", got)
		}
		// The Go service goes on: the live token rotates, once.
		s.goPair(t, "/api/token/refresh/", map[string]string{"refresh": live})
		if status, _ := s.goPost(t, "/api/token/refresh/", map[string]string{"refresh": live}); status != http.StatusUnauthorized {
			t.Errorf("a spent token refreshed again after the flush: %d", status)
		}
	})
}

// startSharedIssuer is another issuer on the shared database, with opts.
func startSharedIssuer(t *testing.T, s *shared, opts ...jwtguard.IssuerOption) *jwtguard.Issuer {
	t.Helper()
	key, err := jwtguard.NewSigningKey("", sharedSecret, jwtguard.HS256)
	must(t, err)
	iss, err := jwtguard.NewIssuer(key, s.db.Store(), opts...)
	must(t, err)
	return iss
}

// A user deactivated in Django (is_active false, saved as the admin saves
// it) is refused by the Go service within its user-check bound, on the
// real clock: requests, refreshes and sign-ins.
func TestDjangoDeactivatedUser(t *testing.T) {
	eachDatabase(t, func(t *testing.T, o django.Options) {
		s := startShared(t, o)
		access, refresh, deactivated := s.signInThenDeactivate(t)
		for {
			status, body := s.goHello(t, access)
			if status == http.StatusUnauthorized {
				if !strings.Contains(body, "user_inactive") {
					t.Errorf("refusal: %s, want user_inactive", body)
				}
				break
			}
			if time.Since(deactivated) > userCheckBound+time.Second {
				t.Fatalf("the Go service still accepts a deactivated user %v later: %d %s", time.Since(deactivated), status, body)
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Logf("refused %v after the deactivation (bound %v)", time.Since(deactivated).Round(time.Millisecond), userCheckBound)
		if status, body := s.goPost(t, "/api/token/refresh/", map[string]string{"refresh": refresh}); status != http.StatusUnauthorized {
			t.Errorf("refresh of a deactivated user: %d %s", status, body)
		}
		if status, body := s.goPost(t, "/api/token/", map[string]string{"username": django.Username, "password": django.Password}); status != http.StatusUnauthorized {
			t.Errorf("sign-in of a deactivated user: %d %s", status, body)
		}
	})
}

// A refresh token presented to Django and to the Go service at once is
// rotated by one of them only, round after round. Django runs the
// one-winner refresh of hello/serializers.py, as the README asks. The Go
// request leaves later and later across the rounds, over the time a Django
// refresh takes, so that each side wins some rounds and the requests meet
// inside Django's refresh.
func TestDjangoConcurrentRefresh(t *testing.T) {
	eachDatabase(t, func(t *testing.T, o django.Options) {
		o.OneWinnerRefresh = true
		s := startShared(t, o)
		_, refresh := s.django.Obtain(t, django.Username, django.Password)
		began := time.Now()
		s.django.RefreshPair(t, refresh)
		djangoTakes := time.Since(began)
		const rounds = 20
		wins := map[string]int{}
		for i := range rounds {
			delay := djangoTakes * time.Duration(i) / rounds
			_, refresh := s.django.Obtain(t, django.Username, django.Password)
			var wg sync.WaitGroup
			var goStatus, djStatus int
			var goBody, djBody string
			start := make(chan struct{})
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				time.Sleep(delay)
				goStatus, goBody = s.goPost(t, "/api/token/refresh/", map[string]string{"refresh": refresh})
			}()
			go func() {
				defer wg.Done()
				<-start
				djStatus, djBody = s.django.Refresh(t, refresh)
			}()
			close(start)
			wg.Wait()
			switch {
			case goStatus == http.StatusOK && djStatus == http.StatusUnauthorized:
				wins["go"]++
			case djStatus == http.StatusOK && goStatus == http.StatusUnauthorized:
				wins["django"]++
			default:
				t.Fatalf("Go %d %s; Django %d %s: want one 200 and one 401", goStatus, goBody, djStatus, djBody)
			}
		}
		t.Logf("a Django refresh takes %v; rotated by: %v", djangoTakes, wins)
	})
}

// Revocations at the Go service reach Django: reuse of a spent refresh
// token revokes its session, and Django then refuses the session's live
// refresh token; RevokeSubject makes Django refuse the user's refresh
// tokens, its own included.
func TestDjangoSeesGoRevocations(t *testing.T) {
	eachDatabase(t, func(t *testing.T, o django.Options) {
		s := startShared(t, o, jwtguard.WithReuseGrace(0))
		_, first := s.goPair(t, "/api/token/", map[string]string{"username": django.Username, "password": django.Password})
		_, second := s.goPair(t, "/api/token/refresh/", map[string]string{"refresh": first})
		if status, body := s.goPost(t, "/api/token/refresh/", map[string]string{"refresh": first}); status != http.StatusUnauthorized {
			t.Fatalf("reuse at Go: %d %s", status, body)
		}
		if status, body := s.django.Refresh(t, second); status != http.StatusUnauthorized || body != blacklisted {
			t.Errorf("Django refreshes the live token of a session revoked at Go: %d %s", status, body)
		}

		_, djRefresh := s.django.Obtain(t, django.Username, django.Password)
		_, goRefresh := s.goPair(t, "/api/token/", map[string]string{"username": django.Username, "password": django.Password})
		time.Sleep(1100 * time.Millisecond) // RevokeSubject's cutoff is in whole seconds, as "iat" is
		must(t, s.issuer.RevokeSubject(context.Background(), django.UserID))
		for name, tok := range map[string]string{"Django's": djRefresh, "Go's": goRefresh} {
			if status, body := s.django.Refresh(t, tok); status != http.StatusUnauthorized || body != blacklisted {
				t.Errorf("Django refreshes %s refresh token of a user revoked at Go: %d %s", name, status, body)
			}
		}
		// A new sign-in at Django a second after the cutoff (one in the
		// cutoff's second is revoked with it) refreshes at Go.
		time.Sleep(1100 * time.Millisecond)
		_, fresh := s.django.Obtain(t, django.Username, django.Password)
		s.goPair(t, "/api/token/refresh/", map[string]string{"refresh": fresh})
	})
}

// On PostgreSQL, a user deactivated in Django is refused by the Go service
// at once, though its user check caches answers for an hour: the trigger
// of InstallUserTrigger announces the change, and ListenUserChanges tells
// the issuer.
func TestDjangoDeactivatedUserAtOnce(t *testing.T) {
	o := databases[1].opts(t) // PostgreSQL
	s := startSharedBound(t, o, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	must(t, s.db.InstallUserTrigger(ctx))
	done := make(chan error, 1)
	heard := make(chan string, 64)
	go func() {
		done <- s.db.ListenUserChanges(ctx, func(id string) {
			s.issuer.UserChanged(id)
			select {
			case heard <- id:
			default:
			}
		})
	}()
	t.Cleanup(func() { cancel(); <-done })

	// Wait until the listener listens: flip the inactive user's is_active
	// until a change of it is heard.
	probe, err := sql.Open("pgx", s.django.Database)
	must(t, err)
	defer probe.Close()
	for deadline := time.Now().Add(10 * time.Second); len(heard) == 0; time.Sleep(100 * time.Millisecond) {
		_, err := probe.Exec(`UPDATE auth_user SET is_active = NOT is_active WHERE id = ` + django.InactiveUserID)
		must(t, err)
		if time.Now().After(deadline) {
			t.Fatal("the listener hears nothing within 10 s")
		}
	}

	access, _, deactivated := s.signInThenDeactivate(t)
	for {
		status, body := s.goHello(t, access)
		if status == http.StatusUnauthorized && strings.Contains(body, "user_inactive") {
			break
		}
		if time.Since(deactivated) > 5*time.Second {
			t.Fatalf("the Go service still accepts a user deactivated %v ago (its user check caches for an hour): %d %s", time.Since(deactivated), status, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("refused %v after Django's save returned", time.Since(deactivated).Round(time.Millisecond))
}

// signInThenDeactivate signs the active user in at the Go service, checks
// that its access token is accepted, then deactivates the user in Django
// as the admin does (save of is_active false), and returns the pair and
// when the save returned.
func (s *shared) signInThenDeactivate(t *testing.T) (access, refresh string, deactivated time.Time) {
	t.Helper()
	access, refresh = s.goPair(t, "/api/token/", map[string]string{"username": django.Username, "password": django.Password})
	if status, body := s.goHello(t, access); status != http.StatusOK {
		t.Fatalf("Go /hello/ before: %d %s", status, body)
	}
	djangoShell(t, s.django, `
from django.contrib.auth.models import User
u = User.objects.get(username="vitor")
u.is_active = False
u.save()
`)
	return access, refresh, time.Now()
}
