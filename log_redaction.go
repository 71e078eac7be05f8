package jwtguard

import (
	"errors"
	"path"
	"slices"
	"strings"
)

// PathRedactor rewrites a request path for a log line so that no
// credential carried in the path reaches the log. Its rule, applied to
// the path as the router sees it (cleaned: "//a/./b/../c" is "/a/c"):
//
//   - every segment shaped like a JWT is replaced with [REDACTED]: a
//     segment that starts with "eyJ" (the encoding of `{"`), or that is
//     made of three or more base64url parts joined by dots;
//   - every segment where one of the patterns has "*" is replaced too, for
//     paths that carry tokens of other shapes ("/reset-password/*/").
//
// A path left as it was is returned as it came; a path that needed
// anything hidden is returned cleaned. The nil *PathRedactor applies the
// first rule alone. A PathRedactor is immutable and safe for concurrent
// use.
type PathRedactor struct {
	patterns [][]string // segments; "*" marks a hidden one
}

// redactedSegment replaces a hidden segment.
const redactedSegment = "[REDACTED]"

// NewPathRedactor returns the rule above, extended with patterns: absolute
// paths whose "*" segments carry a credential, such as
// "/api-activate/*/". A pattern matches any path that starts with its
// segments.
func NewPathRedactor(patterns ...string) (*PathRedactor, error) {
	p := &PathRedactor{}
	var errs []error
	for _, pat := range patterns {
		segs := pathSegments(pat)
		if !strings.HasPrefix(pat, "/") || !slices.Contains(segs, "*") {
			errs = append(errs, configError("redaction pattern %q is not an absolute path with a * segment", pat))
			continue
		}
		p.patterns = append(p.patterns, segs)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return p, nil
}

// Redact returns p for a log line, its credentials hidden.
func (r *PathRedactor) Redact(p string) string {
	segs := pathSegments(p)
	hidden := false
	for i, s := range segs {
		if looksLikeJWT(s) {
			segs[i], hidden = redactedSegment, true
		}
	}
	if r != nil {
		for _, pat := range r.patterns {
			if matchSegments(pat, segs) {
				for i, s := range pat {
					if s == "*" {
						segs[i], hidden = redactedSegment, true
					}
				}
			}
		}
	}
	if !hidden && !uncleanPath(p) {
		return p
	}
	out := "/" + strings.Join(segs, "/")
	if strings.HasSuffix(p, "/") && len(segs) > 0 {
		out += "/"
	}
	return out
}

// pathSegments splits the cleaned path p into its segments.
func pathSegments(p string) []string {
	c := path.Clean("/" + p)
	if c == "/" {
		return nil
	}
	return strings.Split(c[1:], "/")
}

// uncleanPath reports whether p holds "//", "/./" or "/../": a segment the
// cleaning drops could be a credential, so such a path is logged cleaned.
func uncleanPath(p string) bool {
	return strings.Contains(p, "//") || strings.Contains(p+"/", "/./") || strings.Contains(p+"/", "/../") ||
		!strings.HasPrefix(p, "/")
}

func matchSegments(pat, segs []string) bool {
	if len(segs) < len(pat) {
		return false
	}
	for i, s := range pat {
		if s != "*" && s != segs[i] {
			return false
		}
	}
	return true
}

// looksLikeJWT reports whether a path segment may be a JWT, or the start
// of one.
func looksLikeJWT(s string) bool {
	if len(s) >= 8 && strings.HasPrefix(s, "eyJ") {
		return true
	}
	if strings.Count(s, ".") < 2 || len(s) < 24 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
