package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/jwtguard/jwtguard/examples/internal/serve"
)

// app is the Task API: DRF's tutorial, answering as the Django version does.
type app struct {
	db       *db
	issuer   *jwtguard.Issuer
	guard    *jwtguard.Guard
	activate *jwtguard.Verifier // activation tokens only
	trusted  []netip.Prefix
	log      *slog.Logger
	page     bool // serve the browser page (cookie mode)

	// Abuse resistance.
	users         users                   // password checks and new users, through the hashing bound
	registrations *jwtguard.LoginThrottle // registrations per client address
	paths         *jwtguard.PathRedactor  // how paths are written to the log
}

// routes mounts the API. Token endpoints come from jwtguard.
func (a *app) routes(endpoints *jwtguard.Endpoints) http.Handler {
	mux := http.NewServeMux()
	endpoints.Register(mux, "/api/token/")
	a.mountAPI(mux, a.hello, a.register, a.activateUser)
	if a.page {
		// The page cannot read its HttpOnly token cookies: it asks who it is
		// signed in as, to create tasks in its own name.
		mux.Handle("/api/me/{$}", a.view("Me", "GET, HEAD, OPTIONS", jwtguard.IsAuthenticated(), map[string]http.HandlerFunc{
			http.MethodGet: a.me,
		}))
		mux.Handle("GET /{$}", pageHandler("index.html"))
		mux.Handle("GET /app.js", pageHandler("app.js"))
	}
	return a.serve(mux)
}

// mountAPI mounts the tutorial's views, with the profile's hello,
// register and activate.
func (a *app) mountAPI(mux *http.ServeMux, hello, register, activate http.HandlerFunc) {
	mux.Handle("/hello/{$}", a.view("Hello", "GET, HEAD, OPTIONS", jwtguard.IsAuthenticated(), map[string]http.HandlerFunc{
		http.MethodGet: hello,
	}))
	mux.Handle("/tasks/{$}", a.view("Task List", "GET, POST, HEAD, OPTIONS", jwtguard.IsAuthenticatedOrReadOnly(), map[string]http.HandlerFunc{
		http.MethodGet:  a.listTasks,
		http.MethodPost: a.createTask,
	}))
	mux.Handle("/tasks/{id}/{$}", a.view("Task Instance", "GET, PUT, PATCH, DELETE, HEAD, OPTIONS", jwtguard.IsAuthenticatedOrReadOnly(), map[string]http.HandlerFunc{
		http.MethodGet:    a.getTask,
		http.MethodPut:    a.updateTask,
		http.MethodPatch:  a.updateTask,
		http.MethodDelete: a.deleteTask,
	}))
	mux.Handle("/api-register/{$}", a.view("Register", "POST, OPTIONS", jwtguard.AllowAny(), map[string]http.HandlerFunc{
		http.MethodPost: register,
	}))
	mux.Handle("/api-activate/{token}/{$}", a.view("Activate", "GET, HEAD, OPTIONS", jwtguard.AllowAny(), map[string]http.HandlerFunc{
		http.MethodGet: activate,
	}))
}

// serve adds the health checks to mux, and the access log and Django's
// security headers around it.
func (a *app) serve(mux *http.ServeMux) http.Handler {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), dbTimeout)
		defer cancel()
		if err := a.db.PingContext(ctx); err != nil {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	return a.accessLog(securityHeaders(mux))
}

// view is a DRF APIView: authentication and permission first, then the
// method (405 with Allow for others), OPTIONS answered with metadata.
func (a *app) view(name, allow string, policy jwtguard.Policy, methods map[string]http.HandlerFunc) http.Handler {
	if get, ok := methods[http.MethodGet]; ok {
		methods[http.MethodHead] = get
	}
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok, ok := jwtguard.FromRequest(r); ok {
			setUser(r, tok.Subject())
		}
		w.Header().Set("Allow", allow)
		w.Header().Set("Vary", "Accept")
		if r.Method == http.MethodOptions {
			writeJSON(w, http.StatusOK, metadata{Name: name, Description: "", Renders: []string{"application/json"},
				Parses: []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}})
			return
		}
		h, ok := methods[r.Method]
		if !ok {
			writeJSON(w, http.StatusMethodNotAllowed, detail(`Method "`+r.Method+`" not allowed.`))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), dbTimeout)
		defer cancel()
		h(w, r.WithContext(ctx))
	})
	guarded := a.guard.Require(policy)(inner)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow) // on refusals too, as DRF sends it
		guarded.ServeHTTP(w, r)
	})
}

type metadata struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Renders     []string `json:"renders"`
	Parses      []string `json:"parses"`
}

// hello greets the request's user, as the Guard's user check loaded it:
// no query of its own (the check's answer is at most its maxStale old).
func (a *app) hello(w http.ResponseWriter, r *http.Request) {
	u, ok := jwtguard.UserFromRequest[*user](r)
	if !ok {
		// Not reached behind the Guard's user check; answered as it would.
		writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "User not found", "code": "user_not_found"})
		return
	}
	writeJSON(w, http.StatusOK, helloReply{Message: "Hello, " + u.Username})
}

// helloReply is /hello/'s answer: a struct, which encoding/json writes
// faster than a map.
type helloReply struct {
	Message string `json:"message"`
}

// me answers the signed-in user's id: {"id": 2}.
func (a *app) me(w http.ResponseWriter, r *http.Request) {
	tok, _ := jwtguard.FromRequest(r)
	id, err := parseID(tok.Subject())
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "User not found", "code": "user_not_found"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"id": id})
}

func detail(msg string) map[string]string { return map[string]string{"detail": msg} }

// writeJSON writes v as compact JSON, as DRF's renderer does.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"detail":"A server error occurred."}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

func (a *app) serverError(w http.ResponseWriter, r *http.Request, err error) {
	a.log.ErrorContext(r.Context(), "request failed", "path", a.paths.Redact(r.URL.Path), "error", err.Error())
	writeJSON(w, http.StatusInternalServerError, detail("A server error occurred."))
}

// unavailable answers a request whose database query failed or ran out of
// time: 503 with Retry-After, as jwtguard answers when its store fails. A
// database outage is not the server's bug, and a client may retry.
func (a *app) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	a.log.ErrorContext(r.Context(), "database unavailable", "path", a.paths.Redact(r.URL.Path), "error", err.Error())
	w.Header().Set("Retry-After", "1")
	writeJSON(w, http.StatusServiceUnavailable, map[string]string{
		"detail": "Service temporarily unavailable, try again later.", "code": "service_unavailable"})
}

// dbTimeout bounds a request's database queries, as jwtguard bounds its
// store's calls: a database that hangs costs a request this long, then a
// 503.
const dbTimeout = jwtguard.DefaultStoreTimeout

// readBody decodes a JSON, form-encoded or multipart body into raw JSON
// values, the last of repeated names winning. ok is false after it has
// answered 400 or 415.
func readBody(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, detail("Malformed request."))
		return nil, false
	}
	fields := map[string]json.RawMessage{}
	if len(strings.TrimSpace(string(body))) == 0 {
		return fields, true
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "application/json":
		if err := json.Unmarshal(body, &fields); err != nil {
			writeJSON(w, http.StatusBadRequest, detail("JSON parse error - "+err.Error()))
			return nil, false
		}
	case "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, detail("Malformed request."))
			return nil, false
		}
		for k, v := range q {
			fields[k], _ = json.Marshal(v[len(v)-1])
		}
	default:
		writeJSON(w, http.StatusUnsupportedMediaType, detail(`Unsupported media type "`+mediaType+`" in request.`))
		return nil, false
	}
	return fields, true
}

// securityHeaders adds the headers of Django's default middleware.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// accessLog logs every request: method, path (tokens redacted by a.paths),
// status, duration, client address and user. Never a token or a query.
func (a *app) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		var user string
		next.ServeHTTP(rec, r.WithContext(withUserSink(r.Context(), &user)))
		a.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", a.paths.Redact(r.URL.Path)),
			slog.Int("status", rec.status),
			serve.Duration(time.Since(start)),
			slog.String("client", jwtguard.ClientAddr(r, a.trusted...).String()),
			slog.String("user", user))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
