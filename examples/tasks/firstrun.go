package main

import (
	"fmt"
	"io"
	"path/filepath"
)

// demoCreated tells, on the first start, the demo user's password (shown
// this once: the database keeps only its hash) and how to try the API:
// commands that run as they are in a POSIX shell, in an order that works
// (sign in, call, refresh, which spends the refresh token and returns a new
// pair, then log out with the new one).
func demoCreated(w io.Writer, c *config, pass string) {
	base := "http://" + c.addr
	if c.cookies {
		fmt.Fprintf(w, "\nA demo user was created: demo / %s (shown this once). Open %s/ in a browser to sign in.\n\n", pass, base)
		return
	}
	fmt.Fprintf(w, `
A demo user was created: demo / %[2]s (shown this once). Try, in a shell:

  API=%[1]s
  token() { printf '%%s' "$TOKENS" | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
  TOKENS=$(curl -s -X POST -H 'Content-Type: application/json' -d '{"username":"demo","password":"%[2]s"}' $API/api/token/)
  ACCESS=$(token access); REFRESH=$(token refresh)
  curl -s -H "Authorization: Bearer $ACCESS" $API/hello/; echo
  curl -s -X POST -H "Authorization: Bearer $ACCESS" -H 'Content-Type: application/json' \
       -d '{"title":"Try jwtguard","person":1,"due_to":"2030-01-01T10:00:00Z"}' $API/tasks/; echo
  TOKENS=$(curl -s -X POST -H 'Content-Type: application/json' -d "{\"refresh\":\"$REFRESH\"}" $API/api/token/refresh/)
  ACCESS=$(token access); REFRESH=$(token refresh)
  curl -s -X POST -H 'Content-Type: application/json' -d "{\"refresh\":\"$REFRESH\"}" $API/api/token/blacklist/; echo

%[3]s
`, base, pass, startOver(c))
}

// usersExist reminds, on a later start, where the demo credentials went.
func usersExist(w io.Writer, c *config) {
	fmt.Fprintf(w, "\nUsers exist already: the demo user's password was shown at the first start only. %s\n\n", startOver(c))
}

// startOver says how to get a user whose password is known.
func startOver(c *config) string {
	const add = "Add a user with -create-user name:password"
	if c.databaseURL != "" {
		return add + "."
	}
	abs, err := filepath.Abs(c.data)
	if err != nil {
		abs = c.data
	}
	return fmt.Sprintf("%s, or stop the server and remove %s to start over with a new demo user.", add, abs)
}
