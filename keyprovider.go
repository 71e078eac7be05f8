package jwtguard

import (
	"context"
	"errors"
)

// KeyQuery describes the token a key is wanted for. Its values come from
// the token and are not yet verified: a provider uses them to select among
// keys it trusts, never to find or fetch a key somewhere new.
type KeyQuery struct {
	Alg    string // the header's "alg", already checked against the allow-list
	KeyID  string // the header's "kid", "" when absent
	Issuer string // the claims' "iss", "" when absent
}

// KeyProvider gives the verifier its candidate keys for a token.
//
// Keys returns every trusted key that may have signed a token described by
// q, or an error wrapping [ErrUnknownKey] when none may. The verifier tries
// the keys in order until one verifies the signature, and checks again that
// each key allows q.Alg. The returned slice may be shared: callers must not
// modify it. Keys must be safe for concurrent use, and should not block;
// a provider that fetches keys does so in the background.
type KeyProvider interface {
	Keys(ctx context.Context, q KeyQuery) ([]*Key, error)
}

// KeySet is a fixed set of keys, a [KeyProvider] for keys that are
// configured rather than fetched. It is immutable and safe for concurrent use.
//
// A token without a kid is checked against every key; a token with a kid
// against the keys with that kid and the keys that have none, or, when the
// kid is unknown, against the keys that have none. Only keys that allow the
// token's algorithm are candidates, and a kid that names a key of another
// algorithm selects nothing: HS256 with the kid of an RSA key is refused.
type KeySet struct {
	keys   []*Key
	byAlg  [numAlgs][]*Key             // every key allowing the alg
	anyKid [numAlgs][]*Key             // keys without a kid, allowing the alg
	byKid  map[string]*[numAlgs][]*Key // keys with the kid or no kid
	algs   algSet
}

// NewKeySet returns a set of the given keys. It fails when there are none,
// or when two keys share a kid and an algorithm.
func NewKeySet(keys ...*Key) (*KeySet, error) {
	if len(keys) == 0 {
		return nil, configError("a key set needs at least one key")
	}
	s := &KeySet{keys: append([]*Key(nil), keys...), byKid: map[string]*[numAlgs][]*Key{}}
	for _, k := range keys {
		if k == nil {
			return nil, configError("nil key in key set")
		}
		s.algs |= k.algs
		for a := alg(0); a < numAlgs; a++ {
			if !k.algs.has(a) {
				continue
			}
			s.byAlg[a] = append(s.byAlg[a], k)
			if k.id == "" {
				s.anyKid[a] = append(s.anyKid[a], k)
				continue
			}
			m := s.byKid[k.id]
			if m == nil {
				m = new([numAlgs][]*Key)
				s.byKid[k.id] = m
			}
			if len(m[a]) > 0 {
				return nil, configError("two keys with kid %q verify %s", k.id, a)
			}
			m[a] = append(m[a], k)
		}
	}
	// Keys without a kid are candidates for every kid too.
	for _, m := range s.byKid {
		for a := range m {
			if len(m[a]) > 0 {
				m[a] = append(m[a], s.anyKid[a]...)
			}
		}
	}
	return s, nil
}

// Keys implements [KeyProvider]. It does not allocate.
func (s *KeySet) Keys(_ context.Context, q KeyQuery) ([]*Key, error) {
	a, ok := parseAlg(q.Alg)
	if !ok {
		return nil, ErrUnknownKey
	}
	var keys []*Key
	switch {
	case q.KeyID == "":
		keys = s.byAlg[a]
	default:
		if m := s.byKid[q.KeyID]; m != nil {
			keys = m[a]
		} else {
			keys = s.anyKid[a]
		}
	}
	if len(keys) == 0 {
		return nil, ErrUnknownKey
	}
	return keys, nil
}

// Algorithms returns every algorithm some key of the set verifies.
func (s *KeySet) Algorithms() []string { return s.algs.names() }

// All returns the keys of the set, in the order given.
func (s *KeySet) All() []*Key { return append([]*Key(nil), s.keys...) }

// Issuers selects keys by the token's "iss": each trusted issuer has its own
// provider, and a token from any other issuer, or with no "iss", gets no key
// before any provider is asked. It is immutable and safe for concurrent use.
type Issuers struct {
	byIssuer map[string]KeyProvider
}

// NewIssuers returns a provider over one provider per issuer.
func NewIssuers(providers map[string]KeyProvider) (*Issuers, error) {
	if len(providers) == 0 {
		return nil, configError("no issuers")
	}
	m := make(map[string]KeyProvider, len(providers))
	for iss, p := range providers {
		if iss == "" || p == nil {
			return nil, configError("issuer %q needs a name and a provider", iss)
		}
		m[iss] = p
	}
	return &Issuers{byIssuer: m}, nil
}

// Keys implements [KeyProvider].
func (s *Issuers) Keys(ctx context.Context, q KeyQuery) ([]*Key, error) {
	p, ok := s.byIssuer[q.Issuer]
	if !ok {
		return nil, errUnknownIssuer
	}
	return p.Keys(ctx, q)
}

// Issuers returns the names of the trusted issuers.
func (s *Issuers) Issuers() []string {
	out := make([]string, 0, len(s.byIssuer))
	for iss := range s.byIssuer {
		out = append(out, iss)
	}
	return out
}

var errUnknownIssuer = errors.Join(ErrUnknownKey, ErrTokenInvalidIssuer)
