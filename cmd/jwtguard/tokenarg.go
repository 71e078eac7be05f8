package main

import (
	"fmt"
	"io"
	"strings"
)

// maxTokenInput bounds what is read from standard input for a token.
const maxTokenInput = 1 << 20

// tokenArg returns the one token argument of a subcommand: the argument
// itself, or standard input when it is "-". A missing or extra argument
// is a usage error.
func tokenArg(e *env, args []string) (string, error) {
	if len(args) != 1 {
		return "", usagef("want exactly one TOKEN argument (or - for standard input), got %d", len(args))
	}
	raw := args[0]
	if raw == "-" {
		b, err := io.ReadAll(io.LimitReader(e.stdin, maxTokenInput+1))
		if err != nil {
			return "", fmt.Errorf("reading the token from standard input: %w", err)
		}
		if len(b) > maxTokenInput {
			return "", fmt.Errorf("standard input holds more than %d bytes: not a token", maxTokenInput)
		}
		raw = string(b)
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", usagef("the token is empty")
	}
	return raw, nil
}
