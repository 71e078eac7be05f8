package chaos

import (
	"io"
	"net"
	"sync"
	"testing"
)

// faultProxy relays TCP connections to a server, and injects its faults:
// freeze, as a server whose processes are stopped (SIGSTOP) behaves, and
// cut, as a server that was terminated does.
//
// Frozen, it relays nothing either way but keeps every connection open,
// and keeps what clients send meanwhile: on thaw the server receives it,
// even from a client that gave up and closed, as a stopped server finds
// the requests in its sockets when it resumes. Cut, it closes every
// connection and closes new ones at once, until restored.
type faultProxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	thawed  chan struct{} // closed while not frozen
	replies bool          // only replies are frozen
	down    bool
	conns   map[net.Conn]struct{}
}

// newFaultProxy relays a loopback port to target until the test ends.
func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target, thawed: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	close(p.thawed)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.unfreeze()
		p.closeAll()
	})
	return p
}

// addr is where clients connect.
func (p *faultProxy) addr() string { return p.ln.Addr().String() }

func (p *faultProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		if !p.track(c, s) {
			continue
		}
		go p.relay(s, c, false)
		go p.relay(c, s, true)
	}
}

// track registers a pair of connections, unless the proxy went down
// meanwhile.
func (p *faultProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

// relay copies src to dst, holding each chunk while the proxy is frozen;
// reply tells the server's side from the client's.
func (p *faultProxy) relay(dst, src net.Conn, reply bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			thawed, held := p.thawed, reply || !p.replies
			p.mu.Unlock()
			if held {
				<-thawed
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			if err == io.EOF {
				if tc, ok := dst.(*net.TCPConn); ok {
					tc.CloseWrite()
					return
				}
			}
			break
		}
	}
	dst.Close()
	src.Close()
}

// freeze stops relaying, connections kept open.
func (p *faultProxy) freeze() { p.freezeSome(false) }

// freezeReplies stops relaying the server's replies only: requests reach
// the server and take effect, and nobody hears of it.
func (p *faultProxy) freezeReplies() { p.freezeSome(true) }

func (p *faultProxy) freezeSome(replies bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.replies = replies
	select {
	case <-p.thawed:
		p.thawed = make(chan struct{})
	default:
	}
}

// unfreeze relays again, what was held first.
func (p *faultProxy) unfreeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.thawed:
	default:
		close(p.thawed)
	}
}

// cut closes every connection, and every new one until restore.
func (p *faultProxy) cut() {
	p.mu.Lock()
	p.down = true
	p.mu.Unlock()
	p.closeAll()
}

// restore accepts connections again.
func (p *faultProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

func (p *faultProxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}
