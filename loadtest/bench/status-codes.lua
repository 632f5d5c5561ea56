-- wrk script: at the end, prints how many answers of each non-2xx status each thread saw
-- ("status 503: 60"), so a benchmark can say what failed, not only how many.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  codes = {}
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    codes[status] = (codes[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("codes")) do
      io.write("status ", status, ": ", n, "\n")
    end
  end
end
