package jwtguard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
)

// fetchBody GETs url and returns its body, at most max bytes, and the
// response's Cache-Control max-age (0 when absent).
func fetchBody(ctx context.Context, client *http.Client, url string, max int64) ([]byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)) // let the connection be reused
		return nil, 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, 0, err
	}
	if int64(len(body)) > max {
		return nil, 0, fmt.Errorf("body over %d bytes", max)
	}
	return body, maxAge(resp.Header), nil
}

// maxAge reads Cache-Control's max-age; no-store and no-cache count as 0.
func maxAge(h http.Header) time.Duration {
	var age time.Duration
	for _, v := range h.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(name) {
			case "no-store", "no-cache":
				return 0
			case "max-age":
				if n, err := strconv.ParseInt(strings.Trim(val, `"`), 10, 64); err == nil && n > 0 && n < 1<<31 {
					age = time.Duration(n) * time.Second
				}
			}
		}
	}
	return age
}

var errNoRemoteKeys = errors.New("key set has no usable signature key")

// parseRemoteKeySet returns the signature keys of a fetched JWK Set. Each
// key must pass both keyfunc's JWK validation and jwtguard's own parser;
// one that does not is skipped, as are HMAC ("oct") keys, which never come
// from a remote set, keys whose "use" is not "sig", and key types jwtguard
// does not verify with. A set left with no key is an error, so that the
// last good keys stay in use.
func parseRemoteKeySet(data []byte) (keys []*Key, skipped int, err error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, 0, fmt.Errorf("not a JWK Set: %w", err)
	}
	for _, raw := range set.Keys {
		var j jwk
		if json.Unmarshal(raw, &j) != nil || j.Kty == "oct" || !j.forSignatures() || !j.supported() {
			skipped++
			continue
		}
		if _, err := keyfunc.NewJWKJSON(raw); err != nil {
			skipped++
			continue
		}
		k, err := j.key()
		if err != nil {
			skipped++
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, skipped, errNoRemoteKeys
	}
	return keys, skipped, nil
}
