// Package oidc runs a real OpenID provider, the oidc-provider package on
// Node.js (interop/testdata/oidc/server.js), for a test, and gets access
// tokens from it.
//
// [Start] serves the provider on a free port of 127.0.0.1, with the issuer
// "http://127.0.0.1:<port>", and stops it when the test ends. It issues
// RFC 9068 JWT access tokens (header typ "at+jwt") through the
// client_credentials grant for one resource server, [Audience]. Each
// signing algorithm has a client of its own, [ClientID](alg), whose tokens
// it signs with that algorithm; the tokens' sub and client_id are that
// client's ID, and their scope the requested scopes that the resource server
// knows ([Scopes]). The signing keys are generated when the provider starts,
// and [Provider.Rotate] replaces all of them.
//
// It needs Node.js 20.19 or later and `npm ci` run in interop/testdata/oidc
// (scripts/ci/node.sh does both). Without them a test that calls Start is
// skipped, or fails when the environment variable CI is true.
//
// The methods of [Provider] that take a testing.TB stop the test with Fatal
// when the provider does not answer as expected, so call them from the
// test's own goroutine.
package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/interop/internal/testenv"
)

const (
	// Audience is the resource indicator of the one resource server the
	// provider knows, and the "aud" of every access token.
	Audience = "urn:jwtguard:interop:api"

	// Scopes are the resource server's scopes, space-separated. A token
	// carries those of the requested scopes that are among them, and no
	// others.
	Scopes = "read write admin"

	// ClientSecret is the secret of every client.
	ClientSecret = "interop-client-secret"

	// TokenLifetime is the lifetime of the access tokens, exp minus iat.
	TokenLifetime = 5 * time.Minute
)

// Algorithms returns the signing algorithms the provider has a client for:
// RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA and
// Ed25519.
func Algorithms() []string {
	return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
		"ES256", "ES384", "ES512", "EdDSA", "Ed25519"}
}

// ClientID returns the ID of the client whose tokens are signed with alg.
func ClientID(alg string) string { return "interop-" + alg }

const (
	// startTimeout bounds the wait for the provider to answer.
	startTimeout = 30 * time.Second
	// requestTimeout bounds one request to the provider.
	requestTimeout = 15 * time.Second
	// stopTimeout is how long the provider gets to exit after SIGTERM.
	stopTimeout = 5 * time.Second
)

// Provider is a running OpenID provider. Its methods are safe for concurrent
// use, but see the package documentation about testing.TB.
type Provider struct {
	// Issuer is the provider's issuer, "http://127.0.0.1:<port>", without a
	// trailing slash: the "iss" of its tokens, and the base of its
	// discovery document, /.well-known/openid-configuration.
	Issuer string
	// Audience is [Audience]: the resource indicator tokens are requested
	// for, and their "aud".
	Audience string

	tokenEndpoint string
	client        *http.Client
	logs          *testenv.LogBuffer
}

// Start serves a new provider, with new keys, for the duration of t. It
// skips t when Node.js or the npm packages are missing (fails it instead
// when CI is true), and fails t when the provider does not answer within 30
// seconds. The provider's output is logged when t has failed by the time it
// ends.
func Start(t testing.TB) *Provider {
	t.Helper()
	node, dir, err := testenv.Node()
	if err != nil {
		testenv.Unavailable(t, "oidc", err, testenv.NodeHint)
	}
	p := &Provider{
		Audience: Audience,
		client: &http.Client{
			Timeout:   requestTimeout,
			Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 8},
			// Show redirects as they are.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	t.Cleanup(p.client.CloseIdleConnections)

	// The free port may be taken between choosing it and Node.js binding
	// it: try again with another one.
	const attempts = 3
	for i := 1; ; i++ {
		err := p.serve(t, node, dir)
		if err == nil {
			return p
		}
		if errors.Is(err, errPortInUse) && i < attempts {
			t.Logf("oidc: %v; trying another port", err)
			continue
		}
		t.Fatalf("oidc: %v\nthe provider's output:\n%s", err, p.Logs())
	}
}

var errPortInUse = errors.New("port already in use")

// serve starts server.js on a free port and waits until it answers. On
// success, the fields of p belong to the new process, which a cleanup of t
// stops. On failure the process is gone.
func (p *Provider) serve(t testing.TB, node, dir string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	logs := &testenv.LogBuffer{}
	cmd := exec.Command(node, "server.js", strconv.Itoa(port))
	cmd.Dir, cmd.Env = dir, environ()
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.WaitDelay = stopTimeout
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start node server.js: %w", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = terminate(cmd)
		select {
		case <-exited:
		case <-time.After(stopTimeout):
			_ = kill(cmd)
			<-exited
		}
	}
	p.Issuer = "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	p.logs = logs

	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-exited:
			if strings.Contains(logs.String(), "EADDRINUSE") {
				return fmt.Errorf("%s: %w", p.Issuer, errPortInUse)
			}
			return fmt.Errorf("node server.js exited before answering: %v", waitErr)
		default:
		}
		if endpoint, ok := p.discover(); ok {
			p.tokenEndpoint = endpoint
			break
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("the provider did not answer at %s within %v", p.Issuer, startTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("the provider's output (%s):\n%s", p.Issuer, logs.String())
		}
	})
	return nil
}

// discover reads the discovery document and returns the token endpoint,
// when the server answers with this provider's issuer, and so is not some
// other server on the port.
func (p *Provider) discover() (tokenEndpoint string, ok bool) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.Issuer+"/.well-known/openid-configuration", nil)
	if err != nil {
		return "", false
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	var doc struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&doc) != nil ||
		doc.Issuer != p.Issuer || !strings.HasPrefix(doc.TokenEndpoint, p.Issuer+"/") {
		return "", false
	}
	return doc.TokenEndpoint, true
}

// Logs returns what the provider has written so far: warnings, errors and a
// line per request.
func (p *Provider) Logs() string {
	if p.logs == nil {
		return ""
	}
	return p.logs.String()
}

// TokenResponse is the provider's answer to a token request.
type TokenResponse struct {
	// Status is the HTTP status.
	Status int `json:"-"`
	// Body is the response body as received.
	Body string `json:"-"`

	// The members of a successful answer (RFC 6749 §5.1).
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`

	// The members of an error answer (RFC 6749 §5.2).
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// RequestToken asks the token endpoint for an access token with the
// client_credentials grant, as the client of alg, for [Audience], with scope
// ("" for none), and returns the answer, whatever it is. An alg the provider
// has no client for gets invalid_client.
func (p *Provider) RequestToken(t testing.TB, alg, scope string) TokenResponse {
	t.Helper()
	return p.RequestTokenDPoP(t, alg, scope, "")
}

// TokenEndpoint is the provider's token endpoint, which a DPoP proof for a
// token request names.
func (p *Provider) TokenEndpoint() string { return p.tokenEndpoint }

// RequestTokenDPoP is [Provider.RequestToken] with a DPoP proof (RFC 9449
// §5) in the DPoP header, for a token bound to the proof's key; "" sends
// none.
func (p *Provider) RequestTokenDPoP(t testing.TB, alg, scope, proof string) TokenResponse {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {p.Audience}}
	if scope != "" {
		form.Set("scope", scope)
	}
	req, err := http.NewRequest(http.MethodPost, p.tokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("oidc: token request: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(ClientID(alg)), url.QueryEscape(ClientSecret))
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	status, body := p.do(t, req)
	r := TokenResponse{Status: status, Body: body}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("oidc: token endpoint answered %d with a body that is not JSON: %q", status, body)
	}
	return r
}

// Token returns an access token, a JWT signed with alg, from the
// client_credentials grant for [Audience] with scope. It fails t unless the
// provider answers 200 with a Bearer access token.
func (p *Provider) Token(t testing.TB, alg, scope string) string {
	t.Helper()
	r := p.RequestToken(t, alg, scope)
	if r.Status != http.StatusOK || r.AccessToken == "" || !strings.EqualFold(r.TokenType, "Bearer") {
		t.Fatalf("oidc: token request for %s: status %d, want 200 with a Bearer access token; body %s",
			alg, r.Status, r.Body)
	}
	return r.AccessToken
}

// Rotate replaces every signing key of the provider with a new one and
// returns the new key IDs. When it returns, the jwks_uri publishes only the
// new keys and new tokens are signed with them.
func (p *Provider) Rotate(t testing.TB) (kids []string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, p.Issuer+"/-/rotate", nil)
	if err != nil {
		t.Fatalf("oidc: rotate: %v", err)
	}
	status, body := p.do(t, req)
	var r struct {
		Kids []string `json:"kids"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &r) != nil || len(r.Kids) == 0 ||
		slices.Contains(r.Kids, "") {
		t.Fatalf("oidc: rotate: status %d, want 200 with the new key IDs; body %s", status, body)
	}
	return r.Kids
}

// Get sends GET rawURL, which should be one of the provider's, and returns
// the status and the body.
func (p *Provider) Get(t testing.TB, rawURL string) (status int, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatalf("oidc: GET %s: %v", rawURL, err)
	}
	return p.do(t, req)
}

func (p *Provider) do(t testing.TB, req *http.Request) (status int, body string) {
	t.Helper()
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatalf("oidc: %s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("oidc: %s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return resp.StatusCode, string(data)
}

// environ is the environment of the provider: this one's, without what
// would change how Node.js runs or where it finds modules.
func environ() []string {
	drop := []string{"NODE_OPTIONS=", "NODE_PATH=", "PORT=", "DEBUG="}
	var env []string
outer:
	for _, kv := range os.Environ() {
		for _, d := range drop {
			if strings.HasPrefix(kv, d) {
				continue outer
			}
		}
		env = append(env, kv)
	}
	return env
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}
