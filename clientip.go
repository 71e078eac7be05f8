package jwtguard

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientAddr returns the address of the client that sent r. It is the
// connection's peer (r.RemoteAddr) unless that peer is one of the trusted
// proxies; then X-Forwarded-For is read from the right, skipping trusted
// proxies, and the first address that is not one is the client. The header
// is never believed blindly: a client can write anything into it, and only
// the entries added by proxies you trust are facts. An entry that does not
// parse stops the walk at the last trusted hop.
func ClientAddr(r *http.Request, trusted ...netip.Prefix) netip.Addr {
	peer := remoteAddr(r.RemoteAddr)
	if !peer.IsValid() || !inPrefixes(peer, trusted) {
		return peer
	}
	hops := r.Header.Values("X-Forwarded-For")
	for h := len(hops) - 1; h >= 0; h-- {
		entries := strings.Split(hops[h], ",")
		for e := len(entries) - 1; e >= 0; e-- {
			addr, err := netip.ParseAddr(strings.TrimSpace(entries[e]))
			if err != nil {
				return peer
			}
			addr = addr.Unmap()
			if !inPrefixes(addr, trusted) {
				return addr
			}
			peer = addr
		}
	}
	return peer
}

func remoteAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = s
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return addr.Unmap()
}

func inPrefixes(a netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
