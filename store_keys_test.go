package jwtguard

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// Store entries and the revocation cache keep keys of their own: a jti
// or sid sliced from a verified token must not keep the token's memory
// alive for the entry's lifetime.
func TestStoreKeysDoNotPinTokens(t *testing.T) {
	const n = 4000
	ctx := context.Background()
	key, err := NewSigningKey("", []byte("store-keys-test-secret-0123456789abcdef"), HS256)
	if err != nil {
		t.Fatal(err)
	}
	store := NewMemoryStore()
	iss, err := NewIssuer(key, store, WithAccessRevocation(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	v, err := iss.Verifier(WithoutCache())
	if err != nil {
		t.Fatal(err)
	}
	raws := make([]string, n)
	for i := range raws {
		p, err := iss.Issue(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		raws[i] = p.Access
	}
	before := heapInUse()
	for _, raw := range raws { // raws stay alive: only what the entries hold is counted
		tok, err := v.Verify(ctx, raw) // the revocation check caches its answer by jti
		if err != nil {
			t.Fatal(err)
		}
		if err := store.Revoke(ctx, recordOf(tok, "1")); err != nil {
			t.Fatal(err)
		}
	}
	perEntry := (heapInUse() - before) / n
	t.Logf("%d bytes held per revoked token (store entry and cache entry)", perEntry)
	if perEntry > 600 { // 918 when the keys held their tokens, 342 with keys of their own
		t.Errorf("%d bytes held per revoked token: the keys keep their tokens alive", perEntry)
	}
	runtime.KeepAlive(raws)
	runtime.KeepAlive(store)
	runtime.KeepAlive(v)
}

func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
