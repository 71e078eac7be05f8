package jwtguard_test

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard"
)

// ReadForm reads JSON, form-encoded and multipart bodies as the token
// endpoints do, and refuses with DRF's status and body as a *FormError.
func TestReadForm(t *testing.T) {
	fields := []jwtguard.FormField{{Name: "username", Trim: true}, {Name: "password"}, {Name: "note", Optional: true}}
	req := func(ct, body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		return r
	}
	mp, mpType := multipartOf(t, map[string]string{"username": " ann ", "password": " pw "})
	for _, c := range []struct {
		name, ct, body string
		want           []string
	}{
		{"json", "application/json", `{"username":" ann ","password":" pw "}`, []string{"ann", " pw ", ""}},
		{"number", "application/json", `{"username":"ann","password":123,"note":"x"}`, []string{"ann", "123", "x"}},
		{"form", "application/x-www-form-urlencoded", "username=+ann+&password=+pw+", []string{"ann", " pw ", ""}},
		{"multipart", mpType, mp, []string{"ann", " pw ", ""}},
	} {
		got, err := jwtguard.ReadForm(req(c.ct, c.body), 1<<10, fields...)
		if err != nil || strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s: got %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	for _, c := range []struct {
		name, ct, body string
		status         int
		want           string
	}{
		{"missing", "application/json", `{}`, 400, `{"username":["This field is required."],"password":["This field is required."]}`},
		{"blank", "application/json", `{"username":"  ","password":""}`, 400, `{"username":["This field may not be blank."],"password":["This field may not be blank."]}`},
		{"null", "application/json", `{"username":null,"password":"x"}`, 400, `{"username":["This field may not be null."]}`},
		{"parse", "application/json", `{"username":`, 400, `{"detail":"JSON parse error - Expecting value: line 1 column 13 (char 12)"}`},
		{"media", "text/plain", `username=a`, 415, `{"detail":"Unsupported media type \"text/plain\" in request."}`},
		{"large", "application/json", `{"username":"` + strings.Repeat("a", 2000) + `"}`, 413, `{"detail":"Request body too large."}`},
	} {
		_, err := jwtguard.ReadForm(req(c.ct, c.body), 1<<10, fields...)
		var fe *jwtguard.FormError
		if !errors.As(err, &fe) || fe.Status != c.status || string(fe.Body) != c.want {
			t.Errorf("%s: got %v, want %d %s", c.name, err, c.status, c.want)
		}
	}
	if _, err := jwtguard.ReadForm(req("application/json", `{}`), 0, fields...); err == nil {
		t.Error("a max body size of 0 is accepted")
	}
}

func multipartOf(t testing.TB, fields map[string]string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		must(t, w.WriteField(k, v))
	}
	must(t, w.Close())
	return buf.String(), w.FormDataContentType()
}
