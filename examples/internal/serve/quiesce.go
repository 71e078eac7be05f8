package serve

import (
	"net"
	"syscall"
	"time"
)

// quiesceWait bounds how long a server waits, at the end of its drain, for
// its accept loop to take the connections the kernel has already queued.
const quiesceWait = time.Second

// quiesce waits, up to quiesceWait, until ln's accept queue is empty, so
// that closing ln right after resets as few connections as can be, where
// the system tells the queue's length (Linux; elsewhere it returns false
// at once). It reports whether the queue was seen empty.
//
// Closing a listening socket resets every connection the kernel has
// completed but the server has not yet accepted. The client (nginx) has
// usually sent its request on it already, and a POST that was sent is
// never retried on another instance: it fails with 502. Under load the
// accept loop runs behind the kernel by up to milliseconds; closing as
// soon as the queue is seen empty leaves only the microseconds between
// that look and the close for a connection to arrive and be reset.
func quiesce(ln net.Listener) bool {
	sc, ok := ln.(syscall.Conn) // a *net.TCPListener, or a wrapper that embeds one
	if !ok {
		return false
	}
	for deadline := time.Now().Add(quiesceWait); ; {
		queued, ok := acceptQueue(sc)
		if !ok {
			return false
		}
		if queued == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
}
