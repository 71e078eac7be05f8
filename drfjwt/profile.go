package drfjwt

import (
	"context"
	"errors"
	"time"

	"github.com/jwtguard/jwtguard"
)

// User is what the profile knows of an account: what the old library's
// jwt_payload_handler put in a token, and whether the account may sign
// in.
type User struct {
	// ID is the primary key, user_id: written as a JSON number when it is
	// a decimal integer, as a string otherwise (a UUID).
	ID string
	// Username is the account's username, the claim the Guard looks the
	// account up by, as the old library did.
	Username string
	// Email is the account's email address, "" when it has none.
	Email string
	// Active is Django's is_active: an inactive account neither signs in
	// nor authenticates.
	Active bool
}

// Accounts is the application's user table. Its methods must be safe for
// concurrent use. An error other than the ones named below is a failure to
// answer: the request fails closed with 503 and Retry-After.
type Accounts interface {
	// Authenticate checks a username and password, as Django's
	// authenticate(): the account, or an error matching
	// [jwtguard.ErrInvalidCredentials] when they match none. It should
	// take the same time whether or not the user exists.
	Authenticate(ctx context.Context, username, password string) (User, error)
	// Lookup returns the account with the given username, or an error
	// matching [jwtguard.ErrUserNotFound].
	Lookup(ctx context.Context, username string) (User, error)
}

// Profile serves djangorestframework-jwt's tokens: it mints them in the
// old library's exact shape, refreshes them within the window counted
// from the first sign-in, and verifies them for the [jwtguard.Guard] and
// the token views, answering as the old library did where that was safe.
// It is immutable and safe for concurrent use.
type Profile struct {
	key       *jwtguard.SigningKey
	accounts  Accounts
	cfg       config
	guarded   *jwtguard.Verifier // the Guard's: with the user check
	tokens    *jwtguard.Verifier // the token views': they look the user up themselves
	challenge []string
}

// New returns the profile of tokens signed with key, an HMAC key of
// algorithm HS256, HS384 or HS512 without a key ID (the old library's
// JWT_SECRET_KEY and JWT_ALGORITHM, HS256 by default: jwtguard.NewSigningKey("",
// secret, jwtguard.HS256)), for the users of accounts. It reports every
// problem with the options at once.
func New(key *jwtguard.SigningKey, accounts Accounts, opts ...Option) (*Profile, error) {
	c, err := newConfig(opts)
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	if key == nil {
		errs = append(errs, errors.New("drfjwt: nil signing key"))
	} else if !isHMAC(key.Algorithm()) || key.ID() != "" {
		errs = append(errs, errors.New("drfjwt: the signing key must be an HMAC key (HS256, HS384, HS512) without a key ID, as the old library's JWT_SECRET_KEY"))
	}
	if accounts == nil {
		errs = append(errs, errors.New("drfjwt: nil accounts"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p := &Profile{key: key, accounts: accounts, cfg: c,
		challenge: []string{c.prefix + ` realm="` + c.realm + `"`}}
	keys, err := jwtguard.NewKeySet(key.VerificationKey())
	if err != nil {
		return nil, err
	}
	common := []jwtguard.VerifierOption{
		jwtguard.WithAlgorithms(key.Algorithm()),
		jwtguard.WithTokenType(""), // simplejwt's checks off; untyped below
		jwtguard.WithClock(c.now),
		jwtguard.WithValidator(noAudience),
		jwtguard.WithValidator(untyped),
	}
	if p.tokens, err = jwtguard.NewVerifier(keys, common...); err != nil {
		return nil, err
	}
	loader := jwtguard.UserLoaderFunc[User](func(ctx context.Context, username string) (User, bool, error) {
		u, err := accounts.Lookup(ctx, username)
		if err != nil {
			return User{}, false, err
		}
		return u, u.Active, nil
	})
	if p.guarded, err = jwtguard.NewVerifier(keys, append(common,
		jwtguard.WithSubjectClaim("username"),
		jwtguard.WithUserCheck(loader, c.maxStale))...); err != nil {
		return nil, err
	}
	return p, nil
}

func isHMAC(alg string) bool {
	return alg == jwtguard.HS256 || alg == jwtguard.HS384 || alg == jwtguard.HS512
}

// errAudience marks a token with an "aud" claim: the old library refused
// every audience when JWT_AUDIENCE was unset, and so does the profile.
var errAudience = errors.New("drfjwt: token has an audience")

func noAudience(_ context.Context, t *jwtguard.Token) error {
	if _, ok := t.RawClaim("aud"); ok {
		return errAudience
	}
	return nil
}

// errTokenType marks a token with a "token_type" claim: simplejwt's
// access, refresh and sliding tokens and jwtguard's single-purpose tokens
// (an activation link, a password reset) all carry one, the old library
// never wrote one. Where both kinds are signed with one secret (a
// migration), none of those is the old profile's token, whatever other
// claims (a username) it has.
var errTokenType = errors.New("drfjwt: token has a token_type")

// untyped refuses a token with a "token_type" claim. A "jti" or "sid" is
// left alone: the old library never wrote them, but a project's own
// JWT_PAYLOAD_HANDLER may have, and every token of simplejwt's kind has a
// token_type already.
func untyped(_ context.Context, t *jwtguard.Token) error {
	if _, ok := t.RawClaim("token_type"); ok {
		return errTokenType
	}
	return nil
}

// Verifier returns the verifier of the profile's [jwtguard.Guard]: HS256
// (the key's algorithm) only, "exp" required, no "aud", no "token_type"
// (a simplejwt token is not the old profile's), and the account of
// the "username" claim looked up ([Accounts.Lookup]) and required active.
// The account reaches handlers as jwtguard.UserFromRequest[drfjwt.User].
func (p *Profile) Verifier() *jwtguard.Verifier { return p.guarded }

// UserChanged makes the Guard forget what it cached about the account
// with the given username (see [WithUserCache]): call it after
// deactivating, activating or deleting an account.
func (p *Profile) UserChanged(username string) { p.guarded.UserChanged(username) }

// IssueToken mints the token of a sign-in of u: user_id, username, exp,
// email and orig_iat, in that order, orig_iat now.
func (p *Profile) IssueToken(u User) (string, error) {
	now := p.cfg.now()
	return p.mint(u, now, now)
}

func (p *Profile) mint(u User, now, origIAT time.Time) (string, error) {
	exp := now.Add(p.cfg.expiration)
	return p.key.Sign(header(p.key.Algorithm()), appendPayload(make([]byte, 0, 160), u, exp, origIAT))
}

// Decode verifies raw as the old library's jwt_decode_handler did, and
// more strictly where it was unsafe (see the package documentation): the
// signature, the algorithm, "exp" (required), "nbf", "iat", no "aud" and
// no "token_type".
// It does not look the account up. Its errors match jwtguard's sentinels;
// [Profile.WriteError] answers them as the old library's authentication
// class did.
func (p *Profile) Decode(ctx context.Context, raw string) (*jwtguard.Token, error) {
	return p.tokens.Verify(ctx, raw)
}

// VerifyToken is the verify view's check: raw decodes and names an active
// account, whose current row it returns.
func (p *Profile) VerifyToken(ctx context.Context, raw string) (User, *jwtguard.Token, error) {
	t, err := p.tokens.Verify(ctx, raw)
	if err != nil {
		return User{}, nil, err
	}
	u, err := p.account(ctx, t)
	return u, t, err
}

// account looks up the account of a decoded token's "username" claim, as
// the serializers' _check_user did.
func (p *Profile) account(ctx context.Context, t *jwtguard.Token) (User, error) {
	username, ok := jwtguard.ClaimAs[string](t, "username")
	if !ok || username == "" {
		return User{}, jwtguard.ErrNoUserID
	}
	ctx, cancel := context.WithTimeout(ctx, jwtguard.DefaultStoreTimeout)
	defer cancel()
	u, err := p.accounts.Lookup(ctx, username)
	switch {
	case errors.Is(err, jwtguard.ErrUserNotFound):
		return User{}, jwtguard.ErrUserNotFound
	case err != nil:
		return User{}, errors.Join(jwtguard.ErrUnavailable, err)
	case !u.Active:
		return User{}, jwtguard.ErrUserInactive
	}
	return u, nil
}

var (
	// ErrRefreshExpired: the token's refresh window, counted from its
	// orig_iat, has passed ("Refresh has expired.").
	ErrRefreshExpired = errors.New("drfjwt: refresh has expired")
	// ErrNoOrigIAT: the token has no usable orig_iat, so it cannot be
	// refreshed ("orig_iat field is required.").
	ErrNoOrigIAT = errors.New("drfjwt: orig_iat field is required")
)

// RefreshToken is the refresh view's work: raw decodes, names an active
// account, and its orig_iat plus the refresh window is not past; the new
// token carries the account's current user_id, username and email, a
// fresh exp, and raw's orig_iat. raw stays valid until its own exp: the
// old library neither rotated nor revoked, and neither does the profile.
func (p *Profile) RefreshToken(ctx context.Context, raw string) (string, error) {
	u, t, err := p.VerifyToken(ctx, raw)
	if err != nil {
		return "", err
	}
	orig, err := origIAT(t)
	if err != nil {
		return "", err
	}
	now := p.cfg.now()
	if now.Unix() > orig+int64(p.cfg.window/time.Second) {
		return "", ErrRefreshExpired
	}
	return p.mint(u, now, time.Unix(orig, 0))
}

// origIAT reads orig_iat as the refresh serializer did: absent, null,
// false or 0 is missing; otherwise it must be an integer (a JSON number
// without a fraction), which the old library always wrote.
func origIAT(t *jwtguard.Token) (int64, error) {
	f, ok := jwtguard.ClaimAs[float64](t, "orig_iat")
	if !ok || f == 0 || f != float64(int64(f)) || f > 1<<53 || f < -(1<<53) {
		return 0, ErrNoOrigIAT
	}
	return int64(f), nil
}
