//go:build unix

package deploytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/examples/internal/serve"
)

// The directives the site must keep for the app to work behind it; the
// derived configuration must carry them word for word.
var requiredProxy = []string{
	"proxy_pass http://tasks_app",
	"proxy_set_header Authorization $http_authorization",
	"proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for",
	"proxy_set_header X-Forwarded-Proto $scheme",
	"proxy_set_header Host $host",
	"proxy_http_version 1.1",
	`proxy_set_header Connection ""`,
	"client_max_body_size 64k",
	"proxy_max_temp_file_size 0",
}

func directives(ds []*Directive) map[string]bool {
	out := map[string]bool{}
	var walk func([]*Directive)
	walk = func(ds []*Directive) {
		for _, d := range ds {
			out[strings.Join(append([]string{d.Name}, d.Args...), " ")] = true
			walk(d.Block)
		}
	}
	walk(ds)
	return out
}

// readSite returns deploy/nginx/tasks.conf, as text and parsed.
func readSite(t *testing.T) (string, []*Directive) {
	t.Helper()
	site, err := os.ReadFile(filepath.Join(repoRoot(t), "deploy", "nginx", "tasks.conf"))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := Parse(string(site))
	if err != nil {
		t.Fatal(err)
	}
	return string(site), ds
}

// serverParams are the passive health check's settings of the site's
// upstream server, which every instance of a fleet keeps
// (TestRollingRestart).
const serverParams = "max_fails=1 fail_timeout=2s"

// TestDerive needs no nginx: the site parses, the derived configuration
// keeps every proxy directive, and loses TLS, the upstream's address and
// the redirecting servers.
func TestDerive(t *testing.T) {
	site, ds := readSite(t)
	if again, err := Parse(Format(ds)); err != nil || Format(again) != Format(ds) {
		t.Fatalf("Format does not round-trip: %v", err)
	}
	have := directives(ds)
	for _, want := range append(requiredProxy, "server 127.0.0.1:8000 "+serverParams, "keepalive_timeout 2s", "ssl_certificate /etc/letsencrypt/live/tasks.example.com/fullchain.pem") {
		if !have[want] {
			t.Errorf("deploy/nginx/tasks.conf lacks %q", want)
		}
	}
	conf, err := Derive(site, Options{Listen: "127.0.0.1:18080", Upstream: "127.0.0.1:18000,127.0.0.1:18001", Prefix: "/tmp/x y"})
	if err != nil {
		t.Fatal(err)
	}
	dds, err := Parse(conf)
	if err != nil {
		t.Fatalf("derived configuration does not parse: %v\n%s", err, conf)
	}
	got := directives(dds)
	for _, want := range append(requiredProxy, "server 127.0.0.1:18000 "+serverParams, "server 127.0.0.1:18001 "+serverParams, "listen 127.0.0.1:18080", "daemon off", `pid "/tmp/x y/nginx.pid"`) {
		if !got[want] {
			t.Errorf("derived configuration lacks %q:\n%s", want, conf)
		}
	}
	for d := range got {
		if strings.HasPrefix(d, "ssl_") || strings.HasPrefix(d, "listen 443") || strings.HasPrefix(d, "listen 80") ||
			strings.HasPrefix(d, "return ") || strings.HasPrefix(d, "server 127.0.0.1:8000") {
			t.Errorf("derived configuration keeps %q", d)
		}
	}
	if n := len(Find(dds, "server")); n != 3 { // the upstream's two servers and the server block
		t.Errorf("derived configuration has %d server directives, want 3:\n%s", n, conf)
	}
	for _, bad := range []string{"server {", "a \"b;", "a {\n b;", "}"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

// TestSiteConfigValid runs "nginx -t" on deploy/nginx/tasks.conf itself,
// TLS included, with a throwaway certificate in place of the real one.
func TestSiteConfigValid(t *testing.T) {
	needNginx(t)
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	_, ds := readSite(t)
	for _, d := range Find(ds, "ssl_certificate") {
		d.Args = []string{Quote(cert)}
	}
	for _, d := range Find(ds, "ssl_certificate_key") {
		d.Args = []string{Quote(key)}
	}
	if err := os.WriteFile(filepath.Join(dir, "site.conf"), []byte(Format(ds)), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := "pid nginx.pid;\nevents {}\nhttp {\n    access_log access.log;\n    include site.conf;\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(nginxBin, "-t", "-p", dir+"/", "-c", "nginx.conf", "-e", "error.log").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "test is successful") {
		t.Fatalf("nginx -t on deploy/nginx/tasks.conf: %v\n%s", err, out)
	}
}

func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tasks.example.com"},
		DNSNames: []string{"tasks.example.com"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

type result struct {
	status int
	header http.Header
	body   string
}

// clientAddr is where the test's requests to nginx come from: not
// 127.0.0.1, so that the address the app logs can only have come from
// nginx's X-Forwarded-For.
const clientAddr = "127.0.0.2"

// TestThroughNginx runs the token flow of DRF-CONTRACT.md §1.3 and §1.5
// through the real nginx in front of the real tasks binary.
func TestThroughNginx(t *testing.T) {
	needNginx(t)
	app := startTasks(t, buildTasks(t))
	ngx := startNginx(t, app.addr)
	client := &http.Client{
		Transport: &http.Transport{DialContext: dialFrom(clientAddr)},
		Timeout:   10 * time.Second,
	}
	do := func(method, path, token, body string, header ...string) result {
		t.Helper()
		req, err := http.NewRequest(method, "http://"+ngx.addr+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatalf("%s %s: reading the body: %v", method, path, err)
		}
		return result{res.StatusCode, res.Header, string(b)}
	}
	expect := func(what string, r result, status int, body string) {
		t.Helper()
		if r.status != status || r.body != body {
			t.Errorf("%s: %d %s\nwant %d %s", what, r.status, r.body, status, body)
		}
		// DRF sends exactly Bearer realm="api"; jwtguard's guard adds RFC
		// 6750's error parameters to it for a bad token (README, "Error
		// responses"). Either way the challenge must come through nginx.
		if ch := r.header.Get("WWW-Authenticate"); r.status == 401 &&
			ch != `Bearer realm="api"` && !strings.HasPrefix(ch, `Bearer realm="api", error="invalid_token"`) {
			t.Errorf("%s: WWW-Authenticate %q through nginx, want %q", what, ch, `Bearer realm="api"`)
		}
		if ct := r.header.Get("Content-Type"); r.status < 400 || r.status == 401 {
			if ct != "application/json" {
				t.Errorf("%s: Content-Type %q", what, ct)
			}
		}
		if r.header.Get("Strict-Transport-Security") == "" {
			t.Errorf("%s: no Strict-Transport-Security: the site's add_header was lost", what)
		}
	}
	pair := regexp.MustCompile(`^\{"(refresh|access)":"([\w-]+\.[\w-]+\.[\w-]+)","(refresh|access)":"([\w-]+\.[\w-]+\.[\w-]+)"\}$`)
	tokens := func(what string, r result, first string) (access, refresh string) {
		t.Helper()
		m := pair.FindStringSubmatch(r.body)
		if r.status != 200 || m == nil || m[1] != first {
			t.Fatalf("%s: %d %s", what, r.status, r.body)
		}
		if m[1] == "access" {
			return m[2], m[4]
		}
		return m[4], m[2]
	}

	// §1.3: obtain; the body is {"refresh", "access"} in this order.
	r := do("POST", "/api/token/", "", `{"username":"vitor","password":"123"}`)
	access, refresh := tokens("login", r, "refresh")
	if r.header.Get("Allow") != "POST, OPTIONS" || r.header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("login: the app's headers did not come through: %v", r.header)
	}
	expect("login with a wrong password", do("POST", "/api/token/", "", `{"username":"vitor","password":"wrong"}`),
		401, `{"detail":"No active account found with the given credentials"}`)

	// §1.5: the Authorization header reaches the app.
	expect("hello without a token", do("GET", "/hello/", "", ""), 401, `{"detail":"Authentication credentials were not provided."}`)
	expect("hello with a bad token", do("GET", "/hello/", "abc", ""), 401,
		`{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is invalid or expired"}]}`)
	expect("hello", do("GET", "/hello/", access, ""), 200, `{"message":"Hello, vitor"}`)
	// A client's forged X-Forwarded-For must not become its address.
	expect("hello with a forged X-Forwarded-For", do("GET", "/hello/", access, "", "X-Forwarded-For", "198.51.100.7"), 200, `{"message":"Hello, vitor"}`)

	// Refresh rotates: {"access", "refresh"} in this order, the old refresh blacklisted.
	access2, refresh2 := tokens("refresh", do("POST", "/api/token/refresh/", "", `{"refresh":"`+refresh+`"}`), "access")
	expect("hello with the refreshed access token", do("GET", "/hello/", access2, ""), 200, `{"message":"Hello, vitor"}`)
	expect("verify", do("POST", "/api/token/verify/", "", `{"token":"`+access2+`"}`), 200, `{}`)
	expect("blacklist", do("POST", "/api/token/blacklist/", "", `{"refresh":"`+refresh2+`"}`), 200, `{}`)
	blacklisted := `{"detail":"Token is blacklisted","code":"token_not_valid"}`
	expect("refresh after blacklist", do("POST", "/api/token/refresh/", "", `{"refresh":"`+refresh2+`"}`), 401, blacklisted)
	expect("refresh with the rotated refresh token", do("POST", "/api/token/refresh/", "", `{"refresh":"`+refresh+`"}`), 401, blacklisted)

	// nginx refuses a body larger than the app would read.
	if r := do("POST", "/api/token/", "", `{"username":"vitor","password":"`+strings.Repeat("x", 70<<10)+`"}`); r.status != 413 {
		t.Errorf("a 70 KiB body: %d, want 413 from nginx", r.status)
	}
	if t.Failed() {
		t.Logf("app output:\n%s", app.out)
	}

	// The app's access log: the client is 127.0.0.2, learnt from nginx's
	// X-Forwarded-For because 127.0.0.1 is its trusted proxy; never the
	// forged address, never a token.
	const requests = 12 // every request above that reached the app
	deadline := time.Now().Add(5 * time.Second)
	for len(app.requests("")) < requests && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	recs := app.requests("")
	if len(recs) != requests {
		t.Errorf("the app logged %d requests, want %d:\n%s", len(recs), requests, app.out)
	}
	hello := 0
	for _, rec := range recs {
		if rec["client"] != clientAddr {
			b, _ := json.Marshal(rec)
			t.Errorf("access log client %v, want %s (from X-Forwarded-For through the trusted proxy): %s", rec["client"], clientAddr, b)
		}
		if rec["path"] == "/hello/" && rec["status"] == 200.0 {
			hello++
			if rec["user"] != "1" {
				t.Errorf("access log of an authenticated /hello/: user %v, want 1", rec["user"])
			}
		}
	}
	if hello != 3 {
		t.Errorf("access log has %d successful /hello/ requests, want 3", hello)
	}
	ngxAccess, _ := os.ReadFile(filepath.Join(ngx.prefix, "access.log"))
	for name, log := range map[string]string{"the app's log": app.out.String(), "nginx's access log": string(ngxAccess)} {
		for _, tok := range []string{access, refresh, access2, refresh2} {
			if strings.Contains(log, tok) {
				t.Errorf("%s contains a token", name)
			}
		}
		if strings.Contains(log, "eyJ") {
			t.Errorf("%s contains something like a JWT", name)
		}
	}
}

// TestUpstreamKeepaliveBelowDrain: nginx must close an idle connection to
// an instance before the instance does, or a request nginx sends on it as
// the instance closes it fails (with 502 for a POST, which nginx does not
// retry). The app closes idle connections after its IdleTimeout and when
// it shuts down at the end of its SIGTERM drain; the site's upstream
// keepalive_timeout must be shorter than both.
func TestUpstreamKeepaliveBelowDrain(t *testing.T) {
	_, ds := readSite(t)
	var timeouts []*Directive
	for _, u := range Find(ds, "upstream") {
		timeouts = append(timeouts, Find(u.Block, "keepalive_timeout")...)
	}
	if len(timeouts) != 1 || len(timeouts[0].Args) != 1 {
		t.Fatalf("want one keepalive_timeout in the upstream block, found %d", len(timeouts))
	}
	keepalive, err := time.ParseDuration(timeouts[0].Args[0])
	if err != nil {
		t.Fatalf("upstream keepalive_timeout %q: %v", timeouts[0].Args[0], err)
	}
	idle := serve.NewServer("", nil, slog.New(slog.DiscardHandler)).IdleTimeout
	if keepalive >= serve.DefaultDrain || keepalive >= idle {
		t.Errorf("upstream keepalive_timeout %s: must be shorter than the app's drain (%s) and IdleTimeout (%s)",
			keepalive, serve.DefaultDrain, idle)
	}
}

// TestFleetRecipeMatchesSite: the nginx settings DEPLOY.md (at the
// repository's root) shows for a fleet are the site's own, so that the
// recipe is what TestRollingRestart runs: every server of its upstream has
// the site's parameters, its other upstream settings and its proxy
// directives are in the site word for word.
func TestFleetRecipeMatchesSite(t *testing.T) {
	_, site := readSite(t)
	have := directives(site)
	doc, err := os.ReadFile(filepath.Join(repoRoot(t), "DEPLOY.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```nginx\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	if len(blocks) != 2 {
		t.Fatalf("DEPLOY.md has %d nginx blocks, want 2 (the upstream, the proxy settings)", len(blocks))
	}
	var recipe []*Directive
	for _, b := range blocks {
		ds, err := Parse(b[1])
		if err != nil {
			t.Fatalf("DEPLOY.md's nginx block does not parse: %v\n%s", err, b[1])
		}
		recipe = append(recipe, ds...)
	}
	servers := 0
	for _, d := range recipe {
		if d.Name == "upstream" {
			for _, c := range d.Block {
				if c.Name == "server" {
					servers++
					if got := strings.Join(c.Args[1:], " "); got != serverParams {
						t.Errorf("DEPLOY.md: server %s has %q, the site %q", c.Args[0], got, serverParams)
					}
					continue
				}
				if line := strings.Join(append([]string{c.Name}, c.Args...), " "); !have[line] {
					t.Errorf("DEPLOY.md's upstream has %q, the site does not", line)
				}
			}
			continue
		}
		if line := strings.Join(append([]string{d.Name}, d.Args...), " "); !have[line] {
			t.Errorf("DEPLOY.md has %q, the site does not", line)
		}
	}
	if servers != 3 {
		t.Errorf("DEPLOY.md's upstream lists %d servers, want the fleet's 3", servers)
	}
}
