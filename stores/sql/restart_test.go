package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jwtguard/jwtguard"
	sqlstore "github.com/jwtguard/jwtguard/stores/sql"
)

// The child process of TestRevocationSurvivesRestart reads its orders from
// these variables.
const (
	helperEnv = "JWTGUARD_SQLSTORE_HELPER" // "1" in the child
	ordersEnv = "JWTGUARD_SQLSTORE_ORDERS" // JSON orders
)

// orders tells the child what to write, and where.
type orders struct {
	Path                            string
	Revoked, Family, Subject, Spent jwtguard.Record
}

// A revocation survives a process restart: a child process revokes a token,
// a family and a subject and spends a token in a SQLite file, then exits;
// this process, which never had the file open, opens it and sees them.
func TestRevocationSurvivesRestart(t *testing.T) {
	t.Parallel()
	o := orders{
		Path:    filepath.Join(t.TempDir(), "restart.db"),
		Revoked: record(),
		Family:  record(),
		Subject: record(),
		Spent:   record(),
	}
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"=1", ordersEnv+"="+string(b))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child process: %v\n%s", err, out)
	}

	s := openSQLite(t, o.Path)
	ctx := context.Background()
	for _, c := range []struct {
		what string
		r    jwtguard.Record
		want error
	}{
		{"revoked token", o.Revoked, jwtguard.ErrTokenRevoked},
		{"token of a revoked family", jwtguard.Record{ID: "other", Family: o.Family.Family, Subject: "s", IssuedAt: o.Family.IssuedAt}, jwtguard.ErrTokenRevoked},
		{"token of a revoked subject", jwtguard.Record{ID: "other", Family: "f", Subject: o.Subject.Subject, IssuedAt: o.Subject.IssuedAt}, jwtguard.ErrTokenRevoked},
		{"spent token", o.Spent, jwtguard.ErrTokenSpent},
		{"unknown token", record(), nil},
	} {
		if err := s.Check(ctx, c.r); !errors.Is(err, c.want) || (c.want == nil && err != nil) {
			t.Errorf("after the restart, Check of a %s: %v, want %v", c.what, err, c.want)
		}
	}
	if err := s.Spend(ctx, o.Spent); !errors.Is(err, jwtguard.ErrTokenSpent) {
		t.Errorf("after the restart, Spend of a spent token: %v, want ErrTokenSpent", err)
	}
}

// TestHelperProcess is the child process of TestRevocationSurvivesRestart;
// run on its own, it does nothing.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return
	}
	var o orders
	if err := json.Unmarshal([]byte(os.Getenv(ordersEnv)), &o); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := sqlstore.OpenSQLite(ctx, o.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		s.Revoke(ctx, o.Revoked),
		s.RevokeFamily(ctx, o.Family.Family, o.Family.ExpiresAt),
		s.RevokeSubject(ctx, o.Subject.Subject, o.Subject.IssuedAt, o.Subject.ExpiresAt),
		s.Spend(ctx, o.Spent),
		s.Close(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	os.Exit(0)
}
