// Command jwtguard makes keys and tokens and checks them, for the moments a
// developer or an operator needs one now:
//
//	jwtguard keygen -alg ES256 -kid k1 -private priv.pem -jwks jwks.json
//	jwtguard mint -key priv.pem -kid k1 -claim sub=alice -claim scope=read -exp 5m
//	jwtguard verify -jwks jwks.json TOKEN
//	jwtguard inspect TOKEN
//
// A TOKEN argument of "-" reads the token from standard input. Every
// subcommand takes -help. Exit status: 0 on success (a valid token, for
// verify), 1 on failure (an invalid token, with the reason on standard
// error), 2 on a usage error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// command is one subcommand: its name, a line on what it does, and what it
// runs.
type command struct {
	name, summary string
	run           func(env *env, args []string) error
}

var commands = []command{
	{"keygen", "make a key pair (or an HMAC secret): private key as PEM, public key as a JWK Set", runKeygen},
	{"mint", "sign a token and print it", runMint},
	{"verify", "verify a token and print its claims", runVerify},
	{"inspect", "print a token's header and claims WITHOUT verifying anything", runInspect},
}

// env is what a subcommand reads and writes besides its files.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func main() {
	os.Exit(run(&env{os.Stdin, os.Stdout, os.Stderr, os.Getenv}, os.Args[1:]))
}

// run runs the command line args and returns the exit status.
func run(e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(e.stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(e, args[1:])
		var (
			ue      *usageError
			invalid *invalidToken
		)
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.As(err, &invalid):
			fmt.Fprintln(e.stderr, invalid) // the library's own words
			return exitFailure
		case errors.As(err, &ue):
			fmt.Fprintf(e.stderr, "jwtguard %s: %v\nRun 'jwtguard %s -help' for usage.\n", c.name, err, c.name)
			return exitUsage
		default:
			fmt.Fprintf(e.stderr, "jwtguard %s: %v\n", c.name, err)
			return exitFailure
		}
	}
	fmt.Fprintf(e.stderr, "jwtguard: unknown command %q\n", args[0])
	usage(e.stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: jwtguard <command> [flags] [arguments]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'jwtguard <command> -help' for a command's flags and an example.")
	fmt.Fprintln(w, "Exit status: 0 success, 1 failure (an invalid token for verify), 2 usage error.")
}
