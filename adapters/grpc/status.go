package jwtguardgrpc

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/jwtguard/jwtguard"
)

// Domain is the ErrorInfo domain of every refusal's status details.
const Domain = "jwtguard"

// RefusalTrailer is the trailer that carries a refusal's kind, one of
// jwtguard's Kind constants, for clients that read trailers rather than
// status details.
const RefusalTrailer = "jwtguard-refusal"

// Status returns the gRPC status for a refusal of the Guard: Unauthenticated
// for missing, malformed or invalid credentials (HTTP's 401),
// PermissionDenied when a policy says no or a CSRF check fails (403), and
// Unavailable when a store or user lookup could not answer (503). The
// message is the refusal's fixed text ([jwtguard.RefusalMessage]), never
// err's own; the details hold one errdetails.ErrorInfo with the kind as
// its Reason ([jwtguard.RefusalKind]), [Domain], and for a scope refusal
// the scopes asked for under the metadata key "scope".
func Status(err error) *status.Status {
	code := codes.Unauthenticated // fail closed: anything unknown is a refusal
	switch jwtguard.StatusCode(err) {
	case http.StatusForbidden:
		code = codes.PermissionDenied
	case http.StatusServiceUnavailable:
		code = codes.Unavailable
	}
	key := statusKey{code, jwtguard.RefusalKind(err), ""}
	var scopeErr *jwtguard.ScopeError
	if errors.As(err, &scopeErr) {
		key.scope = strings.Join(scopeErr.Scopes, " ")
	}
	if st, ok := statuses.Load(key); ok {
		return st.(*status.Status)
	}
	st := status.New(code, jwtguard.RefusalMessage(err))
	info := &errdetails.ErrorInfo{Reason: key.kind, Domain: Domain}
	if key.scope != "" {
		info.Metadata = map[string]string{"scope": key.scope}
	}
	if withInfo, derr := st.WithDetails(info); derr == nil {
		st = withInfo
	}
	if key.scope == "" {
		statuses.Store(key, st) // a scope's text comes from the policy: not kept
	}
	return st
}

// statusKey names a refusal's status: its message follows from its kind.
type statusKey struct {
	code  codes.Code
	kind  string
	scope string
}

// statuses holds the status of each kind of refusal once built: a status
// is immutable, and building one marshals its details.
var statuses sync.Map

// refuse sets the refusal trailer through set and returns the status error.
func refuse(err error, set func(metadata.MD) error) error {
	_ = set(metadata.Pairs(RefusalTrailer, jwtguard.RefusalKind(err)))
	return Status(err).Err()
}

// contextTrailer sets trailers through the call's transport stream in ctx.
func contextTrailer(ctx context.Context) func(metadata.MD) error {
	return func(md metadata.MD) error { return grpc.SetTrailer(ctx, md) }
}

// streamTrailer sets trailers on ss.
func streamTrailer(ss grpc.ServerStream) func(metadata.MD) error {
	return func(md metadata.MD) error { ss.SetTrailer(md); return nil }
}
