package drfjwt

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/jwtguard/jwtguard"
)

// The Authorization header as JSONWebTokenAuthentication read it: split on
// ASCII white space; no parts is no credentials; a first part other than
// the prefix (compared without regard to ASCII case) is someone else's
// header, so no credentials either; the prefix alone, or more than two
// parts, is refused.

var (
	// errPrefixOnly: "JWT" and nothing after it.
	errPrefixOnly = fmt.Errorf("%w: no credentials after the prefix", jwtguard.ErrMalformedCredentials)
	// errSpaces: more than a prefix and one token.
	errSpaces = fmt.Errorf("%w: credentials string contains spaces", jwtguard.ErrMalformedCredentials)
)

// Extractor returns the profile's extractor (its source the Authorization header): the token of an
// Authorization header "<prefix> <token>", read as the old library read
// it. Two Authorization headers are read as one, joined by a comma, as the
// WSGI servers in front of Django joined them.
func (p *Profile) Extractor() jwtguard.CredentialExtractor {
	prefix := p.cfg.prefix
	return jwtguard.Own(jwtguard.ExtractorFunc(func(r *http.Request) (string, error) {
		return extract(strings.Join(r.Header.Values("Authorization"), ","), prefix)
	}), jwtguard.SourceAuthorization)
}

// extract reads one Authorization value with the given prefix.
func extract(v, prefix string) (string, error) {
	first, rest := nextField(v)
	if first == "" || !asciiEqualFold(first, prefix) {
		return "", nil
	}
	tok, rest := nextField(rest)
	if tok == "" {
		return "", errPrefixOnly
	}
	if more, _ := nextField(rest); more != "" {
		return "", errSpaces
	}
	return tok, nil
}

// nextField returns the first run of non-white-space bytes of s and what
// follows it, white space as Python's bytes.split() knows it.
func nextField(s string) (string, string) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isSpace(s[j]) {
		j++
	}
	return s[i:j], s[j:]
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f'
}

// asciiEqualFold compares as bytes.lower() does: ASCII letters only, so
// that no Unicode folding (the Kelvin sign as "k") widens the match.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
