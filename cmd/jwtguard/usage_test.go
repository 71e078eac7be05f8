package main_test

import (
	"strings"
	"testing"
	"time"
)

// Usage errors exit 2 and say what is wrong.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		want string
		args []string
	}{
		{"Usage: jwtguard <command>", nil},
		{`unknown command "sign"`, []string{"sign"}},
		{"flag provided but not defined: -nope", []string{"verify", "-nope", "x"}},
		{"give one key source", []string{"verify", "x"}},
		{"give one key source", []string{"verify", "-jwks", "a", "-pem", "b", "x"}},
		{"want exactly one TOKEN", []string{"verify", "-jwks", "a"}},
		{"want exactly one TOKEN", []string{"inspect", "a", "b"}},
		{"give exactly one of -key", []string{"mint"}},
		{"want NAME=VALUE", []string{"mint", "-key", "k", "-claim", "sub"}},
		{"not JSON", []string{"mint", "-key", "k", "-claim", "n:={"}},
		{`"sub" given twice`, []string{"mint", "-key", "k", "-claim", "sub=a", "-claim", "sub=b"}},
		{"must be positive", []string{"mint", "-key", "k", "-exp", "-5m"}},
		{"unexpected argument", []string{"keygen", "-alg", "ES256", "-private", "p", "extra"}},
	} {
		fails(t, dir, 2, c.want, c.args...)
	}
}

// Every subcommand's -help (and --help) shows its flags and an example,
// on standard output, with exit 0.
func TestHelp(t *testing.T) {
	for _, name := range []string{"keygen", "mint", "verify", "inspect"} {
		for _, flag := range []string{"-help", "--help", "-h"} {
			r := runCmd(t, t.TempDir(), "", nil, name, flag)
			if r.code != 0 || !strings.Contains(r.stdout, "Usage: jwtguard "+name) || !strings.Contains(r.stdout, "Example:\n  jwtguard "+name) {
				t.Errorf("%s %s: exit %d\n%s%s", name, flag, r.code, r.stdout, r.stderr)
			}
		}
	}
	if r := runCmd(t, t.TempDir(), "", nil, "--help"); r.code != 0 || !strings.Contains(r.stdout, "inspect") {
		t.Errorf("--help: %d %s", r.code, r.stdout)
	}
}

// inspect shows the header and the claims of any token, says that nothing
// was verified, and shows the dates as dates, against the real clock.
func TestInspect(t *testing.T) {
	dir := t.TempDir()
	tok := keyPair(t, dir, "sub=alice", "exp:=1")
	r := runCmd(t, dir, "", nil, "inspect", tok)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "NOT VERIFIED") || !strings.Contains(r.stdout, `"kid": "k1"`) ||
		!strings.Contains(r.stdout, `"sub": "alice"`) || !strings.Contains(r.stdout, "exp:        1970-01-01T00:00:01Z (") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	now := time.Now().UTC()
	fresh := strings.TrimSpace(run(t, dir, "mint", "-key", "priv.pem", "-exp", "1h"))
	out := run(t, dir, "inspect", fresh)
	found := false
	for _, d := range []time.Duration{-time.Second, 0, time.Second, 2 * time.Second, 3 * time.Second} {
		if strings.Contains(out, "exp:        "+now.Add(time.Hour+d).Format(time.RFC3339)+" (in ") {
			found = true
		}
	}
	if !found {
		t.Errorf("exp is not about an hour from %s:\n%s", now.Format(time.RFC3339), out)
	}
	if r := runCmd(t, dir, fresh, nil, "inspect", "-"); r.code != 0 || !strings.HasPrefix(r.stdout, "NOT VERIFIED") || !strings.Contains(r.stdout, "exp:") {
		t.Errorf("from standard input: %d %s", r.code, r.stderr)
	}
	for _, bad := range []string{"garbage", "a.b.c", "e30.bm90IGpzb24.x"} {
		if r := runCmd(t, dir, "", nil, "inspect", bad); r.code != 1 || r.stdout != "" {
			t.Errorf("inspect %q: exit %d %q %q", bad, r.code, r.stdout, r.stderr)
		}
	}
}
