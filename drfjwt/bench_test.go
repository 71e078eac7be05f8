package drfjwt_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/drfjwt"
)

// BenchmarkGuard measures one pass of the profile's Guard over a good
// token: the account asked every time (the old library's way, the
// default) and cached for a minute (WithUserCache).
func BenchmarkGuard(b *testing.B) {
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, c := range []struct {
		name string
		opts []drfjwt.Option
	}{
		{"users=asked", nil},
		{"users=cached", []drfjwt.Option{drfjwt.WithUserCache(time.Minute)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			clk := &clock{}
			clk.set(time.Now().Unix())
			p := newProfile(b, newAccounts(), clk, c.opts...)
			tok, err := p.IssueToken(drfjwt.User{ID: "1", Username: "vitor", Email: "vitor@example.com", Active: true})
			must(b, err)
			g, err := p.Guard()
			must(b, err)
			h := g.Require(jwtguard.IsAuthenticated())(ok)
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Authorization", "JWT "+tok)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatal(w.Code, w.Body)
				}
			}
		})
	}
}

// BenchmarkIssueToken measures minting one token in the old shape.
func BenchmarkIssueToken(b *testing.B) {
	clk := &clock{}
	clk.set(time.Now().Unix())
	p := newProfile(b, newAccounts(), clk)
	u := drfjwt.User{ID: "1", Username: "vitor", Email: "vitor@example.com", Active: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.IssueToken(u); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefreshView measures the refresh view, body to answer.
func BenchmarkRefreshView(b *testing.B) {
	clk := &clock{}
	clk.set(time.Now().Unix())
	p := newProfile(b, newAccounts(), clk)
	tok, err := p.IssueToken(drfjwt.User{ID: "1", Username: "vitor", Email: "vitor@example.com", Active: true})
	must(b, err)
	h := p.Refresh()
	body := `{"token":"` + tok + `"}`
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequestWithContext(ctx, "POST", "/", strings.NewReader(body))
		req.Header.Set("Content-Type", ctJSON)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body)
		}
	}
}
