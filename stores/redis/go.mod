module github.com/jwtguard/jwtguard/stores/redis

go 1.25.0

require github.com/jwtguard/jwtguard v0.1.0

// go-redis v9.23.0 declares go 1.26.0 (as does golang.org/x/sys v0.48.0,
// which it requires), and a module's go line cannot be lower than its
// dependencies': this module and the workspace stay at go 1.25.0, so the
// store pins v9.22.0, the newest release that allows it. The code and its
// tests are unchanged on v9.23.0; move to it with the go 1.26 floor.
require github.com/redis/go-redis/v9 v9.22.0

require (
	github.com/MicahParks/jwkset v0.11.3 // indirect
	github.com/MicahParks/keyfunc/v3 v3.9.0 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	go.uber.org/atomic v1.11.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
	golang.org/x/time v0.15.0 // indirect
)
