package jwtguardotel_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// TestNothingSecretRecorded: an event's Err (which may quote a token, a
// subject or a database address) and a key set URL's password and query
// reach no metric attribute, span attribute, span event or span status;
// and every attribute key is one of the documented few.
func TestNothingSecretRecorded(t *testing.T) {
	const (
		token   = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"
		subject = "alice@example.com"
		kid     = "kid-7f3a"
		pass    = "s3cr3t-pass"
		apiKey  = "k3y-in-query"
	)
	secrets := []string{token, subject, kid, pass, apiKey}
	leak := errors.New("token " + token + " of " + subject + " kid " + kid)
	jwks := "https://svc:" + pass + "@id.example/jwks?api_key=" + apiKey + "#" + kid
	o := newObserved(t)
	req, span := o.tracer.Tracer("test").Start(context.Background(), "request")
	for _, k := range []jwtguard.EventKind{jwtguard.EventDecision, jwtguard.EventEndpoint, jwtguard.EventStoreCall, jwtguard.EventKeySet} {
		ctx := o.Begin(req, k)
		o.Observe(ctx, jwtguard.Event{Kind: k, Outcome: jwtguard.OutcomeFailed, Refusal: jwtguard.KindUnavailable, Name: jwks, Status: 503, Err: leak})
	}
	for _, k := range []jwtguard.EventKind{jwtguard.EventSignIn, jwtguard.EventRefresh, jwtguard.EventRevocation, jwtguard.EventThrottled, jwtguard.EventCacheEviction} {
		o.Observe(req, jwtguard.Event{Kind: k, Outcome: jwtguard.OutcomeFailed, Name: jwtguard.RevokedSubject, Err: leak})
	}
	span.End()

	allowed := map[string]bool{"outcome": true, "refusal": true, "cached": true, "decision": true, "alg": true, "endpoint": true, "status_class": true,
		"http.response.status_code": true, "call": true, "error": true, "limit": true, "scope": true, "url": true}
	var seen []string
	check := func(where, key, value string) {
		seen = append(seen, key+"="+value)
		if !allowed[key] {
			t.Errorf("%s: attribute %q is not one of the documented keys", where, key)
		}
	}
	for _, kv := range o.allAttributes(t) {
		k, v, _ := strings.Cut(kv, "=")
		check("metric", k, v)
	}
	for _, s := range o.spans.Ended() {
		seen = append(seen, s.Name(), s.Status().Description)
		for _, kv := range s.Attributes() {
			check("span "+s.Name(), string(kv.Key), kv.Value.Emit())
		}
		for _, ev := range s.Events() {
			seen = append(seen, ev.Name)
			for _, kv := range ev.Attributes {
				check("event "+ev.Name, string(kv.Key), kv.Value.Emit())
			}
		}
	}
	if len(seen) < 20 {
		t.Fatalf("only %d attributes and names recorded: the test saw too little", len(seen))
	}
	for _, s := range seen {
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Errorf("%q recorded: it holds %q", s, secret)
			}
		}
	}
	all := strings.Join(seen, " ")
	for _, want := range []string{"url=https://id.example/jwks", "endpoint=other", "call=other", "jwtguard.store other"} {
		if !strings.Contains(all, want) {
			t.Errorf("%q is missing from %q", want, seen)
		}
	}
}

// TestHugeNames: a megabyte name or URL becomes "other" or a cut URL, and
// is not kept.
func TestHugeNames(t *testing.T) {
	o := newObserved(t)
	huge := strings.Repeat("a", 1<<20)
	for range 3 {
		o.Observe(context.Background(), jwtguard.Event{Kind: jwtguard.EventThrottled, Name: huge})
		o.Observe(context.Background(), jwtguard.Event{Kind: jwtguard.EventKeySet, Outcome: jwtguard.OutcomeFailed, Name: "https://id.example/" + huge})
	}
	got := o.series(t)
	if got["jwtguard.throttled{limit=other}"] != 3 {
		t.Errorf("throttled: %v", got)
	}
	for k := range got {
		if len(k) > 400 {
			t.Errorf("a series of %d bytes: %.80s...", len(k), k)
		}
	}
}
