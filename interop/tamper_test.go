package interop_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// withHeader returns token with one header parameter replaced and the
// signature kept: a forgery.
func withHeader(t *testing.T, token, name string, value any) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments", len(parts))
	}
	data, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatalf("header segment: %v", err)
	}
	var h map[string]json.RawMessage
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatalf("header: %v", err)
	}
	v, err := json.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	h[name] = v
	header, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(header) + "." + parts[1] + "." + parts[2]
}

// flipSignature returns token with one bit of its signature's middle byte
// flipped, the signature still well-formed base64url of the same length.
func flipSignature(t *testing.T, token string) string {
	t.Helper()
	i := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil || len(sig) == 0 {
		t.Fatalf("signature segment: %v", err)
	}
	sig[len(sig)/2] ^= 0x01
	return token[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}
