package main

import (
	"embed"
	"net/http"
	"path"

	"github.com/jwtguard/jwtguard"
)

// web holds the browser page of cookie mode: a sign-in form and buttons
// that call the API with the cookies the token endpoints set.
//
//go:embed web/index.html web/app.js
var web embed.FS

// cookieMode is the example's browser mode: jwtguard's defaults, which
// match the routes of routes(), without Secure only when asked.
func cookieMode(c *config) (*jwtguard.CookieMode, error) {
	var opts []jwtguard.CookieOption
	if c.insecure {
		opts = append(opts, jwtguard.WithInsecureCookies())
	}
	return jwtguard.NewCookieMode(opts...)
}

// pageHandler serves one embedded file with a Content-Security-Policy
// that allows only the page's own script and no inline one.
func pageHandler(name string) http.Handler {
	body, err := web.ReadFile("web/" + name)
	if err != nil {
		panic(err) // embedded at build time: a missing file is a build mistake
	}
	ctype := "text/html; charset=utf-8"
	if path.Ext(name) == ".js" {
		ctype = "text/javascript; charset=utf-8"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("Cache-Control", "no-cache")
		w.Write(body)
	})
}
