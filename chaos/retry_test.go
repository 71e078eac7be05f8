package chaos

import (
	"net/http"
	"testing"
	"time"
)

// TestRefreshRetryAfterUnseenSpend: a refresh's spend commits in the
// database, but its reply is lost (the database hangs before answering);
// the client gets a 503 once the store timeout passes. The client's retry
// with the same token must not be taken for theft.
func TestRefreshRetryAfterUnseenSpend(t *testing.T) {
	store, p := postgresBehindProxy(t)
	srv := newTokenServer(t, store)
	l := &load{url: srv.URL, client: &http.Client{Timeout: 20 * time.Second}, start: time.Now()}
	s := l.signIn("u1")
	if s == nil {
		t.Fatal("sign-in failed")
	}
	// Warm up: the spend's statement prepared on the pool's connection,
	// so that the refresh under test sends the spend itself.
	if s = l.refresh(s); s == nil || len(s.spent) != 1 {
		t.Fatal("warm-up refresh failed")
	}
	p.freezeReplies()
	st, _ := l.post(kindRefresh, "/api/token/refresh/", map[string]string{"refresh": s.refresh})
	p.unfreeze()
	if st != http.StatusServiceUnavailable {
		t.Fatalf("refresh with the database's replies lost: %d, want 503", st)
	}
	st, pair := l.post(kindRetryRefresh, "/api/token/refresh/", map[string]string{"refresh": s.refresh})
	t.Logf("retry: %d", st)
	if st != http.StatusOK {
		t.Errorf("the retried refresh: %d, want 200", st)
	}
	if st := l.read(kindRead, pair["access"]); pair["access"] != "" && st != http.StatusOK {
		t.Errorf("read with the retry's access token: %d", st)
	}
}
