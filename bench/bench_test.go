package bench

import "testing"

// BenchmarkMiddleware measures one request through each implementation for
// each algorithm and case. Each sub-benchmark first checks the answer it
// gets, so that a misconfigured implementation cannot look fast. Compare
// the implementations with benchstat -col /impl (scripts/bench.sh does).
func BenchmarkMiddleware(b *testing.B) {
	algs, err := newAlgorithms()
	if err != nil {
		b.Fatal(err)
	}
	for _, a := range algs {
		for _, c := range cases {
			for _, im := range impls {
				b.Run(cellName(a, c, im), func(b *testing.B) {
					cl, err := newCell(a, c, im)
					if err != nil {
						b.Fatal(err)
					}
					if err := cl.check(); err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					for b.Loop() {
						cl.serve()
					}
				})
			}
		}
	}
}

// TestMiddleware runs every implementation, algorithm and case once and
// checks the answer, so that go test exercises the whole harness.
func TestMiddleware(t *testing.T) {
	algs, err := newAlgorithms()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range algs {
		for _, c := range cases {
			for _, im := range impls {
				t.Run(cellName(a, c, im), func(t *testing.T) {
					cl, err := newCell(a, c, im)
					if err != nil {
						t.Fatal(err)
					}
					if err := cl.check(); err != nil {
						t.Fatal(err)
					}
					// A second request on the same cell gets the same
					// answer: the reused request and writer carry nothing
					// over.
					if err := cl.check(); err != nil {
						t.Fatalf("second request: %v", err)
					}
				})
			}
		}
	}
}
