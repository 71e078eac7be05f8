package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"time"

	"github.com/jwtguard/jwtguard"
)

// invalidToken is verify's refusal: printed as the library's own words,
// with exit status 1.
type invalidToken struct{ err error }

func (e *invalidToken) Error() string { return e.err.Error() }
func (e *invalidToken) Unwrap() error { return e.err }

func runVerify(e *env, args []string) error {
	fs := newFlagSet(e, "verify", "(-jwks FILE | -jwks-url URL | -issuer URL | -pem FILE | -hmac-secret-file FILE | -hmac-secret-env NAME) [flags] TOKEN",
		"  jwtguard verify -jwks jwks.json eyJhbGciOi...\n"+
			"  jwtguard verify -issuer https://id.example.com/ -audience api - < token.txt")
	jwksFile := fs.String("jwks", "", "file holding the trusted public keys as a JWK Set")
	jwksURL := fs.String("jwks-url", "", "URL of the trusted JWK Set (https, or http on a loopback host)")
	issuer := fs.String("issuer", "", `the token's required "iss"; alone, its keys come from OpenID Connect discovery`)
	pemFile := fs.String("pem", "", "file holding a trusted public key, certificate or private key, PEM")
	secretFile := fs.String("hmac-secret-file", "", "file holding the HMAC secret (its text, trailing newline removed)")
	secretEnv := fs.String("hmac-secret-env", "", "name of the environment variable holding the HMAC secret")
	var audiences multiFlag
	fs.Var(&audiences, "audience", `an accepted "aud" (repeatable); without it "aud" is not checked`)
	tokenType := fs.String("token-type", "", `simplejwt's profile: the required "token_type" (access, refresh, ...), and a "jti"; "" (the default) accepts any token, as mint makes without -simplejwt`)
	typ := fs.String("typ", "", `the required "typ" header, such as at+jwt for RFC 9068 access tokens`)
	leeway := fs.Duration("leeway", 0, "clock skew allowed on exp, nbf and iat")
	timeout := fs.Duration("timeout", 10*time.Second, "bound on fetching remote keys")
	rest, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	raw, err := tokenArg(e, rest)
	if err != nil {
		return err
	}
	sources := given(*jwksFile, *jwksURL, *pemFile, *secretFile, *secretEnv)
	if sources > 1 || (sources == 0 && *issuer == "") {
		return usagef("give one key source: -jwks, -jwks-url, -pem, -hmac-secret-file, -hmac-secret-env, or -issuer alone for discovery")
	}
	if *timeout <= 0 {
		return usagef("-timeout %v: must be positive", *timeout)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	keys, closeKeys, err := verifyKeys(ctx, e, *jwksFile, *jwksURL, *issuer, *pemFile, *secretFile, *secretEnv, *timeout)
	if err != nil {
		return err
	}
	defer closeKeys()
	opts := []jwtguard.VerifierOption{jwtguard.WithTokenType(*tokenType), jwtguard.WithLeeway(*leeway), jwtguard.WithoutCache()}
	if *issuer != "" {
		opts = append(opts, jwtguard.WithIssuer(*issuer))
	}
	if len(audiences) > 0 {
		opts = append(opts, jwtguard.WithAudience(audiences...))
	}
	if *typ != "" {
		opts = append(opts, jwtguard.WithExpectedType(*typ))
	}
	v, err := jwtguard.NewVerifier(keys, opts...)
	if err != nil {
		return usagef("%v", err)
	}
	t, err := v.Verify(ctx, raw)
	if err != nil {
		return &invalidToken{err}
	}
	var out bytes.Buffer
	if err := json.Indent(&out, t.Payload(), "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = e.stdout.Write(out.Bytes())
	return err
}

// verifyKeys returns the key provider the flags name, and what closes it.
func verifyKeys(ctx context.Context, e *env, jwksFile, jwksURL, issuer, pemFile, secretFile, secretEnv string, timeout time.Duration) (jwtguard.KeyProvider, func(), error) {
	nothing := func() {}
	remote := []jwtguard.RemoteOption{jwtguard.WithFetchTimeout(timeout), jwtguard.WithStartupTimeout(timeout)}
	var (
		keys []*jwtguard.Key
		err  error
	)
	switch {
	case jwksURL != "":
		r, err := jwtguard.NewRemoteKeySet(jwksURL, remote...)
		if err != nil {
			return nil, nothing, err
		}
		return r, func() { r.Close() }, nil
	case jwksFile != "":
		var data []byte
		if data, err = os.ReadFile(jwksFile); err == nil {
			keys, err = jwtguard.ParseJWKSet(data)
		}
	case pemFile != "":
		var data []byte
		if data, err = os.ReadFile(pemFile); err == nil {
			var k *jwtguard.Key
			if k, err = jwtguard.ParsePEM("", data); err == nil {
				keys = append(keys, k)
			}
		}
	case secretFile != "" || secretEnv != "":
		var secret []byte
		if secret, err = hmacSecret(e, secretFile, secretEnv); err == nil {
			var k *jwtguard.Key
			if k, err = jwtguard.NewHMACKey("", secret); err == nil {
				keys = append(keys, k)
			}
		}
	default:
		r, err := jwtguard.Discover(ctx, issuer, remote...)
		if err != nil {
			return nil, nothing, err
		}
		return r, func() { r.Close() }, nil
	}
	if err != nil {
		return nil, nothing, err
	}
	set, err := jwtguard.NewKeySet(keys...)
	return set, nothing, err
}
