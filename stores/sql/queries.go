package sqlstore

// queries holds the statements of a store, written once for both dialects
// with $n placeholders and bound to the dialect's by newQueries.
type queries struct {
	check, spend, revoke, revokeFamily, revokeSubject *stmt
	purge                                             []*stmt
}

// What the check query answers.
const (
	stateNone    = 0
	stateSpent   = 1
	stateRevoked = 2
)

func newQueries(t tables) queries {
	bind := func(query string) *stmt { return &stmt{text: t.dialect.bind(query)} }
	return queries{
		// $1 id, $2 family, $3 subject, $4 issued at (whole seconds),
		// $5 now. Revoked beats spent.
		check: bind(`SELECT CASE
	WHEN EXISTS (SELECT 1 FROM ` + t.tokens + ` WHERE id = $1 AND revoked = 1 AND expires_ms > $5) THEN 2
	WHEN $2 <> '' AND EXISTS (SELECT 1 FROM ` + t.families + ` WHERE family = $2 AND expires_ms > $5) THEN 2
	WHEN EXISTS (SELECT 1 FROM ` + t.subjects + ` WHERE subject = $3 AND before_ms >= $4 AND expires_ms > $5) THEN 2
	WHEN EXISTS (SELECT 1 FROM ` + t.tokens + ` WHERE id = $1 AND expires_ms > $5) THEN 1
	ELSE 0 END`),

		// $1 id, $2 expires, $3 family, $4 subject, $5 issued at (whole
		// seconds), $6 now. One statement: it inserts the spent token
		// unless its family or subject is revoked, and takes over an
		// expired entry of the same ID; a live entry stops it. It affects
		// one row when the token was spent by this call and none
		// otherwise, whatever runs concurrently: the primary key lets one
		// insert through, and the others wait for it and then see its row.
		spend: bind(`INSERT INTO ` + t.tokens + ` AS t (id, revoked, expires_ms)
	SELECT CAST($1 AS TEXT), 0, CAST($2 AS BIGINT)
	WHERE NOT ($3 <> '' AND EXISTS (SELECT 1 FROM ` + t.families + ` WHERE family = $3 AND expires_ms > $6))
	AND NOT EXISTS (SELECT 1 FROM ` + t.subjects + ` WHERE subject = $4 AND before_ms >= $5 AND expires_ms > $6)
	ON CONFLICT (id) DO UPDATE SET revoked = 0, expires_ms = excluded.expires_ms
	WHERE t.expires_ms <= $6`),

		// $1 id, $2 expires. A spent token becomes revoked; the longer
		// expiry is kept.
		revoke: bind(`INSERT INTO ` + t.tokens + ` AS t (id, revoked, expires_ms) VALUES ($1, 1, $2)
	ON CONFLICT (id) DO UPDATE SET revoked = 1,
	expires_ms = CASE WHEN t.expires_ms > excluded.expires_ms THEN t.expires_ms ELSE excluded.expires_ms END`),

		// $1 family, $2 until. Never shortens.
		revokeFamily: bind(`INSERT INTO ` + t.families + ` AS f (family, expires_ms) VALUES ($1, $2)
	ON CONFLICT (family) DO UPDATE SET expires_ms = excluded.expires_ms
	WHERE f.expires_ms < excluded.expires_ms`),

		// $1 subject, $2 cutoff (whole seconds), $3 until, $4 now. A live
		// entry keeps the later cutoff and the later expiry; an expired
		// one is replaced.
		revokeSubject: bind(`INSERT INTO ` + t.subjects + ` AS s (subject, before_ms, expires_ms) VALUES ($1, $2, $3)
	ON CONFLICT (subject) DO UPDATE SET
	before_ms = CASE WHEN s.expires_ms <= $4 OR s.before_ms < excluded.before_ms THEN excluded.before_ms ELSE s.before_ms END,
	expires_ms = CASE WHEN s.expires_ms <= $4 OR s.expires_ms < excluded.expires_ms THEN excluded.expires_ms ELSE s.expires_ms END`),

		// $1 now.
		purge: []*stmt{
			bind(`DELETE FROM ` + t.tokens + ` WHERE expires_ms <= $1`),
			bind(`DELETE FROM ` + t.families + ` WHERE expires_ms <= $1`),
			bind(`DELETE FROM ` + t.subjects + ` WHERE expires_ms <= $1`),
		},
	}
}

// all returns every statement of q.
func (q queries) all() []*stmt {
	return append([]*stmt{q.check, q.spend, q.revoke, q.revokeFamily, q.revokeSubject}, q.purge[:]...)
}
