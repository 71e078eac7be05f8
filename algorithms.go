package jwtguard

import (
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"math/bits"
)

// The algorithm names jwtguard verifies (RFC 7518, RFC 8037, RFC 9864).
// "none" is not among them and never will be.
const (
	HS256   = "HS256"
	HS384   = "HS384"
	HS512   = "HS512"
	RS256   = "RS256"
	RS384   = "RS384"
	RS512   = "RS512"
	PS256   = "PS256"
	PS384   = "PS384"
	PS512   = "PS512"
	ES256   = "ES256"
	ES384   = "ES384"
	ES512   = "ES512"
	EdDSA   = "EdDSA"
	Ed25519 = "Ed25519" // the fully-specified name of RFC 9864
)

// alg is an algorithm as a small number, so that sets of them are bit masks.
type alg uint8

const (
	algHS256 alg = iota
	algHS384
	algHS512
	algRS256
	algRS384
	algRS512
	algPS256
	algPS384
	algPS512
	algES256
	algES384
	algES512
	algEdDSA
	algEd25519
	numAlgs
)

var algNames = [numAlgs]string{HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519}

// parseAlg maps a header's "alg" to an alg. Names are case-sensitive
// (RFC 7515 §4.1.1): "none", "None" and "hs256" are all unknown.
func parseAlg(name string) (alg, bool) {
	switch name {
	case HS256:
		return algHS256, true
	case HS384:
		return algHS384, true
	case HS512:
		return algHS512, true
	case RS256:
		return algRS256, true
	case RS384:
		return algRS384, true
	case RS512:
		return algRS512, true
	case PS256:
		return algPS256, true
	case PS384:
		return algPS384, true
	case PS512:
		return algPS512, true
	case ES256:
		return algES256, true
	case ES384:
		return algES384, true
	case ES512:
		return algES512, true
	case EdDSA:
		return algEdDSA, true
	case Ed25519:
		return algEd25519, true
	}
	return 0, false
}

func (a alg) String() string { return algNames[a] }

// hash returns the digest the algorithm signs; Ed25519 hashes internally.
func (a alg) hash() crypto.Hash {
	switch a {
	case algHS256, algRS256, algPS256, algES256:
		return crypto.SHA256
	case algHS384, algRS384, algPS384, algES384:
		return crypto.SHA384
	case algHS512, algRS512, algPS512, algES512:
		return crypto.SHA512
	}
	return 0
}

func newHash(h crypto.Hash) func() hash.Hash {
	switch h {
	case crypto.SHA384:
		return sha512.New384
	case crypto.SHA512:
		return sha512.New
	}
	return sha256.New
}

// algSet is a set of algorithms.
type algSet uint16

func setOf(as ...alg) algSet {
	var s algSet
	for _, a := range as {
		s |= 1 << a
	}
	return s
}

func (s algSet) has(a alg) bool { return s&(1<<a) != 0 }

// names lists the set in the order of algNames.
func (s algSet) names() []string {
	out := make([]string, 0, bits.OnesCount16(uint16(s)))
	for a := alg(0); a < numAlgs; a++ {
		if s.has(a) {
			out = append(out, a.String())
		}
	}
	return out
}

// The algorithms each kind of key can verify. A key is only ever used with
// its own family: an RSA key never checks an HMAC, whatever the header says.
var (
	familyHMAC    = setOf(algHS256, algHS384, algHS512)
	familyRSA     = setOf(algRS256, algRS384, algRS512, algPS256, algPS384, algPS512)
	familyEd25519 = setOf(algEdDSA, algEd25519)
)

// parseAlgs turns names into a set and checks that each is within family.
// No names means the whole family.
func parseAlgs(family algSet, names []string) (algSet, error) {
	if len(names) == 0 {
		return family, nil
	}
	var s algSet
	for _, n := range names {
		a, ok := parseAlg(n)
		if !ok {
			return 0, configError("unsupported algorithm %q", n)
		}
		if !family.has(a) {
			return 0, configError("algorithm %s does not fit this kind of key", n)
		}
		s |= 1 << a
	}
	return s, nil
}
