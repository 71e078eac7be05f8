package jwtguard

import (
	"strings"
)

// dpopParsed is a DPoP proof's header and claims, as read, before any
// check but those of form.
type dpopParsed struct {
	input string // header.claims: what the signature signs
	sig   []byte

	alg, typ string
	jwk      []byte // the "jwk" member's JSON object

	htm, htu, jti, ath, nonce string
	iat                       float64
	hasAth, hasNonce          bool
}

// parseDPoPProof reads a compact JWS proof. Every failure of form is
// errDPoPMalformed or, for a proof over the size cap, errDPoPTooLarge; a
// proof without "iat" is stale, one without "jti" errDPoPID.
func parseDPoPProof(raw string) (*dpopParsed, error) {
	if len(raw) > MaxDPoPProofSize {
		return nil, errDPoPTooLarge
	}
	hseg, rest, ok1 := strings.Cut(raw, ".")
	pseg, sseg, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.IndexByte(sseg, '.') >= 0 {
		return nil, errDPoPMalformed
	}
	header, err1 := b64url.DecodeString(hseg)
	claims, err2 := b64url.DecodeString(pseg)
	sig, err3 := b64url.DecodeString(sseg)
	if err1 != nil || err2 != nil || err3 != nil || len(sig) == 0 || len(sig) > maxSignatureSize {
		return nil, errDPoPMalformed
	}
	p := &dpopParsed{input: raw[:len(hseg)+1+len(pseg)], sig: sig}
	if !p.readHeader(header) {
		return nil, errDPoPMalformed
	}
	hasIat, ok := p.readClaims(claims)
	switch {
	case !ok:
		return nil, errDPoPMalformed
	case !hasIat:
		return nil, errDPoPStale
	}
	return p, nil
}

// readHeader reads "alg", "typ" and "jwk" (its object's JSON, checked by
// dpopKey; nil when absent); "crit" (and "b64") are never understood, so
// they fail; other members are checked as JSON and ignored.
func (p *dpopParsed) readHeader(data []byte) bool {
	ok := eachMember(data, func(name string, s *scanner) (ok bool) {
		switch name {
		case "alg":
			p.alg, ok = readJSONString(s)
		case "typ":
			p.typ, ok = readJSONString(s)
		case "jwk":
			if s.peek() == kindObject {
				p.jwk, ok = s.skipValue(0)
			}
		case "crit", "b64":
		default:
			_, ok = s.skipValue(0)
		}
		return ok
	})
	return ok && p.alg != ""
}

// readClaims reads the claims RFC 9449 §4.2 defines, each of its JSON
// type; others are checked as JSON and ignored. It reports whether "iat"
// was there.
func (p *dpopParsed) readClaims(data []byte) (hasIat, ok bool) {
	ok = eachMember(data, func(name string, s *scanner) (ok bool) {
		switch name {
		case "htm":
			p.htm, ok = readJSONString(s)
		case "htu":
			p.htu, ok = readJSONString(s)
		case "jti":
			p.jti, ok = readJSONString(s)
		case "ath":
			p.ath, ok = readJSONString(s)
			p.hasAth = true
		case "nonce":
			p.nonce, ok = readJSONString(s)
			p.hasNonce = true
		case "iat":
			var err error
			p.iat, err = dateClaim(s, name)
			ok, hasIat = err == nil, true
		default:
			_, ok = s.skipValue(0)
		}
		return ok
	})
	return hasIat, ok
}

// eachMember reads data, one JSON object without duplicate member names
// (compared as parse.go's names does) and nothing after it, calling read
// for each member with the scanner before its value; read must consume
// the value and report whether it was good. eachMember reports whether
// the object was.
func eachMember(data []byte, read func(name string, s *scanner) bool) bool {
	s := scanner{data: data}
	return readObject(&s, read) && s.end()
}

// readObject is eachMember on the object s is at, leaving s after it.
func readObject(s *scanner, read func(name string, s *scanner) bool) bool {
	if !s.beginObject() {
		return false
	}
	var seen names
	for first := true; ; first = false {
		name, done, ok := s.nextMember(first)
		switch {
		case !ok:
			return false
		case done:
			return true
		case !seen.add(name) || !read(name, s):
			return false
		}
	}
}

// readJSONString reads a value that must be a string.
func readJSONString(s *scanner) (string, bool) {
	if s.peek() != kindString {
		return "", false
	}
	return s.readString()
}
