// Command nginxconf prints the nginx.conf that examples/internal/deploytest
// derives from a site file, for scripts/bench-wrk.sh:
//
//	go run ./internal/deploytest/nginxconf -site ../deploy/nginx/tasks.conf \
//	    -listen 127.0.0.1:8080 -upstream 127.0.0.1:8000 -prefix /tmp/ngx >/tmp/ngx/nginx.conf
//	nginx -p /tmp/ngx -c /tmp/ngx/nginx.conf -e /tmp/ngx/error.log
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jwtguard/jwtguard/examples/internal/deploytest"
)

func main() {
	site := flag.String("site", "", "the nginx site file (deploy/nginx/tasks.conf)")
	var o deploytest.Options
	flag.StringVar(&o.Listen, "listen", "", "host:port for nginx, plain HTTP")
	flag.StringVar(&o.Upstream, "upstream", "", "host:port of the app; several, comma-separated, for a fleet")
	flag.StringVar(&o.Prefix, "prefix", "", "directory for nginx's pid file, logs and temporary files")
	flag.StringVar(&o.Workers, "workers", "1", "worker_processes")
	flag.Parse()
	if err := run(*site, o); err != nil {
		fmt.Fprintln(os.Stderr, "nginxconf:", err)
		os.Exit(1)
	}
}

func run(site string, o deploytest.Options) error {
	src, err := os.ReadFile(site)
	if err != nil {
		return err
	}
	if o.Prefix, err = filepath.Abs(o.Prefix); err != nil {
		return err
	}
	if o.User, err = deploytest.RootUser(); err != nil {
		return err
	}
	conf, err := deploytest.Derive(string(src), o)
	if err != nil {
		return err
	}
	_, err = os.Stdout.WriteString(conf)
	return err
}
