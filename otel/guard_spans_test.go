package jwtguardotel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard"
	"go.opentelemetry.io/otel/codes"
)

// TestGuardSpans runs a real Issuer, Verifier and Guard with the observer:
// a request in a sampled trace gets a jwtguard.verify span (the token),
// whose store check is its child, and a jwtguard.authorize span (the
// policy), both children of the request's span; a request outside any
// trace gets none, and both are counted.
func TestGuardSpans(t *testing.T) {
	o := newObserved(t)
	observe := jwtguard.WithObserver(o.Observer)
	key, err := jwtguard.NewSigningKey("", []byte("a-test-secret-of-at-least-32-bytes!!"), jwtguard.HS256)
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := jwtguard.NewIssuer(key, jwtguard.NewMemoryStore(), observe, jwtguard.WithAccessRevocation(0))
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := issuer.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	guard, err := jwtguard.NewGuard(verifier, observe)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := issuer.Issue(context.Background(), "42")
	if err != nil {
		t.Fatal(err)
	}
	h := guard.Require(jwtguard.IsAuthenticated())(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	serve := func(ctx context.Context) {
		req := httptest.NewRequestWithContext(ctx, "GET", "/tasks/", nil)
		req.Header.Set("Authorization", "Bearer "+pair.Access)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
	}
	serve(context.Background()) // outside a trace: no span
	if n := len(o.spans.Ended()); n != 0 {
		t.Fatalf("%d spans for a request outside a trace, want 0", n)
	}
	ctx, req := o.tracer.Tracer("test").Start(context.Background(), "GET /tasks/")
	serve(ctx)
	req.End()

	spans := o.spans.Ended()
	request := spanByName(t, spans, "GET /tasks/")
	verify := spanByName(t, spans, "jwtguard.verify")
	authorize := spanByName(t, spans, "jwtguard.authorize")
	check := spanByName(t, spans, "jwtguard.store check")
	for _, c := range []struct {
		child, parent string
		got, want     any
	}{
		{"jwtguard.verify", "the request", verify.Parent().SpanID(), request.SpanContext().SpanID()},
		{"jwtguard.authorize", "the request", authorize.Parent().SpanID(), request.SpanContext().SpanID()},
		{"jwtguard.store check", "jwtguard.verify", check.Parent().SpanID(), verify.SpanContext().SpanID()},
	} {
		if c.got != c.want {
			t.Errorf("%s's parent is %v, want %s's %v", c.child, c.got, c.parent, c.want)
		}
	}
	if v, _ := attr(verify, "alg"); v.AsString() != "HS256" {
		t.Errorf("verify alg %q", v.AsString())
	}
	for _, s := range []string{"jwtguard.verify", "jwtguard.authorize", "jwtguard.store check"} {
		if st := spanByName(t, spans, s).Status(); st.Code != codes.Unset {
			t.Errorf("%s status %v", s, st)
		}
	}
	got := o.series(t)
	if got["jwtguard.decisions{cached=false,decision=authenticate,outcome=accepted}"]+
		got["jwtguard.decisions{cached=true,decision=authenticate,outcome=accepted}"] != 2 ||
		got["jwtguard.decisions{cached=false,decision=authorize,outcome=accepted}"] != 2 {
		t.Errorf("decisions: %v", got)
	}
}
