// Package redisstore is a [jwtguard.Store] on Redis, for services that run
// as several instances or must remember spent and revoked tokens across
// restarts (a Redis with persistence; see Durability below).
//
// # Usage
//
//	client := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	store, err := redisstore.Open(ctx, client, redisstore.WithKeyPrefix("myapp:jwt:"),
//		redisstore.WithLogger(logger))
//	if err != nil {
//		return err
//	}
//	issuer, err := jwtguard.NewIssuer(signingKey, store)
//
// Any process built this way, pointed at the same Redis with the same
// prefix, sees the tokens the others spent and revoked.
//
// # Keys
//
// The store writes one key per spent or revoked token, per revoked login
// session (family) and per revoked subject:
//
//	<prefix>{store}:token:<jti>
//	<prefix>{store}:family:<sid>
//	<prefix>{store}:subject:<subject>
//
// Each key expires (PEXPIREAT) when its entry does, so Redis forgets
// entries by itself and memory stays bounded by the tokens still alive. A
// Redis whose maxmemory-policy evicts keys (volatile-* or allkeys-*) may
// drop revocations early: run the store on a Redis whose policy is
// noeviction.
//
// # Durability and lost state
//
// Redis keeps the store's entries across its own restarts only when it
// persists them: run it with appendonly yes (appendfsync everysec or
// always), or at least a save schedule, which loses what was written since
// the last snapshot, and with maxmemory-policy noeviction.
// [Open] checks them at startup ([Store.CheckDurability]) and refuses a
// Redis that could lose entries unless [WithoutDurability] allows it.
//
// A Redis that comes back empty all the same (restarted without
// persistence, flushed, failed over to an empty replica) would accept
// every token revoked before, and let a spent refresh token be replayed.
// The store detects it through a marker key that every operation reads:
// a process that had seen the marker and finds it gone writes a new one
// with a loss cut-off, and from then on every token issued at or before
// the cut-off is refused, on every process, logged at level Error and
// reported to [WithStateLossHook]. Every user must sign in again; nobody
// gets back in with a revoked token. The cut-off is kept in Redis, in the
// marker, which never expires. A process that finds no marker on its
// first call cannot tell a lost store from a new one: it starts a new
// store, with a warning, and a process that had seen the old marker sets
// the cut-off when it next calls. So a loss while no process of the
// service runs goes unseen: that is what CheckDurability is for.
//
// # Atomicity and Redis Cluster
//
// Every operation is one Lua script, run atomically by the server: of any
// number of concurrent Spends of one token, across every process, exactly
// one succeeds. Spend and Check read a token's, its family's and its
// subject's keys together, so all of a store's keys carry the hash tag
// {store} and share one hash slot: the store works on a Redis Cluster,
// where one shard holds all its keys. A prefix with its own hash tag
// ("myapp:{auth}:") picks another slot.
//
// The scripts use only GET, EXISTS, SET and PEXPIREAT. The marker shares
// the hash tag.
//
// # Failing closed
//
// When the context is done or Redis cannot answer, every method returns an
// error, never nil, so callers that refuse on error fail closed.
package redisstore
