package main

import (
	"bytes"
	"strings"
	"testing"
)

// inspect reads any input without a panic, and prints nothing but the
// warning first when it prints at all.
func FuzzInspect(f *testing.F) {
	for _, s := range []string{
		"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3OTY0MDUxMzEsInN1YiI6ImEifQ.sig",
		"e30.e30.", "a.b.c", "e30.W10.x", "e30.eyJleHAiOiJ4In0.x", "e30.eyJleHAiOjFlMzAwfQ.x", "...", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var out, errOut bytes.Buffer
		e := &env{stdin: strings.NewReader(raw), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
		err := runInspect(e, []string{"-"})
		if err == nil && !strings.HasPrefix(out.String(), "NOT VERIFIED") {
			t.Errorf("inspect printed %q", out.String())
		}
		if err != nil && out.Len() != 0 {
			t.Errorf("inspect failed (%v) and printed %q", err, out.String())
		}
	})
}
