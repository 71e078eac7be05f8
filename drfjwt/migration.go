package drfjwt

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard"
)

// A service moving from djangorestframework-jwt to simplejwt-style tokens
// (a jwtguard.Issuer and its Endpoints) runs both for a while: old front
// ends keep their token and its views; new ones send what they have to
// the new refresh endpoint, where an old token is traded for a pair once;
// the API accepts both kinds.

var bodyUnavailable = []byte(`{"detail":"Service temporarily unavailable, try again later.","code":"service_unavailable"}`)

// Exchange wraps next, the simplejwt refresh endpoint (Endpoints.Refresh),
// so that it also takes an old token: POST {"refresh": T} with T a token
// of this profile (no token_type claim) that [Profile.RefreshToken] would
// refresh is answered with a new pair from issuer for the account's ID,
// {"access": …, "refresh": …}, once per sign-in: what is spent in store
// is the account's ID with T's orig_iat (hashed, until orig_iat plus the
// refresh window), which every token refreshed from that sign-in at the
// old view keeps, so that a refreshed copy of T is not exchanged again.
// (Two sign-ins of one account in the same second share an orig_iat, and
// so one exchange.) Every other request, an old token refused or already
// exchanged included, goes to next unchanged, which answers as simplejwt
// does (a 401 token_not_valid for an old token). A failure of [Accounts]
// or of store is a 503.
func (p *Profile) Exchange(issuer *jwtguard.Issuer, store jwtguard.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, p.cfg.maxBody+1))
		if err != nil || int64(len(body)) > p.cfg.maxBody {
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
			next.ServeHTTP(w, r)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		pair, err := p.exchange(r, issuer, store)
		switch {
		case errors.Is(err, jwtguard.ErrUnavailable):
			p.cfg.log.LogAttrs(r.Context(), slog.LevelError, "drfjwt: exchange unavailable", slog.String("error", err.Error()))
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusServiceUnavailable, bodyUnavailable)
		case err != nil:
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
		default:
			writeTokens(w, []byte(`{"access":"`+pair.Access+`","refresh":"`+pair.Refresh+`"}`))
		}
	})
}

// errNotOld marks a request that is not an old token's exchange.
var errNotOld = errors.New("drfjwt: not an old token")

// exchange trades the old token of r's body for a pair.
func (p *Profile) exchange(r *http.Request, issuer *jwtguard.Issuer, store jwtguard.Store) (*jwtguard.Pair, error) {
	v, err := jwtguard.ReadForm(r, p.cfg.maxBody, jwtguard.FormField{Name: "refresh", Trim: true})
	if err != nil {
		return nil, errNotOld
	}
	raw := v[0]
	ctx := r.Context()
	t, err := p.tokens.Verify(ctx, raw)
	if err != nil { // a simplejwt token (token_type) included
		return nil, errNotOld
	}
	u, err := p.account(ctx, t)
	if err != nil {
		return nil, err
	}
	orig, err := origIAT(t)
	if err != nil {
		return nil, err
	}
	end := orig + int64(p.cfg.window/time.Second)
	if p.cfg.now().Unix() > end {
		return nil, ErrRefreshExpired
	}
	// The sign-in is spent, not the string: every token refreshed from it
	// at the old view has its orig_iat, and could be exchanged again.
	sctx, cancel := context.WithTimeout(ctx, jwtguard.DefaultStoreTimeout)
	defer cancel()
	err = store.Spend(sctx, jwtguard.Record{ID: signInID(u.ID, orig), Subject: u.ID, ExpiresAt: time.Unix(end, 0)})
	switch {
	case errors.Is(err, jwtguard.ErrTokenSpent), errors.Is(err, jwtguard.ErrTokenRevoked):
		return nil, err
	case err != nil:
		return nil, errors.Join(jwtguard.ErrUnavailable, err)
	}
	return issuer.Issue(ctx, u.ID)
}

// signInID names an old sign-in in the store: the account's ID and the
// orig_iat every token refreshed from it keeps.
func signInID(userID string, origIAT int64) string {
	sum := sha256.Sum256([]byte(userID + "\x00" + strconv.FormatInt(origIAT, 10)))
	return "drfjwt:" + hex.EncodeToString(sum[:])
}

// Either returns middleware for an API that accepts both kinds of token
// while a service migrates: a request whose Authorization header has the
// profile's prefix and carries an old token (one without a token_type
// claim), or cannot be read, is authenticated by old (the profile's
// [Profile.Guard]) and refused as the old library refused it; every other
// request by next (the simplejwt profile's Guard), anonymous ones
// included. Either way policy decides, and the token reaches the handler
// through jwtguard.FromRequest. Which Guard runs is chosen from the
// header alone; each verifies the token in full.
func (p *Profile) Either(old, next *jwtguard.Guard, policy jwtguard.Policy) func(http.Handler) http.Handler {
	oldMW, nextMW := old.Require(policy), next.Require(policy)
	prefix := p.cfg.prefix
	return func(h http.Handler) http.Handler {
		o, n := oldMW(h), nextMW(h)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, err := extract(strings.Join(r.Header.Values("Authorization"), ","), prefix)
			if err != nil || raw != "" && !hasTokenType(raw) {
				o.ServeHTTP(w, r)
				return
			}
			n.ServeHTTP(w, r)
		})
	}
}

// hasTokenType reports whether the claims set of the compact token raw,
// read without verification (only to choose a Guard), has a top-level
// "token_type" member. Anything unreadable reports false.
func hasTokenType(raw string) bool {
	if len(raw) > jwtguard.DefaultMaxTokenSize {
		return false
	}
	_, rest, ok := strings.Cut(raw, ".")
	if !ok {
		return false
	}
	seg, _, ok := strings.Cut(rest, ".")
	if !ok {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return false
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(payload, &members) != nil {
		return false
	}
	_, ok = members["token_type"]
	return ok
}
