module github.com/jwtguard/jwtguard/examples

go 1.25.0

replace github.com/jwtguard/jwtguard => ../

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/jwtguard/jwtguard v0.0.0-00010101000000-000000000000
)

require (
	github.com/MicahParks/jwkset v0.11.3 // indirect
	github.com/MicahParks/keyfunc/v3 v3.9.0 // indirect
	golang.org/x/time v0.15.0 // indirect
)
