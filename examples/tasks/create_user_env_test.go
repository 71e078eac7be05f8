package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
)

// TASKS_CREATE_USER creates a user as -create-user does, without putting
// the password on a command line that ps shows.
func TestCreateUserFromEnvironment(t *testing.T) {
	env := func(k string) string {
		if k == "TASKS_CREATE_USER" {
			return "alice:a password from the environment"
		}
		return ""
	}
	c, err := parseFlags([]string{"-data", t.TempDir()}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	h, closeApp, err := newApp(context.Background(), c, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer closeApp()
	srv := httptest.NewServer(h)
	defer srv.Close()
	login(t, srv, "alice", "a password from the environment")

	bad := func(k string) string {
		if k == "TASKS_CREATE_USER" {
			return "alice"
		}
		return ""
	}
	if _, err := parseFlags(nil, bad, io.Discard); err == nil {
		t.Error("TASKS_CREATE_USER without a password accepted")
	}
}
