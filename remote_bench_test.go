package jwtguard

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkRemoteKeyLookup is the per-token key lookup in a remote set of
// 1, 10 and 100 keys: the cost a remote set adds to each verification.
func BenchmarkRemoteKeyLookup(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run("keys="+strconv.Itoa(n), func(b *testing.B) {
			signers := make([]*signer, n)
			for i := range signers {
				signers[i] = newSigner(b, "k"+strconv.Itoa(i), EdDSA)
			}
			srv := newJWKSServer(b, signers...)
			r, _ := newRemote(b, srv.URL)
			q := KeyQuery{Alg: EdDSA, KeyID: "k" + strconv.Itoa(n-1)}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if keys, err := r.Keys(ctx, q); err != nil || len(keys) != 1 {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRemoteUnderFlood measures valid verifications (ES256, a remote
// set) while two goroutines send tokens with ever new forged kids, about
// 20 000 a second, and reports the valid requests' p50 and p99 latency and
// the fetches the flood caused.
func BenchmarkRemoteUnderFlood(b *testing.B) {
	for _, flood := range []bool{false, true} {
		b.Run("flood="+strconv.FormatBool(flood), func(b *testing.B) {
			a := newSigner(b, "a", ES256)
			srv := newJWKSServer(b, a)
			_, v := newRemote(b, srv.URL, WithMinRefetchGap(100*time.Millisecond))
			ctx := context.Background()
			good := a.token(b, "")
			forged := make([]string, 2000)
			for i := range forged {
				forged[i] = a.token(b, "forged-"+strconv.Itoa(i))
			}
			stop := make(chan struct{})
			var wg sync.WaitGroup
			if flood {
				for w := range 2 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := w; ; i += 2 {
							select {
							case <-stop:
								return
							case <-time.After(100 * time.Microsecond):
								if _, err := v.Verify(ctx, forged[i%len(forged)]); err == nil {
									panic("a forged kid passed")
								}
							}
						}
					}()
				}
			}
			start := srv.fetches.Load()
			began := time.Now()
			lat := make([]time.Duration, 0, 1<<16)
			b.ResetTimer()
			for b.Loop() {
				t0 := time.Now()
				if _, err := v.Verify(ctx, good); err != nil {
					b.Fatal(err)
				}
				if len(lat) < cap(lat) {
					lat = append(lat, time.Since(t0))
				}
			}
			b.StopTimer()
			close(stop)
			wg.Wait()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
			b.ReportMetric(float64(srv.fetches.Load()-start)/time.Since(began).Seconds(), "fetches/s")
		})
	}
}
