package jwtguard

import (
	"math"
	"strings"
	"time"
)

// maxNumericDate is the first second of the year 10000. A date beyond it is
// absurd and taken for an attack or a bug, never for "valid forever".
const maxNumericDate = 253402300800

// names remembers the member names of one object to reject duplicates:
// RFC 7515 §5.2 lets a parser either reject them or take the last one, and
// taking the last one lets two parsers disagree about the same token. Names
// are compared without regard to case, since encoding/json (behind
// Token.Decode) matches struct fields that way: "sub" and "Sub" together
// are a duplicate.
type names struct {
	small [16]string
	n     int
	large map[string]struct{}
}

// add records name and reports false when it was seen before.
func (s *names) add(name string) bool {
	if s.large != nil {
		key := strings.ToLower(name)
		if _, dup := s.large[key]; dup {
			return false
		}
		s.large[key] = struct{}{}
		return true
	}
	for _, seen := range s.small[:s.n] {
		if strings.EqualFold(seen, name) {
			return false
		}
	}
	if s.n < len(s.small) {
		s.small[s.n] = name
		s.n++
		return true
	}
	s.large = make(map[string]struct{}, 2*len(s.small))
	for _, seen := range s.small {
		s.large[strings.ToLower(seen)] = struct{}{}
	}
	s.large[strings.ToLower(name)] = struct{}{}
	return true
}

// parseHeader decodes a JOSE header. Only "alg", "kid" and "typ" are kept;
// "crit", and "b64" other than true, fail; every other member is checked as
// JSON and ignored, key-bearing ones ("jku", "jwk", "x5u", "x5c") included.
func parseHeader(data []byte, h *Header) error {
	s := scanner{data: data}
	if !s.beginObject() {
		return errHeaderJSON
	}
	var seen names
	for first := true; ; first = false {
		name, done, ok := s.nextMember(first)
		if !ok {
			return errHeaderJSON
		}
		if done {
			break
		}
		if !seen.add(name) {
			return errDuplicate
		}
		switch name {
		case "alg":
			ok = s.peek() == kindString
			if ok {
				h.Alg, ok = s.readString()
			}
		case "kid":
			ok = s.peek() == kindString
			if ok {
				h.Kid, ok = s.readString()
			}
		case "typ":
			ok = s.peek() == kindString
			if ok {
				h.Typ, ok = s.readString()
			}
		case "crit":
			return errCrit
		case "b64":
			if !s.readLiteral("true") {
				return errCrit
			}
		default:
			_, ok = s.skipValue(0)
		}
		if !ok {
			return errHeaderJSON
		}
	}
	if !s.end() {
		return errHeaderJSON
	}
	if h.Alg == "" {
		return errNoAlg
	}
	return nil
}

// dates holds the time claims as Unix seconds, for validation.
type dates struct {
	exp, nbf, iat  float64
	hasExp, hasNbf bool
	hasIat         bool
}

// parseClaims decodes a claims set into c and d. Registered claims of the
// wrong JSON type are errors (RFC 7519 §4.1); other members are checked as
// JSON and left for Token.Decode.
func parseClaims(data []byte, c *Claims, d *dates) error {
	s := scanner{data: data}
	if !s.beginObject() {
		return errClaimsJSON
	}
	var seen names
	for first := true; ; first = false {
		name, done, ok := s.nextMember(first)
		if !ok {
			return errClaimsJSON
		}
		if done {
			break
		}
		if !seen.add(name) {
			return errDuplicate
		}
		var err error
		switch name {
		case "iss":
			err = stringClaim(&s, name, &c.Issuer)
		case "sub":
			err = stringClaim(&s, name, &c.Subject)
		case "jti":
			err = stringClaim(&s, name, &c.ID)
		case "token_type":
			err = stringClaim(&s, name, &c.TokenType)
		case "scope":
			err = stringClaim(&s, name, &c.Scope)
		case "client_id":
			err = stringClaim(&s, name, &c.ClientID)
		case "sid":
			err = stringClaim(&s, name, &c.SessionID)
		case "cnf":
			err = confirmationClaim(&s, &c.KeyThumbprint, &c.otherCnf)
		case "user_id":
			if k := s.peek(); k != kindString && k != kindNumber {
				err = claimError(name)
			} else if c.UserID, ok = s.readStringOrNumber(); !ok {
				err = errClaimsJSON
			}
		case "aud":
			err = stringsClaim(&s, name, &c.Audience)
		case "scp":
			err = stringsClaim(&s, name, &c.Scp)
		case "exp":
			d.exp, err = dateClaim(&s, name)
			d.hasExp = true
		case "nbf":
			d.nbf, err = dateClaim(&s, name)
			d.hasNbf = true
		case "iat":
			d.iat, err = dateClaim(&s, name)
			d.hasIat = true
		default:
			if _, ok := s.skipValue(0); !ok {
				err = errClaimsJSON
			}
		}
		if err != nil {
			return err
		}
	}
	if !s.end() {
		return errClaimsJSON
	}
	if d.hasExp {
		c.ExpiresAt = unixTime(d.exp)
	}
	if d.hasNbf {
		c.NotBefore = unixTime(d.nbf)
	}
	if d.hasIat {
		c.IssuedAt = unixTime(d.iat)
	}
	return nil
}

// confirmationClaim reads "cnf" (RFC 7800): an object, whose "jkt" (RFC
// 9449 §6.1), when present, must be a non-empty string. Other confirmation
// methods ("x5t#S256" of RFC 8705, …) are checked as JSON and reported in
// other, as is a "cnf" with no member: a Guard refuses such a token unless
// its credential's own check enforces them.
func confirmationClaim(s *scanner, jkt *string, other *bool) error {
	if s.peek() != kindObject {
		return claimError("cnf")
	}
	// A copy: handing s itself to readObject's callback would move every
	// claims set's scanner to the heap.
	sub := *s
	members := 0
	ok := readObject(&sub, func(name string, m *scanner) bool {
		members++
		if name != "jkt" {
			*other = true
			_, ok := m.skipValue(1)
			return ok
		}
		var ok bool
		*jkt, ok = readJSONString(m)
		return ok && *jkt != ""
	})
	s.pos = sub.pos
	if !ok {
		return claimError("cnf")
	}
	if members == 0 {
		*other = true
	}
	return nil
}

func stringClaim(s *scanner, name string, dst *string) error {
	if s.peek() != kindString {
		return claimError(name)
	}
	var ok bool
	if *dst, ok = s.readString(); !ok {
		return errClaimsJSON
	}
	return nil
}

// stringsClaim reads a string or an array of strings. A string is split on
// spaces for "scp", and taken whole for "aud" (RFC 7519 §4.1.3).
func stringsClaim(s *scanner, name string, dst *[]string) error {
	var ok bool
	switch s.peek() {
	case kindString:
		var v string
		if v, ok = s.readString(); ok {
			if name == "scp" {
				*dst = splitSpaces(v)
			} else {
				*dst = []string{v}
			}
		}
	case kindArray:
		*dst, ok = s.readStringArray()
	default:
		return claimError(name)
	}
	if !ok {
		// An array of other things is a claim of the wrong type; a string
		// that does not scan is broken JSON. Either way the token fails.
		return claimError(name)
	}
	return nil
}

func splitSpaces(v string) []string {
	var out []string
	for v != "" {
		i := 0
		for i < len(v) && v[i] != ' ' {
			i++
		}
		if i > 0 {
			out = append(out, v[:i])
		}
		if i == len(v) {
			break
		}
		v = v[i+1:]
	}
	return out
}

// dateClaim reads a NumericDate: a JSON number of seconds, positive and
// before the year 10000. Strings, null, zero and absurd values are invalid.
func dateClaim(s *scanner, name string) (float64, error) {
	if s.peek() != kindNumber {
		return 0, claimError(name)
	}
	b, ok := s.readNumber()
	if !ok {
		return 0, claimError(name)
	}
	v, ok := parseNumericDate(b)
	if !ok || !(v > 0) || v >= maxNumericDate {
		return 0, claimError(name)
	}
	return v, nil
}

func unixTime(secs float64) time.Time {
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC()
}
