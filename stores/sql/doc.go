// Package sqlstore is a [jwtguard.Store] on database/sql: spent refresh
// tokens and revoked tokens, login sessions (families) and subjects, kept in
// SQLite or PostgreSQL so that they survive restarts and, with PostgreSQL,
// are shared by every instance of a service.
//
// # Which dialect
//
// Use [SQLite] for a service that runs as one instance: the store is a file
// next to the service, with nothing else to run. [OpenSQLite] opens it with
// the settings it needs. Several processes on one machine may share the
// file, but not machines.
//
// Use [PostgreSQL] when several instances serve the same users: they share
// the database, and a token spent or revoked through one instance is refused
// by every other at once. Open the database with any database/sql driver,
// such as github.com/jackc/pgx/v5/stdlib, and pass it to [New].
//
// # Usage
//
// One instance, with SQLite:
//
//	store, err := sqlstore.OpenSQLite(ctx, "/var/lib/myservice/tokens.db")
//	if err != nil {
//		return err
//	}
//	defer store.Close()
//
// Many instances, with PostgreSQL:
//
//	import _ "github.com/jackc/pgx/v5/stdlib"
//
//	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
//	if err != nil {
//		return err
//	}
//	store, err := sqlstore.New(ctx, db, sqlstore.PostgreSQL,
//		sqlstore.WithSchema("auth"), sqlstore.WithLogger(logger))
//	if err != nil {
//		return err
//	}
//
// Then use the store as any [jwtguard.Store]:
//
//	err := store.Spend(ctx, jwtguard.Record{ID: jti, Family: sid, Subject: sub,
//		IssuedAt: iat, ExpiresAt: exp})
//	switch {
//	case err == nil: // first use: issue the next pair
//	case errors.Is(err, jwtguard.ErrTokenSpent): // reuse: revoke the family
//	default: // revoked, or the store cannot answer: refuse
//	}
//
// # Tables
//
// [New] creates three tables, named with a prefix ([WithTablePrefix],
// "jwtguard_" by default): jwtguard_tokens, jwtguard_families and
// jwtguard_subjects, each indexed on its expiry. Every entry carries the time
// after which it may be forgotten; writes delete expired entries at most
// once a minute ([WithPurgeInterval]), and [Store.Purge] does it on demand.
// New migrates them by versioned steps, the version kept in a fourth table,
// jwtguard_store_migrations; it refuses a database a newer release migrated (see
// [SchemaVersion]). Where the application's own migrations own the schema,
// [CreateTablesSQL] gives the statements and [WithoutCreateTables] makes New
// only check them.
//
// # Durability
//
// A revocation is kept only as well as the database keeps a committed row.
// With SQLite, [OpenSQLite] sets WAL and synchronous(FULL): a committed
// spend or revocation survives a crash and a power loss; keep the file on
// a disk that outlives the process (not a tmpfs, not a container layer
// that is thrown away). A read-only or full disk makes writes fail, and
// the store's callers answer 503; nothing is confirmed that was not
// written. With PostgreSQL, keep fsync on and synchronous_commit on (the
// defaults; off or local lets a crash forget the last commits); with
// replicas, fail over only to a synchronous standby
// (synchronous_standby_names), or the commits the old primary had not
// shipped are forgotten. A database restored from a backup has forgotten
// every revocation made since: unlike the Redis store, this store does not
// detect it, so after a restore revoke every subject (or change the
// signing key) to sign everyone out.
package sqlstore
