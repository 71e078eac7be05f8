package jwtguard

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// A proof's "htu" is compared with the request's URI as RFC 9449 §4.3
// asks: without query and fragment, after RFC 3986's syntax-based
// normalization (§6.2.2: scheme and host in lower case, percent-encodings
// in upper case, unreserved characters decoded, dot segments removed) and
// scheme-based normalization (§6.2.3: the default port dropped, an empty
// path made "/").

// normalizeHTU returns the normalized absolute http(s) URI of s, without
// query and fragment, and false when s is not one.
func normalizeHTU(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.User != nil || u.Host == "" {
		return "", false
	}
	origin, ok := normalizeAuthority(u.Scheme, u.Host)
	if !ok {
		return "", false
	}
	p, ok := normalizePath(u.EscapedPath())
	if !ok {
		return "", false
	}
	return origin + p, true
}

// normalizeAuthority returns scheme://host[:port] in normal form.
func normalizeAuthority(scheme, host string) (string, bool) {
	scheme = strings.ToLower(scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	host = strings.ToLower(host)
	if h, port, ok := cutPort(host); ok {
		if port == "" || (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
			host = h
		}
	}
	if host == "" || strings.ContainsAny(host, "/?#@\\ ") {
		return "", false
	}
	return scheme + "://" + host, true
}

// cutPort splits host:port, minding IPv6 literals in brackets.
func cutPort(host string) (h, port string, ok bool) {
	i := strings.LastIndexByte(host, ':')
	if i < 0 || strings.LastIndexByte(host, ']') > i {
		return host, "", false
	}
	return host[:i], host[i+1:], true
}

// normalizePath normalizes an escaped path: percent-encodings of
// unreserved characters decoded, the others in upper case, dot segments
// removed, and "" made "/". A malformed percent-encoding is refused.
func normalizePath(p string) (string, bool) {
	if p == "" {
		return "/", true
	}
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
			return "", false
		}
		v := unhex(p[i+1])<<4 | unhex(p[i+2])
		if isUnreserved(v) {
			b.WriteByte(v)
		} else {
			b.WriteByte('%')
			b.WriteByte(upperHex(p[i+1]))
			b.WriteByte(upperHex(p[i+2]))
		}
		i += 2
	}
	return removeDotSegments(b.String()), true
}

// removeDotSegments is RFC 3986 §5.2.4's algorithm, on a path that starts
// with "/".
func removeDotSegments(in string) string {
	if !strings.Contains(in, ".") {
		return in
	}
	var out []string // segments, each with its leading "/"
	for in != "" {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "/..":
			in = "/"
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "." || in == "..":
			in = ""
		default:
			j := strings.IndexByte(in[1:], '/')
			if j < 0 {
				out, in = append(out, in), ""
			} else {
				out, in = append(out, in[:j+1]), in[j+1:]
			}
		}
	}
	return strings.Join(out, "")
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func upperHex(c byte) byte {
	if c >= 'a' && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

// isUnreserved reports RFC 3986's unreserved characters.
func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// normalizeOrigin checks and normalizes a configured public origin, which
// may carry a path prefix but no query, fragment or user.
func normalizeOrigin(o string) (string, error) {
	u, err := url.Parse(o)
	if err != nil || u.Opaque != "" || u.User != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" ||
		u.ForceQuery {
		return "", configError("DPoP origin %q is not an absolute http(s) URL without query", o)
	}
	n, ok := normalizeHTU(o)
	if !ok {
		return "", configError("DPoP origin %q is not an absolute http(s) URL without query", o)
	}
	return strings.TrimSuffix(n, "/"), nil
}

// requestHTU returns the URIs a proof for r may name, normalized: the
// configured origins with r's path, or, with none configured, r's own view
// of its origin when its Host is a loopback one, else nothing (every
// proof refused with ErrDPoPURI): the Host header is the client's to
// write, and a proof made for another server must not pass here.
func (c *dpopConfig) requestHTU(r *http.Request, dst []string) []string {
	p, ok := normalizePath(r.URL.EscapedPath())
	if !ok {
		return dst
	}
	if len(c.origins) > 0 {
		for _, o := range c.origins {
			dst = append(dst, o+p)
		}
		return dst
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if origin, ok := normalizeAuthority(scheme, r.Host); ok && loopbackHost(r.Host) {
		dst = append(dst, origin+p)
	}
	return dst
}

// loopbackHost reports whether host (with or without a port) is
// "localhost", a name under it, or a loopback address.
func loopbackHost(host string) bool {
	if h, _, ok := cutPort(host); ok {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if a, err := netip.ParseAddr(host); err == nil {
		return a.IsLoopback()
	}
	host = strings.ToLower(host)
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}
