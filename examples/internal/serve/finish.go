package serve

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// openConns counts a server's open connections.
type openConns struct{ n atomic.Int64 }

// track makes srv count its connections in c, keeping any ConnState hook
// srv already has. Call it before srv serves.
func (c *openConns) track(srv *http.Server) {
	prev := srv.ConnState
	srv.ConnState = func(conn net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			c.n.Add(1)
		case http.StateClosed, http.StateHijacked:
			c.n.Add(-1)
		}
		if prev != nil {
			prev(conn, s)
		}
	}
}

// finish stops srv, which serves ln (Serve's result arrives on served),
// without leaving a request it accepted unanswered: it turns keep-alives
// off (each response from now on closes its connection, and idle
// connections are closed now), closes ln, and waits, up to grace, until
// every connection is closed; then it closes those left.
//
// http.Server.Shutdown is not used: a connection whose request it reads
// after Shutdown began is closed without an answer, and the connections
// accepted in the last instant before the listener closes are exactly
// those (behind nginx, a POST on one fails with 502: "upstream prematurely
// closed connection").
func finish(srv *http.Server, ln net.Listener, served <-chan error, conns *openConns, grace time.Duration) error {
	srv.SetKeepAlivesEnabled(false)
	ln.Close()
	if err := <-served; !errors.Is(err, net.ErrClosed) {
		return err
	}
	deadline := time.Now().Add(grace)
	for conns.n.Load() > 0 {
		if time.Now().After(deadline) {
			n := conns.n.Load()
			srv.Close()
			return fmt.Errorf("serve: %d connections still open %s after the listener closed", n, grace)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}
