package serve

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// TestRequestReadAfterShutdownIsAnswered: a connection accepted before
// the listener closed, whose request arrives only after the shutdown
// began, still gets its answer (http.Server.Shutdown would close it
// without one), and the answer closes the connection.
func TestRequestReadAfterShutdownIsAnswered(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- run(ctx, nil, NewServer(addr, h, log), ln, 5*time.Second, log) }()

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Accepted: a request on another connection is answered after it.
	if res, err := http.Get("http://" + addr); err != nil {
		t.Fatal(err)
	} else {
		res.Body.Close()
	}
	cancel()
	// The shutdown has begun once the listener refuses connections.
	for deadline := time.Now().Add(5 * time.Second); ; {
		d, err := net.Dial("tcp", addr)
		if errors.Is(err, syscall.ECONNREFUSED) {
			break
		}
		if d != nil {
			d.Close()
		}
		if time.Now().After(deadline) {
			t.Fatal("the listener still accepts after the shutdown began")
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("the request read after the shutdown began got no answer: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || string(body) != "ok" || !res.Close {
		t.Errorf("answer %d %q, Connection: close %v", res.StatusCode, body, res.Close)
	}
	if err := <-ran; err != nil {
		t.Errorf("run = %v", err)
	}
}
