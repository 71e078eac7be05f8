package redisstore

import "github.com/redis/go-redis/v9"

// The scripts run atomically on the server, so each operation is one round
// trip and no other client sees it half done. They use only GET, EXISTS,
// SET and PEXPIREAT. The entry formats are described in keys.go.
//
// An expiry argument of "0" means the record has already expired: there is
// nothing new to keep. The state codes are returned to Go as integers.
const (
	stateOK      = 0
	stateSpent   = 1
	stateRevoked = 2
)

// stateLua defines state(), shared by Check and Spend: the record's state,
// with revocation of the token, its family or its subject before spending.
//
// KEYS[1] token, KEYS[2] subject, KEYS[3] family (absent when none);
// ARGV[1] the token's "iat" in Unix seconds.
const stateLua = `
local function state()
	local t = redis.call('GET', KEYS[1])
	if t and string.sub(t, 1, 1) == 'r' then
		return 2
	end
	if KEYS[3] and redis.call('EXISTS', KEYS[3]) == 1 then
		return 2
	end
	local s = redis.call('GET', KEYS[2])
	if s then
		local cut = string.match(s, '^(%-?%d*):%d+$')
		if not cut or cut == '-' then
			error({err = 'ERR jwtguard: malformed subject entry ' .. KEYS[2]})
		end
		if cut ~= '' and tonumber(ARGV[1]) <= tonumber(cut) then
			return 2
		end
	end
	if t then
		return 1
	end
	return 0
end
`

// checkScript returns the state of a record.
var checkScript = redis.NewScript(stateLua + `
return state()
`)

// spendScript marks a token spent unless it is revoked or already spent,
// and returns the state it found.
//
// KEYS and ARGV[1] as for state(); ARGV[2] the expiry in Unix milliseconds.
var spendScript = redis.NewScript(stateLua + `
local st = state()
if st ~= 0 or ARGV[2] == '0' then
	return st
end
if not redis.call('SET', KEYS[1], 's:' .. ARGV[2], 'NX') then
	return 1
end
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 0
`)

// revokeScript marks a token revoked, over a spent marker if there is one,
// keeping the later of the two expiries.
//
// KEYS[1] token; ARGV[1] the expiry in Unix milliseconds.
var revokeScript = redis.NewScript(`
local at = ARGV[1]
local t = redis.call('GET', KEYS[1])
if t then
	local old = string.match(t, '^%a:(%d+)$')
	if old and tonumber(old) > tonumber(at) then
		at = old
	end
end
if at == '0' then
	return 0
end
redis.call('SET', KEYS[1], 'r:' .. at)
redis.call('PEXPIREAT', KEYS[1], at)
return 0
`)

// revokeFamilyScript revokes a family until a time, never shortening an
// earlier revocation.
//
// KEYS[1] family; ARGV[1] the expiry in Unix milliseconds.
var revokeFamilyScript = redis.NewScript(`
local at = ARGV[1]
local old = tonumber(redis.call('GET', KEYS[1]) or '')
if at == '0' or (old and old >= tonumber(at)) then
	return 0
end
redis.call('SET', KEYS[1], at)
redis.call('PEXPIREAT', KEYS[1], at)
return 0
`)

// revokeSubjectScript sets a subject's cutoff, keeping the later of the
// old and new cutoffs and the later of their expiries.
//
// KEYS[1] subject; ARGV[1] the cutoff in Unix seconds, empty for none;
// ARGV[2] the expiry in Unix milliseconds.
var revokeSubjectScript = redis.NewScript(`
local cut, at = ARGV[1], ARGV[2]
local s = redis.call('GET', KEYS[1])
if s then
	local oldCut, oldAt = string.match(s, '^(%-?%d*):(%d+)$')
	if oldAt and oldCut ~= '-' then
		if oldCut ~= '' and (cut == '' or tonumber(oldCut) > tonumber(cut)) then
			cut = oldCut
		end
		if tonumber(oldAt) > tonumber(at) then
			at = oldAt
		end
	end
end
if at == '0' then
	return 0
end
redis.call('SET', KEYS[1], cut .. ':' .. at)
redis.call('PEXPIREAT', KEYS[1], at)
return 0
`)
