package jwtguard

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Issuer signs access and refresh tokens, as simplejwt does, and keeps
// their state in a [Store]: refresh rotates (the presented refresh token is
// spent and a new pair returned), a spent refresh token presented again
// past the reuse grace window ([WithReuseGrace]) revokes its whole login
// session (reuse detection, OAuth 2.0 Security BCP §4.14), and logout
// revokes the session. Its user check's cache is the one mutable part,
// and [Issuer.UserChanged] the way to reach it. It is safe for concurrent
// use.
//
// Tokens look like simplejwt's: header {"alg":"HS256","typ":"JWT"} (plus
// "kid" when the key has one), claims token_type, exp, iat, jti (32
// lowercase hex digits) and user_id, in that order, then "sid", the login
// session every token of one sign-in shares across rotations. A Django
// service with the same secret accepts them, and the issuer refreshes
// tokens that simplejwt minted (each becomes a session of its own).
type Issuer struct {
	key     *SigningKey
	keys    *KeySet
	store   Store
	cfg     issuerConfig
	refresh *Verifier // refresh tokens
	sliding *Verifier // sliding tokens
	any     *Verifier // any type, for the verify endpoint
	// userCheck is the user check of WithUserLookup, one for the issuer
	// and all its verifiers, so that UserChanged reaches them all.
	userCheck *userCheck
	log       *slog.Logger
	retry     *ttlCache[bool] // refresh tokens whose spend went unanswered (spend_retry.go)
	issued    IssuedRecorder  // the store, when it lists issued refresh tokens (issued_recorder.go)
}

// Pair is an access token and the refresh token issued with it.
type Pair struct {
	Access           string
	Refresh          string
	AccessExpiresAt  time.Time
	RefreshExpiresAt time.Time
}

// NewIssuer returns an issuer that signs with key and keeps state in
// store. It reports every problem with the options at once.
func NewIssuer(key *SigningKey, store Store, opts ...IssuerOption) (*Issuer, error) {
	c := issuerConfig{
		access:    DefaultAccessLifetime,
		refresh:   DefaultRefreshLifetime,
		grace:     DefaultReuseGrace,
		userClaim: "user_id",
	}
	c.storeTimeout = DefaultStoreTimeout
	if key == nil {
		c.fail("nil signing key")
	}
	if store == nil {
		c.fail("nil store")
	}
	for _, opt := range opts {
		opt.applyIssuer(&c)
	}
	if c.refresh < c.access {
		c.fail("refresh lifetime %v is shorter than access lifetime %v", c.refresh, c.access)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	c.errs = nil
	c.setDefaults()
	issued, _ := store.(IssuedRecorder)
	store = observeStore(withStoreDeadline(store, c.storeTimeout), c.observer, c.now)
	if c.users != nil {
		c.users = observeUsers(withLookupDeadline(c.users, c.storeTimeout), c.observer, c.now)
	}
	keys, err := NewKeySet(append([]*Key{key.public}, c.retired...)...)
	if err != nil {
		return nil, err
	}
	i := &Issuer{key: key, keys: keys, store: store, cfg: c, log: c.logger, retry: newTTLCache[bool](unansweredGrace), issued: issued}
	if i.refresh, err = i.verifier(WithTokenType("refresh")); err != nil {
		return nil, err
	}
	if i.sliding, err = i.verifier(WithTokenType("sliding")); err != nil {
		return nil, err
	}
	if i.any, err = i.verifier(WithTokenType("")); err != nil {
		return nil, err
	}
	if c.users != nil {
		i.userCheck = newUserCheck(c.users, c.usersFor)
		if f, ok := changeFeedOf(store); ok && c.usersFor > 0 {
			subscribeUsers(f, i.userCheck)
		}
	}
	return i, nil
}

// verifier returns a verifier for the issuer's own tokens.
func (i *Issuer) verifier(opts ...VerifierOption) (*Verifier, error) {
	base := []VerifierOption{
		WithClock(i.cfg.now),
		WithLeeway(i.cfg.leeway),
		WithSubjectClaim(i.cfg.userClaim),
	}
	if i.cfg.iss != "" {
		base = append(base, WithIssuer(i.cfg.iss))
	}
	if len(i.cfg.aud) > 0 {
		base = append(base, WithAudience(i.cfg.aud...))
	}
	if i.cfg.observer != nil {
		base = append(base, WithObserver(i.cfg.observer))
	}
	return NewVerifier(i.keys, append(base, opts...)...)
}

// Verifier returns a verifier of the issuer's access tokens, for a [Guard].
// It checks the store under [WithAccessRevocation] and the user under
// [WithUserLookup]; opts add to or override the issuer's settings.
func (i *Issuer) Verifier(opts ...VerifierOption) (*Verifier, error) {
	var base []VerifierOption
	if i.cfg.revocation {
		base = append(base, WithRevocationCheck(i.store, i.cfg.revocationFor))
	}
	if i.userCheck != nil {
		base = append(base, withUserChecker(i.userCheck, i.cfg.usersFor))
	}
	v, err := i.verifier(append(base, opts...)...)
	if err != nil {
		return nil, err
	}
	if err := i.checkReachable(v); err != nil {
		return nil, err
	}
	return v, nil
}

// Keys returns the keys that verify the issuer's tokens: the signing key's
// and the retired ones.
func (i *Issuer) Keys() *KeySet { return i.keys }

// Issue returns a new pair for the user subject: a new login session.
func (i *Issuer) Issue(ctx context.Context, subject string) (*Pair, error) {
	if err := checkSubject(subject); err != nil {
		return nil, err
	}
	return i.issue(ctx, subject, randomHex(), i.cfg.now(), "")
}

// issueAt is Issue with the time the credentials were checked: a sign-in
// checked before a [Issuer.RevokeSubject] cutoff must not outlive it
// because signing happened a second later.
// jkt, when not empty, binds the pair to a DPoP key (issuer_dpop.go).
func (i *Issuer) issueAt(ctx context.Context, subject string, checked time.Time, jkt string) (*Pair, error) {
	if err := checkSubject(subject); err != nil {
		return nil, err
	}
	return i.issue(ctx, subject, randomHex(), checked, jkt)
}

// checkSubject refuses user IDs that would not survive the trip through
// JSON unchanged: empty, invalid UTF-8, control characters.
func checkSubject(subject string) error {
	if subject == "" || !utf8.ValidString(subject) || strings.ContainsFunc(subject, unicode.IsControl) {
		return configError("user ID is empty or not printable UTF-8")
	}
	return nil
}

// issue signs a pair of session; iat is when the caller's checks ran; jkt,
// when not empty, is the DPoP key both tokens are bound to.
func (i *Issuer) issue(ctx context.Context, subject, session string, now time.Time, jkt string) (*Pair, error) {
	extra, err := i.extraClaims(ctx, subject)
	if err != nil {
		return nil, err
	}
	extra = appendConfirmation(extra, jkt)
	iat := now.Truncate(time.Second)
	p := &Pair{AccessExpiresAt: iat.Add(i.cfg.access), RefreshExpiresAt: iat.Add(i.cfg.refresh)}
	if p.Access, err = i.sign("access", subject, session, iat, p.AccessExpiresAt, time.Time{}, extra); err != nil {
		return nil, err
	}
	jti := randomHex()
	if p.Refresh, err = i.signID("refresh", jti, subject, session, iat, p.RefreshExpiresAt, time.Time{}, extra); err != nil {
		return nil, err
	}
	if err := i.recordIssued(ctx, p.Refresh, jti, subject, session, iat, p.RefreshExpiresAt); err != nil {
		return nil, err
	}
	return p, nil
}

// extraClaims returns the members WithExtraClaims adds, as JSON text.
func (i *Issuer) extraClaims(ctx context.Context, subject string) ([]byte, error) {
	var extra []byte
	if i.cfg.extra != nil {
		m, err := i.cfg.extra(ctx, subject)
		if err != nil {
			return nil, err
		}
		for name := range m {
			if reservedClaim(name) || name == i.cfg.userClaim {
				return nil, configError("extra claim %q is written by the issuer", name)
			}
		}
		if extra, err = appendMembers(nil, m); err != nil {
			return nil, err
		}
	}
	return extra, nil
}

// sign writes and signs one token with a new "jti"; refreshExp is set for
// sliding tokens.
func (i *Issuer) sign(kind, subject, session string, iat, exp, refreshExp time.Time, extra []byte) (string, error) {
	return i.signID(kind, randomHex(), subject, session, iat, exp, refreshExp, extra)
}

// signID is sign with the "jti" given.
func (i *Issuer) signID(kind, jti, subject, session string, iat, exp, refreshExp time.Time, extra []byte) (string, error) {
	claims := make([]byte, 0, 192+len(extra))
	claims = append(claims, `{"token_type":`...)
	claims = appendJSONString(claims, kind)
	claims = append(claims, `,"exp":`...)
	claims = strconv.AppendInt(claims, exp.Unix(), 10)
	claims = append(claims, `,"iat":`...)
	claims = strconv.AppendInt(claims, iat.Unix(), 10)
	claims = append(claims, `,"jti":"`...)
	claims = append(claims, jti...)
	claims = append(claims, '"')
	if !refreshExp.IsZero() {
		claims = append(claims, `,"refresh_exp":`...)
		claims = strconv.AppendInt(claims, refreshExp.Unix(), 10)
	}
	claims = append(claims, ',')
	claims = appendJSONString(claims, i.cfg.userClaim)
	claims = append(claims, ':')
	claims = appendUserID(claims, subject, i.cfg.userClaim != "user_id")
	claims = append(claims, `,"sid":`...)
	claims = appendJSONString(claims, session)
	if i.cfg.iss != "" {
		claims = append(claims, `,"iss":`...)
		claims = appendJSONString(claims, i.cfg.iss)
	}
	switch len(i.cfg.aud) {
	case 0:
	case 1:
		claims = append(claims, `,"aud":`...)
		claims = appendJSONString(claims, i.cfg.aud[0])
	default:
		claims = append(claims, `,"aud":[`...)
		for n, a := range i.cfg.aud {
			if n > 0 {
				claims = append(claims, ',')
			}
			claims = appendJSONString(claims, a)
		}
		claims = append(claims, ']')
	}
	claims = append(claims, extra...)
	claims = append(claims, '}')

	enc := base64.RawURLEncoding
	out := make([]byte, 0, len(i.key.header)+enc.EncodedLen(len(claims))+2+enc.EncodedLen(512))
	out = append(out, i.key.header...)
	out = append(out, '.')
	out = enc.AppendEncode(out, claims)
	input := len(out)
	out = append(out, '.')
	out, err := i.key.sign(out, out[:input])
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// subject returns the user a verified token of the issuer names.
func (i *Issuer) subject(t *Token) string { return subjectOf(t, i.cfg.userClaim) }

// checkUser runs the user check of WithUserLookup, if any, on t: before a
// refresh spends anything, so that a refusal or failure spends nothing.
func (i *Issuer) checkUser(ctx context.Context, t *Token, now time.Time) error {
	if i.userCheck == nil {
		return nil
	}
	_, err := i.userCheck.check(ctx, i.userCheck.users, t, i.subject(t), now)
	return err
}

// now reads the issuer's clock.
func (i *Issuer) now() time.Time { return i.cfg.now() }

// storeTimeout is the bound of each call to the issuer's store, which the
// endpoints give their authenticator too.
func (i *Issuer) storeTimeout() time.Duration { return i.cfg.storeTimeout }

// revoked reports a revocation of what name says.
func (i *Issuer) revoked(ctx context.Context, name string) {
	observe(ctx, i.cfg.observer, Event{Kind: EventRevocation, Name: name})
}

// Verify checks a token of any type, as simplejwt's verify endpoint
// does: signature, expiry, a "jti", and that it was neither revoked nor
// spent ([ErrTokenRevoked]).
func (i *Issuer) Verify(ctx context.Context, raw string) (*Token, error) {
	t, err := i.any.Verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	if t.Claims.ID == "" {
		return nil, errNoID
	}
	if err := i.checkStore(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// Logout revokes the refresh token raw, or a sliding token, and its whole
// login session: the session's refresh and sliding tokens, and its access
// (and sliding) tokens for verifiers that check revocation. A token
// already revoked or spent gives [ErrTokenRevoked]. A token bound to a
// DPoP key is refused with [ErrDPoPBoundToken] before anything is looked
// up: see [Issuer.LogoutDPoP].
func (i *Issuer) Logout(ctx context.Context, raw string) error {
	return i.logoutBound(ctx, raw, "", nil)
}

// logoutBound is Logout for a client that proved possession of the DPoP
// key of jkt ("" for none): a token bound to a key is logged out only for
// that key's proof, so that a thief of the token without the key can
// neither end the session nor, with a spent token, set off the reuse
// revocation. proven, if not nil, runs once the binding held and before
// anything else: the endpoints spend the proof there.
func (i *Issuer) logoutBound(ctx context.Context, raw, jkt string, proven func() error) error {
	t, err := i.any.Verify(ctx, raw)
	if err != nil {
		return err
	}
	if err := checkBinding(t, jkt); err != nil {
		return err
	}
	if proven != nil {
		if err := proven(); err != nil {
			return err
		}
	}
	switch {
	case t.Claims.ID == "":
		return errNoID
	case t.Claims.TokenType == "":
		return errNoType
	case t.Claims.TokenType != "refresh" && t.Claims.TokenType != "sliding":
		return errTokenType
	}
	rec := recordOf(t, i.subject(t))
	if err := i.store.Check(ctx, rec); errors.Is(err, ErrTokenSpent) {
		// Logging out with a token a rotation already spent: whoever holds
		// its successor must not stay signed in.
		return i.reused(ctx, rec)
	} else if err != nil {
		return storeAnswer(err)
	}
	// The session first: a logout cut short after it is retried as a
	// logout of a revoked token, and nothing outlives it; cut short after
	// the token alone, its retry would find the token revoked and leave
	// the session alive.
	if err := i.store.RevokeFamily(ctx, rec.Family, i.familyUntil(rec)); err != nil {
		return storeWrite(err)
	}
	i.revoked(ctx, RevokedFamily)
	if err := i.store.Revoke(ctx, rec); err != nil {
		return storeWrite(err)
	}
	i.revoked(ctx, RevokedToken)
	return nil
}

// EndSession revokes the login session of t, a token of this issuer that
// was verified (an access token from an authenticated request, say): the
// session's refresh tokens, and its access tokens for verifiers that check
// revocation. A token minted without a session ("sid") is its own session.
func (i *Issuer) EndSession(ctx context.Context, t *Token) error {
	if t == nil || t.Claims.ID == "" {
		return errNoRefreshID
	}
	rec := recordOf(t, i.subject(t))
	if err := i.store.RevokeFamily(ctx, rec.Family, i.familyUntil(rec)); err != nil {
		return storeWrite(err)
	}
	i.revoked(ctx, RevokedFamily)
	return nil
}

// RevokeToken revokes one verified token by its "jti" until it expires:
// an access token, for verifiers that check revocation.
func (i *Issuer) RevokeToken(ctx context.Context, t *Token) error {
	if t.Claims.ID == "" {
		return errNoRefreshID
	}
	if err := i.store.Revoke(ctx, recordOf(t, i.subject(t))); err != nil {
		return storeWrite(err)
	}
	i.revoked(ctx, RevokedToken)
	return nil
}

// RevokeSubject revokes every token of the user subject issued until now,
// to the second: logout everywhere, or a password change. Tokens issued
// later in the same second are revoked too.
func (i *Issuer) RevokeSubject(ctx context.Context, subject string) error {
	if err := checkSubject(subject); err != nil {
		return err
	}
	now := i.cfg.now()
	if err := i.store.RevokeSubject(ctx, subject, now, now.Add(i.cfg.refresh+recordGrace+time.Second)); err != nil {
		return storeWrite(err)
	}
	i.revoked(ctx, RevokedSubject)
	return nil
}

func (i *Issuer) checkStore(ctx context.Context, t *Token) error {
	return storeAnswer(i.store.Check(ctx, recordOf(t, i.subject(t))))
}

var (
	errReused      = invalid("refresh token reused; its session is revoked", ErrTokenSpent, ErrTokenRevoked)
	errNoRefreshID = invalid(`token has no "jti" or user claim`, ErrTokenRequiredClaimMissing)
)

// randomHex returns 32 lowercase hex digits of fresh randomness, as
// simplejwt's jti (a UUID4's hex).
func randomHex() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
