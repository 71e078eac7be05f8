package redisstore

import (
	"context"
	"strconv"
	"time"

	"github.com/jwtguard/jwtguard"
	"github.com/redis/go-redis/v9"
)

// The store is a [jwtguard.ThrottleStore]: a throttle given it with
// [jwtguard.WithSharedThrottle] counts in token buckets every process shares,
// each one key <prefix>{store}:throttle:<table>:<hash> that one script
// reads and writes in one round trip, on Redis's clock.

var _ jwtguard.ThrottleStore = (*Store)(nil)

// bucketScript is a token bucket: "<tokens>:<ms>", the tokens it held at
// the Redis time ms. A missing key is a full bucket; the key expires once
// the bucket would be full again, so Redis forgets it by itself.
//
// KEYS[1] the bucket; ARGV[1] its size; ARGV[2] the period in which it
// refills, in milliseconds; ARGV[3] "1" to take a token, "-1" to give
// one back. Returns 0 when done, or the milliseconds until a token is
// available (nothing taken).
var bucketScript = redis.NewScript(`
local size = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tokens = size
local v = redis.call('GET', KEYS[1])
if v then
	local had, at = string.match(v, '^([%d.e+-]+):(%d+)$')
	if had then
		tokens = math.min(size, tonumber(had) + math.max(0, now - tonumber(at)) * size / per)
	end
end
if ARGV[3] == '1' then
	if tokens < 1 then
		return math.ceil((1 - tokens) * per / size)
	end
	tokens = tokens - 1
else
	tokens = math.min(size, tokens + 1)
end
local ttl = math.ceil((size - tokens) * per / size)
if ttl < 1 then
	redis.call('DEL', KEYS[1])
else
	redis.call('SET', KEYS[1], string.format('%.17g', tokens) .. ':' .. now, 'PX', ttl)
end
return 0
`)

// Take implements [jwtguard.ThrottleStore]: it takes one token from the
// shared bucket key, in one round trip.
func (s *Store) Take(ctx context.Context, key string, burst int, per time.Duration) (time.Duration, error) {
	ms, err := s.bucket(ctx, "take", key, burst, per, "1")
	return time.Duration(ms) * time.Millisecond, err
}

// Refund implements [jwtguard.ThrottleStore]: it gives one token back to
// the shared bucket key.
func (s *Store) Refund(ctx context.Context, key string, burst int, per time.Duration) error {
	_, err := s.bucket(ctx, "refund", key, burst, per, "-1")
	return err
}

func (s *Store) bucket(ctx context.Context, op, key string, burst int, per time.Duration, cost string) (int64, error) {
	perMS := max(per.Milliseconds(), 1)
	n, err := bucketScript.Run(ctx, s.client, []string{s.keys.base + key},
		strconv.Itoa(burst), strconv.FormatInt(perMS, 10), cost).Int64()
	return n, fail(op, err)
}
