package jwtguard_test

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/jwtguard/jwtguard"
)

func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, c := range []struct {
		name, remote string
		xff          []string
		trusted      []netip.Prefix
		want         string
	}{
		{"no proxy", "198.51.100.7:5555", nil, nil, "198.51.100.7"},
		{"XFF from an untrusted peer is ignored", "198.51.100.7:5555", []string{"1.2.3.4"}, proxies, "198.51.100.7"},
		{"XFF ignored without trusted proxies", "10.0.0.2:1", []string{"1.2.3.4"}, nil, "10.0.0.2"},
		{"one trusted proxy", "10.0.0.2:1", []string{"203.0.113.5"}, proxies, "203.0.113.5"},
		{"client-written entries left of the proxy's are ignored", "10.0.0.2:1", []string{"6.6.6.6, 203.0.113.5"}, proxies, "203.0.113.5"},
		{"two trusted hops", "10.0.0.2:1", []string{"6.6.6.6, 203.0.113.5, 10.1.1.1"}, proxies, "203.0.113.5"},
		{"several headers", "10.0.0.2:1", []string{"6.6.6.6", "203.0.113.5, 10.1.1.1"}, proxies, "203.0.113.5"},
		{"garbage stops at the last trusted hop", "10.0.0.2:1", []string{"203.0.113.5, junk"}, proxies, "10.0.0.2"},
		{"all trusted", "10.0.0.2:1", []string{"10.3.3.3"}, proxies, "10.3.3.3"},
		{"IPv6 peer", "[::1]:80", []string{"2001:db8::1"}, proxies, "2001:db8::1"},
		{"IPv4-mapped", "[::ffff:10.0.0.2]:80", []string{"203.0.113.5"}, proxies, "203.0.113.5"},
		{"no port", "198.51.100.7", nil, nil, "198.51.100.7"},
		{"unparsable peer", "@unix", nil, proxies, "invalid IP"},
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = c.remote
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := jwtguard.ClientAddr(r, c.trusted...).String(); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
