package main_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// Every asymmetric algorithm jwtguard verifies: keygen writes a private
// PEM only its owner reads and a JWK Set the library reads; a token mint
// signs with the key verifies against the set, and its claims come out.
func TestKeygenMintVerify(t *testing.T) {
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			run(t, dir, "keygen", "-alg", alg, "-kid", "k1", "-private", "priv.pem", "-jwks", "jwks.json")
			if fi, err := os.Stat(filepath.Join(dir, "priv.pem")); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("priv.pem: %v %v", fi.Mode(), err)
			}
			data, err := os.ReadFile(filepath.Join(dir, "jwks.json"))
			if err != nil {
				t.Fatal(err)
			}
			keys, err := jwtguard.ParseJWKSet(data)
			if err != nil || len(keys) != 1 || keys[0].ID() != "k1" || strings.Join(keys[0].Algorithms(), "") != alg {
				t.Fatalf("jwks.json %s: %v", data, err)
			}
			if strings.Contains(string(data), `"d"`) {
				t.Errorf("the JWK Set holds the private part: %s", data)
			}
			tok := strings.TrimSpace(run(t, dir, "mint", "-key", "priv.pem", "-alg", alg, "-kid", "k1", "-claim", "sub=alice", "-claim", "scope=read", "-exp", "5m"))
			var claims map[string]any
			if err := json.Unmarshal([]byte(run(t, dir, "verify", "-jwks", "jwks.json", tok)), &claims); err != nil {
				t.Fatal(err)
			}
			if claims["sub"] != "alice" || claims["scope"] != "read" {
				t.Errorf("claims %v", claims)
			}
			if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != 300 {
				t.Errorf("exp - iat = %v, want 300", exp-iat)
			}
		})
	}
}

// An HMAC secret: a file only its owner reads, no JWK Set, and the secret
// reaches mint and verify through a file or the environment, never an
// argument.
func TestKeygenHMAC(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "keygen", "-alg", "HS512", "-private", "secret.txt")
	secret, err := os.ReadFile(filepath.Join(dir, "secret.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "secret.txt")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secret.txt: %v %v", fi.Mode(), err)
	}
	if s := strings.TrimSpace(string(secret)); len(s) != 86 { // 64 bytes, base64url
		t.Errorf("secret %q", s)
	}
	tok := strings.TrimSpace(run(t, dir, "mint", "-hmac-secret-file", "secret.txt", "-alg", "HS512", "-claim", "sub=bob"))
	if out := run(t, dir, "verify", "-hmac-secret-file", "secret.txt", tok); !strings.Contains(out, `"sub": "bob"`) {
		t.Errorf("verify: %s", out)
	}
	env := []string{"JWTGUARD_TEST_SECRET=" + strings.TrimSpace(string(secret))}
	r := runCmd(t, dir, "", env, "mint", "-hmac-secret-env", "JWTGUARD_TEST_SECRET", "-claim", "sub=carol")
	if r.code != 0 {
		t.Fatalf("mint from the environment: %d %s", r.code, r.stderr)
	}
	if r = runCmd(t, dir, "", env, "verify", "-hmac-secret-env", "JWTGUARD_TEST_SECRET", strings.TrimSpace(r.stdout)); r.code != 0 || !strings.Contains(r.stdout, "carol") {
		t.Errorf("verify from the environment: %d %s %s", r.code, r.stdout, r.stderr)
	}
	fails(t, dir, 2, "no public part", "keygen", "-alg", "HS256", "-private", "s2.txt", "-jwks", "j.json")
	fails(t, dir, 2, "never an argument", "mint", "-hmac-secret-file", "secret.txt", "my-secret")
	fails(t, dir, 1, "is empty", "mint", "-hmac-secret-env", "JWTGUARD_TEST_UNSET_VARIABLE")
}

// keygen never overwrites a file unless told, and refuses what the library
// would refuse.
func TestKeygenRefusals(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "keygen", "-alg", "ES256", "-private", "priv.pem")
	before, _ := os.ReadFile(filepath.Join(dir, "priv.pem"))
	fails(t, dir, 1, "exists", "keygen", "-alg", "ES256", "-private", "priv.pem")
	after, _ := os.ReadFile(filepath.Join(dir, "priv.pem"))
	if string(before) != string(after) {
		t.Error("keygen overwrote priv.pem")
	}
	run(t, dir, "keygen", "-alg", "ES384", "-private", "priv.pem", "-force")
	if after, _ = os.ReadFile(filepath.Join(dir, "priv.pem")); string(before) == string(after) {
		t.Error("-force did not overwrite priv.pem")
	}
	fails(t, dir, 2, "at least 2048", "keygen", "-alg", "RS256", "-bits", "1024", "-private", "r.pem")
	fails(t, dir, 2, `"none"`, "keygen", "-alg", "none", "-private", "n.pem")
	fails(t, dir, 2, "-alg is required", "keygen", "-private", "n.pem")
	run(t, dir, "keygen", "-alg", "PS256", "-private", "rsa.pem")
	fails(t, dir, 2, "-alg is required for an RSA key", "mint", "-key", "rsa.pem")
	fails(t, dir, 2, "-private is required", "keygen", "-alg", "ES256")
	// A key of one curve does not sign for another's algorithm.
	fails(t, dir, 1, "", "mint", "-key", "priv.pem", "-alg", "ES256")
}
