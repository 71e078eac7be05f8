// Package jwtguardgrpc authenticates and authorizes gRPC calls with a
// [jwtguard.Guard]: unary and stream server interceptors over the same
// verifier and policies as the HTTP side, so that a service that serves
// both keeps one set of rules.
//
// # Use
//
//	ic, err := jwtguardgrpc.New(guard,
//		jwtguardgrpc.WithPublicMethods(jwtguardgrpc.HealthAndReflection()...),
//		jwtguardgrpc.WithPolicy("/tasks.v1.Tasks/Delete", jwtguard.IsAdmin()),
//		jwtguardgrpc.WithDefaultPolicy(jwtguard.HasScope("tasks")))
//	srv := grpc.NewServer(
//		grpc.ChainUnaryInterceptor(ic.Unary()),
//		grpc.ChainStreamInterceptor(ic.Stream()))
//
// In a handler, jwtguard.FromContext(ctx) returns the verified token.
// With go-grpc-middleware v2, pass [Interceptor.AuthFunc] to its auth
// interceptors instead.
//
// # The call as a request
//
// The Guard reads a call as the HTTP/2 request that carries it: method
// POST, URL path the full method name ("/package.Service/Method"), the
// metadata as headers (so the token is in "authorization", and a
// client's two "authorization" values are malformed credentials), the
// peer's address as RemoteAddr and its TLS state. Policies that look at
// the request see that: [jwtguard.IsAuthenticatedOrReadOnly] treats every
// call as a write. The Guard's skip rules (WithSkip, WithSkipPaths) are
// not consulted; name public methods with [WithPublicMethods]. A
// credential check that needs more than the token (a DPoP proof in the
// "dpop" metadata, with htm POST and htu the method's URL) plugs into the
// Guard and reads the same request.
//
// # Refusals
//
//   - Unauthenticated: no token where the policy needs one, malformed
//     credentials, or a token that fails verification (HTTP's 401).
//   - PermissionDenied: a policy refuses an authenticated call (403).
//   - Unavailable: the revocation store or the user lookup could not
//     answer; the call fails closed (503).
//
// The message is a fixed text per kind of refusal (simplejwt's words for a
// bad token: "Token is invalid or expired"), never an internal error's
// text; the cause goes to the Guard's logger. The status details hold a
// google.rpc.ErrorInfo whose Reason is the kind (jwtguard's Kind
// constants: "no_credentials", "token_invalid", "insufficient_scope",
// "unavailable", ...) and whose Domain is "jwtguard"; a scope refusal
// adds the scopes asked for under the "scope" key. The trailer
// "jwtguard-refusal" carries the kind as well. The Guard's error handler
// (WithErrorHandler) writes HTTP answers, and is not called here.
package jwtguardgrpc
