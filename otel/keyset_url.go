package jwtguardotel

import (
	"net/url"
	"strings"
)

// maxURLLen bounds the url attribute.
const maxURLLen = 256

// keySetURL is a key set's URL as an attribute: scheme, host and path only.
// User information, query and fragment are dropped, since a URL from
// configuration may carry a password or an API key there; anything but an
// absolute http or https URL becomes "invalid", and a long one is cut.
func keySetURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "" {
		return "invalid"
	}
	clean := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	s := clean.String()
	if len(s) > maxURLLen {
		s = s[:maxURLLen]
		// Do not end inside a percent escape or a UTF-8 sequence.
		if i := strings.LastIndexByte(s, '%'); i >= len(s)-2 {
			s = s[:i]
		}
		s = strings.ToValidUTF8(s, "")
	}
	return s
}
