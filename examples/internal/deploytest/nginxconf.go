// Package deploytest checks deploy/ against the real thing: the tasks
// binary behind the real nginx, configured from deploy/nginx/tasks.conf.
//
// Its tests need /usr/sbin/nginx (Debian's nginx package, installed in CI
// by scripts/ci/nginx.sh) and skip without it, except under CI=true. The
// config derivation here is shared with scripts/bench-wrk.sh through the
// command in ./nginxconf.
package deploytest

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"
)

// Directive is one nginx directive: a name, its arguments as written
// (quotes kept), and its block when it has one.
type Directive struct {
	Name  string
	Args  []string
	Block []*Directive // nil for a simple directive
	block bool
}

// HasBlock reports whether the directive ends with a { } block.
func (d *Directive) HasBlock() bool { return d.block }

// Find returns the directives named name at any depth under ds, in order.
func Find(ds []*Directive, name string) []*Directive {
	var out []*Directive
	for _, d := range ds {
		if d.Name == name {
			out = append(out, d)
		}
		out = append(out, Find(d.Block, name)...)
	}
	return out
}

// Parse reads nginx configuration text: directives ending in ';' or a
// block, '#' comments, single- and double-quoted arguments.
func Parse(src string) ([]*Directive, error) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	ds, rest, err := parseBlock(toks, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("line %d: unexpected }", rest[0].line)
	}
	return ds, nil
}

type token struct {
	text string
	line int
	sym  bool // one of ; { }
}

func tokenize(src string) ([]token, error) {
	var toks []token
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == ';' || c == '{' || c == '}':
			toks = append(toks, token{string(c), line, true})
			i++
		default:
			start, startLine := i, line
			for i < len(src) {
				c := src[i]
				if c == '"' || c == '\'' {
					j := i + 1
					for j < len(src) && src[j] != c {
						if src[j] == '\\' {
							j++
						}
						if j < len(src) && src[j] == '\n' {
							line++
						}
						j++
					}
					if j >= len(src) {
						return nil, fmt.Errorf("line %d: unterminated quote", startLine)
					}
					i = j + 1
					continue
				}
				if c == '$' && i+1 < len(src) && src[i+1] == '{' { // ${var}
					j := strings.IndexByte(src[i:], '}')
					if j < 0 {
						return nil, fmt.Errorf("line %d: unterminated ${", line)
					}
					i += j + 1
					continue
				}
				if c == '\\' && i+1 < len(src) {
					i += 2
					continue
				}
				if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '{' || c == '}' {
					break
				}
				i++
			}
			toks = append(toks, token{src[start:i], startLine, false})
		}
	}
	return toks, nil
}

// parseBlock parses directives until a '}' at this depth (returned in rest)
// or the end.
func parseBlock(toks []token, depth int) (ds []*Directive, rest []token, err error) {
	for len(toks) > 0 {
		t := toks[0]
		if t.sym && t.text == "}" {
			if depth == 0 {
				return nil, nil, fmt.Errorf("line %d: unexpected }", t.line)
			}
			return ds, toks, nil
		}
		if t.sym {
			return nil, nil, fmt.Errorf("line %d: unexpected %s", t.line, t.text)
		}
		d := &Directive{Name: t.text}
		toks = toks[1:]
		for len(toks) > 0 && !toks[0].sym {
			d.Args = append(d.Args, toks[0].text)
			toks = toks[1:]
		}
		if len(toks) == 0 {
			return nil, nil, fmt.Errorf("line %d: %s: missing ; or {", t.line, d.Name)
		}
		switch toks[0].text {
		case ";":
			toks = toks[1:]
		case "{":
			d.block = true
			d.Block, toks, err = parseBlock(toks[1:], depth+1)
			if err != nil {
				return nil, nil, err
			}
			if len(toks) == 0 {
				return nil, nil, fmt.Errorf("line %d: %s: block not closed", t.line, d.Name)
			}
			toks = toks[1:] // the }
			if d.Block == nil {
				d.Block = []*Directive{}
			}
		default:
			return nil, nil, fmt.Errorf("line %d: %s: unexpected }", toks[0].line, d.Name)
		}
		ds = append(ds, d)
	}
	if depth > 0 {
		return nil, nil, errors.New("block not closed at end of file")
	}
	return ds, nil, nil
}

// Format writes directives back as nginx configuration, indented.
func Format(ds []*Directive) string {
	var b strings.Builder
	format(&b, ds, 0)
	return b.String()
}

func format(b *strings.Builder, ds []*Directive, depth int) {
	indent := strings.Repeat("    ", depth)
	for _, d := range ds {
		b.WriteString(indent)
		b.WriteString(d.Name)
		for _, a := range d.Args {
			b.WriteByte(' ')
			b.WriteString(a)
		}
		if !d.block {
			b.WriteString(";\n")
			continue
		}
		b.WriteString(" {\n")
		format(b, d.Block, depth+1)
		b.WriteString(indent)
		b.WriteString("}\n")
	}
}

// Quote returns s as one nginx argument.
func Quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\r\n;{}#'\"\\$") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`)
	return `"` + r.Replace(s) + `"`
}

// Options say where a derived configuration runs.
type Options struct {
	Listen string // host:port nginx listens on, plain HTTP
	// Upstream is host:port of the app, replacing every upstream's
	// servers; several, comma-separated, for a fleet. Each keeps the
	// parameters (max_fails=, fail_timeout=, ...) of the site's first
	// server.
	Upstream string
	Prefix   string // absolute directory for the pid file, logs and temporary files
	Workers  string // worker_processes; "1" when empty
	// User, when set, is the "user" directive's argument ("name group"):
	// needed when nginx starts as root, whose workers would otherwise
	// run as nobody and could not use Prefix.
	User string
}

// Derive turns a site file such as deploy/nginx/tasks.conf into a whole
// nginx.conf that runs in the foreground without root, files, or TLS:
//
//   - upstream blocks keep their settings, with their servers replaced by
//     those of o.Upstream, each with the parameters of the block's first
//     server;
//   - of the server blocks, the one that proxies (the one with proxy_pass)
//     is kept, listening on o.Listen in plain HTTP: its listen,
//     server_name, http2 and ssl_* directives are dropped; every other
//     server (redirects, catch-alls) is dropped;
//   - everything else at the top of the site (map, limit_req_zone, ...) is
//     kept as it is.
//
// The proxy settings are the site's own, word for word.
func Derive(site string, o Options) (string, error) {
	if o.Listen == "" || o.Upstream == "" || o.Prefix == "" {
		return "", errors.New("deploytest: Listen, Upstream and Prefix are required")
	}
	ds, err := Parse(site)
	if err != nil {
		return "", err
	}
	var keep []*Directive
	proxies := 0
	for _, d := range ds {
		switch d.Name {
		case "upstream":
			u := &Directive{Name: d.Name, Args: d.Args, block: true}
			var params []string
			if servers := Find(d.Block, "server"); len(servers) > 0 && len(servers[0].Args) > 0 {
				params = servers[0].Args[1:]
			}
			for _, addr := range strings.Split(o.Upstream, ",") {
				u.Block = append(u.Block, &Directive{Name: "server", Args: append([]string{strings.TrimSpace(addr)}, params...)})
			}
			for _, c := range d.Block {
				if c.Name != "server" {
					u.Block = append(u.Block, c)
				}
			}
			keep = append(keep, u)
		case "server":
			if len(Find(d.Block, "proxy_pass")) == 0 {
				continue
			}
			proxies++
			s := &Directive{Name: d.Name, Args: d.Args, block: true}
			s.Block = append(s.Block, &Directive{Name: "listen", Args: []string{o.Listen}})
			for _, c := range d.Block {
				switch {
				case c.Name == "listen", c.Name == "server_name", c.Name == "http2", strings.HasPrefix(c.Name, "ssl_"):
					continue
				}
				s.Block = append(s.Block, c)
			}
			keep = append(keep, s)
		default:
			keep = append(keep, d)
		}
	}
	if proxies != 1 {
		return "", fmt.Errorf("deploytest: want one server block with proxy_pass in the site, found %d", proxies)
	}
	workers := o.Workers
	if workers == "" {
		workers = "1"
	}
	p := func(name string) string { return Quote(strings.TrimSuffix(o.Prefix, "/") + "/" + name) }
	var b strings.Builder
	b.WriteString("# Derived from deploy/nginx/tasks.conf by examples/internal/deploytest.\n")
	b.WriteString("daemon off;\n")
	if o.User != "" {
		fmt.Fprintf(&b, "user %s;\n", o.User)
	}
	fmt.Fprintf(&b, "worker_processes %s;\n", workers)
	fmt.Fprintf(&b, "pid %s;\n", p("nginx.pid"))
	fmt.Fprintf(&b, "error_log %s notice;\n", p("error.log"))
	b.WriteString("events {\n    worker_connections 1024;\n}\n")
	b.WriteString("http {\n")
	fmt.Fprintf(&b, "    access_log %s;\n", p("access.log"))
	for _, t := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		fmt.Fprintf(&b, "    %s_temp_path %s;\n", t, p(t+"_temp"))
	}
	b.WriteString("    default_type application/octet-stream;\n\n")
	var inner strings.Builder
	format(&inner, keep, 1)
	b.WriteString(inner.String())
	b.WriteString("}\n")
	return b.String(), nil
}

// RootUser returns the "user" directive's argument that keeps nginx's
// workers running as the current user when that user is root, and "" for
// anyone else (nginx ignores the directive then, with a warning).
func RootUser() (string, error) {
	if os.Geteuid() != 0 {
		return "", nil
	}
	u, err := user.Current()
	if err != nil {
		return "", err
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		return "", err
	}
	return Quote(u.Username) + " " + Quote(g.Name), nil
}
