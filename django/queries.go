package jwtguarddjango

import "strings"

// queries are the statements of a DB, with its table names and dialect.
type queries struct {
	createState, createStateIndex string

	userByName, userByID string

	check                                string
	outstanding                          string // jti, token, created_at, expires_at, user id
	blacklistJTI                         string // blacklisted_at, jti
	blacklistFamily                      string // blacklisted_at, family
	blacklistUser                        string // blacklisted_at, user id, now, issued before
	stateInsert, stateExtend, stateRaise string
	purge                                string
}

// buildQueries writes the statements; every name in them was checked by
// Tables.check.
func (d *DB) buildQueries() queries {
	t := d.t
	users, out, bl, st := quote(t.Users), quote(t.Outstanding), quote(t.Blacklisted), quote(t.State)
	uid := quote(t.UserID)
	idMatch := uid + " = ?"
	if t.TextUserID {
		idMatch = "CAST(" + uid + " AS TEXT) = ?"
	}
	userIDOf := "(SELECT " + uid + " FROM " + users + " WHERE " + idMatch + ")"
	r := strings.NewReplacer("{users}", users, "{out}", out, "{bl}", bl, "{st}", st, "{state}", t.State,
		"{uid}", uid, "{idMatch}", idMatch, "{userIDOf}", userIDOf,
		"{username}", quote(t.Username), "{password}", quote(t.Password), "{active}", quote(t.IsActive))
	q := func(s string) string { return d.bind(r.Replace(s)) }
	return queries{
		createState: q(`CREATE TABLE IF NOT EXISTS {st} (
	kind VARCHAR(1) NOT NULL,
	name VARCHAR(255) NOT NULL,
	family VARCHAR(255) NOT NULL DEFAULT '',
	before_s BIGINT NOT NULL DEFAULT 0,
	expires_ms BIGINT NOT NULL,
	PRIMARY KEY (kind, name))`),
		createStateIndex: q(`CREATE INDEX IF NOT EXISTS "{state}_family" ON {st} (family) WHERE kind = 'i'`),

		userByName: q(`SELECT {uid}, {password}, {active} FROM {users} WHERE {username} = ?`),
		userByID:   q(`SELECT {active} FROM {users} WHERE {idMatch}`),

		// Django's blacklist rows of tokens not yet expired, then jwtguard's
		// own entries for the token, its family and its subject.
		check: q(`SELECT 'b', 0 FROM {bl} b JOIN {out} o ON o.id = b.token_id WHERE o.jti = ? AND o.expires_at > ?
UNION ALL SELECT kind, before_s FROM {st} WHERE expires_ms > ? AND (
	(kind IN ('s', 't') AND name = ?) OR (kind = 'f' AND name = ?) OR (kind = 'u' AND name = ?))`),
		outstanding: q(`INSERT INTO {out} (jti, token, created_at, expires_at, user_id)
SELECT ?, ?, ?, ?, {userIDOf} WHERE 1 = 1 ON CONFLICT (jti) DO NOTHING`),
		blacklistJTI: q(`INSERT INTO {bl} (token_id, blacklisted_at)
SELECT o.id, ? FROM {out} o WHERE o.jti = ? ON CONFLICT (token_id) DO NOTHING`),
		blacklistFamily: q(`INSERT INTO {bl} (token_id, blacklisted_at)
SELECT o.id, ? FROM {out} o JOIN {st} s ON s.kind = 'i' AND s.name = o.jti
WHERE s.family = ? ON CONFLICT (token_id) DO NOTHING`),
		blacklistUser: q(`INSERT INTO {bl} (token_id, blacklisted_at)
SELECT o.id, ? FROM {out} o WHERE o.user_id = {userIDOf} AND o.expires_at > ? AND (o.created_at IS NULL OR o.created_at < ?)
ON CONFLICT (token_id) DO NOTHING`),
		stateInsert: q(`INSERT INTO {st} (kind, name, family, before_s, expires_ms) VALUES (?, ?, ?, 0, ?)
ON CONFLICT (kind, name) DO NOTHING`),
		stateExtend: q(`INSERT INTO {st} (kind, name, family, before_s, expires_ms) VALUES (?, ?, '', 0, ?)
ON CONFLICT (kind, name) DO UPDATE SET expires_ms = excluded.expires_ms WHERE {st}.expires_ms < excluded.expires_ms`),
		stateRaise: q(`INSERT INTO {st} (kind, name, family, before_s, expires_ms) VALUES ('u', ?, '', ?, ?)
ON CONFLICT (kind, name) DO UPDATE SET
	before_s = CASE WHEN excluded.before_s > {st}.before_s THEN excluded.before_s ELSE {st}.before_s END,
	expires_ms = CASE WHEN excluded.expires_ms > {st}.expires_ms THEN excluded.expires_ms ELSE {st}.expires_ms END`),
		purge: q(`DELETE FROM {st} WHERE expires_ms <= ?`),
	}
}
