package jwtguard_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// The Guard's log says what happened: a request without a token on a route
// that needs one is "credentials required", and only an authenticated
// request a policy refuses is "permission denied".
func TestRefusalLogNamesTheCause(t *testing.T) {
	var buf bytes.Buffer
	guard, err := jwtguard.NewGuard(verifierFor(t), jwtguard.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
	must(t, err)
	srv := httptest.NewServer(guard.Require(jwtguard.IsAdmin())(reached))
	defer srv.Close()

	for _, c := range []struct {
		auth, want string
		status     int
	}{
		{"", `"msg":"jwtguard: credentials required"`, http.StatusUnauthorized},
		{bearerFor(t, fmt.Sprintf(`{"exp":%d,"sub":"alice","jti":"j1","token_type":"access"}`, future)), `"msg":"jwtguard: permission denied"`, http.StatusForbidden},
	} {
		buf.Reset()
		req, _ := http.NewRequest("GET", srv.URL+"/x", nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		line := buf.String()
		if res.StatusCode != c.status || !strings.Contains(line, c.want) || strings.Count(line, "\n") != 1 {
			t.Errorf("auth %t: %d, log %s; want %d and %s", c.auth != "", res.StatusCode, line, c.status, c.want)
		}
	}
}
