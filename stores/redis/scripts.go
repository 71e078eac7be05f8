package redisstore

import "github.com/redis/go-redis/v9"

// The scripts run atomically on the server, so each operation is one round
// trip and no other client sees it half done. They use only GET, EXISTS,
// SET and PEXPIREAT. The entry formats are described in keys.go.
//
// Every script reads the store's state marker first (KEYS[1]; marker.go
// says what it holds), and returns {state, marker}. Its first three
// arguments are the epoch of the marker this process saw last (empty for
// none), a
// fresh epoch for a marker written now, and the caller's time in Unix
// seconds; the script's own arguments follow from ARGV[4].
//
// An expiry argument of "0" means the record has already expired: there is
// nothing new to keep. The state codes are returned to Go as integers.
const (
	stateOK      = 0
	stateSpent   = 1
	stateRevoked = 2
)

// markerLua defines marker(), run first by every script: it returns the
// store's marker, writing one when there is none, and the loss cut-off
// the marker holds, in Unix seconds (0 for none).
//
// A marker missing when this process had seen one means Redis lost the
// store's state: the new marker cuts off every token issued until now. A
// marker of another epoch without a cut-off, when this process had seen
// one, was written by a process that took a lost store for a new one: the
// cut-off becomes the time it was written.
const markerLua = `
local function marker()
	local known, fresh, now = ARGV[1], ARGV[2], ARGV[3]
	local m = redis.call('GET', KEYS[1])
	if not m then
		local cut = '0'
		if known ~= '' then
			cut = now
		end
		m = fresh .. ':' .. now .. ':' .. cut
		redis.call('SET', KEYS[1], m)
		return m, tonumber(cut)
	end
	local epoch, created, cut = string.match(m, '^(%x+):(%-?%d+):(%-?%d+)$')
	if not epoch then
		error({err = 'ERR jwtguard: malformed state marker ' .. KEYS[1]})
	end
	if known ~= '' and epoch ~= known and cut == '0' then
		cut = created
		m = epoch .. ':' .. created .. ':' .. cut
		redis.call('SET', KEYS[1], m)
	end
	return m, tonumber(cut)
end
`

// stateLua defines state(), shared by Check and Spend: the record's state,
// with revocation of the token, its family or its subject before spending,
// and a token issued at or before the loss cut-off counted as revoked.
//
// KEYS[2] token, KEYS[3] subject, KEYS[4] family (absent when none);
// ARGV[4] the token's "iat" in Unix seconds; cut the loss cut-off.
const stateLua = markerLua + `
local function state(cut)
	local iat = tonumber(ARGV[4])
	if cut ~= 0 and iat <= cut then
		return 2
	end
	local t = redis.call('GET', KEYS[2])
	if t and string.sub(t, 1, 1) == 'r' then
		return 2
	end
	if KEYS[4] and redis.call('EXISTS', KEYS[4]) == 1 then
		return 2
	end
	local s = redis.call('GET', KEYS[3])
	if s then
		local c = string.match(s, '^(%-?%d*):%d+$')
		if not c or c == '-' then
			error({err = 'ERR jwtguard: malformed subject entry ' .. KEYS[3]})
		end
		if c ~= '' and iat <= tonumber(c) then
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
local m, cut = marker()
return {state(cut), m}
`)

// spendScript marks a token spent unless it is revoked or already spent,
// and returns the state it found.
//
// KEYS and ARGV[4] as for state(); ARGV[5] the expiry in Unix milliseconds.
var spendScript = redis.NewScript(stateLua + `
local m, cut = marker()
local st = state(cut)
if st ~= 0 or ARGV[5] == '0' then
	return {st, m}
end
if not redis.call('SET', KEYS[2], 's:' .. ARGV[5], 'NX') then
	return {1, m}
end
redis.call('PEXPIREAT', KEYS[2], ARGV[5])
return {0, m}
`)

// revokeScript marks a token revoked, over a spent marker if there is one,
// keeping the later of the two expiries.
//
// KEYS[2] token; ARGV[4] the expiry in Unix milliseconds.
var revokeScript = redis.NewScript(markerLua + `
local m = marker()
local at = ARGV[4]
local t = redis.call('GET', KEYS[2])
if t then
	local old = string.match(t, '^%a:(%d+)$')
	if old and tonumber(old) > tonumber(at) then
		at = old
	end
end
if at == '0' then
	return {0, m}
end
redis.call('SET', KEYS[2], 'r:' .. at)
redis.call('PEXPIREAT', KEYS[2], at)
return {0, m}
`)

// revokeFamilyScript revokes a family until a time, never shortening an
// earlier revocation.
//
// KEYS[2] family; ARGV[4] the expiry in Unix milliseconds.
var revokeFamilyScript = redis.NewScript(markerLua + `
local m = marker()
local at = ARGV[4]
local old = tonumber(redis.call('GET', KEYS[2]) or '')
if at == '0' or (old and old >= tonumber(at)) then
	return {0, m}
end
redis.call('SET', KEYS[2], at)
redis.call('PEXPIREAT', KEYS[2], at)
return {0, m}
`)

// revokeSubjectScript sets a subject's cutoff, keeping the later of the
// old and new cutoffs and the later of their expiries.
//
// KEYS[2] subject; ARGV[4] the cutoff in Unix seconds, empty for none;
// ARGV[5] the expiry in Unix milliseconds.
var revokeSubjectScript = redis.NewScript(markerLua + `
local m = marker()
local cut, at = ARGV[4], ARGV[5]
local s = redis.call('GET', KEYS[2])
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
	return {0, m}
end
redis.call('SET', KEYS[2], cut .. ':' .. at)
redis.call('PEXPIREAT', KEYS[2], at)
return {0, m}
`)
