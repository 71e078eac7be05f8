package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// dateClaims are the claims inspect shows as dates, when they are numbers.
var dateClaims = []string{"exp", "nbf", "iat", "auth_time", "refresh_exp"}

func runInspect(e *env, args []string) error {
	fs := newFlagSet(e, "inspect", "TOKEN",
		"  jwtguard inspect eyJhbGciOi...\n"+
			"  pbpaste | jwtguard inspect -")
	rest, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	raw, err := tokenArg(e, rest)
	if err != nil {
		return err
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return fmt.Errorf("not a signed JWT: %d segments, want 3", len(parts))
	}
	var out bytes.Buffer
	out.WriteString("NOT VERIFIED: the signature, the key, the issuer, the audience and the dates were not checked.\n")
	var claims map[string]json.RawMessage
	for i, name := range []string{"header", "claims"} {
		seg, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return fmt.Errorf("%s: not base64url without padding", name)
		}
		fmt.Fprintf(&out, "\n%s:\n", name)
		if err := json.Indent(&out, seg, "", "  "); err != nil {
			return fmt.Errorf("%s: not JSON: %v", name, err)
		}
		out.WriteByte('\n')
		if name == "claims" {
			if err := json.Unmarshal(seg, &claims); err != nil {
				return errors.New("claims: not a JSON object")
			}
		}
	}
	now := time.Now()
	first := true
	for _, name := range dateClaims {
		v, ok := claims[name]
		if !ok {
			continue
		}
		var n float64
		if json.Unmarshal(v, &n) != nil || math.IsNaN(n) || math.Abs(n) > 1e11 {
			continue // not a NumericDate: shown above as it is
		}
		if first {
			out.WriteString("\ndates (UTC):\n")
			first = false
		}
		at := time.Unix(int64(n), 0).UTC()
		fmt.Fprintf(&out, "  %-11s %s (%s)\n", name+":", at.Format(time.RFC3339), relative(at, now))
	}
	_, err = e.stdout.Write(out.Bytes())
	return err
}

// relative says when at is from now, to the second.
func relative(at, now time.Time) string {
	d := at.Sub(now).Round(time.Second)
	switch {
	case d > 0:
		return "in " + d.String()
	case d < 0:
		return (-d).String() + " ago"
	}
	return "now"
}
