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
// response's Cache-Control max-age, when it has one.
func fetchBody(ctx context.Context, client *http.Client, url string, max int64) ([]byte, time.Duration, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, false, err
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)) // let the connection be reused
		return nil, 0, false, fmt.Errorf("status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, 0, false, err
	}
	if int64(len(body)) > max {
		return nil, 0, false, fmt.Errorf("body over %d bytes", max)
	}
	age, ok := maxAge(resp.Header)
	return body, age, ok, nil
}

// maxAge reads Cache-Control's max-age (RFC 9111 §5.2.2.1): no-store,
// no-cache and max-age=0 ask for the shortest caching, a value too large
// for 31 bits counts as 2^31 seconds.
func maxAge(h http.Header) (time.Duration, bool) {
	var age time.Duration
	found := false
	for _, v := range h.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(name) {
			case "no-store", "no-cache":
				return 0, true
			case "max-age":
				n, err := strconv.ParseUint(strings.Trim(val, `"`), 10, 64)
				if errors.Is(err, strconv.ErrRange) || err == nil && n >= 1<<31 {
					n, err = 1<<31, nil
				}
				if err == nil {
					age, found = time.Duration(n)*time.Second, true
				}
			}
		}
	}
	return age, found
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
