package redisstore

import "github.com/jwtguard/jwtguard"

// The store keeps three kinds of entry, each under its own key:
//
//	<prefix>{store}:token:<jti>        "s:<ms>" spent or "r:<ms>" revoked
//	<prefix>{store}:family:<sid>       "<ms>"
//	<prefix>{store}:subject:<subject>  "<cutoff>:<ms>"
//	<prefix>{store}:marker             "<epoch>:<created>:<loss cut-off>"
//
// and publishes its revocations on the channel <prefix>{store}:changes
// (changes.go).
//
// <ms> is the entry's expiry in Unix milliseconds, which is also the key's
// own expiry (PEXPIREAT), so Redis forgets the entry by itself; keeping it
// in the value lets the scripts keep the later of two expiries without
// reading the server's clock. <cutoff> is a subject revocation's cutoff in
// Unix seconds, empty for none. The marker, which never expires, tells a
// store that has lost its entries from one that has none (marker.go).
//
// "{store}" is a Redis Cluster hash tag: every key of a store hashes to one
// slot, so the scripts, which read a token's, its family's and its
// subject's entries together, are valid on a cluster. A prefix with a hash
// tag of its own takes precedence, with the same effect.
const (
	hashTag    = "{store}:"
	tokenKind  = "token:"
	familyKind = "family:"
	subjKind   = "subject:"
	markerName = "marker"
)

// keys names a store's entries.
type keys struct {
	base string // prefix + hashTag
}

func newKeys(prefix string) keys { return keys{base: prefix + hashTag} }

func (k keys) token(id string) string        { return k.base + tokenKind + id }
func (k keys) family(family string) string   { return k.base + familyKind + family }
func (k keys) subject(subject string) string { return k.base + subjKind + subject }
func (k keys) marker() string                { return k.base + markerName }

// changes is the channel the store's revocations are published on.
func (k keys) changes() string { return k.base + "changes" }

// of returns the keys of a script that writes one entry: the marker's,
// then entry's.
func (k keys) of(entry string) []string { return []string{k.marker(), entry} }

// record returns the keys the state script reads for r: the marker's, its
// token's, its subject's and, when r has one, its family's.
func (k keys) record(r jwtguard.Record) []string {
	if r.Family == "" {
		return []string{k.marker(), k.token(r.ID), k.subject(r.Subject)}
	}
	return []string{k.marker(), k.token(r.ID), k.subject(r.Subject), k.family(r.Family)}
}
