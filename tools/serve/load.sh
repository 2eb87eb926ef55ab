#!/usr/bin/env bash
# Load on `clipdetect serve` with wrk (Debian): requests/s and p50/p95/p99 latency of
# POST /v1/detect (examples/scene.png, shapes-tiny) at concurrency 1, 4 and 16; then 10,000
# requests at concurrency 32 against a short queue (so 429s happen), which must all answer 200
# or 429; resident memory (VmRSS) after warm-up and after everything, which must agree within 10%.
#
#   tools/serve/load.sh [SECONDS_PER_LEVEL (default 20)]
#
# Uses the release binary (.build/release/clipdetect; builds it when missing). Prints one
# RESULT line per run and a summary table in the README's format.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-20}
command -v wrk >/dev/null || tools/install-deps.sh wrk
bin=.build/release/clipdetect
[ -x "$bin" ] || swift build -c release --product clipdetect
classes="red%20star,blue%20circle,green%20triangle"

start() {  # start WORKERS QUEUE → sets pid, url
    local out; out=$(mktemp)
    CLIPDETECT_MODELS=models "$bin" serve --model shapes-tiny --port 0 --workers "$1" --max-queue "$2" >"$out" 2>/dev/null &
    pid=$!
    for _ in $(seq 200); do grep -q listening "$out" && break; sleep 0.05; done
    url=$(grep -o 'http://[^ ]*' "$out")
    for _ in $(seq 200); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.05; done
    rm -f "$out"
}
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
stop() { kill -TERM "$pid"; wait "$pid" || { echo "serve exited with $?"; exit 1; }; }

warmup() { for _ in $(seq 20); do curl -sf -H 'Content-Type: image/png' --data-binary @examples/scene.png "$url/v1/detect?classes=$classes" >/dev/null; done; }
within10() { awk -v a="$1" -v b="$2" 'BEGIN { d = (b - a) / a; printf "%+.1f%%", 100 * d; exit (d > 0.10 || d < -0.10) }'; }

workers=$(nproc)
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), workers $workers"
# Server A: a queue long enough that every request of the three levels is served (latency
# includes queueing behind the workers).
start "$workers" 64
warmup
rss_a0=$(rss)
declare -A line
for c in 1 4 16; do
    t=$(( c < 2 ? 1 : 2 ))
    line[$c]=$(wrk -t"$t" -c"$c" -d"${secs}s" --timeout 30s -s tools/serve/detect.lua "$url/v1/detect?classes=$classes" | grep '^RESULT')
    echo "c=$c ${line[$c]}"
done
rss_a1=$(rss)
stop

# Server B: 10,000 requests (5,000 per wrk thread), 32 clients each pausing 100 ms between
# requests, a queue of 4: most are refused at once with 429, the admitted ones answer 200.
start "$workers" 4
warmup
rss_b0=$(rss)
t0=$(date +%s.%N)
# wrk sleeps for all of -d even after every thread has stopped at LIMIT, so each thread leaves a
# file in $marks when it stops and wrk is ended with SIGINT (it still prints its summary) once
# both are there; -d is only the upper bound.
marks=$(mktemp -d); wrk_out=$(mktemp)
DONE_DIR=$marks DELAY_MS=100 LIMIT=5000 wrk -t2 -c32 -d1800s --timeout 30s -s tools/serve/detect.lua "$url/v1/detect?classes=$classes" >"$wrk_out" &
wrk_pid=$!
while kill -0 "$wrk_pid" 2>/dev/null && [ "$(ls "$marks" | wc -l)" -lt 2 ]; do sleep 0.5; done
kill -INT "$wrk_pid" 2>/dev/null || true
wait "$wrk_pid" || true
big=$(grep '^RESULT' "$wrk_out") || { echo "FAIL: wrk printed no result:"; cat "$wrk_out"; exit 1; }
rm -rf "$marks" "$wrk_out"
elapsed=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
echo "10k $big wall_seconds=$elapsed"
rss_b1=$(rss)
stop

echo
echo "| concurrency | requests/s | p50 ms | p95 ms | p99 ms | statuses |"
echo "|---|---|---|---|---|---|"
for c in 1 4 16; do
    l=${line[$c]}
    f() { sed -E "s/.* $1=([^ ]*).*/\1/" <<<"$l"; }
    echo "| $c | $(f rps) | $(f p50_ms) | $(f p95_ms) | $(f p99_ms) | $(f statuses) |"
done
echo
ok=0
echo "10,000 requests, concurrency 32 (100 ms pause per connection), queue 4, ${elapsed} s: $(sed -E 's/.*requests=([0-9]+).*statuses=([^ ]*).*/\1 answered: \2/' <<<"$big"), $(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$big") socket errors"
grep -qE 'statuses=(200=[0-9]+)?,?(429=[0-9]+)?$' <<<"$big" || { echo "FAIL: a status other than 200/429"; ok=1; }
[ "$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$big")" -ge 10000 ] || { echo "FAIL: fewer than 10,000 answers"; ok=1; }
da=$(within10 "$rss_a0" "$rss_a1") || { da="$da, FAIL"; ok=1; }
db=$(within10 "$rss_b0" "$rss_b1") || { db="$db, FAIL"; ok=1; }
echo "RSS A (the three levels): $rss_a0 kB → $rss_a1 kB ($da)"
echo "RSS B (10,000 requests): $rss_b0 kB → $rss_b1 kB ($db)"
exit $ok
