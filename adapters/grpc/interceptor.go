package jwtguardgrpc

import (
	"context"
	"errors"
	"maps"
	"slices"

	"google.golang.org/grpc"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/internal/ctxkey"
)

// Interceptor authenticates gRPC calls with a [jwtguard.Guard] and enforces
// a policy per method, so that a service that serves HTTP and gRPC keeps
// one set of rules. It is immutable and safe for concurrent use.
//
// A call is read as the HTTP/2 request it is (see the package documentation):
// the token comes from the "authorization" metadata through the Guard's
// extractor (Bearer by default), the Guard's verifier checks it, and the
// method's policy decides. The verified token goes into the call's context,
// where [jwtguard.FromContext] finds it. Make one with [New]: a zero or
// nil Interceptor refuses every call with Unavailable.
type Interceptor struct {
	guard    *jwtguard.Guard
	policies map[string]jwtguard.Policy
	def      jwtguard.Policy
	public   map[string]bool
}

// New returns an interceptor over g. It reports every problem with its
// arguments at once, and never panics.
func New(g *jwtguard.Guard, opts ...Option) (*Interceptor, error) {
	c := config{
		policies: map[string]jwtguard.Policy{},
		def:      jwtguard.IsAuthenticated(),
		public:   map[string]bool{},
	}
	if g == nil {
		c.fail("nil guard")
	}
	for i, opt := range opts {
		if opt == nil {
			c.fail("option %d is nil", i)
			continue
		}
		opt(&c)
	}
	for _, m := range slices.Sorted(maps.Keys(c.public)) {
		if _, ok := c.policies[m]; ok {
			c.fail("%q is both public and has a policy", m)
		}
	}
	if err := errors.Join(c.errs...); err != nil {
		return nil, err
	}
	return &Interceptor{guard: g, policies: c.policies, def: c.def, public: c.public}, nil
}

// Unary returns the unary server interceptor. A refused call ends with the
// status of [Status] and the [RefusalTrailer] trailer; the handler is not
// called.
func (i *Interceptor) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := i.check(ctx, info.FullMethod)
		if err != nil {
			return nil, refuse(err, contextTrailer(ctx))
		}
		return handler(ctx, req)
	}
}

// Stream returns the stream server interceptor; it checks the call once,
// when the stream opens, as [Interceptor.Unary] does.
func (i *Interceptor) Stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := i.check(ss.Context(), info.FullMethod)
		if err != nil {
			return refuse(err, streamTrailer(ss))
		}
		if ctx == ss.Context() {
			return handler(srv, ss)
		}
		return handler(srv, &tokenStream{ServerStream: ss, ctx: ctx})
	}
}

// AuthFunc does the interceptors' check for go-grpc-middleware's auth
// interceptors (interceptors/auth: its AuthFunc type), which then chain
// with the rest of that package. The method comes from grpc.Method(ctx).
// It returns the context with the token, or the status error of [Status]
// after setting the [RefusalTrailer] trailer.
func (i *Interceptor) AuthFunc(ctx context.Context) (context.Context, error) {
	method, ok := grpc.Method(ctx)
	if !ok {
		// Not inside a server call: there is no method to find a policy for.
		return nil, Status(jwtguard.ErrNoCredentials).Err()
	}
	ctx, err := i.check(ctx, method)
	if err != nil {
		return nil, refuse(err, contextTrailer(ctx))
	}
	return ctx, nil
}

// check authenticates the call to method and runs its policy. It returns
// ctx with the token, or the Guard's refusal. A token already in ctx (an
// interceptor upstream put it there) is not verified twice.
func (i *Interceptor) check(ctx context.Context, method string) (context.Context, error) {
	if i == nil || i.guard == nil {
		return ctx, errNotMade // fail closed
	}
	if i.public[method] {
		return ctx, nil
	}
	r := request(ctx, method)
	t, had := jwtguard.FromContext(ctx)
	if !had {
		var err error
		if t, err = i.guard.Authenticate(r); err != nil {
			return ctx, err
		}
	}
	if err := i.guard.Authorize(r, t, i.policy(method)); err != nil {
		return ctx, err
	}
	if t != nil && !had {
		ctx = ctxkey.With(ctx, t)
	}
	return ctx, nil
}

// policy returns method's policy, or the default one.
func (i *Interceptor) policy(method string) jwtguard.Policy {
	if p, ok := i.policies[method]; ok {
		return p
	}
	return i.def
}

// errNotMade refuses every call of an Interceptor that New did not make
// (a zero or nil one): Unavailable, as a server that cannot check tokens.
var errNotMade = errors.Join(jwtguard.ErrUnavailable, errors.New("jwtguardgrpc: Interceptor not made by New"))

// tokenStream is a server stream whose context carries the token.
type tokenStream struct {
	grpc.ServerStream
	ctx context.Context
}

// Context returns the stream's context with the verified token in it.
func (s *tokenStream) Context() context.Context { return s.ctx }
