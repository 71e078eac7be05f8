package jwtguard

import (
	"errors"
	"net/http"
	"slices"
)

// ObjectPolicy decides whether a request may act on one object that its
// handler loaded, as has_object_permission does in Django REST Framework:
// a [Policy] sees only the request, an ObjectPolicy sees the object too
// (the task to be changed, the document to be read). CheckObject gets the
// request, its verified token (nil when anonymous) and the object, and
// returns nil to allow; to deny it returns [ErrForbidden] (403), or
// [ErrNotFound] (404) where the object must stay hidden, or an error
// matching one of them. Run it with [AuthorizeObject]. Object policies
// must be safe for concurrent use.
type ObjectPolicy[T any] interface {
	CheckObject(r *http.Request, t *Token, obj T) error
}

// ObjectPolicyFunc adapts a function to an [ObjectPolicy].
type ObjectPolicyFunc[T any] func(r *http.Request, t *Token, obj T) error

// CheckObject calls f(r, t, obj).
func (f ObjectPolicyFunc[T]) CheckObject(r *http.Request, t *Token, obj T) error { return f(r, t, obj) }

// AllowObject turns a predicate of the request, its token and the object
// into an object policy that denies with [ErrForbidden] when it is false.
func AllowObject[T any](pred func(r *http.Request, t *Token, obj T) bool) ObjectPolicy[T] {
	return ObjectPolicyFunc[T](func(r *http.Request, t *Token, obj T) error {
		if pred(r, t, obj) {
			return nil
		}
		return ErrForbidden
	})
}

// IsOwner allows a request whose token's subject ([Token.Subject]: "sub",
// else simplejwt's "user_id") is the object's owner, as owner reads it.
// Anonymous requests and an empty owner are denied.
func IsOwner[T any](owner func(obj T) string) ObjectPolicy[T] {
	return AllowObject(func(_ *http.Request, t *Token, obj T) bool {
		o := owner(obj)
		return t != nil && o != "" && t.Subject() == o
	})
}

// IsOwnerOrReadOnly is the DRF tutorial's permission: anyone may read
// (GET, HEAD, OPTIONS), only the owner may change or delete ([IsOwner]).
func IsOwnerOrReadOnly[T any](owner func(obj T) string) ObjectPolicy[T] {
	isOwner := IsOwner(owner)
	return ObjectPolicyFunc[T](func(r *http.Request, t *Token, obj T) error {
		if safeMethod(r.Method) {
			return nil
		}
		return isOwner.CheckObject(r, t, obj)
	})
}

// AllObjects allows when every policy allows, and returns the first
// denial otherwise. AllObjects() allows everything.
func AllObjects[T any](policies ...ObjectPolicy[T]) ObjectPolicy[T] {
	policies = slices.Clone(policies)
	return ObjectPolicyFunc[T](func(r *http.Request, t *Token, obj T) error {
		for _, p := range policies {
			if err := p.CheckObject(r, t, obj); err != nil {
				return err
			}
		}
		return nil
	})
}

// AnyObject allows when one policy allows, and returns the last denial
// otherwise. AnyObject() denies everything.
func AnyObject[T any](policies ...ObjectPolicy[T]) ObjectPolicy[T] {
	policies = slices.Clone(policies)
	return ObjectPolicyFunc[T](func(r *http.Request, t *Token, obj T) error {
		err := ErrForbidden
		for _, p := range policies {
			if err = p.CheckObject(r, t, obj); err == nil {
				return nil
			}
		}
		return err
	})
}

// ObjectFromRequest lifts a request policy into an object policy, to
// compose IsAdmin() or HasScope("tasks:write") with object checks.
func ObjectFromRequest[T any](p Policy) ObjectPolicy[T] {
	return ObjectPolicyFunc[T](func(r *http.Request, t *Token, _ T) error { return p.Check(r, t) })
}

// Hidden makes p's denials [ErrNotFound]: a 404, to anonymous and
// authenticated requests alike, so that nobody learns the object exists.
func Hidden[T any](p ObjectPolicy[T]) ObjectPolicy[T] {
	return ObjectPolicyFunc[T](func(r *http.Request, t *Token, obj T) error {
		if err := p.CheckObject(r, t, obj); err != nil {
			return errors.Join(ErrNotFound, err)
		}
		return nil
	})
}

// AuthorizeObject runs policy on obj for a request that went through
// g's middleware, and reports whether the handler may go on. On a denial
// it answers through g's error handler, as DRF does: 404 for a hidden
// object ([ErrNotFound]), 401 for an anonymous request (a token might
// change the answer), 403 otherwise. A nil policy denies (fail closed).
func AuthorizeObject[T any](g *Guard, w http.ResponseWriter, r *http.Request, policy ObjectPolicy[T], obj T) bool {
	t, _ := FromRequest(r)
	err := ErrForbidden
	if policy != nil {
		err = policy.CheckObject(r, t, obj)
	}
	switch {
	case err == nil:
		return true
	case errors.Is(err, ErrNotFound):
	case t == nil:
		err = ErrNoCredentials
	case !errors.Is(err, ErrForbidden):
		err = errors.Join(ErrForbidden, err)
	}
	g.logRefusal(r, "object permission denied", err)
	g.WriteError(w, r, err)
	return false
}
