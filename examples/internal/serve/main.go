package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"
)

// Grace is how long a shutdown waits for requests in flight.
const Grace = 20 * time.Second

// ListenAndRun listens on addr and runs h there with [NewServer] and
// [Run]: production timeouts, a drain period on SIGTERM, graceful
// shutdown on SIGINT and SIGTERM.
func ListenAndRun(ctx context.Context, addr string, h http.Handler, log *slog.Logger, opts ...Option) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return Run(ctx, NewServer(addr, h, log), ln, Grace, log, opts...)
}

// Main runs a command's run function with the process's arguments and
// exits 1, printing the error, when it fails (but not for -h).
func Main(name string, run func(ctx context.Context, args []string, stderr io.Writer) error) {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}
