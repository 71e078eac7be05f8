package jwtguard_test

import (
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/jwtguardtest"
)

// Every refusal of the shared spec has a kind, and a message that is the
// one its HTTP body carries: what a gRPC client reads is what an HTTP
// client reads.
func TestRefusalKindMatchesTheBody(t *testing.T) {
	s, cases := jwtguardtest.NewSpecServer(t)
	policies := map[string]jwtguard.Policy{}
	for _, r := range s.Routes {
		policies[r.Path] = r.Policy
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if c.Status == 200 {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			r := httptest.NewRequest(c.Method, c.Path, nil)
			for k, vs := range c.Header {
				r.Header[k] = vs
			}
			tok, err := s.Guard.Authenticate(r)
			if err == nil {
				err = s.Guard.Authorize(r, tok, policies[c.Path])
			}
			if err == nil {
				t.Fatal("the Guard let the request through")
			}
			if got := jwtguard.StatusCode(err); got != c.Status {
				t.Errorf("StatusCode = %d, want %d", got, c.Status)
			}
			msg := jwtguard.RefusalMessage(err)
			if !strings.Contains(c.Body, strconv.Quote(msg)) {
				t.Errorf("RefusalMessage = %q, not the body's %s", msg, c.Body)
			}
			kind := jwtguard.RefusalKind(err)
			if kind == "" || strings.Contains(msg, "jwtguard:") {
				t.Errorf("kind %q, message %q", kind, msg)
			}
			seen[kind] = true
		})
	}
	for _, k := range []string{jwtguard.KindNoCredentials, jwtguard.KindMalformed, jwtguard.KindTokenInvalid,
		jwtguard.KindTokenWrongType, jwtguard.KindTokenNoExp, jwtguard.KindForbidden, jwtguard.KindScope} {
		if !seen[k] {
			t.Errorf("no spec case of kind %q", k)
		}
	}
}

// The refusals the spec does not make: each sentinel has its own kind,
// and an error's own text never reaches the message.
func TestRefusalKindOfSentinels(t *testing.T) {
	secret := errors.New("dial tcp 10.0.0.7:6379: connection refused")
	for _, c := range []struct {
		err  error
		kind string
		msg  string
	}{
		{errors.Join(jwtguard.ErrUnavailable, secret), jwtguard.KindUnavailable, "Service temporarily unavailable, try again later."},
		{errors.Join(jwtguard.ErrInvalidToken, jwtguard.ErrTokenRevoked), jwtguard.KindTokenRevoked, "Token is blacklisted"},
		{errors.Join(jwtguard.ErrInvalidToken, jwtguard.ErrUserNotFound), jwtguard.KindUserNotFound, "User not found"},
		{errors.Join(jwtguard.ErrInvalidToken, jwtguard.ErrUserInactive), jwtguard.KindUserInactive, "User is inactive"},
		{errors.Join(jwtguard.ErrInvalidToken, jwtguard.ErrNoUserID), jwtguard.KindNoUserID, "Token contained no recognizable user identification"},
		{jwtguard.ErrCSRF, jwtguard.KindCSRF, "CSRF Failed: CSRF token incorrect."},
		{secret, jwtguard.KindTokenInvalid, "Token is invalid or expired"},
	} {
		if got := jwtguard.RefusalKind(c.err); got != c.kind {
			t.Errorf("RefusalKind(%v) = %q, want %q", c.err, got, c.kind)
		}
		if got := jwtguard.RefusalMessage(c.err); got != c.msg {
			t.Errorf("RefusalMessage(%v) = %q, want %q", c.err, got, c.msg)
		}
	}
}
