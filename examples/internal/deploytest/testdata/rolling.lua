-- The load of TestRollingRestart (rolling_restart_test.go), for wrk:
--
--   wrk -t2 -c16 -d20s --latency -s rolling.lua http://NGINX -- TOKENS_FILE
--
-- TOKENS_FILE holds, one a line: an access token, a task's path
-- (/tasks/ID/), the JSON body that creates a task, then one refresh token
-- per wrk thread. Each connection sends, in turn, an authenticated GET
-- /hello/, a GET of the task, a POST /tasks/ and a PATCH of the task (POST
-- and PATCH are the requests nginx never sends twice); each thread also
-- rotates its own refresh token, at most once every 2 s (the site's
-- limit_req on /api/token/ allows one a second from an address, bursts of
-- 30). done() prints one line, "rolling: ...", that the test reads.

local threads = {}

function setup(thread)
	table.insert(threads, thread)
	thread:set("id", #threads)
end

function init(args)
	local f = assert(io.open(args[1]))
	local access = f:read("*l")
	local task = f:read("*l")
	local create = f:read("*l")
	for _ = 1, id do
		refresh = f:read("*l")
	end
	f:close()
	assert(refresh, "fewer refresh tokens than threads")
	local h = { ["Authorization"] = "Bearer " .. access, ["Content-Type"] = "application/json" }
	plain = { ["Content-Type"] = "application/json" }
	cycle = {
		wrk.format("GET", "/hello/", h),
		wrk.format("GET", task, h),
		wrk.format("POST", "/tasks/", h, create),
		wrk.format("PATCH", task, h, '{"title":"rolled"}'),
	}
	n = 0
	refreshing = false
	nextRefresh = 0
	rotations = 0
	failures = 0
	firstFailure = ""
end

function request()
	if not refreshing and os.time() >= nextRefresh then
		refreshing = true
		nextRefresh = os.time() + 2
		return wrk.format("POST", "/api/token/refresh/", plain, '{"refresh":"' .. refresh .. '"}')
	end
	n = n + 1
	return cycle[n % #cycle + 1]
end

function response(status, headers, body)
	local rotated = body:match('^{"access":"[%w_.-]+","refresh":"([%w_.-]+)"}$')
	if rotated then
		refresh = rotated
		refreshing = false
		rotations = rotations + 1
	end
	if status >= 300 then
		failures = failures + 1
		if firstFailure == "" then
			firstFailure = status .. " " .. body:sub(1, 200):gsub("%s+", " ")
		end
	end
end

function done(summary, latency, requests)
	local rot, fail, first = 0, 0, ""
	for _, t in ipairs(threads) do
		rot = rot + t:get("rotations")
		fail = fail + t:get("failures")
		if first == "" then
			first = t:get("firstFailure")
		end
	end
	local e = summary.errors
	io.write(string.format(
		"rolling: requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d status=%d p50_us=%d p99_us=%d max_us=%d rotations=%d failures=%d first=%q\n",
		summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
		latency:percentile(50), latency:percentile(99), latency.max, rot, fail, first))
end
