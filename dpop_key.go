package jwtguard

import "strings"

// dpopPrivateMembers are the JWK members of private and symmetric keys
// (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2): a proof's "jwk" holding
// one would publish the client's secret, and is refused whatever else it
// holds.
var dpopPrivateMembers = [...]string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// dpopKey reads a proof's "jwk" (a JSON object) into a public key that may
// verify a. Only EC, RSA and OKP keys qualify; private members, duplicate
// names and members of the wrong JSON type fail.
func dpopKey(data []byte, a alg) (*Key, error) {
	var j jwk
	private := false
	ok := eachMember(data, func(name string, s *scanner) (ok bool) {
		for _, member := range dpopPrivateMembers {
			if strings.EqualFold(name, member) {
				private = true
				return false
			}
		}
		if name == "key_ops" {
			if s.peek() == kindArray {
				j.KeyOps, ok = s.readStringArray()
			}
			return ok
		}
		if dst := j.stringMember(name); dst != nil {
			*dst, ok = readJSONString(s)
			return ok
		}
		_, ok = s.skipValue(0)
		return ok
	})
	switch {
	case private:
		return nil, errDPoPPrivateKey
	case !ok || (j.Kty != "EC" && j.Kty != "RSA" && j.Kty != "OKP") || !j.supported():
		return nil, errDPoPKey
	}
	if j.Kty == "RSA" {
		// A leading zero byte is not the minimal form RFC 7518 §6.3.1.1
		// asks for, and would give one key a second thumbprint.
		if n, err := b64(j.N); err != nil || n[0] == 0 {
			return nil, errDPoPKey
		}
	}
	key, err := j.key()
	if err != nil || !key.algs.has(a) {
		return nil, errDPoPKey
	}
	return key, nil
}

// stringMember returns the field of a string member of a public JWK, nil
// for another member.
func (j *jwk) stringMember(name string) *string {
	switch name {
	case "kty":
		return &j.Kty
	case "crv":
		return &j.Crv
	case "x":
		return &j.X
	case "y":
		return &j.Y
	case "n":
		return &j.N
	case "e":
		return &j.E
	case "alg":
		return &j.Alg
	case "use":
		return &j.Use
	}
	return nil
}
