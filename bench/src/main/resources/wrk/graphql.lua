-- wrk script for net.kimik2.bench.HttpBench: POSTs one GraphQL operation to the URL given to wrk, over and over.
--
--   wrk -t2 -c8 -d15s -s graphql.lua http://127.0.0.1:PORT/graphql -- '<query>' '<expected substring>'
--
-- The bearer token comes from the environment (KIMI_BENCH_TOKEN), not argv, so it does not show in `ps`.
-- Every response is checked: a non-2xx status, a body with "errors" or a body without the expected substring
-- counts as bad, so a window that "ran fast" because it answered errors cannot pass as a result.
-- done() prints one machine-readable line, "WRK_RESULT key=value ...", that HttpBench parses.

local threads = {}

-- runs in the main Lua state once per wrk thread; keeps the handles so done() can read each thread's counters
function setup(thread)
   table.insert(threads, thread)
end

local function json_string(s)
   -- enough of JSON's escaping for a query text: quotes, backslashes and control characters
   s = s:gsub('[%c"\\]', function(c)
      if c == '"' then return '\\"' end
      if c == '\\' then return '\\\\' end
      if c == '\n' then return '\\n' end
      return string.format('\\u%04x', c:byte())
   end)
   return '"' .. s .. '"'
end

-- runs in each thread's own Lua state; wrk builds the (static) request from wrk.method/body/headers afterwards
function init(args)
   local query = args[1]
   expected = args[2]
   if query == nil or expected == nil or expected == "" then
      error("usage: wrk ... -s graphql.lua <url> -- <query> <expected substring>")
   end
   wrk.method = "POST"
   wrk.body = '{"query":' .. json_string(query) .. '}'
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Accept"] = "application/json"
   local token = os.getenv("KIMI_BENCH_TOKEN")
   if token ~= nil and token ~= "" then
      wrk.headers["Authorization"] = "Bearer " .. token
   end
   non2xx = 0
   graphql_errors = 0
   unexpected = 0
   first_bad = ""
end

local function bad(kind, status, body)
   if first_bad == "" then
      -- one sample per thread, flattened to a single line for the result parser
      first_bad = kind .. " status " .. status .. ": " .. string.sub((body or ""):gsub("%s+", " "), 1, 300)
   end
end

-- defining response() makes wrk hand over each body; a plain find is cheap next to a GraphQL request
function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      bad("non-2xx", status, body)
   elseif body == nil or string.find(body, '"errors"', 1, true) then
      graphql_errors = graphql_errors + 1
      bad("graphql-errors", status, body)
   elseif not string.find(body, expected, 1, true) then
      unexpected = unexpected + 1
      bad("unexpected-body", status, body)
   end
end

function done(summary, latency, requests)
   local non2xx_total, graphql_total, unexpected_total, first = 0, 0, 0, ""
   for _, thread in ipairs(threads) do
      non2xx_total = non2xx_total + (thread:get("non2xx") or 0)
      graphql_total = graphql_total + (thread:get("graphql_errors") or 0)
      unexpected_total = unexpected_total + (thread:get("unexpected") or 0)
      local f = thread:get("first_bad") or ""
      if first == "" and f ~= "" then first = f end
   end
   local e = summary.errors
   -- latencies are in microseconds (wrk's unit); the rate is over wrk's own measured duration
   io.write(string.format(
      "WRK_RESULT requests=%d duration_us=%d rps=%.2f p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f "
         .. "non2xx=%d graphql_errors=%d unexpected=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
      summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
      non2xx_total, graphql_total, unexpected_total,
      e.connect, e.read, e.write, e.timeout, e.status))
   if first ~= "" then
      io.write("WRK_FIRST_BAD " .. first .. "\n")
   end
end
