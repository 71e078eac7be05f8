module github.com/jwtguard/jwtguard

go 1.25.0

require github.com/golang-jwt/jwt/v5 v5.3.1

require golang.org/x/time v0.15.0 // indirect
