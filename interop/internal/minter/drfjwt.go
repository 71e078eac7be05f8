package minter

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/jwtguard/jwtguard/interop/internal/testenv"
)

// DRFRequest asks PyJWT (interop/testdata/pyjwt/drfjwt.py) to mint and
// decode djangorestframework-jwt's tokens with Secret.
type DRFRequest struct {
	Secret string    `json:"secret"`
	Mint   []DRFMint `json:"mint,omitempty"`
	Decode []string  `json:"decode,omitempty"`
}

// DRFMint is one token to mint: Payload, a JSON object whose member order
// PyJWT keeps, under the header {"typ":"JWT","alg":Alg} (HS256 when
// empty).
type DRFMint struct {
	Alg     string          `json:"alg,omitempty"`
	Payload json.RawMessage `json:"payload"`
}

// DRFResult is PyJWT's answer: the minted tokens in order, and for each
// token to decode its claims or PyJWT's exception class.
type DRFResult struct {
	Tokens  []string `json:"tokens"`
	Decoded []struct {
		Payload map[string]any `json:"payload"`
		Error   string         `json:"error"`
	} `json:"decoded"`
}

// DRFJWT runs drfjwt.py with req, and fails t if it cannot.
func DRFJWT(t testing.TB, req DRFRequest) *DRFResult {
	t.Helper()
	if err := pyjwtAvailable(); err != nil {
		testenv.Unavailable(t, "pyjwt", err,
			"install python3-jwt and python3-cryptography (`source scripts/ci/pyjwt.sh` does)")
	}
	dir, err := testenv.Testdata("pyjwt", "drfjwt.py")
	if err != nil {
		t.Fatalf("pyjwt: %v", err)
	}
	input, err := json.Marshal(req)
	if err != nil {
		t.Fatalf("drfjwt.py: encoding the request: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, Python, "drfjwt.py")
	cmd.Dir, cmd.Env = dir, pythonEnviron()
	cmd.Stdin = bytes.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("drfjwt.py: %v\n%s", err, stderr.String())
	}
	var r DRFResult
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("drfjwt.py: output is not the expected JSON: %v\n%s", err, stdout.String())
	}
	if len(r.Tokens) != len(req.Mint) || len(r.Decoded) != len(req.Decode) {
		t.Fatalf("drfjwt.py: %d tokens and %d decoded for %d and %d asked", len(r.Tokens), len(r.Decoded), len(req.Mint), len(req.Decode))
	}
	return &r
}
