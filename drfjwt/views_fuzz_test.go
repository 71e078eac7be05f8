package drfjwt_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Any body, of any media type, to the token views: an answer of the old
// contract (never a 5xx, always JSON), and no internal error in it.
func FuzzViews(f *testing.F) {
	clk := &clock{}
	clk.set(at(16, 1, 40))
	p := newProfile(f, newAccounts(), clk)
	views := map[string]http.Handler{"obtain": p.Obtain(), "refresh": p.Refresh(), "verify": p.Verify()}
	for _, s := range []struct{ ct, body string }{
		{ctJSON, vitor}, {ctJSON, `{"token":"` + recToken + `"}`}, {ctJSON, `{"token":"` + recOldPast + `"}`},
		{ctForm, "token=a.b.c"}, {ctJSON, `{"username":`}, {ctJSON, `[` + strings.Repeat("[", 100000)},
		{"multipart/form-data; boundary=x", "--x\r\n"}, {"text/plain", "x"}, {ctJSON, `{"token":null}`},
	} {
		f.Add(s.ct, s.body)
	}
	f.Fuzz(func(t *testing.T, ct, body string) {
		for name, h := range views {
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			req.Header.Set("Content-Type", ct)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			switch w.Code {
			case 200, 400, 401, 413, 415:
			default:
				t.Fatalf("%s: status %d for %q %q: %s", name, w.Code, ct, body, w.Body)
			}
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%s: body not JSON: %s", name, w.Body)
			}
			if b := w.Body.String(); strings.Contains(b, "jwtguard:") || strings.Contains(b, "drfjwt:") {
				t.Fatalf("%s: an internal error in the body: %s", name, b)
			}
		}
	})
}
