// Package jwtguard is JWT authentication and authorization middleware for
// net/http: it does for a Go service what Django REST Framework with
// djangorestframework-simplejwt does for a Django one. It extracts a token,
// verifies it against keys you trust, enforces a permission [Policy], and
// puts the verified [Token] in the request context. Refusals are answered
// with RFC 6750 challenges and the JSON bodies of Django REST Framework, so
// a front end written for a Django API keeps working.
//
// # Quick start
//
//	key, err := jwtguard.NewHMACKey("", []byte(os.Getenv("JWT_SIGNING_KEY")), jwtguard.HS256)
//	keys, err := jwtguard.NewKeySet(key)
//	verifier, err := jwtguard.NewVerifier(keys)
//	guard, err := jwtguard.NewGuard(verifier)
//
//	mux.Handle("GET /hello", guard.Require(jwtguard.IsAuthenticated())(hello))
//
//	func hello(w http.ResponseWriter, r *http.Request) {
//		tok, _ := jwtguard.FromRequest(r)
//		fmt.Fprintf(w, "Hello, %s", tok.Subject())
//	}
//
// Check each err; the repository's examples/quickstart is the whole
// program. tok is nil on an anonymous request (a public route): the methods
// of a [*Token] are safe on nil and answer as for a token without claims.
//
// Public keys come from [ParsePEM], [ParseJWK], [ParseJWKSet] or
// [NewPublicKey]; several keys with kids make rotation possible. An
// identity provider's keys come from [Discover] or [NewRemoteKeySet], which
// refresh in the background and never make a request wait on a rate
// limiter. Any type with a Keys method is a [KeyProvider]; [Issuers] gives
// each trusted issuer its own keys, and [WithIssuerAudience] its own
// audiences.
//
// # A request's path
//
//  1. The [Extractor] finds the token: by default the Authorization header
//     with the Bearer scheme ([FromAuthorization]); [FromHeader],
//     [FromCookie], [FromQuery] and [FirstOf] are there when asked. No
//     credentials means an anonymous request; unreadable credentials are
//     refused with 401.
//  2. The [Verifier] checks the token (see [Verifier] for the order of
//     checks) and returns a [*Token]; a bad token is refused with 401, even
//     on a public route, unless [WithCredentialsOptional] is set.
//  3. The token goes into the request context; read it with [FromContext].
//  4. The [Policy] decides: nil goes on; a denial is 401 for an anonymous
//     request and 403 for an authenticated one, with
//     error="insufficient_scope" for scope policies.
//
// [Guard.Handler] does steps 1-3; [Guard.Require] does all four and reuses a
// token an upstream Handler put in the context. Both are
// func(http.Handler) http.Handler, so they plug into chi as they are.
//
// # Issuing tokens
//
// An [Issuer] signs access and refresh pairs as simplejwt does (5 minutes
// and 24 hours, HS256 by default; any [SigningKey]) and keeps their state
// in a [Store]. [Endpoints] serve simplejwt's four views byte for byte:
//
//	key, err := jwtguard.NewSigningKey("", secret, jwtguard.HS256)
//	issuer, err := jwtguard.NewIssuer(key, jwtguard.NewMemoryStore(),
//		jwtguard.WithAccessRevocation(5*time.Second))
//	endpoints, err := jwtguard.NewEndpoints(issuer, myUsers,
//		jwtguard.WithLoginThrottle(throttle))
//	endpoints.Register(mux, "/api/token/")
//	verifier, err := issuer.Verifier() // for the Guard
//
// Refresh rotates: the presented refresh token is spent and a new pair
// returned; a spent token presented again within the reuse grace window
// ([WithReuseGrace], 30 s) is a duplicate, refused with the session kept,
// and past it revokes its whole login session (every token sharing its
// "sid"). Logout revokes the session; revocation
// by token and by user ([Issuer.RevokeSubject]) reaches access tokens for
// verifiers with [WithRevocationCheck]. [MemoryStore] forgets on restart;
// the stores/sql and stores/redis modules keep state and share it between
// instances; the storetest package checks any Store. [Issuer.JWKS]
// publishes public keys for other services.
//
// # Cookie mode for browser apps
//
// A [CookieMode] keeps tokens where a page's script cannot read them. With
// [WithEndpointCookies] the sign-in and refresh endpoints set the access
// and refresh tokens as HttpOnly, Secure, SameSite=Lax cookies (the
// refresh cookie scoped to the token endpoints), each with its token's
// lifetime, plus a CSRF cookie the script reads; refresh and logout read
// the cookies when the body has no token, and logout clears them. With
// [WithCookies] the [Guard] takes the token from the Authorization header,
// else from the access cookie:
//
//	mode, err := jwtguard.NewCookieMode()
//	endpoints, err := jwtguard.NewEndpoints(issuer, users, jwtguard.WithEndpointCookies(mode))
//	guard, err := jwtguard.NewGuard(verifier, jwtguard.WithCookies(mode))
//
// Every unsafe request (anything but GET, HEAD and OPTIONS) whose token
// came from a cookie must pass the [CSRF] check: net/http's cross-origin
// protection (Sec-Fetch-Site, or Origin against Host) and the CSRF cookie
// echoed in the X-CSRFToken header, Django's names. A failure is a 403
// with the code "csrf_failed", never an anonymous request. The check runs
// on any [FromCookie] token, with or without a cookie mode.
//
// # Performance
//
// A [Verifier] decodes each segment once into typed claims, with no maps
// and no reflection, and keeps a verified-token cache ([WithCache], on by
// default): the same token on the next request skips decoding and the
// signature, the bulk of the work, while "exp", "nbf", "iat", the key's
// presence, revocation, the user check and the validators still run on
// every request. So the cache changes how fast a token is accepted, never
// whether it is. [WithoutCache] turns it off.
//
// # Adapters
//
// Other frameworks call [Guard.Authenticate], [Guard.Authorize] and
// [Guard.WriteError], so that every framework answers a request the same
// way. The gRPC interceptors (module adapters/grpc) run the Guard on each
// call, read as the HTTP/2 request that carries it, and answer with a
// status whose details carry [RefusalKind]; the [Verifier] knows nothing
// of HTTP, so queue consumers use it directly.
//
// # Errors
//
// Every verification error matches [ErrInvalidToken] and a more specific
// sentinel with errors.Is; where golang-jwt has a sentinel for the same
// failure, it matches that too (jwt.ErrTokenExpired, for one). Response
// bodies never carry an error's text: the cause goes to the logger
// ([WithLogger], silent by default), and raw tokens are never logged.
//
// # Security notes
//
// jwtguard fails closed. In particular:
//
//   - The algorithm allow-list always exists. It follows from the keys (or
//     [WithAlgorithms]), names are case-sensitive, and "none" is never on it.
//   - A key is only used with algorithms of its own family: an RSA public
//     key is never an HMAC secret, whatever the header says. RSA keys under
//     2048 bits are refused, and HMAC secrets under [MinHMACSecret] bytes.
//   - [NewVerifier] refuses a configuration under which no token could
//     pass: an allow-list that no key of the provider can verify, or an
//     issuer of [WithIssuer] or [WithIssuerAudience] without keys.
//   - Keys never come from the token: "jku", "x5u", "jwk" and "x5c" are
//     ignored and nothing is fetched because of them; "kid" only selects
//     among trusted keys.
//   - One token is checked against at most [MaxKeysTried] keys, then
//     refused: a token without "kid" cannot make a large key set cost a
//     signature check per key.
//   - A "crit" header, and "b64": false, are always rejected.
//   - "exp" is required unless [WithExpirationOptional]; a NumericDate that
//     is not a positive number before the year 10000 is invalid; an "iat" in
//     the future is invalid. The default leeway is 0.
//   - simplejwt's token profile: a token must carry "token_type": "access"
//     and a "jti", so a simplejwt refresh token, or another JWT signed with
//     the same secret, never works as an access token. [WithTokenType]("")
//     turns it off, for an identity provider's tokens.
//   - Tokens over 8 KiB are refused before any decoding. Segments must be
//     strict base64url: no padding, no '+' or '/', no white space.
//   - Headers and claims with duplicate member names, invalid UTF-8 or
//     nesting deeper than 32 are malformed.
//   - ECDSA signatures with r or s of zero are refused (CVE-2022-21449).
//   - Two Authorization headers, or two cookies of the token's name, are
//     malformed credentials, not a choice between them.
//   - A token from a cookie never authenticates an unsafe request that
//     fails the [CSRF] check; [WithCredentialsOptional] does not change it.
//   - The query string is read only with [FromQuery]; nothing reads it by
//     default.
//   - A nil policy given to [Guard.Require] denies everything.
//   - A store or user lookup that cannot answer refuses the request with
//     503 ([ErrUnavailable]) and Retry-After; a revocation is never skipped
//     because its store is down. Every call to them has a deadline
//     ([WithStoreTimeout], [DefaultStoreTimeout]), so one that hangs is a
//     503 too.
//   - The sign-in throttle takes the client address from X-Forwarded-For
//     only through proxies named with [WithTrustedProxies]. Its tables never
//     drop a bucket in use; full, they refuse new keys with 429.
package jwtguard
