package jwtguard

import (
	"net/http"
	"slices"
	"strings"
)

// Policy decides whether a request may go on, as a permission class does in
// Django REST Framework. Check gets the request and its verified token, nil
// for an anonymous request, and returns nil to allow. To deny it returns
// [ErrForbidden], or an error matching it; the [Guard] answers 401 instead
// when the request has no token, since credentials may change the answer.
// Policies must be safe for concurrent use.
type Policy interface {
	Check(r *http.Request, t *Token) error
}

// PolicyFunc adapts a function to a [Policy].
type PolicyFunc func(r *http.Request, t *Token) error

// Check calls f(r, t).
func (f PolicyFunc) Check(r *http.Request, t *Token) error { return f(r, t) }

// Allow turns a predicate of the request and its token into a policy that
// denies with [ErrForbidden] when the predicate is false.
func Allow(pred func(r *http.Request, t *Token) bool) Policy {
	return PolicyFunc(func(r *http.Request, t *Token) error {
		if pred(r, t) {
			return nil
		}
		return ErrForbidden
	})
}

// allowToken is Allow for predicates that need a token: anonymous requests
// are denied without calling pred.
func allowToken(pred func(t *Token) bool) Policy {
	return Allow(func(_ *http.Request, t *Token) bool { return t != nil && pred(t) })
}

// AllowAny allows every request, with or without a token.
func AllowAny() Policy {
	return PolicyFunc(func(*http.Request, *Token) error { return nil })
}

// IsAuthenticated allows requests with a verified token.
func IsAuthenticated() Policy {
	return allowToken(func(*Token) bool { return true })
}

// IsAuthenticatedOrReadOnly allows every GET, HEAD and OPTIONS request, and
// other methods only with a verified token.
func IsAuthenticatedOrReadOnly() Policy {
	return Allow(func(r *http.Request, t *Token) bool { return t != nil || safeMethod(r.Method) })
}

// IsAdmin allows tokens whose "is_staff" claim is true, Django's notion of
// an admin user. Use [AdminClaim] when another claim decides.
func IsAdmin() Policy { return AdminClaim("is_staff") }

// AdminClaim allows tokens whose boolean claim is true.
func AdminClaim(claim string) Policy {
	return allowToken(func(t *Token) bool {
		raw, ok := t.rawClaim(claim)
		return ok && string(raw) == "true"
	})
}

// HasScope allows tokens that grant every one of scopes, through the
// "scope" or "scp" claim. A denial is a [*ScopeError]: 403 with
// error="insufficient_scope" and the scopes in the challenge (RFC 6750 §3.1).
func HasScope(scopes ...string) Policy {
	return scopePolicy(scopes, func(t *Token) bool {
		for _, s := range scopes {
			if !t.HasScope(s) {
				return false
			}
		}
		return true
	})
}

// HasAnyScope allows tokens that grant at least one of scopes.
func HasAnyScope(scopes ...string) Policy {
	return scopePolicy(scopes, func(t *Token) bool {
		return slices.ContainsFunc(scopes, t.HasScope)
	})
}

func scopePolicy(scopes []string, ok func(t *Token) bool) Policy {
	scopes = slices.Clone(scopes)
	denied := &ScopeError{Scopes: scopes}
	return PolicyFunc(func(_ *http.Request, t *Token) error {
		if t != nil && ok(t) {
			return nil
		}
		return denied
	})
}

// ScopeError is the denial of a scope policy. It matches
// [ErrInsufficientScope] and [ErrForbidden].
type ScopeError struct {
	// Scopes are the scopes the policy asks for.
	Scopes []string
}

func (e *ScopeError) Error() string {
	return "jwtguard: insufficient scope: needs " + strings.Join(e.Scopes, " ")
}

// Is matches ErrInsufficientScope and ErrForbidden.
func (e *ScopeError) Is(target error) bool {
	return target == ErrInsufficientScope || target == ErrForbidden
}

// HasClaim allows tokens whose claim equals one of values, compared as
// JSON values: HasClaim("email_verified", true), HasClaim("tenant", "acme").
// When the claim is an array, one of its elements must equal one of values.
func HasClaim(name string, values ...any) Policy {
	want := make([]any, len(values))
	for i, v := range values {
		want[i] = normalizeJSON(v)
	}
	return allowToken(func(t *Token) bool {
		v, ok := t.Claim(name)
		if !ok {
			return false
		}
		if list, isList := v.([]any); isList {
			return slices.ContainsFunc(list, func(e any) bool { return containsJSON(want, e) })
		}
		return containsJSON(want, v)
	})
}

// HasRole allows tokens whose "roles" claim (an array of strings, or a
// space-separated string) holds at least one of roles.
func HasRole(roles ...string) Policy { return HasRoleIn("roles", roles...) }

// HasRoleIn is [HasRole] for another claim. A dotted path reaches into
// objects: "realm_access.roles" reads Keycloak's realm roles.
func HasRoleIn(path string, roles ...string) Policy {
	roles = slices.Clone(roles)
	steps := strings.Split(path, ".")
	hasRole := func(e any) bool { s, ok := e.(string); return ok && slices.Contains(roles, s) }
	return allowToken(func(t *Token) bool {
		v, ok := t.Claim(steps[0])
		for _, step := range steps[1:] {
			m, isMap := v.(map[string]any)
			if !ok || !isMap {
				return false
			}
			v, ok = m[step]
		}
		switch v := v.(type) {
		case string:
			return slices.ContainsFunc(strings.Fields(v), func(s string) bool { return hasRole(s) })
		case []any:
			return slices.ContainsFunc(v, hasRole)
		}
		return false
	})
}

// normalizeJSON maps Go numbers to float64, as encoding/json decodes them.
func normalizeJSON(v any) any {
	switch n := v.(type) {
	case int:
		return float64(n)
	case int32:
		return float64(n)
	case int64:
		return float64(n)
	case uint:
		return float64(n)
	case uint32:
		return float64(n)
	case uint64:
		return float64(n)
	case float32:
		return float64(n)
	}
	return v
}

// containsJSON reports whether the decoded scalar v is one of want. Objects
// and arrays never match, and are never compared with ==.
func containsJSON(want []any, v any) bool {
	switch v.(type) {
	case string, float64, bool, nil:
		return slices.Contains(want, v)
	}
	return false
}

// All allows a request when every policy allows it, and returns the first
// denial otherwise. All() allows everything.
func All(policies ...Policy) Policy {
	policies = slices.Clone(policies)
	return PolicyFunc(func(r *http.Request, t *Token) error {
		for _, p := range policies {
			if err := p.Check(r, t); err != nil {
				return err
			}
		}
		return nil
	})
}

// Any allows a request when one policy allows it, and returns the last
// denial otherwise. Any() denies everything.
func Any(policies ...Policy) Policy {
	policies = slices.Clone(policies)
	return PolicyFunc(func(r *http.Request, t *Token) error {
		err := ErrForbidden
		for _, p := range policies {
			if err = p.Check(r, t); err == nil {
				return nil
			}
		}
		return err
	})
}

// Not inverts a policy: it allows what p denies and denies, with
// [ErrForbidden], what p allows. Not(IsAuthenticated()) admits only
// anonymous requests, for a sign-up route say.
func Not(p Policy) Policy {
	return PolicyFunc(func(r *http.Request, t *Token) error {
		if p.Check(r, t) == nil {
			return ErrForbidden
		}
		return nil
	})
}
