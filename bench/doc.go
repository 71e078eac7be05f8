// Package bench measures jwtguard against its peers on one harness: the
// same handler, the same tokens and the same cases for every
// implementation, run as BenchmarkMiddleware in bench_test.go with names
// of the form alg=HS256/case=ok/impl=jwtguard, so that benchstat can set
// the implementations side by side with -col /impl.
//
// Nothing here is exported: the package exists for its tests and its
// benchmark. README.md says how each peer is configured and holds the
// latest table; scripts/bench.sh at the repository root refreshes it.
package bench
