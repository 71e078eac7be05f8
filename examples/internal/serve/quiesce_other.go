//go:build !linux

package serve

import "syscall"

// acceptQueue does not know the accept queue's length outside Linux.
func acceptQueue(syscall.Conn) (n uint32, ok bool) { return 0, false }
