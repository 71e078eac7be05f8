package jwtguard_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard"
)

var slidingShape = regexp.MustCompile(`^\{"token_type":"sliding","exp":\d+,"iat":\d+,"jti":"[0-9a-f]{32}","refresh_exp":\d+,"user_id":1,"sid":"[0-9a-f]{32}"\}$`)

func TestSlidingTokens(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	iss, _ := newIssuer(t, clock, jwtguard.WithAccessRevocation(0))
	e, err := jwtguard.NewEndpoints(iss, testUsers)
	must(t, err)
	mux := http.NewServeMux()
	e.RegisterSliding(mux, "/api/token/")
	srv := httptest.NewServer(mux)
	defer srv.Close()

	r := post(t, srv.URL+"/api/token/", jsonCT, `{"username":"vitor","password":"123"}`)
	var body struct{ Token string }
	if r.status != 200 || json.Unmarshal([]byte(r.body), &body) != nil || body.Token == "" {
		t.Fatalf("sliding obtain: %d %s", r.status, r.body)
	}
	tok := body.Token
	if claims := decodePart(t, tok, 1); !slidingShape.MatchString(claims) {
		t.Fatalf("sliding claims %s", claims)
	}
	sliding, err := iss.Verifier(jwtguard.WithTokenType("sliding"))
	must(t, err)
	access, err := iss.Verifier()
	must(t, err)
	if _, err := sliding.Verify(ctx, tok); err != nil {
		t.Fatalf("sliding verifier refuses a sliding token: %v", err)
	}
	if _, err := access.Verify(ctx, tok); !errors.Is(err, jwtguard.ErrTokenWrongType) {
		t.Errorf("access verifier on a sliding token: %v", err)
	}

	// Renew every four minutes for a day: each renewal extends exp, never
	// past refresh_exp.
	renewed := 0
	for {
		clock.Add(4 * time.Minute)
		r = post(t, srv.URL+"/api/token/refresh/", jsonCT, `{"token":"`+tok+`"}`)
		if r.status != 200 {
			break
		}
		json.Unmarshal([]byte(r.body), &body)
		tok = body.Token
		renewed++
	}
	if renewed < 350 || renewed > 360 {
		t.Errorf("renewed %d times in a day of four-minute steps, want about 359", renewed)
	}
	if r.status != 401 || r.body != `{"detail":"Token is invalid or expired","code":"token_not_valid"}` {
		t.Errorf("renewal past refresh_exp: %d %s", r.status, r.body)
	}

	// A refresh token is not a sliding token; a revoked one does not renew.
	p, _ := iss.Issue(ctx, "1")
	if _, _, err := iss.RefreshSliding(ctx, p.Refresh); !errors.Is(err, jwtguard.ErrTokenWrongType) {
		t.Errorf("RefreshSliding(refresh token): %v", err)
	}
	fresh, _, err := iss.IssueSliding(ctx, "1")
	must(t, err)
	ft, err := sliding.Verify(ctx, fresh)
	must(t, err)
	must(t, iss.RevokeToken(ctx, ft))
	if _, _, err := iss.RefreshSliding(ctx, fresh); !errors.Is(err, jwtguard.ErrTokenRevoked) {
		t.Errorf("RefreshSliding(revoked): %v", err)
	}
}
