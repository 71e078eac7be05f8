package jwtguard

import "errors"

// Every error that [DPoPVerifier.Check] returns for a proof it refuses
// matches [ErrDPoPProof] with [errors.Is], and exactly one of the more
// specific sentinels below; a replay cache kept in a [Store] that cannot
// answer gives [ErrUnavailable] instead, and a proof by another key than
// the token's [ErrDPoPKeyMismatch]. The client is told only RFC 9449's
// error codes ("invalid_dpop_proof", "use_dpop_nonce", "invalid_token"),
// never which check failed: that is for the logs.
var (
	// ErrDPoPProof matches every refused DPoP proof.
	ErrDPoPProof = errors.New("jwtguard: invalid DPoP proof")

	// ErrDPoPMissing: the request carries no DPoP header where a proof is
	// required.
	ErrDPoPMissing = errors.New("jwtguard: DPoP proof missing")
	// ErrDPoPMultiple: the request carries more than one DPoP header, or
	// one with several values (RFC 9449 §4.3, check 1).
	ErrDPoPMultiple = errors.New("jwtguard: more than one DPoP header")
	// ErrDPoPTooLarge: the DPoP header is longer than the size cap.
	ErrDPoPTooLarge = errors.New("jwtguard: DPoP proof too large")
	// ErrDPoPMalformed: the proof is not a compact JWS whose header and
	// claims are JSON objects without duplicate names, with claims of the
	// right JSON types.
	ErrDPoPMalformed = errors.New("jwtguard: DPoP proof malformed")
	// ErrDPoPType: the proof's "typ" header is not "dpop+jwt".
	ErrDPoPType = errors.New(`jwtguard: DPoP proof "typ" is not dpop+jwt`)
	// ErrDPoPAlgorithm: the proof's "alg" is not on the allow-list:
	// "none" and the HMAC algorithms never are.
	ErrDPoPAlgorithm = errors.New("jwtguard: DPoP proof algorithm not allowed")
	// ErrDPoPKey: the proof's "jwk" header is missing, not a public key of
	// a supported kind, or does not fit the algorithm.
	ErrDPoPKey = errors.New("jwtguard: DPoP proof key invalid")
	// ErrDPoPPrivateKey: the proof's "jwk" holds a private or symmetric
	// key member ("d", "p", "q", "dp", "dq", "qi", "oth", "k").
	ErrDPoPPrivateKey = errors.New("jwtguard: DPoP proof key has private members")
	// ErrDPoPSignature: the proof's signature does not verify with its
	// own "jwk".
	ErrDPoPSignature = errors.New("jwtguard: DPoP proof signature invalid")
	// ErrDPoPMethod: the proof's "htm" is missing or not the request's
	// method.
	ErrDPoPMethod = errors.New(`jwtguard: DPoP proof "htm" does not match`)
	// ErrDPoPURI: the proof's "htu" is missing or not the request's URI
	// (without query and fragment, after normalization).
	ErrDPoPURI = errors.New(`jwtguard: DPoP proof "htu" does not match`)
	// ErrDPoPStale: the proof's "iat" is missing, or older than the
	// window and the leeway allow.
	ErrDPoPStale = errors.New(`jwtguard: DPoP proof "iat" too old`)
	// ErrDPoPFuture: the proof's "iat" is later than now plus the leeway.
	ErrDPoPFuture = errors.New(`jwtguard: DPoP proof "iat" in the future`)
	// ErrDPoPID: the proof's "jti" is missing, empty or too long.
	ErrDPoPID = errors.New(`jwtguard: DPoP proof "jti" invalid`)
	// ErrDPoPReplay: a proof of the same key and "jti" was seen within
	// the window, here or on an instance sharing the store.
	ErrDPoPReplay = errors.New("jwtguard: DPoP proof replayed")
	// ErrDPoPKeyQuota: the proof's key already holds its share of the
	// in-memory replay cache (see [WithDPoPReplayEntries]): more proofs by
	// one key within the window than one client may make.
	ErrDPoPKeyQuota = errors.New("jwtguard: too many DPoP proofs by one key within the window")
	// ErrDPoPTokenHash: the proof's "ath" is missing where an access
	// token is presented, present where none is, or not the token's
	// base64url SHA-256.
	ErrDPoPTokenHash = errors.New(`jwtguard: DPoP proof "ath" does not match the access token`)
	// ErrDPoPNonce: the server asks for nonces and the proof has none, or
	// one it did not issue or no longer accepts. The client is answered
	// "use_dpop_nonce" with a fresh DPoP-Nonce header.
	ErrDPoPNonce = errors.New("jwtguard: DPoP proof nonce missing or stale")
)

// A token whose binding does not hold is a bad token, not a bad proof:
// these match [ErrInvalidToken] too, and are answered "invalid_token".
var (
	// ErrDPoPKeyMismatch: the proof's key is not the one the token is
	// bound to (its "cnf" "jkt", RFC 7638 thumbprint).
	ErrDPoPKeyMismatch = errors.New("jwtguard: DPoP proof key is not the token's")
	// ErrDPoPBoundToken: a DPoP-bound token (one with "cnf" "jkt") was
	// presented as a bearer token (RFC 9449 §7.2).
	ErrDPoPBoundToken = errors.New("jwtguard: DPoP-bound token presented as a bearer token")
	// ErrDPoPUnboundToken: a token presented with the DPoP scheme is bound
	// to no key.
	ErrDPoPUnboundToken = errors.New(`jwtguard: token presented with the DPoP scheme has no "cnf" "jkt"`)
	// ErrDPoPRequired: DPoP is required ([DPoPRequired]) and the request
	// presented its token otherwise.
	ErrDPoPRequired = errors.New("jwtguard: DPoP required")
	// ErrUnsupportedConfirmation: the token's "cnf" claim binds it by a
	// confirmation method the Guard cannot check (anything but "jkt", such
	// as RFC 8705's "x5t#S256"), or is empty, and no check of the
	// credential's source enforces it: refused rather than taken as a
	// bearer token.
	ErrUnsupportedConfirmation = errors.New(`jwtguard: token "cnf" holds a confirmation method the Guard cannot check`)
)

// dpopError is a refused proof: it matches ErrDPoPProof and its kind.
type dpopError struct{ kind error }

func (e *dpopError) Error() string   { return e.kind.Error() }
func (e *dpopError) Unwrap() []error { return []error{ErrDPoPProof, e.kind} }

// dpopNonceError is a proof without the server's current nonce; it asks
// to be answered with a fresh one.
type dpopNonceError struct{ nonce string }

func (e *dpopNonceError) Error() string   { return ErrDPoPNonce.Error() }
func (e *dpopNonceError) Unwrap() []error { return []error{ErrDPoPProof, ErrDPoPNonce} }

func (e *dpopNonceError) refusalHeader() (string, string) { return "DPoP-Nonce", e.nonce }

// Refusals built once, so that refusing a proof allocates nothing.
var (
	errDPoPMissing    error = &dpopError{ErrDPoPMissing}
	errDPoPMultiple   error = &dpopError{ErrDPoPMultiple}
	errDPoPTooLarge   error = &dpopError{ErrDPoPTooLarge}
	errDPoPMalformed  error = &dpopError{ErrDPoPMalformed}
	errDPoPType       error = &dpopError{ErrDPoPType}
	errDPoPAlgorithm  error = &dpopError{ErrDPoPAlgorithm}
	errDPoPKey        error = &dpopError{ErrDPoPKey}
	errDPoPPrivateKey error = &dpopError{ErrDPoPPrivateKey}
	errDPoPSignature  error = &dpopError{ErrDPoPSignature}
	errDPoPMethod     error = &dpopError{ErrDPoPMethod}
	errDPoPURI        error = &dpopError{ErrDPoPURI}
	errDPoPStale      error = &dpopError{ErrDPoPStale}
	errDPoPFuture     error = &dpopError{ErrDPoPFuture}
	errDPoPID         error = &dpopError{ErrDPoPID}
	errDPoPReplay     error = &dpopError{ErrDPoPReplay}
	errDPoPKeyQuota   error = &dpopError{ErrDPoPKeyQuota}
	errDPoPTokenHash  error = &dpopError{ErrDPoPTokenHash}
	errDPoPNonce      error = &dpopError{ErrDPoPNonce}

	errDPoPKeyMismatch  = invalid("DPoP proof key is not the token's", ErrDPoPKeyMismatch)
	errDPoPBoundToken   = invalid("DPoP-bound token presented as a bearer token", ErrDPoPBoundToken)
	errDPoPUnboundToken = invalid("token presented with the DPoP scheme is not bound", ErrDPoPUnboundToken)
	errDPoPRequired     = invalid("DPoP required", ErrDPoPRequired)

	errUnsupportedConfirmation = invalid(`token "cnf" holds a confirmation method the Guard cannot check`, ErrUnsupportedConfirmation)
)
