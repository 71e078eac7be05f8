package jwtguard

import "testing"

// TestNormalizeHTU: RFC 3986's syntax- and scheme-based normalization, as
// RFC 9449 §4.3 asks of "htu"; query and fragment are dropped; what is not
// an absolute http(s) URI fails.
func TestNormalizeHTU(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://api.example/r", "https://api.example/r"},
		{"HTTPS://API.Example/r", "https://api.example/r"},
		{"https://api.example:443/r", "https://api.example/r"},
		{"http://api.example:80/r", "http://api.example/r"},
		{"https://api.example:80/r", "https://api.example:80/r"},
		{"http://api.example:443/r", "http://api.example:443/r"},
		{"https://api.example", "https://api.example/"},
		{"https://api.example:/r", "https://api.example/r"},
		{"https://api.example/%7Euser/%2fa%2F", "https://api.example/~user/%2Fa%2F"},
		{"https://api.example/a/./b/../c", "https://api.example/a/c"},
		{"https://api.example/a/b/..", "https://api.example/a/"},
		{"https://api.example/../../a", "https://api.example/a"},
		{"https://api.example/r?q=1#frag", "https://api.example/r"},
		{"https://[::1]:443/r", "https://[::1]/r"},
		{"https://[::1]:8443/r", "https://[::1]:8443/r"},
		{"https://api.example/R", "https://api.example/R"},
		{"ftp://api.example/r", ""},
		{"/r", ""},
		{"https:///r", ""},
		{"https://user@api.example/r", ""},
		{"mailto:a@b", ""},
		{"https://api.example/%zz", ""},
		{"https://api.example/%4", ""},
	} {
		got, ok := normalizeHTU(c.in)
		if ok != (c.want != "") || got != c.want {
			t.Errorf("normalizeHTU(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}
