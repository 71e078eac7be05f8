package jwtguardotel_test

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/jwtguard/jwtguard"
	jwtguardotel "github.com/jwtguard/jwtguard/otel"
)

// The observer on the Verifier and the Guard, its metrics on a listener of
// their own; a request with a forged token is refused, and the scrape says
// so.
func Example() {
	key, err := jwtguard.NewHMACKey("", []byte("an-example-secret-of-32-bytes-at-least"), jwtguard.HS256)
	if err != nil {
		panic(err)
	}
	keys, err := jwtguard.NewKeySet(key)
	if err != nil {
		panic(err)
	}

	prom, err := jwtguardotel.NewPrometheus() // a MeterProvider and its /metrics handler, a registry of their own
	if err != nil {
		panic(err)
	}
	obs, err := jwtguardotel.New(jwtguardotel.WithMeterProvider(prom.MeterProvider()))
	if err != nil {
		panic(err)
	}
	observe := jwtguard.WithObserver(obs) // one option for every constructor: the Issuer, Endpoints, throttles, RemoteKeySet too
	verifier, err := jwtguard.NewVerifier(keys, observe)
	if err != nil {
		panic(err)
	}
	guard, err := jwtguard.NewGuard(verifier, observe)
	if err != nil {
		panic(err)
	}
	metrics := httptest.NewServer(prom.Handler()) // in production: http.ListenAndServe("127.0.0.1:9464", prom.Handler())
	defer metrics.Close()

	api := guard.Require(jwtguard.IsAuthenticated())(http.NotFoundHandler())
	req := httptest.NewRequest("GET", "/tasks/", nil)
	req.Header.Set("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.Zm9yZ2Vk")
	api.ServeHTTP(httptest.NewRecorder(), req)

	resp, err := http.Get(metrics.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "jwtguard_decisions_total") {
			fmt.Println(strings.ReplaceAll(lines.Text(), `otel_scope_name="github.com/jwtguard/jwtguard/otel",otel_scope_schema_url="",otel_scope_version="",`, ""))
		}
	}
	// Output:
	// jwtguard_decisions_total{cached="false",decision="authenticate",outcome="refused",refusal="token_invalid"} 1
}
