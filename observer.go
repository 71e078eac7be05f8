package jwtguard

import (
	"context"
	"time"
)

// Observer is told what jwtguard decided and did: the one event seam that
// logs, metrics and traces are built on. Every constructor that can report
// something accepts an observer through WithObserver; set the same one on
// each of them.
//
// Observe runs on the goroutine that did the work (a request's, or a key
// set's background fetch). It must be safe for concurrent use, return
// quickly and not keep e after it returns. It must not panic: a panic is
// not recovered, and comes after what the event reports was done (a
// refresh token reported as rotated is spent, and a retry of it is then
// taken for reuse). Without an observer nothing is built or called: the
// hot path pays nothing.
type Observer interface {
	Observe(ctx context.Context, e Event)
}

// SpanObserver is an Observer that is also told when an operation begins,
// so that a tracer can open a span that the operation's inner calls (store
// calls, key fetches) become children of. Begin returns the context the
// operation then runs in; the Event that ends the operation is observed
// with that context. Begin is called only for the kinds that have a
// duration: EventDecision, EventEndpoint, EventStoreCall and EventKeySet.
type SpanObserver interface {
	Observer
	Begin(ctx context.Context, kind EventKind) context.Context
}

// EventKind says what an [Event] reports.
type EventKind uint8

// The kinds of [Event]. Each one names the fields it fills.
const (
	// EventDecision: the Guard accepted a request (OutcomeAccepted), let it
	// through without credentials (OutcomeAnonymous) or refused it
	// (OutcomeRefused, Refusal). Cached: the verified-token cache answered.
	// Alg: the verified token's algorithm, for an accepted token only.
	// Name: DecisionAuthenticate or DecisionAuthorize. Start, Duration:
	// from the verification's start (the verifier's clock) to the decision
	// (the Guard's), for an authenticate decision that verified a token;
	// zero when the cache answered, for no or malformed credentials and for
	// authorize decisions, which are not timed, so that a cache hit reads
	// no clock for its observer.
	EventDecision EventKind = iota + 1
	// EventCacheEviction: the verified-token cache dropped an entry to make
	// room for another.
	EventCacheEviction
	// EventKeySet: a remote key set fetched its keys (OutcomeFetched),
	// failed to (OutcomeFailed, Err), or fetched keys that differ from the
	// ones it had (OutcomeChanged, after the OutcomeFetched). Name: the key
	// set's URL. Start, Duration: the fetch.
	EventKeySet
	// EventEndpoint: a token endpoint answered. Name: the endpoint
	// (EndpointObtain, ...), Status: the HTTP status, Refusal: the kind
	// when it refused. Start, Duration: the whole call.
	EventEndpoint
	// EventSignIn: a sign-in succeeded (OutcomeSucceeded), failed
	// (OutcomeFailed) or was throttled (OutcomeThrottled).
	EventSignIn
	// EventRefresh: a refresh or sliding token was rotated
	// (OutcomeRotated), presented again within the grace window
	// (OutcomeDuplicate), reused past it so that its session was revoked
	// (OutcomeReuse), or refused for another reason (OutcomeRefused,
	// Refusal).
	EventRefresh
	// EventRevocation: a revocation was written. Name: what was revoked
	// (RevokedToken, RevokedFamily or RevokedSubject).
	EventRevocation
	// EventStoreCall: a Store or user lookup call returned. Name: the call
	// ("check", "spend", "revoke", ...). Err: its error, if it failed;
	// Refusal is KindUnavailable when the store could not answer. Start,
	// Duration: the call.
	EventStoreCall
	// EventThrottled: a request was refused by a limit. Name: the limit
	// (ThrottleSignIn, ThrottleFailures, ThrottleRefresh, ...).
	EventThrottled
)

// The outcomes an [Event] reports, by kind.
const (
	OutcomeAccepted  = "accepted"  // EventDecision
	OutcomeAnonymous = "anonymous" // EventDecision
	OutcomeRefused   = "refused"   // EventDecision, EventRefresh
	OutcomeFetched   = "fetched"   // EventKeySet
	OutcomeFailed    = "failed"    // EventKeySet, EventSignIn
	OutcomeChanged   = "changed"   // EventKeySet
	OutcomeSucceeded = "succeeded" // EventSignIn
	OutcomeThrottled = "throttled" // EventSignIn
	OutcomeRotated   = "rotated"   // EventRefresh
	OutcomeDuplicate = "duplicate" // EventRefresh
	OutcomeReuse     = "reuse"     // EventRefresh: the session was revoked
)

// Event is one thing jwtguard did, for an [Observer]. Its strings are few
// and fixed (kinds, outcomes, names of endpoints, calls and limits, key
// set URLs from configuration): safe as metric labels. It never holds a
// token, a subject, a key ID or anything else a client chose.
type Event struct {
	Kind     EventKind
	Outcome  string        // one of the Outcome constants, or ""
	Refusal  string        // a Kind constant when something was refused, or ""
	Name     string        // the endpoint, store call, limit or key set URL
	Status   int           // EventEndpoint: the HTTP status written
	Alg      string        // EventDecision: a verified token's algorithm
	Cached   bool          // EventDecision: the verified-token cache answered
	Start    time.Time     // when the operation began; zero for an instant
	Duration time.Duration // how long the operation took
	Err      error         // for logs only: may hold internal detail; never show it to a client
}

// The names an [Event] carries for the token endpoints (EventEndpoint).
const (
	EndpointObtain           = "token_obtain"
	EndpointRefresh          = "token_refresh"
	EndpointVerify           = "token_verify"
	EndpointBlacklist        = "token_blacklist"
	EndpointSlidingObtain    = "token_obtain_sliding"
	EndpointSlidingRefresh   = "token_refresh_sliding"
	EndpointSlidingBlacklist = "token_blacklist_sliding"
)

// The names an [Event] carries for revocations (EventRevocation).
const (
	RevokedToken   = "token"   // one token: a logout, a spent single-use token
	RevokedFamily  = "family"  // a session: a logout, a detected reuse
	RevokedSubject = "subject" // every token of a user
)

// The names an [Event] carries for limits (EventThrottled).
const (
	ThrottleSignIn   = "sign_in"  // sign-ins per client address
	ThrottleFailures = "failures" // failed sign-ins per username and client, or per username
	ThrottleRefresh  = "refresh"  // refreshes per session
	ThrottleShared   = "shared"   // an application's own SharedThrottle
)
