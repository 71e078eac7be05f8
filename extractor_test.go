package jwtguard_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jwtguard/jwtguard"
)

func TestExtractors(t *testing.T) {
	req := func(mod func(r *http.Request)) *http.Request {
		r := httptest.NewRequest("GET", "/?access_token=qtok", nil)
		mod(r)
		return r
	}
	hdr := func(vals ...string) func(r *http.Request) {
		return func(r *http.Request) { r.Header["Authorization"] = vals }
	}
	malformed := jwtguard.ErrMalformedCredentials
	for _, c := range []struct {
		name    string
		e       jwtguard.Extractor
		r       *http.Request
		want    string
		wantErr error
	}{
		{"bearer", jwtguard.FromAuthorization(), req(hdr("Bearer tok")), "tok", nil},
		{"bearer lower case", jwtguard.FromAuthorization(), req(hdr("bearer tok")), "tok", nil},
		{"bearer upper case", jwtguard.FromAuthorization(), req(hdr("BEARER tok")), "tok", nil},
		{"surrounding spaces", jwtguard.FromAuthorization(), req(hdr("  Bearer   tok  ")), "tok", nil},
		{"no header", jwtguard.FromAuthorization(), req(func(*http.Request) {}), "", nil},
		{"empty header", jwtguard.FromAuthorization(), req(hdr("")), "", nil},
		{"other scheme", jwtguard.FromAuthorization(), req(hdr("Basic abc")), "", nil},
		{"JWT scheme not configured", jwtguard.FromAuthorization(), req(hdr("JWT tok")), "", nil},
		{"JWT scheme configured", jwtguard.FromAuthorization("Bearer", "JWT"), req(hdr("JWT tok")), "tok", nil},
		{"scheme alone", jwtguard.FromAuthorization(), req(hdr("Bearer")), "", malformed},
		{"scheme and spaces", jwtguard.FromAuthorization(), req(hdr("Bearer    ")), "", malformed},
		{"three parts", jwtguard.FromAuthorization(), req(hdr("Bearer a b")), "", malformed},
		{"tab inside", jwtguard.FromAuthorization(), req(hdr("Bearer a\tb")), "", malformed},
		{"tab after the scheme", jwtguard.FromAuthorization(), req(hdr("Bearer\ttok")), "tok", nil},
		{"first of: a tab does not fall through", jwtguard.FirstOf(jwtguard.FromAuthorization(), jwtguard.FromCookie("jwt")),
			req(func(r *http.Request) {
				r.Header.Set("Authorization", "Bearer\tA")
				r.AddCookie(&http.Cookie{Name: "jwt", Value: "B"})
			}), "A", nil},
		{"two headers", jwtguard.FromAuthorization(), req(hdr("Bearer a", "Bearer b")), "", malformed},
		{"prefix is not a scheme", jwtguard.FromAuthorization(), req(hdr("Bearertok")), "", nil},
		{"named header", jwtguard.FromHeader("x-auth-token"), req(func(r *http.Request) { r.Header.Set("X-Auth-Token", " tok ") }), "tok", nil},
		{"named header with space", jwtguard.FromHeader("X-Auth-Token"), req(func(r *http.Request) { r.Header.Set("X-Auth-Token", "a b") }), "", malformed},
		{"named header twice", jwtguard.FromHeader("X-Auth-Token"), req(func(r *http.Request) { r.Header["X-Auth-Token"] = []string{"a", "b"} }), "", malformed},
		{"cookie", jwtguard.FromCookie("jwt"), req(func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "jwt", Value: "ctok"}) }), "ctok", nil},
		{"no cookie", jwtguard.FromCookie("jwt"), req(func(*http.Request) {}), "", nil},
		{"cookie tossing", jwtguard.FromCookie("jwt"), req(func(r *http.Request) { r.Header.Set("Cookie", "jwt=a; jwt=b") }), "", malformed},
		{"query", jwtguard.FromQuery("access_token"), req(func(*http.Request) {}), "qtok", nil},
		{"query twice", jwtguard.FromQuery("t"), httptest.NewRequest("GET", "/?t=a&t=b", nil), "", malformed},
		{"query absent", jwtguard.FromQuery("t"), httptest.NewRequest("GET", "/", nil), "", nil},
		{"default ignores query", jwtguard.FromAuthorization(), req(func(*http.Request) {}), "", nil},
		{"first of: header wins", jwtguard.FirstOf(jwtguard.FromAuthorization(), jwtguard.FromCookie("jwt")),
			req(func(r *http.Request) {
				r.Header.Set("Authorization", "Bearer htok")
				r.AddCookie(&http.Cookie{Name: "jwt", Value: "ctok"})
			}), "htok", nil},
		{"first of: falls through", jwtguard.FirstOf(jwtguard.FromAuthorization(), jwtguard.FromCookie("jwt")),
			req(func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "jwt", Value: "ctok"}) }), "ctok", nil},
		{"first of: error stops", jwtguard.FirstOf(jwtguard.FromAuthorization(), jwtguard.FromCookie("jwt")),
			req(func(r *http.Request) {
				r.Header.Set("Authorization", "Bearer")
				r.AddCookie(&http.Cookie{Name: "jwt", Value: "ctok"})
			}), "", malformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.e.Extract(c.r)
			if got != c.want || !errors.Is(err, c.wantErr) || (c.wantErr == nil && err != nil) {
				t.Errorf("Extract = %q, %v; want %q, %v", got, err, c.want, c.wantErr)
			}
		})
	}
}
