// Package jwtguarddjango points a Go service at a Django project's
// database, so that the two serve one API during a migration, endpoint by
// endpoint: the Go side signs in Django's users ([DB.Users]) and shares
// simplejwt's blacklist ([DB.Store]), both ways and live.
//
//	db, err := jwtguarddjango.Open(ctx, "postgres://app@db/app")
//	err = db.Migrate(ctx) // jwtguard's own table, beside Django's
//	issuer, err := jwtguard.NewIssuer(key, db.Store(),
//		jwtguard.WithUserLookup(db.Users(), time.Minute))
//	endpoints, err := jwtguard.NewEndpoints(issuer, db.Users())
//
// The key is Django's SIMPLE_JWT signing key ([jwtguard.NewSigningKey]
// with HS256 and Django's SECRET_KEY or SIGNING_KEY). SQLite
// ("sqlite:///path/db.sqlite3") and PostgreSQL are supported; table and
// column names follow Django's defaults ([DefaultTables]) and can be
// changed ([WithTables]) for a custom user model.
//
// On PostgreSQL, [DB.InstallUserTrigger] and [DB.ListenUserChanges] make
// a user deactivated in Django refused at once rather than within the user
// check's bound.
//
// # Fail-closed paths
//
// A database error or timeout on a check, a spend or a recording fails the
// request with 503 (the issuer's [jwtguard.ErrUnavailable]). A password hash
// this package cannot verify refuses the sign-in ([ErrUnsupportedHasher]).
// A user ID that cannot be a key of the user table is a user not found.
package jwtguarddjango
