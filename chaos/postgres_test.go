package chaos

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	sqlstore "github.com/jwtguard/jwtguard/stores/sql"
)

// postgresBehindProxy returns a PostgreSQL store, in a schema of its own on
// the server named by JWTGUARD_POSTGRES_DSN, whose connections go through a
// fault proxy. Without a server the test is skipped (fails under CI).
func postgresBehindProxy(t *testing.T) (*sqlstore.Store, *faultProxy) {
	t.Helper()
	dsn := os.Getenv("JWTGUARD_POSTGRES_DSN")
	if dsn == "" {
		skipOrFail(t, "JWTGUARD_POSTGRES_DSN is empty: source scripts/ci/postgres.sh to start a server and set it")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		skipOrFail(t, "the PostgreSQL server of JWTGUARD_POSTGRES_DSN does not answer: "+err.Error())
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "jwtguard_chaos_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })

	host := u.Host
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, "5432")
	}
	p := newFaultProxy(t, host)
	u.Host = p.addr()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(8)
	t.Cleanup(func() { db.Close() })
	store, err := sqlstore.New(ctx, db, sqlstore.PostgreSQL, sqlstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	return store, p
}

// TestPostgresHung: every PostgreSQL connection hangs for two seconds, as
// when the server's processes are stopped. Requests are answered 503 once
// the store timeout passes, not when the database wakes up; no revoked
// token passes; service is back at once when it does.
func TestPostgresHung(t *testing.T) {
	store, p := postgresBehindProxy(t)
	srv := newTokenServer(t, store)
	tl := underFault(t, srv.URL, 2*time.Second, 2*time.Second, 2*time.Second, p.freeze, p.unfreeze)
	tl.check(t, storeTimeout+time.Second, storeTimeout+time.Second)
	t.Logf("refreshes retried after a 503: %d passed, %d refused",
		tl.count(kindRetryRefresh, 200), tl.count(kindRetryRefresh, 401))
}

// TestPostgresTerminated: the database goes away for two seconds (every
// connection closed, new ones refused), as when it is killed or stopped.
// Requests get prompt 503s, no revoked token passes, and service is back
// within a second of the database.
func TestPostgresTerminated(t *testing.T) {
	store, p := postgresBehindProxy(t)
	srv := newTokenServer(t, store)
	tl := underFault(t, srv.URL, 2*time.Second, 2*time.Second, 2*time.Second, p.cut, p.restore)
	tl.check(t, storeTimeout+time.Second, storeTimeout+time.Second)
}
