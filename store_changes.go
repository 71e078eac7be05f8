package jwtguard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// The revocation and user checks cache their answers for up to their
// maxStale, so a write made by another process sharing the store would
// pass here until then. A store shared by many processes can tell each of
// them at once: it implements [ChangeFeed], and the checks built on it
// drop the entries a change makes wrong. When the feed loses contact the
// caches keep their bounded staleness, which holds at all times; when
// contact is back, the feed announces [ChangedAll] and every entry is
// asked of the store again.

// ChangeKind says what a [Change] names.
type ChangeKind uint8

// The kinds of [Change].
const (
	// ChangedToken: the token whose "jti" is Key was revoked.
	ChangedToken ChangeKind = iota + 1
	// ChangedFamily: the login session (the "sid") Key was revoked.
	ChangedFamily
	// ChangedSubject: tokens of the subject Key were revoked.
	ChangedSubject
	// ChangedUser: the user Key changed (see [Issuer.UserChanged]).
	ChangedUser
	// ChangedAll: anything may have changed (the feed was cut off and
	// is back); Key is empty.
	ChangedAll
)

// Change is one write to a shared store, announced to every process that
// shares it.
type Change struct {
	Kind ChangeKind
	Key  string
}

// ChangeFeed is implemented by a [Store] that many processes share and
// that announces their writes to each of them. The revocation check
// ([WithRevocationCheck], [WithAccessRevocation]) and the issuer's user
// check ([WithUserLookup]) subscribe when their store implements it.
// Implementations must be safe for concurrent use.
type ChangeFeed interface {
	// Subscribe calls fn with every change any process sharing the store
	// writes from now on, this one's included, until cancel is called.
	// After the feed was cut off it calls fn with [ChangedAll] once it is
	// back, before any later change, since changes made meanwhile were
	// missed. fn must return quickly; calls to it do not overlap.
	Subscribe(fn func(Change)) (cancel func())
	// Announce announces c to every process sharing the store. The store
	// announces its own revocations; Announce is for what it cannot see,
	// such as [ChangedUser].
	Announce(ctx context.Context, c Change) error
}

// changeFeedOf returns the feed of store, looking through the deadline
// wrapper.
func changeFeedOf(store Store) (ChangeFeed, bool) {
	for inner := innerStore(store); inner != nil; inner = innerStore(store) {
		store = inner
	}
	f, ok := store.(ChangeFeed)
	return f, ok
}

// announce tells the other processes sharing the issuer's store, if it has
// a feed, that c happened; a failure is logged, since the other processes
// still learn of it within their maxStale.
func (i *Issuer) announce(c Change) {
	f, ok := changeFeedOf(i.store)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), i.cfg.storeTimeout)
	defer cancel()
	if err := f.Announce(ctx, c); err != nil {
		i.log.Warn("jwtguard: could not announce a change to the other instances; they learn of it within their cache time",
			slog.Int("kind", int(c.Kind)), slog.Any("error", err))
	}
}

// subscribeUsers makes the user check's cache follow the feed's user
// changes.
func subscribeUsers(f ChangeFeed, uc *userCheck) {
	f.Subscribe(func(c Change) {
		switch c.Kind {
		case ChangedUser:
			uc.cache.forget(c.Key)
		case ChangedAll:
			uc.cache.clear()
		}
	})
}

// changeLetters are the kinds' letters in a change's text form.
const changeLetters = "?tfsua"

// MarshalText writes c as its kind's letter, a colon and its key ("t:"
// and a jti, say), for stores to send between processes.
func (c Change) MarshalText() ([]byte, error) {
	if c.Kind < ChangedToken || c.Kind > ChangedAll {
		return nil, fmt.Errorf("jwtguard: unknown change kind %d", c.Kind)
	}
	return append([]byte{changeLetters[c.Kind], ':'}, c.Key...), nil
}

// UnmarshalText reads the form MarshalText writes. Anything else is an
// error.
func (c *Change) UnmarshalText(b []byte) error {
	if len(b) < 2 || b[1] != ':' {
		return errors.New("jwtguard: malformed change")
	}
	k := strings.IndexByte(changeLetters, b[0])
	if k < int(ChangedToken) {
		return errors.New("jwtguard: malformed change")
	}
	c.Kind, c.Key = ChangeKind(k), string(b[2:])
	return nil
}
