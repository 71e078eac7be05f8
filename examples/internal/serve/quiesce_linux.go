package serve

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// acceptQueue returns how many connections wait in the accept queue of the
// listening socket ln: TCP_INFO's unacked, for a socket in LISTEN.
func acceptQueue(ln syscall.Conn) (n uint32, ok bool) {
	rc, err := ln.SyscallConn()
	if err != nil {
		return 0, false
	}
	var info *unix.TCPInfo
	var serr error
	if err := rc.Control(func(fd uintptr) {
		info, serr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	}); err != nil || serr != nil {
		return 0, false
	}
	return info.Unacked, true
}
