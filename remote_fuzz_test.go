package jwtguard

import (
	"net/http"
	"testing"
	"time"
)

// FuzzParseRemoteKeySet feeds arbitrary bodies to the remote key set
// parser: never a panic, never an HMAC key, and a set with keys only when
// every key can be used.
func FuzzParseRemoteKeySet(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","use":"sig","kid":"1"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"},{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","alg":"RS256"}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		keys, _, err := parseRemoteKeySet(body)
		if err == nil && len(keys) == 0 {
			t.Fatal("no error and no keys")
		}
		for _, k := range keys {
			if k.Public() == nil {
				t.Fatalf("an HMAC key from a remote set: %s", body)
			}
		}
	})
}

// FuzzMaxAge reads arbitrary Cache-Control values: never negative.
func FuzzMaxAge(f *testing.F) {
	f.Add("public, max-age=300")
	f.Add("no-store")
	f.Add(`max-age="-5", max-age=99999999999999999999`)
	f.Fuzz(func(t *testing.T, v string) {
		if age, _ := maxAge(http.Header{"Cache-Control": {v}}); age < 0 || age > 1<<31*time.Second {
			t.Fatalf("max-age %v from %q", age, v)
		}
	})
}
