package main

import (
	"fmt"
	"os"
	"strings"
)

// hmacSecret reads an HMAC secret from file, or else from the environment
// variable envName: the text, trailing newline removed. A secret is never
// a command-line argument, which other users of the machine can read.
func hmacSecret(e *env, file, envName string) ([]byte, error) {
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		return []byte(strings.TrimRight(string(data), "\r\n")), nil
	}
	v := e.getenv(envName)
	if v == "" {
		return nil, fmt.Errorf("the environment variable %s is empty", envName)
	}
	return []byte(v), nil
}
