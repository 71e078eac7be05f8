package drfjwt

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jwtguard/jwtguard"
)

// The Authorization header's reader: a token has no white space and is
// not empty; a refusal is malformed credentials; other prefixes are no
// credentials at all.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{"", "JWT", "JWT a", "jwt  a", "JWT a b", "Bearer a", "JWT\ta\t", " JWT\x0ba\x0c", "JWT \xff", "JwT a,JWT b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		tok, err := extract(v, "JWT")
		switch {
		case err != nil:
			if tok != "" || !errors.Is(err, jwtguard.ErrMalformedCredentials) {
				t.Fatalf("%q: %q, %v", v, tok, err)
			}
		case tok != "":
			if strings.ContainsAny(tok, " \t\n\r\v\f") {
				t.Fatalf("%q: token %q has white space", v, tok)
			}
			if first, _ := nextField(v); !asciiEqualFold(first, "JWT") {
				t.Fatalf("%q: token taken under prefix %q", v, first)
			}
		}
	})
}

// Python's ensure_ascii JSON: ASCII only, and it reads back as the string
// (invalid UTF-8 as U+FFFD).
func FuzzPyString(f *testing.F) {
	for _, s := range []string{"", "vitor", "josé", "\U0001F600", "\"\\\b\f\n\r\t\x00\x7f", "\xff\xfe", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendPyString(nil, s)
		for _, c := range b {
			if c >= 0x80 || c < 0x20 || c == 0x7f {
				t.Fatalf("%q: byte %#x in %s", s, c, b)
			}
		}
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q: %s does not parse: %v", s, b, err)
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); back != want && utf8.ValidString(s) {
			t.Fatalf("%q: read back as %q", s, back)
		}
	})
}

// The Guard's choice in a migration reads an unverified claims set: never
// a panic, whatever the token.
func FuzzHasTokenType(f *testing.F) {
	for _, s := range []string{"", "a.b.c", "eyJ0eXAiOiJKV1QifQ.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.x", "x.e30.", "..", "a.W10.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		hasTokenType(raw)
	})
}
