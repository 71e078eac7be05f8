// Package jwtguardotel turns jwtguard's events into OpenTelemetry metrics
// and traces, and serves the metrics to Prometheus. It lives in a module of
// its own, so that the jwtguard module requires no OpenTelemetry.
//
// # Usage
//
//	prom, err := jwtguardotel.NewPrometheus()
//	obs, err := jwtguardotel.New(jwtguardotel.WithMeterProvider(prom.MeterProvider()))
//	// obs on every constructor: jwtguard.WithObserver(obs)
//	go http.ListenAndServe("127.0.0.1:9464", prom.Handler()) // a listener of its own
//
// Without options, [New] uses the otel globals: an application that set up
// its own MeterProvider and TracerProvider (OTLP, stdout, ...) gets
// jwtguard's metrics and spans there.
//
// # Metrics
//
// Every instrument is fed by events only. Names follow OpenTelemetry's
// conventions; the Prometheus exporter writes them with underscores, the
// unit and _total: jwtguard.decisions becomes jwtguard_decisions_total,
// jwtguard.store.duration jwtguard_store_duration_seconds.
//
//	jwtguard.decisions               {decision}   decision (authenticate, authorize), outcome, cached, refusal
//	jwtguard.verification.duration   s            outcome (tokens verified: not from the cache, not anonymous)
//	jwtguard.cache.evictions         {eviction}
//	jwtguard.keyset.fetches          {fetch}      outcome (fetched, failed), url
//	jwtguard.keyset.changes          {change}     url
//	jwtguard.keyset.fetch.duration   s            outcome, url
//	jwtguard.endpoint.calls          {call}       endpoint, status_class, refusal
//	jwtguard.endpoint.duration       s            endpoint, status_class
//	jwtguard.signins                 {signin}     outcome (succeeded, failed, throttled)
//	jwtguard.refreshes               {refresh}    outcome (rotated, duplicate, reuse, refused), refusal
//	jwtguard.revocations             {revocation} scope (token, family, subject)
//	jwtguard.store.duration          s            call, error
//	jwtguard.store.errors            {error}      call, refusal
//	jwtguard.throttled               {request}    limit
//
// The attributes are few and fixed: an event's outcome, refusal kind and
// names of endpoints, store calls, limits and revocation scopes (a string
// that is not a short lowercase word becomes "other"), and a key set's URL
// from configuration, with its user information, query and fragment
// dropped. Never a token, a subject or a key ID.
//
// A guarded request passes two decisions: authenticate (the token:
// accepted, anonymous or refused) and, with a policy, authorize (accepted
// or refused); it is refused at most once. A policy's decision and an
// anonymous one are counted, not timed. A decision the verified-token cache answered is counted
// (cached="true") but not timed: that path takes a few hundred nanoseconds, and the SDK's
// histogram would double it. The decisions are counted with sharded atomic
// adds that the SDK reads when it collects, so the cache-hit path pays tens
// of nanoseconds for its metrics.
//
// # Traces
//
// [Observer.Begin] opens a span for a decision (jwtguard.verify for the
// token, jwtguard.authorize for the policy), a token
// endpoint call (jwtguard.endpoint token_obtain, ...), a store call
// (jwtguard.store spend, ...) and a key set fetch (jwtguard.keyset.fetch),
// as a child of the span in the context: store calls and fetches made
// during a decision or an endpoint call become its children. The event that
// ends the operation ends its span with the attributes above, and alg for
// an accepted token. Spans join the request's trace and start none: without
// a sampled span in the context, Begin returns the context as it was. A key
// set's fetch runs in the background, and its span may start a trace.
//
// A span's status is Error only when jwtguard could not do its work: a
// store call that could not answer (a store's answer that a token is
// revoked or spent is no failure), a decision or endpoint call answered 503 (or
// another 5xx), a key set fetch that failed. A refused token is the Guard
// working: its span's status stays unset, and outcome and refusal say why.
// The description is fixed text; an event's Err, which may hold internal
// detail, reaches neither spans nor metrics.
//
// Sign-ins, refreshes, revocations, throttled requests and cache evictions
// become events (jwtguard.signin, jwtguard.refresh, ...) on the recording
// span in the context.
package jwtguardotel
