package jwtguard

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// DPoPNonces issues and checks the server nonces of RFC 9449 §8, which
// bound how long a proof made in advance stays usable whatever the
// client's clock says. Implementations must be safe for concurrent use.
type DPoPNonces interface {
	// Nonce returns the nonce to send to clients now (the DPoP-Nonce
	// header).
	Nonce() string
	// Valid reports whether a proof's "nonce" is still accepted.
	Valid(nonce string) bool
}

// hmacNonces are nonces that need no state: the number of the current
// period and a MAC of it. Instances that share the secret accept each
// other's nonces.
type hmacNonces struct {
	mac    []byte // the secret
	period time.Duration
	now    func() time.Time
}

// nonceMACSize is the bytes of MAC a nonce carries: 128 bits.
const nonceMACSize = 16

// NewDPoPNonces returns stateless nonces for [WithDPoPNonces]: a nonce
// names the current period of length period and carries a MAC of it with
// secret (at least 32 bytes), so that every instance given the same secret
// issues and accepts the same nonces, with no store. A nonce is accepted
// during its period and the next one: between period and twice period.
func NewDPoPNonces(secret []byte, period time.Duration) (DPoPNonces, error) {
	if len(secret) < 32 {
		return nil, configError("DPoP nonce secret must have at least 32 bytes")
	}
	if period < time.Second {
		return nil, configError("DPoP nonce period %v is under a second", period)
	}
	return &hmacNonces{mac: append([]byte(nil), secret...), period: period, now: time.Now}, nil
}

func (n *hmacNonces) step() uint64 { return uint64(n.now().UnixNano() / int64(n.period)) }

func (n *hmacNonces) sign(step uint64) string {
	var msg [8 + nonceMACSize]byte
	binary.BigEndian.PutUint64(msg[:8], step)
	m := hmac.New(sha256.New, n.mac)
	m.Write(msg[:8])
	copy(msg[8:], m.Sum(nil))
	return base64.RawURLEncoding.EncodeToString(msg[:])
}

// Nonce implements [DPoPNonces].
func (n *hmacNonces) Nonce() string { return n.sign(n.step()) }

// Valid implements [DPoPNonces].
func (n *hmacNonces) Valid(nonce string) bool {
	var msg [8 + nonceMACSize]byte
	if base64.RawURLEncoding.EncodedLen(len(msg)) != len(nonce) {
		return false
	}
	if _, err := base64.RawURLEncoding.Strict().Decode(msg[:], []byte(nonce)); err != nil {
		return false
	}
	step, now := binary.BigEndian.Uint64(msg[:8]), n.step()
	if step != now && step+1 != now {
		return false
	}
	return hmac.Equal([]byte(n.sign(step)), []byte(nonce))
}
