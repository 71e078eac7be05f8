package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkHello is GET /hello/ with one valid access token through the
// whole app (Guard, the cached revocation and user checks, the handler,
// the access log) but without the network: the server's own cost of the
// request that scripts/bench-compare.sh loads.
func BenchmarkHello(b *testing.B) {
	h, closeApp := openTestApp(b)
	b.Cleanup(closeApp)
	req := httptest.NewRequest("POST", "/api/token/", strings.NewReader(`{"username":"vitor","password":"123"}`))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = "127.0.0.1:1234"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var pair struct{ Access string }
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &pair) != nil {
		b.Fatalf("sign-in: %d %s", rec.Code, rec.Body)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("GET", "/hello/", nil)
			req.Header.Set("Authorization", "Bearer "+pair.Access)
			req.RemoteAddr = "127.0.0.1:1234"
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Errorf("hello: %d %s", rec.Code, rec.Body)
				return
			}
		}
	})
}
