-- wrk script for tools/serve/load.sh: POST examples/scene.png to /v1/detect, count responses
-- by status, print p50/p95/p99 latency and the status counts; with LIMIT set, each thread stops
-- after LIMIT responses and, when DONE_DIR is set, creates the file DONE_DIR/THREAD_NUMBER then;
-- wrk itself only knows durations and sleeps for all of -d even when every thread has stopped,
-- so load.sh waits for one file per thread and ends wrk with SIGINT (which still prints the
-- summary below). With DELAY_MS, each connection waits that long between requests.
local image = os.getenv("IMAGE") or "examples/scene.png"
local f = assert(io.open(image, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "image/png"
local limit = tonumber(os.getenv("LIMIT") or "0")
local pause = tonumber(os.getenv("DELAY_MS") or "0")

if pause > 0 then
  function delay() return pause end
end

local done_dir = os.getenv("DONE_DIR")

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("number", #threads)
end

function init(args)
  statuses = {}
  count = 0
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  count = count + 1
  if limit > 0 and count == limit then
    if done_dir then
      local marker = io.open(done_dir .. "/" .. tostring(number), "w")
      if marker then marker:close() end
    end
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, status .. "=" .. n) end
  table.sort(parts)
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f errors=%d statuses=%s\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ",")))
end
