package bench

import (
	"fmt"
	"net/http"
	"net/http/httptest"
)

// impl is one middleware under test. build wraps next, the shared handler,
// in that middleware configured to verify a's tokens with a's key.
type impl struct {
	name  string
	build func(a *algorithm, next http.Handler) (http.Handler, error)
}

// impls is every implementation, in the order of the benchstat columns
// (the first one is the base the others are compared with).
var impls = []impl{
	{"jwtguard", newJWTGuardUncached},
	{"jwtguard-cache", newJWTGuard},
	{"minimal", newMinimal},
	{"auth0", newAuth0},
	{"jwtauth", newJWTAuth},
	{"echojwt", newEchoJWT},
	{"ginjwt", newGinJWT},
}

// testCase is one kind of request: its Authorization header for an
// algorithm ("" for none) and the status every implementation must give.
type testCase struct {
	name   string
	header func(a *algorithm) string
	want   int
}

var cases = []testCase{
	{"ok", func(a *algorithm) string { return "Bearer " + a.good }, http.StatusOK},
	{"missing", func(*algorithm) string { return "" }, http.StatusUnauthorized},
	{"badsig", func(a *algorithm) string { return "Bearer " + a.bad }, http.StatusUnauthorized},
}

// cellName is the sub-benchmark and subtest name of one cell.
func cellName(a *algorithm, c testCase, im impl) string {
	return "alg=" + a.name + "/case=" + c.name + "/impl=" + im.name
}

// cell is one implementation set up for one algorithm and one case: its
// handler chain, the request it is sent, and the writer it answers to. The
// request and the writer are made once and reused, so that the harness
// allocates nothing per request and every implementation pays the same.
type cell struct {
	h    http.Handler
	next *probe
	req  *http.Request
	w    *discardWriter
	want int
}

func newCell(a *algorithm, c testCase, im impl) (*cell, error) {
	next := &probe{}
	h, err := im.build(a, next)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", im.name, err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if v := c.header(a); v != "" {
		req.Header.Set("Authorization", v)
	}
	return &cell{h: h, next: next, req: req, w: &discardWriter{h: http.Header{}}, want: c.want}, nil
}

// serve sends the request through the chain once.
func (c *cell) serve() {
	c.w.reset()
	c.h.ServeHTTP(c.w, c.req)
}

// check serves the request once and reports an error unless the status is
// the one wanted and the shared handler ran exactly when it should have: a
// middleware that lets a bad token through, or answers 200 without calling
// the handler, fails.
func (c *cell) check() error {
	before := c.next.calls
	c.serve()
	ran := c.next.calls != before
	switch {
	case c.w.status != c.want:
		return fmt.Errorf("status %d, want %d", c.w.status, c.want)
	case c.want == http.StatusOK && !ran:
		return fmt.Errorf("status %d but the handler did not run", c.w.status)
	case c.want != http.StatusOK && ran:
		return fmt.Errorf("status %d but the handler ran", c.w.status)
	}
	return nil
}

// probe is the handler behind every middleware: it counts its calls and
// answers 200 explicitly, so a chain that never reaches it cannot pass for
// one that does.
type probe struct{ calls int }

func (p *probe) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	p.calls++
	w.WriteHeader(http.StatusOK)
}

// discardWriter is a ResponseWriter that keeps the first status written
// and drops the body.
type discardWriter struct {
	h      http.Header
	status int
}

// reset empties the header map (keeping its storage, so a Set does not
// allocate a map and an Add cannot grow it from one request to the next)
// and forgets the status.
func (w *discardWriter) reset() {
	clear(w.h)
	w.status = 0
}

func (w *discardWriter) Header() http.Header { return w.h }

func (w *discardWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(b), nil
}

func (w *discardWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}
