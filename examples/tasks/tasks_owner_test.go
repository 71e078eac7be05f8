package main

import (
	"net/http/httptest"
	"testing"
)

// The tutorial's IsOwnerOrReadOnly: anyone reads a task, only its person
// changes or deletes it, and nobody creates or hands over a task in
// another person's name (403, DRF's body).
func TestTasksOwnerOnly(t *testing.T) {
	srv := httptest.NewServer(newTestApp(t, "-create-user", "bob:456"))
	t.Cleanup(srv.Close)
	vitor, _ := login(t, srv, "vitor", "123") // user 1
	bob, _ := login(t, srv, "bob", "456")     // user 2
	const forbidden = `{"detail":"You do not have permission to perform this action."}`
	task := `{"id":1,"title":"Vitor's","due_to":"2030-01-01T10:00:00Z","person":1}`
	for _, c := range []struct {
		name, method, path, token, body string
		status                          int
		want                            string
	}{
		{"create for oneself", "POST", "/tasks/", vitor, `{"title":"Vitor's","person":1,"due_to":"2030-01-01T10:00:00Z"}`, 201, task},
		{"create in another's name", "POST", "/tasks/", bob, `{"title":"forged","person":1,"due_to":"2030-01-01T10:00:00Z"}`, 403, forbidden},
		{"an invalid body is still a 400 first", "POST", "/tasks/", bob, `{"title":"","person":1,"due_to":"2030-01-01T10:00:00Z"}`, 400, `{"title":["This field may not be blank."]}`},
		{"another user reads", "GET", "/tasks/1/", bob, "", 200, task},
		{"another user patches", "PATCH", "/tasks/1/", bob, `{"title":"mine now"}`, 403, forbidden},
		{"another user puts", "PUT", "/tasks/1/", bob, `{"title":"mine now","person":2,"due_to":"2030-01-01T10:00:00Z"}`, 403, forbidden},
		{"another user deletes", "DELETE", "/tasks/1/", bob, "", 403, forbidden},
		{"anonymous deletes", "DELETE", "/tasks/1/", "", "", 401, notProvided},
		{"the owner hands it over", "PATCH", "/tasks/1/", vitor, `{"person":2}`, 403, forbidden},
		{"unchanged", "GET", "/tasks/1/", "", "", 200, task},
		{"the owner patches", "PATCH", "/tasks/1/", vitor, `{"title":"Vitor's (v2)"}`, 200, `{"id":1,"title":"Vitor's (v2)","due_to":"2030-01-01T10:00:00Z","person":1}`},
		{"a missing task is a 404 for anyone", "DELETE", "/tasks/99/", bob, "", 404, `{"detail":"Not found."}`},
		{"the owner deletes", "DELETE", "/tasks/1/", vitor, "", 204, ""},
	} {
		r := call(t, srv, c.method, c.path, c.token, c.body)
		if r.status != c.status || r.body != c.want {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.status, r.body, c.status, c.want)
		}
	}
}
