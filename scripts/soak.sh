#!/usr/bin/env bash
# A soak of the demo as it runs in production: wrk at 64 connections with a mix of
# hashed-asset 200s, 304 revalidations, pages and htmx partials, a cache bust every 2 s,
# and 200 slow clients (half-sent request heads, reopened as the server closes them)
# alongside. Reports requests, errors, p99 latency and RSS over time; fails on any error
# or when RSS grows past a bound. Writes bench/results/soak.md, which BENCHMARKS.md
# includes.
#
#   bash scripts/soak.sh                  # 60 s
#   SOAK_SECONDS=300 bash scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TOTAL=${SOAK_SECONDS:-60}
CONNECTIONS=${SOAK_CONNECTIONS:-64}
SLOW=${SOAK_SLOW_CLIENTS:-200}
# RSS may grow by this much past its level after the first 10 s (caches fill, then stop).
RSS_GROWTH_KB=${SOAK_RSS_GROWTH_KB:-8192}

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "soak: $tool is missing (Debian: apt-get install $tool)" >&2; exit 1; }
done
cargo build --release --locked -q -p demo
WORK=$(mktemp -d)
PORT=$((20000 + RANDOM % 20000))
ADDR="127.0.0.1:$PORT"
cleanup() { kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

cp examples/demo/config/site.json "$WORK/site.json"
SECRET_KEY=soak ADDR="$ADDR" DEMO_CONFIG="$WORK/site.json" STATIC_DEV_MODE=false \
  HTTP_HEADER_TIMEOUT=5 target/release/demo > "$WORK/demo.log" 2>&1 &
DEMO=$!
for _ in $(seq 100); do curl -fs "http://$ADDR/version" >/dev/null 2>&1 && break; sleep 0.1; done
PAGE=$(curl -fs "http://$ADDR/")
CSS=$(printf '%s' "$PAGE" | grep -o '/static/css/styles\.[0-9a-f]\{12\}\.css' | head -1)
ETAG=$(curl -fsI "http://$ADDR$CSS" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
TOKEN=$(SECRET_KEY=soak target/release/demo bust-token)
[ -n "$CSS" ] && [ -n "$ETAG" ] || { echo "soak: the demo's page names no stylesheet" >&2; exit 1; }

cat > "$WORK/mix.lua" <<LUA
-- 4 in 10 hashed-asset 200s, 3 revalidations (304), 2 pages, 1 htmx partial.
local requests = {}
for i = 1, 4 do requests[#requests + 1] = wrk.format("GET", "$CSS") end
for i = 1, 3 do requests[#requests + 1] = wrk.format("GET", "$CSS", { ["If-None-Match"] = '$ETAG' }) end
for i = 1, 2 do requests[#requests + 1] = wrk.format("GET", "/") end
requests[#requests + 1] = wrk.format("GET", "/fragment", { ["HX-Request"] = "true" })
local n = 0
request = function()
  n = n + 1
  return requests[(n % #requests) + 1]
end
local bad = 0
response = function(status)
  if status >= 400 then bad = bad + 1 end
end
done = function(summary, latency)
  io.write(string.format("SOAK requests=%d errors_socket=%d errors_status=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(99), latency.max))
end
LUA

cat > "$WORK/slow.py" <<'PY'
import socket, sys, time
host, port, count, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
deadline = time.monotonic() + seconds
socks, reopened = [], 0
def open_one():
    s = socket.create_connection((host, port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    s.setblocking(False)
    return s
while time.monotonic() < deadline:
    while len(socks) < count:
        try:
            socks.append(open_one())
        except OSError:
            time.sleep(0.05)
            break
    alive = []
    for s in socks:
        try:
            if s.recv(1, socket.MSG_PEEK) == b"":
                s.close(); reopened += 1; continue
        except BlockingIOError:
            pass
        except OSError:
            s.close(); reopened += 1; continue
        alive.append(s)
    socks = alive
    time.sleep(0.2)
print(f"SLOW reopened={reopened}")
PY

python3 "$WORK/slow.py" 127.0.0.1 "$PORT" "$SLOW" "$SECONDS_TOTAL" > "$WORK/slow.txt" &
( end=$(( $(date +%s) + SECONDS_TOTAL )); i=0
  while [ "$(date +%s)" -lt "$end" ]; do
    i=$((i + 1)); printf '{"soak": %d}\n' "$i" > "$WORK/site.json"
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" "http://$ADDR/cache/bust")
    [ "$code" = 200 ] || echo "bust $i: $code" >> "$WORK/bust-errors.txt"
    sleep 2
  done; echo "$i" > "$WORK/busts.txt" ) &
( for s in $(seq "$SECONDS_TOTAL"); do
    awk -v t="$s" '/^VmRSS/ {print t, $2}' "/proc/$DEMO/status" >> "$WORK/rss.txt" 2>/dev/null || true
    sleep 1
  done ) &
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_TOTAL}s" --latency -s "$WORK/mix.lua" "http://$ADDR" > "$WORK/wrk.txt" 2>&1
wait %2 %3 %4 2>/dev/null || true
sleep 1

line=$(grep '^SOAK' "$WORK/wrk.txt" || true)
[ -n "$line" ] || { cat "$WORK/wrk.txt" >&2; echo "soak: wrk reported nothing" >&2; exit 1; }
eval "$(printf '%s' "${line#SOAK }" | tr ' ' '\n' | sed 's/^/SOAK_/')"
busts=$(cat "$WORK/busts.txt" 2>/dev/null || echo 0)
bust_errors=0
[ -f "$WORK/bust-errors.txt" ] && bust_errors=$(wc -l < "$WORK/bust-errors.txt")
reopened=$(sed -n 's/^SLOW reopened=//p' "$WORK/slow.txt")
rss_start=$(awk '$1 == 10 {print $2}' "$WORK/rss.txt")
rss_end=$(tail -1 "$WORK/rss.txt" | awk '{print $2}')
rss_max=$(awk 'max < $2 {max = $2} END {print max}' "$WORK/rss.txt")
kill -0 "$DEMO" 2>/dev/null || { echo "soak: the demo died" >&2; tail "$WORK/demo.log" >&2; exit 1; }

mkdir -p bench/results
{
  echo "Soak (\`bash scripts/soak.sh\`, $(date -u +%Y-%m-%d)): the release demo for ${SECONDS_TOTAL} s under wrk at ${CONNECTIONS} connections (4 in 10 hashed-asset 200s, 3 revalidations, 2 pages, 1 htmx partial), a bust every 2 s, and ${SLOW} slow clients holding half-sent heads (\`HTTP_HEADER_TIMEOUT=5\`)."
  echo
  echo "| requests | errors (socket / 4xx-5xx) | busts (failed) | slow clients closed and reopened | p50 | p99 | max | RSS at 10 s / end / peak |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '| %s | %s / %s | %s (%s) | %s | %.2f ms | %.2f ms | %.1f ms | %s / %s / %s KiB |\n' \
    "$SOAK_requests" "$SOAK_errors_socket" "$SOAK_errors_status" "$busts" "$bust_errors" "$reopened" \
    "$(echo "$SOAK_p50_us / 1000" | bc -l)" "$(echo "$SOAK_p99_us / 1000" | bc -l)" "$(echo "$SOAK_max_us / 1000" | bc -l)" \
    "$rss_start" "$rss_end" "$rss_max"
  echo
  echo "RSS each second (KiB): $(awk '{printf "%s ", $2}' "$WORK/rss.txt")"
} > bench/results/soak.md
cat bench/results/soak.md >&2

status=0
if [ "$SOAK_errors_socket" -ne 0 ] || [ "$SOAK_errors_status" -ne 0 ] || [ "$bust_errors" -ne 0 ]; then
  echo "soak: errors (see above)" >&2; status=1
fi
if [ -n "$rss_start" ] && [ "$rss_end" -gt $((rss_start + RSS_GROWTH_KB)) ]; then
  echo "soak: RSS grew from $rss_start to $rss_end KiB (bound: +$RSS_GROWTH_KB)" >&2; status=1
fi
exit $status
