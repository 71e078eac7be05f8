package jwtguardotel

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestKeySetURL(t *testing.T) {
	long := "https://id.example/" + strings.Repeat("a", 400)
	cases := []struct{ in, want string }{
		{"https://id.example/.well-known/jwks.json", "https://id.example/.well-known/jwks.json"},
		{"https://user:pw@id.example/jwks?key=abc#frag", "https://id.example/jwks"},
		{"http://127.0.0.1:8080/jwks", "http://127.0.0.1:8080/jwks"},
		{"mailto:someone@example.com", "invalid"},
		{"http://[::1", "invalid"},
		{"", "invalid"},
		{"user@id.example/jwks", "invalid"},
		{"/jwks", "invalid"},
		{"file:///etc/jwks.json", "invalid"},
		{long, long[:maxURLLen]},
		{"https://id.example/" + strings.Repeat("a", maxURLLen-len("https://id.example/")-1) + "%C3%A9", "https://id.example/" + strings.Repeat("a", maxURLLen-len("https://id.example/")-1)},
	}
	for _, c := range cases {
		if got := keySetURL(c.in); got != c.want {
			t.Errorf("keySetURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzKeySetURL: whatever the configured URL, the attribute is short,
// valid UTF-8, and keeps no user information, query or fragment.
func FuzzKeySetURL(f *testing.F) {
	for _, s := range []string{"https://u:p@h/p?q=1#f", "http://h:1/a%2Fb", "//x@y", "https://h/é?x", "::", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := keySetURL(raw)
		if len(got) > maxURLLen || !utf8.ValidString(got) {
			t.Fatalf("keySetURL(%q) = %q: too long or not UTF-8", raw, got)
		}
		if got == "invalid" {
			return
		}
		u, err := url.Parse(got)
		if err != nil && len(got) < maxURLLen {
			t.Fatalf("keySetURL(%q) = %q does not parse: %v", raw, got, err)
		}
		if err == nil && (u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(got, "?#")) {
			t.Fatalf("keySetURL(%q) = %q keeps a query, fragment or user information", raw, got)
		}
	})
}
