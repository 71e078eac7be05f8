// Package minter gets JWTs from other implementations: jose on Node.js
// (interop/testdata/oidc/mint.js) and PyJWT on /usr/bin/python3
// (interop/testdata/pyjwt/mint.py).
//
// Each run generates a new key for every algorithm the implementation and
// jwtguard both support, signs one token with each, and returns the tokens
// with the public JWK Set that verifies them, as the implementation exports
// it. The HMAC secrets are in the set as "oct" keys.
//
// [Jose] needs Node.js 20.19 or later and `npm ci` run in
// interop/testdata/oidc (scripts/ci/node.sh); [PyJWT] needs the Debian
// packages python3-jwt and python3-cryptography (scripts/ci/pyjwt.sh).
// Without them the test is skipped, or fails when the environment variable
// CI is true.
package minter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/interop/internal/testenv"
)

// Python is the interpreter that runs PyJWT: the system one, which sees the
// Debian packages (a python3 earlier on PATH may not).
const Python = "/usr/bin/python3"

// runTimeout bounds one run of a minter, key generation included.
const runTimeout = 2 * time.Minute

// Request is what every minted token carries.
type Request struct {
	// Claims are put in every token as they are. The minter adds "iat",
	// "exp" and a random "jti".
	Claims map[string]any
	// Lifetime is exp minus iat, in whole seconds.
	Lifetime time.Duration
}

// Token is one minted token.
type Token struct {
	// Alg is the header's "alg", and Kid its "kid": the key's RFC 7638
	// thumbprint.
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	// Token is the compact JWS.
	Token string `json:"token"`
}

// Result is the output of one run.
type Result struct {
	// JWKS is the JWK Set of the keys that signed Tokens: public keys, and
	// the HMAC secrets. Each key has its "kid", its one "alg" and "use":
	// "sig".
	JWKS json.RawMessage `json:"jwks"`
	// Tokens holds one token per algorithm, in the order of the minter's
	// list.
	Tokens []Token `json:"tokens"`

	// ShortECJWK is set by PyJWT only: PyJWT 2.6's to_jwk of a P-521
	// public key whose x or y has leading zero bytes, as to_jwk writes it:
	// without them. ShortECJWKPadded is the same key with full-length
	// coordinates, as RFC 7518 §6.2.1.2 requires. The keys of JWKS are
	// padded.
	ShortECJWK       json.RawMessage `json:"short_ec_jwk"`
	ShortECJWKPadded json.RawMessage `json:"short_ec_jwk_padded"`
}

// JoseAlgorithms are the algorithms [Jose] mints tokens for.
func JoseAlgorithms() []string {
	return []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
		"ES256", "ES384", "ES512", "EdDSA", "Ed25519"}
}

// PyJWTAlgorithms are the algorithms [PyJWT] mints tokens for. PyJWT 2.6
// does not know "Ed25519" (RFC 9864); its "ES256K" and "ES521" are not
// jwtguard's.
func PyJWTAlgorithms() []string {
	return []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
		"ES256", "ES384", "ES512", "EdDSA"}
}

// Jose mints tokens with jose (mint.js), and fails t if it cannot.
func Jose(t testing.TB, req Request) *Result {
	t.Helper()
	node, dir, err := testenv.Node()
	if err != nil {
		testenv.Unavailable(t, "jose", err, testenv.NodeHint)
	}
	return run(t, "mint.js", req, dir, nil, node, "mint.js")
}

// PyJWT mints tokens with PyJWT (mint.py), and fails t if it cannot.
func PyJWT(t testing.TB, req Request) *Result {
	t.Helper()
	if err := pyjwtAvailable(); err != nil {
		testenv.Unavailable(t, "pyjwt", err,
			"install python3-jwt and python3-cryptography (`source scripts/ci/pyjwt.sh` does)")
	}
	dir, err := testenv.Testdata("pyjwt", "mint.py")
	if err != nil {
		t.Fatalf("pyjwt: %v", err)
	}
	return run(t, "mint.py", req, dir, pythonEnviron(), Python, "mint.py")
}

func run(t testing.TB, name string, req Request, dir string, env []string, command ...string) *Result {
	t.Helper()
	secs := req.Lifetime / time.Second
	if secs <= 0 || req.Lifetime%time.Second != 0 {
		t.Fatalf("%s: lifetime %v is not a positive whole number of seconds", name, req.Lifetime)
	}
	claims := req.Claims
	if claims == nil {
		claims = map[string]any{}
	}
	var r Result
	stdout := execJSON(t, name, struct {
		Claims   map[string]any `json:"claims"`
		Lifetime int64          `json:"lifetime"`
	}{claims, int64(secs)}, &r, dir, env, command...)
	if len(r.Tokens) == 0 || len(r.JWKS) == 0 {
		t.Fatalf("%s: no tokens or no keys in the output:\n%s", name, stdout)
	}
	return &r
}

// execJSON runs command in dir with input as JSON on its standard input,
// decodes its standard output into out and returns it; it fails t when the
// command fails or writes something else.
func execJSON(t testing.TB, name string, input, out any, dir string, env []string, command ...string) string {
	t.Helper()
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatalf("%s: encoding the request: %v", name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, command[0], command[1:]...)
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("%s: output is not the expected JSON: %v\n%s\n%s", name, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// pyjwtAvailable reports why PyJWT cannot run here, once per process.
var pyjwtAvailable = sync.OnceValue(func() error {
	if _, err := os.Stat(Python); err != nil {
		return fmt.Errorf("%s not found", Python)
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, Python, "-c",
		"import jwt, cryptography; assert 'EdDSA' in jwt.algorithms.get_default_algorithms()")
	cmd.Env = pythonEnviron()
	if out, err := cmd.CombinedOutput(); err != nil {
		return errors.New(strings.TrimSpace(fmt.Sprintf("%s cannot import PyJWT with cryptography: %v: %s", Python, err, out)))
	}
	return nil
})

// pythonEnviron is the environment of the Python processes: this one's,
// without anything that would point Python elsewhere. Python writes no
// bytecode into the source tree.
func pythonEnviron() []string {
	drop := []string{"PYTHONPATH=", "PYTHONHOME=", "PYTHONSTARTUP="}
	var env []string
outer:
	for _, kv := range os.Environ() {
		for _, p := range drop {
			if strings.HasPrefix(kv, p) {
				continue outer
			}
		}
		env = append(env, kv)
	}
	return append(env, "PYTHONDONTWRITEBYTECODE=1")
}
