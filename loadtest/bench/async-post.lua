-- wrk script for async-accept.sh: POSTs a small JSON job to /async-function/<prefix>-<i mod N>,
-- spreading the load over N functions (BENCH_FUNCTIONS, default 1; prefix BENCH_PREFIX).
local n = tonumber(os.getenv("BENCH_FUNCTIONS") or "1")
local prefix = os.getenv("BENCH_PREFIX") or "bench-async"
local i = 0
wrk.method = "POST"
wrk.body = '{"order":1234,"items":["a","b"]}'
wrk.headers["Content-Type"] = "application/json"

request = function()
  i = i + 1
  return wrk.format(nil, "/async-function/" .. prefix .. "-" .. (i % n))
end
