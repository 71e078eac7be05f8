module github.com/jwtguard/jwtguard/interop

go 1.25.0

require github.com/jwtguard/jwtguard v0.0.0

replace github.com/jwtguard/jwtguard => ..
