package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jwtguard/jwtguard"
)

func runMint(e *env, args []string) error {
	fs := newFlagSet(e, "mint", "(-key FILE | -hmac-secret-file FILE | -hmac-secret-env NAME) [-claim NAME=VALUE]... [flags]",
		"  jwtguard mint -key priv.pem -kid k1 -claim sub=alice -claim scope=read -exp 5m\n"+
			"  JWT_SIGNING_KEY=... jwtguard mint -hmac-secret-env JWT_SIGNING_KEY -simplejwt -claim user_id:=42")
	keyFile := fs.String("key", "", "private key file, PEM (PKCS#8, PKCS#1 or SEC1), as keygen writes it")
	secretFile := fs.String("hmac-secret-file", "", "file holding an HMAC secret (its text, trailing newline removed)")
	secretEnv := fs.String("hmac-secret-env", "", "name of the environment variable holding an HMAC secret")
	alg := fs.String("alg", "", "algorithm; by default ES256, ES384 or ES512 by the key's curve, EdDSA, HS256 (required for RSA keys)")
	kid := fs.String("kid", "", `key ID for the token's "kid" header`)
	exp := fs.Duration("exp", 5*time.Minute, `lifetime: "exp" is now plus this`)
	simple := fs.Bool("simplejwt", false, `simplejwt's access-token claims: token_type, exp, iat, jti (give user_id with -claim)`)
	tokenType := fs.String("token-type", "access", "token_type under -simplejwt")
	var claims multiFlag
	fs.Var(&claims, "claim", "a claim, NAME=VALUE for a string or NAME:=JSON for any JSON value (repeatable);\nit replaces a claim the command sets (exp, iat, ...)")
	rest, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return usagef("unexpected argument %q (the HMAC secret is never an argument: use -hmac-secret-file or -hmac-secret-env)", rest[0])
	}
	if *exp <= 0 {
		return usagef("-exp %v: the lifetime must be positive", *exp)
	}
	extra, err := parseClaims(claims)
	if err != nil {
		return err
	}
	key, err := mintKey(e, *keyFile, *secretFile, *secretEnv)
	if err != nil {
		return err
	}
	if *alg == "" {
		if *alg = defaultAlg(key); *alg == "" {
			return usagef("-alg is required for an RSA key (RS256, RS384, RS512, PS256, PS384 or PS512): a PEM file does not say which")
		}
	}
	// The library's own checks: key size, curve, algorithm family.
	if _, err := jwtguard.NewSigningKey(*kid, key, *alg); err != nil {
		return err
	}
	now := time.Now()
	c := jwt.MapClaims{"iat": now.Unix(), "exp": now.Add(*exp).Unix()}
	if *simple {
		c["token_type"] = *tokenType
		c["jti"] = randomID()
	}
	for name, v := range extra {
		c[name] = v
	}
	method := jwt.GetSigningMethod(*alg)
	if *alg == jwtguard.Ed25519 {
		method = jwt.SigningMethodEdDSA
	}
	t := jwt.NewWithClaims(method, c)
	t.Header["alg"] = *alg
	if *kid != "" {
		t.Header["kid"] = *kid
	}
	s, err := t.SignedString(key)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, s)
	return err
}

// mintKey loads the one signing key the flags name.
func mintKey(e *env, keyFile, secretFile, secretEnv string) (any, error) {
	if given(keyFile, secretFile, secretEnv) != 1 {
		return nil, usagef("give exactly one of -key, -hmac-secret-file and -hmac-secret-env")
	}
	if keyFile != "" {
		data, err := os.ReadFile(keyFile)
		if err != nil {
			return nil, err
		}
		return parsePrivateKey(data)
	}
	return hmacSecret(e, secretFile, secretEnv)
}

// defaultAlg is the algorithm a key signs with unless -alg says otherwise:
// none for RSA, whose six algorithms a key does not choose between.
func defaultAlg(key any) string {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return ""
	case *ecdsa.PrivateKey:
		switch k.Curve.Params().BitSize {
		case 384:
			return jwtguard.ES384
		case 521:
			return jwtguard.ES512
		}
		return jwtguard.ES256
	case ed25519.PrivateKey:
		return jwtguard.EdDSA
	}
	return jwtguard.HS256
}

// parseClaims reads NAME=VALUE (a string) and NAME:=JSON (any value).
func parseClaims(args []string) (map[string]any, error) {
	out := make(map[string]any, len(args))
	for _, a := range args {
		name, value, ok := strings.Cut(a, "=")
		if !ok || name == "" || name == ":" {
			return nil, usagef("-claim %q: want NAME=VALUE or NAME:=JSON", a)
		}
		var v any = value
		if n, isJSON := strings.CutSuffix(name, ":"); isJSON {
			name = n
			if err := json.Unmarshal([]byte(value), &v); err != nil {
				return nil, usagef("-claim %q: the value is not JSON: %v", a, err)
			}
			v = json.RawMessage(value)
		}
		if _, dup := out[name]; dup {
			return nil, usagef("-claim: %q given twice", name)
		}
		out[name] = v
	}
	return out, nil
}

// randomID returns 128 random bits in hex, simplejwt's jti format.
func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
