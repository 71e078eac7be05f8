// Package redisstore is a [jwtguard.Store] on Redis, for services that run
// as several instances or must remember spent and revoked tokens across
// restarts.
//
// # Usage
//
//	client := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	store, err := redisstore.New(client, redisstore.WithKeyPrefix("myapp:jwt:"))
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
// The scripts use only GET, EXISTS, SET and PEXPIREAT.
//
// # Failing closed
//
// When the context is done or Redis cannot answer, every method returns an
// error, never nil, so callers that refuse on error fail closed.
package redisstore
