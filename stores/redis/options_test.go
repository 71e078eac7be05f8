package redisstore_test

import (
	"strings"
	"testing"

	redisstore "github.com/jwtguard/jwtguard/stores/redis"
	"github.com/redis/go-redis/v9"
)

func TestNewReportsEveryProblem(t *testing.T) {
	var nilClient *redis.Client
	s, err := redisstore.New(nilClient, nil, redisstore.WithKeyPrefix("app{}:"))
	if s != nil || err == nil {
		t.Fatalf("New with a nil client and bad options: %v, %v; want nil and an error", s, err)
	}
	for _, want := range []string{"nil client", "option 0 is nil", `key prefix "app{}:"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("New's error %q does not mention %q", err, want)
		}
	}
	if _, err := redisstore.New(nil); err == nil {
		t.Error("New(nil): no error")
	}
}

func TestNewAcceptsPrefixes(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never dialed
	defer c.Close()
	for _, prefix := range []string{"", "jwtguard:", "app:{auth}:", "a}{b}:", "a{:"} {
		if _, err := redisstore.New(c, redisstore.WithKeyPrefix(prefix)); err != nil {
			t.Errorf("WithKeyPrefix(%q): %v", prefix, err)
		}
	}
}

// TestOneHashSlot checks, by Redis Cluster's hash tag rule, that the keys one
// operation reads share a hash slot for every prefix New accepts.
func TestOneHashSlot(t *testing.T) {
	for _, prefix := range []string{"", "jwtguard:", "app:{auth}:", "a}{b}:", "a{:", "x{y"} {
		id := "a{b}c"
		keys := []string{subjectKey(prefix, "s{}"), tokenKey(prefix, id), familyKey(prefix, "{f}")}
		tag := hashTag(keys[0])
		if tag == keys[0] {
			t.Errorf("prefix %q: key %q has no hash tag", prefix, keys[0])
		}
		for _, k := range keys[1:] {
			if got := hashTag(k); got != tag {
				t.Errorf("prefix %q: %q hashes %q, %q hashes %q", prefix, keys[0], tag, k, got)
			}
		}
	}
}

// hashTag returns the part of key that Redis Cluster hashes: the text
// between the first '{' and the first '}' after it, when that is not
// empty, else the whole key.
func hashTag(key string) string {
	open := strings.IndexByte(key, '{')
	if open < 0 {
		return key
	}
	end := strings.IndexByte(key[open+1:], '}')
	if end <= 0 {
		return key
	}
	return key[open+1 : open+1+end]
}
