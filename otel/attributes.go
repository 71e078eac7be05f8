package jwtguardotel

import (
	"sync"
	"sync/atomic"

	"github.com/jwtguard/jwtguard"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// The attributes of the instruments and spans. Their values come only from
// an Event's few fixed strings (outcomes, refusal kinds, names of endpoints,
// calls, limits and revocation scopes) and from configuration (a key set's
// URL, without credentials or query): never a token, a subject or a key ID.
const (
	keyOutcome     = attribute.Key("outcome")      // an Outcome constant
	keyRefusal     = attribute.Key("refusal")      // a Kind constant, when something was refused
	keyCached      = attribute.Key("cached")       // the verified-token cache answered
	keyDecision    = attribute.Key("decision")     // authenticate (the token) or authorize (the policy)
	keyAlg         = attribute.Key("alg")          // spans only: a verified token's algorithm
	keyEndpoint    = attribute.Key("endpoint")     // an Endpoint constant
	keyStatusClass = attribute.Key("status_class") // "2xx", "4xx", ...
	keyStatus      = attribute.Key("http.response.status_code")
	keyCall        = attribute.Key("call")  // a store call: "check", "spend", ...
	keyError       = attribute.Key("error") // the store call failed
	keyLimit       = attribute.Key("limit") // a Throttle constant
	keyScope       = attribute.Key("scope") // a Revoked constant
	keyURL         = attribute.Key("url")   // a key set's URL, see keySetURL
)

// maxLabelLen bounds a name's length as an attribute.
const maxLabelLen = 64

// label is an Event's fixed string as an attribute value: "other" when it is
// not the short lowercase-and-digits word jwtguard's constants all are, so
// that a string an application or a store of its own passes in cannot
// carry a secret into a metric or swell the number of series.
func label(s string) string {
	if len(s) > maxLabelLen {
		return "other"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '.' && c != '-' {
			return "other"
		}
	}
	return s
}

// setID names which instrument an attribute set is for.
type setID uint8

const (
	setDecision setID = iota + 1
	setVerifyDuration
	setKeySetFetch
	setKeySetURL
	setEndpointCall
	setEndpointDuration
	setOutcome
	setRefresh
	setScope
	setStoreCall
	setStoreError
	setLimit
)

// setKey is what an attribute set is made of: an instrument and the event's
// fields that instrument reads.
type setKey struct {
	id      setID
	a, b, c string
	status  int
	flag    bool
}

// measureOpts are the options that carry one attribute set to the
// instruments, built once so that a measurement allocates nothing.
type measureOpts struct {
	set attribute.Set
	add []metric.AddOption
	rec []metric.RecordOption
}

// maxSets bounds the attribute sets kept. An Event's strings are few and
// fixed, so a few hundred sets are all there are; past the bound (an
// application feeding strings of its own) sets are built per measurement
// rather than kept.
const maxSets = 1024

// maxKeyLen bounds the strings of a kept set's key: a longer one is
// "other" or a cut URL as an attribute anyway, and is not kept.
const maxKeyLen = 1024

// attributeSets keeps the measureOpts of every attribute set seen.
type attributeSets struct {
	m sync.Map // setKey -> *measureOpts
	n atomic.Int64
}

// get returns the options for k, built on first use.
func (s *attributeSets) get(k setKey) *measureOpts {
	if v, ok := s.m.Load(k); ok {
		return v.(*measureOpts)
	}
	set := k.attributes()
	o := &measureOpts{
		set: set,
		add: []metric.AddOption{metric.WithAttributeSet(set)},
		rec: []metric.RecordOption{metric.WithAttributeSet(set)},
	}
	if s.n.Load() >= maxSets || len(k.a) > maxKeyLen || len(k.b) > maxKeyLen || len(k.c) > maxKeyLen {
		return o
	}
	if v, loaded := s.m.LoadOrStore(k, o); loaded {
		return v.(*measureOpts)
	}
	s.n.Add(1)
	return o
}

// attributes builds the attribute set k stands for.
func (k setKey) attributes() attribute.Set {
	var kv []attribute.KeyValue
	switch k.id {
	case setDecision:
		kv = append(kv, keyOutcome.String(label(k.a)), keyCached.Bool(k.flag))
		kv = appendNonEmpty(kv, keyRefusal, k.b)
		kv = appendNonEmpty(kv, keyDecision, k.c)
	case setVerifyDuration:
		kv = append(kv, keyOutcome.String(label(k.a)))
	case setKeySetFetch:
		kv = append(kv, keyOutcome.String(label(k.a)), keyURL.String(keySetURL(k.b)))
	case setKeySetURL:
		kv = append(kv, keyURL.String(keySetURL(k.b)))
	case setEndpointCall:
		kv = append(kv, keyEndpoint.String(label(k.a)), keyStatusClass.String(statusClass(k.status)))
		kv = appendNonEmpty(kv, keyRefusal, k.b)
	case setEndpointDuration:
		kv = append(kv, keyEndpoint.String(label(k.a)), keyStatusClass.String(statusClass(k.status)))
	case setOutcome:
		kv = append(kv, keyOutcome.String(label(k.a)))
	case setRefresh:
		kv = append(kv, keyOutcome.String(label(k.a)))
		kv = appendNonEmpty(kv, keyRefusal, k.b)
	case setScope:
		kv = append(kv, keyScope.String(label(k.a)))
	case setStoreCall:
		kv = append(kv, keyCall.String(label(k.a)), keyError.Bool(k.flag))
	case setStoreError:
		kv = append(kv, keyCall.String(label(k.a)))
		kv = appendNonEmpty(kv, keyRefusal, k.b)
	case setLimit:
		kv = append(kv, keyLimit.String(label(k.a)))
	}
	return attribute.NewSet(kv...)
}

func appendNonEmpty(kv []attribute.KeyValue, key attribute.Key, v string) []attribute.KeyValue {
	if v == "" {
		return kv
	}
	return append(kv, key.String(label(v)))
}

var statusClasses = [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}

// statusClass is the class of an HTTP status: "2xx", "4xx", ...; "other"
// for a number that is not an HTTP status.
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return statusClasses[status/100-1]
}

// storeFailed says whether a store call's event reports a failure: the
// store could not answer. A store's answer that a token is revoked or spent,
// or that a user does not exist, comes with an Err too, and is no failure.
func storeFailed(e *jwtguard.Event) bool {
	return e.Refusal == jwtguard.KindUnavailable
}
