module github.com/jwtguard/jwtguard/chaos

go 1.25.0

require (
	github.com/jwtguard/jwtguard v0.0.0
	github.com/jwtguard/jwtguard/stores/redis v0.0.0
	// v9.23.0 declares go 1.26; as in stores/redis.
	github.com/redis/go-redis/v9 v9.22.0
)

require (
	github.com/MicahParks/jwkset v0.11.3 // indirect
	github.com/MicahParks/keyfunc/v3 v3.9.0 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	go.uber.org/atomic v1.11.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
	golang.org/x/time v0.15.0 // indirect
)

replace (
	github.com/jwtguard/jwtguard => ..
	github.com/jwtguard/jwtguard/stores/redis => ../stores/redis
	github.com/jwtguard/jwtguard/stores/sql => ../stores/sql
)
