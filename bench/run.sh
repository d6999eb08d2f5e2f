#!/usr/bin/env bash
# Regenerates BENCHMARKS.md and bench/charts/: serving benchmarks of hyper-assets against
# nginx, the Rust peers (memory-serve, rust-embed + axum, tower-http ServeDir) and a bare
# hyper handler, over HTTPS against nginx, page loads in Chromium, plus the build-side
# measurements, side by side in one run.
#
#   bash bench/run.sh                   # 5 rounds of 6 s per cell, then HTTPS and Chromium
#                                       # (about 35 minutes once built: 22 of serving cells)
#   REPS=3 DURATION=5 bash bench/run.sh
#   SKIP_BUILD_SIDE=1 bash bench/run.sh # serving only (and HTTPS, Chromium)
#   SKIP_HTTPS=1 bash bench/run.sh      # without the HTTPS and Chromium sections
#   RANK_ONLY=1 RANK_RUN=a bash bench/run.sh  # only S1/S2 for ranking (7 rounds of 3 s by
#                                       # default, about 10 minutes) into
#                                       # bench/results/rank-a.tsv, then BENCHMARKS.md
#                                       # re-rendered: two runs (a, b) are shown side by
#                                       # side with their spreads and ties
#   HTTPS_ONLY=1 bash bench/run.sh      # only S1/S2 over HTTPS (h2load, h2 and h1) against
#                                       # nginx, TLS connections per second, and the demo's
#                                       # import-map page in Chromium (about 8 minutes)
#   INSTRUCTIONS_ONLY=1 bash bench/run.sh  # only the callgrind instruction counts (below),
#                                       # into bench/results/instructions.tsv
#   DELTAS_ONLY=1 bash bench/run.sh     # only the deltas between releases (RFC 9842, below):
#                                       # bytes, build cost, instructions; into
#                                       # bench/results/deltas*.{json,tsv}, then BENCHMARKS.md
#                                       # re-rendered from the stored results (no serving)
#
# Every server runs on core 0 (taskset), wrk on core 1, keep-alive, 32 connections,
# TCP_NODELAY on every server. Every cell starts its own server, warms it up for 1 s and
# measures it; the cells of one scenario run back to back in a shuffled order (a "block",
# under a minute), one block per scenario and round. The machine's speed drifts over
# minutes (a shared VM), so servers are compared within blocks, never across them; see
# "Ranking" in report.py. After the serving rounds, user-space instructions per request
# under callgrind: a figure that does not move with the neighbours on this shared VM the
# way requests/second do.
set -euo pipefail
cd "$(dirname "$0")"
if [ -n "${RANK_ONLY:-}" ]; then
  REPS=${REPS:-7}
  DURATION=${DURATION:-3}
  RANK_RUN=${RANK_RUN:-a}
  SCENARIOS=${SCENARIOS:-"S1 S2"}
fi
REPS=${REPS:-5}
DURATION=${DURATION:-6}
CONNECTIONS=${CONNECTIONS:-32}
SCENARIOS=${SCENARIOS:-"S1 S2 S3 S4br S4gzip S5 S6"}
# The shuffles' seed: printed and stored, so an order can be replayed.
SEED=${SEED:-$(date +%s)}
started=$(date +%s)
# What this run measures.
SERVING=1; HTTPS=1; OTHERS=1
if [ -n "${INSTRUCTIONS_ONLY:-}${DELTAS_ONLY:-}" ]; then SERVING=""; HTTPS=""; fi
if [ -n "${RANK_ONLY:-}" ]; then HTTPS=""; OTHERS=""; fi
if [ -n "${HTTPS_ONLY:-}" ]; then SERVING=""; OTHERS=""; fi
if [ -n "${SKIP_HTTPS:-}" ]; then HTTPS=""; fi

# Tools: installed from Debian when missing (as root), else a loud failure.
need() { command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ]; }
missing=()
need taskset || missing+=(util-linux)
need curl || missing+=(curl)
need python3 || missing+=(python3)
need valgrind || missing+=(valgrind)
# The deltas: the reference `zstd --patch-from` and decoder, and npm for the library pair.
need zstd || missing+=(zstd)
need npm || missing+=(npm)
BROTLI_MODULE=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
if [ -n "$SERVING$HTTPS" ]; then
  need wrk || missing+=(wrk)
  need nginx || missing+=(nginx-light)
  [ -f "$BROTLI_MODULE" ] || missing+=(libnginx-mod-http-brotli-static)
fi
if [ -n "$HTTPS" ]; then
  # HTTPS: h2load (HTTP/2 and HTTP/1.1 over TLS), openssl for the throwaway certificate,
  # Chromium for the page loads (driven by e2e/'s playwright-core).
  need h2load || missing+=(nghttp2-client)
  need openssl || missing+=(openssl)
  need chromium || missing+=(chromium)
  need node || missing+=(nodejs)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "bench: installing ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bench: missing ${missing[*]} (install them, or run as root on Debian)" >&2; exit 1
  fi
fi
if [ -n "$HTTPS" ] && [ ! -d ../e2e/node_modules/playwright-core ]; then
  echo "bench: the page loads need playwright-core (run: npm ci in e2e/)" >&2; exit 1
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

WORK=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  local pidfile
  for pidfile in "$WORK/nginx.pid" "$WORK/nginx-tls.pid"; do
    if [ -f "$pidfile" ]; then kill -TERM "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# An earlier release for the deltas (issue 23): the deploy CLI (`hyper-assets collect`, in
# its own target folder) collects the bench's folder with one rule of the 200 KB stylesheet
# different into target/releases-for-deltas, which the `deltas` feature's build of the
# server embeds with `previous`. The earlier stylesheet is the visitor's dictionary.
CLI="$PWD/target/cli/release/hyper-assets"
CARGO_TARGET_DIR="$PWD/target/cli" cargo build --release --locked -q -p hyper-assets-cli \
  --manifest-path ../Cargo.toml
one_rule_changed() { # SOURCE DEST: the CSS file with one declaration of its middle rule changed
  python3 - "$1" "$2" <<'EDIT'
import re
import sys

lines = open(sys.argv[1]).read().split("\n")
middle = len(lines) // 2
changed = re.sub(r"(\d+)px", lambda m: f"{int(m.group(1)) + 6}px", lines[middle], count=1)
if changed == lines[middle]:
    sys.exit(f"bench: no px value to change in line {middle + 1} of {sys.argv[1]}")
lines[middle] = changed
open(sys.argv[2], "w").write("\n".join(lines))
EDIT
}
cp -r assets "$WORK/earlier"
one_rule_changed assets/css/big.css "$WORK/earlier/css/big.css"
"$CLI" collect "$WORK/releases" --static "$WORK/earlier" >/dev/null
# Kept when it holds the same files, so the server's build is not redone for a new index.
listing() { (cd "$1" 2>/dev/null && find . -type f ! -name '*.json' | sort); }
if [ "$(listing "$WORK/releases")" != "$(listing target/releases-for-deltas)" ]; then
  rm -rf target/releases-for-deltas
  cp -r "$WORK/releases" target/releases-for-deltas
fi
DICTIONARY=":$(python3 -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha256(open(sys.argv[1], "rb").read()).digest()).decode())' "$WORK/earlier/css/big.css"):"

cargo build --release --locked -q --features deltas
SERVER="$PWD/target/release/bench-server"
if [ -n "$HTTPS" ]; then
  # The one stack over HTTPS, in a build of its own (bench/Cargo.toml: feature `tls`), and
  # the demo with TLS for the page loads, in this folder's target so the workspace's own
  # builds are not disturbed.
  CARGO_TARGET_DIR="$PWD/target/tls" cargo build --release --locked -q --features tls
  TLS_SERVER="$PWD/target/tls/release/bench-server"
  if [ -z "${SKIP_PAGELOAD:-}" ]; then
    CARGO_TARGET_DIR="$PWD/target/demo" cargo build --release --locked -q -p demo \
      --features hyper-assets/tls --manifest-path ../Cargo.toml
    DEMO="$PWD/target/demo/release/demo"
  fi
fi

# Deltas between releases (issue 23): the bytes a returning visitor downloads after a
# deploy, for identity, gzip, br and our dcb/dcz deltas, beside `zstd -19 --long
# --patch-from` on the same pair. The library pair comes from npm at bench time (never
# committed); every delta is decoded by a reference decoder (bench/src/deltas.rs).
deltas_bytes() {
  local dir="$WORK/deltas" version
  mkdir -p "$dir/npm"
  for version in 3.4.38 3.5.12 3.5.13; do
    (cd "$dir/npm" && npm pack --silent "vue@$version" >/dev/null)
    mkdir -p "$dir/vue-$version"
    tar -xzf "$dir/npm/vue-$version.tgz" -C "$dir/vue-$version"
  done
  one_rule_changed assets/css/styles.css "$dir/styles-earlier.css"
  local vue=package/dist/vue.global.prod.js
  target/release/bench-deltas "$dir/out" \
    vue 25 "vue 3.5.12 → 3.5.13, \`dist/vue.global.prod.js\` (npm)" "$dir/vue-3.5.12/$vue" "$dir/vue-3.5.13/$vue" \
    big-css 2 "the 200 KB stylesheet (\`css/big.css\`), one rule changed" "$WORK/earlier/css/big.css" assets/css/big.css \
    vue-minor - "vue 3.4.38 → 3.5.13, the same file across a minor release (npm)" "$dir/vue-3.4.38/$vue" "$dir/vue-3.5.13/$vue" \
    styles-css - "the 6 KB stylesheet (\`css/styles.css\`), one rule changed" "$dir/styles-earlier.css" assets/css/styles.css \
    > "$WORK/deltas.json"
}

if [ -n "$OTHERS" ] && [ -z "${INSTRUCTIONS_ONLY:-}" ]; then
  deltas_bytes
fi

# The build side, and the build cost of the deltas (build_side.py --deltas).
echo '{}' > "$WORK/build-side.json"
if [ -n "$OTHERS" ] && [ -z "${SKIP_BUILD_SIDE:-}" ] && [ -z "${INSTRUCTIONS_ONLY:-}" ]; then
  if [ -z "${DELTAS_ONLY:-}" ]; then python3 build_side.py "$WORK/build-side.json"; fi
  python3 build_side.py --deltas "$WORK/deltas-build.json"
fi

# The adapters' start-up cost (issue 9): 1,000 files of 4 KiB through adopt::rust_embed and
# adopt::include_dir, in release.
if [ -n "$OTHERS" ] && [ -z "${INSTRUCTIONS_ONLY:-}" ] && [ -z "${DELTAS_ONLY:-}" ]; then
  CARGO_TARGET_DIR="$PWD/target" cargo run --release --locked -q \
    --manifest-path adopt-cost/Cargo.toml > "$WORK/adopt-cost.txt"
fi

eval "$("$SERVER" urls - | awk '{print toupper($1) "=\"" $2 "\""}')"
LOCATION=$("$SERVER" collect "$WORK/static" brotli)
# NGINX_PLAIN=1: the `location` without its deltas block (the regex `if`s that negotiate
# dcb/dcz and set Use-As-Dictionary on every hashed CSS/JS request), as before issue 23:
# hashed files get the plain immutable `location`. For comparing the TLS stacks alone.
if [ -n "${NGINX_PLAIN:-}" ]; then
  cat > "$WORK/plain.py" <<'STRIP'
import sys

text = sys.stdin.read()
# Every nested location of the deltas: the hashed CSS/JS one, and the dcz/dcb ones it rewrites to.
for marker in ["(?<hyper_assets_hashed>", "/static/.hyper-assets-dcz/", "/static/.hyper-assets-dcb/"]:
    start = text.index(marker)
    start = text.rindex("\n", 0, start) + 1
    end = text.index("\n", start) - 1  # the block's opening brace ends its line
    depth, quote = 0, None
    while True:
        c = text[end]
        if quote:
            if c == quote and text[end - 1] != "\\":
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                break
        end += 1
    text = text[:start] + text[end + 1:]
print(text)
STRIP
  LOCATION=$(python3 "$WORK/plain.py" <<<"$LOCATION")
fi
user=""; [ "$(id -u)" -eq 0 ] && user="user root;"
cat > "$WORK/nginx.conf" <<CONF
$user
load_module $BROTLI_MODULE;
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  open_file_cache max=1000 inactive=60s;
  open_file_cache_valid 60s;
  client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy;
  fastcgi_temp_path $WORK/fastcgi; uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
  server {
    listen 127.0.0.1:18080;
$LOCATION
  }
}
CONF

# S5: the twenty modules in rotation, one per request.
{
  echo "local paths = {"
  tr ',' '\n' <<<"$MODULES" | sed 's/.*/  "&",/'
  echo "}"
  echo "local i = 0"
  echo 'request = function() i = i % #paths + 1; return wrk.format("GET", paths[i]) end'
} > "$WORK/rotation.lua"

# Which scenarios each server runs. No target compares the Rust peers beyond S1/S2, and
# the bare handler is the ceiling of S1/S2 only; hyper-assets without layers on S1/S2
# separates the static service from the layers. Each cell costs REPS x (1 + DURATION) s.
SERVERS=${SERVERS:-"nginx hyper ours-site ours-site-axum ours-site-actix ours ours-external ours-header ours-bare memory-serve rust-embed servedir"}
declare -A MATRIX=(
  [nginx]="S1 S2 S4br S4gzip S5 S6"
  [hyper]="S1 S2"
  [ours-site]="S1 S2 S3 S4br S4gzip S5 S6"
  [ours-site-axum]="S1 S2"
  [ours-site-actix]="S1 S2"
  [ours]="S1 S2 S3 S4br S4gzip S5 S6"
  [ours-external]="S3"
  [ours-header]="S3"
  [ours-bare]="S1 S2 S3"
  [memory-serve]="S1 S2"
  [rust-embed]="S1 S2"
  [servedir]="S1 S2"
)

port=18081
start() { # start SERVER; sets PID, ADDR and SCHEME
  SCHEME=http
  case "$1" in
    nginx) taskset -c 0 "$NGINX" -p "$WORK" -c "$WORK/nginx.conf" 2>/dev/null & ADDR=127.0.0.1:18080 ;;
    nginx-tls) SCHEME=https; ADDR=127.0.0.1:18443
      taskset -c 0 "$NGINX" -p "$WORK" -c "$WORK/nginx-tls.conf" 2>/dev/null & ;;
    ours-site-tls) SCHEME=https; port=$((port + 1)); ADDR=127.0.0.1:$port
      taskset -c 0 "$TLS_SERVER" ours-site-tls "$ADDR" "$WORK/cert.pem" "$WORK/key.pem" & ;;
    *) port=$((port + 1)); ADDR=127.0.0.1:$port; taskset -c 0 "$SERVER" "$1" "$ADDR" "$WORK/static" & ;;
  esac
  PID=$!
  for _ in $(seq 100); do curl -sk -o /dev/null "$SCHEME://$ADDR/" && return; sleep 0.05; done
  echo "bench: $1 did not start" >&2; exit 1
}
stop() {
  case "$1" in
    nginx|nginx-tls) kill -TERM "$(cat "$WORK/$1.pid")" ;;
    *) kill "$PID" ;;
  esac
  wait "$PID" 2>/dev/null || true
}
# Server CPU in nanoseconds: the scheduler's own count (/proc/PID/task/*/schedstat, the
# same sum_exec_runtime that `perf stat -e task-clock` reads), of the server's threads and
# its children's (the nginx worker).
cpu_ns() {
  local total=0 p
  for p in $1 $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{s += $1} END {printf "%.0f\n", s}' /proc/"$p"/task/*/schedstat 2>/dev/null || true)))
  done
  echo "$total"
}
sleeps() { # the times a process and its children went to sleep (voluntary context switches)
  local total=0 p
  for p in $1 $(pgrep -P "$1" || true); do
    total=$((total + $(awk '/^voluntary_ctxt_switches/ {s += $2} END {printf "%.0f\n", s}' /proc/"$p"/task/*/status 2>/dev/null || true)))
  done
  echo "$total"
}
cores() { # busy and steal ticks of core 0, then of core 1 (/proc/stat, USER_HZ)
  awk '$1 == "cpu0" || $1 == "cpu1" {printf "%d %d ", $2 + $3 + $4 + $7 + $8, $9} END {print ""}' /proc/stat
}

# The request of a cell: sets URL, HEADERS (array), LUA and the status/encoding to expect.
cell_request() { # scenario server
  local scenario=$1 server=$2 css=$CSS big=$BIG
  case "$server" in
    memory-serve) css=/css/styles.css; big=/css/big.css ;;
    rust-embed) css=/static/css/styles.css; big=/static/css/big.css ;;
  esac
  HEADERS=(); LUA=(); EXPECT=200; ENCODING=""
  case "$scenario" in
    S1) URL=$css ;;
    S2) URL=$css; EXPECT=304
        # The validator the server itself hands out: ETag, else Last-Modified (ServeDir).
        local head validator
        head=$(curl -sI "http://$ADDR$URL" | tr -d '\r')
        validator=$(awk -F': ' 'tolower($1)=="etag" {print $2}' <<<"$head")
        if [ -n "$validator" ]; then HEADERS=(-H "If-None-Match: $validator")
        else HEADERS=(-H "If-Modified-Since: $(awk -F': ' 'tolower($1)=="last-modified" {print $2}' <<<"$head")")
        fi ;;
    S3) URL=/page ;;
    S4br) URL=$big; HEADERS=(-H "Accept-Encoding: br"); ENCODING=br ;;
    S4gzip) URL=$big; HEADERS=(-H "Accept-Encoding: gzip"); ENCODING=gzip ;;
    S5) URL=${MODULES%%,*}; LUA=(-s "$WORK/rotation.lua") ;;
    S6) URL=/static/missing.css; EXPECT=404 ;;
  esac
}

RESULTS="$WORK/results.tsv"
: > "$RESULTS"
# One cell: a fresh server (so no cell inherits another's heap, connections or timers, and
# every cell is a new memory layout), its answer checked, a 1 s warm-up, DURATION s
# measured. A row of results.tsv: scenario, server, req/s, requests, server CPU (ns),
# round, position in the round, wall time (ns), then core 0's busy and steal ticks, core
# 1's busy and steal ticks over the measured run, and the server's sleeps.
run_cell() { # round position scenario server
  local round=$1 position=$2 scenario=$3 server=$4
  start "$server"
  cell_request "$scenario" "$server"
  # Check the answer before measuring it: a benchmark of the wrong response is worthless.
  local got
  got=$(curl -s -o /dev/null -w '%{http_code} %header{content-encoding}' "${HEADERS[@]}" "http://$ADDR$URL")
  if [ "$got" != "$EXPECT $ENCODING" ] && [ "$got" != "$EXPECT" ]; then
    echo "bench: $scenario on $server answered '$got', expected '$EXPECT $ENCODING'" >&2; exit 1
  fi
  local args=(-t1 -c"$CONNECTIONS" "${HEADERS[@]}" "${LUA[@]}")
  taskset -c 1 wrk "${args[@]}" -d1s "http://$ADDR$URL" >/dev/null
  local cpu0 cpu1 sleeps0 sleeps1 cores0 cores1 t0 t1 out
  sleeps0=$(sleeps "$PID"); cores0=$(cores); t0=$(date +%s%N); cpu0=$(cpu_ns "$PID")
  out=$(taskset -c 1 wrk "${args[@]}" -d"${DURATION}s" "http://$ADDR$URL")
  cpu1=$(cpu_ns "$PID"); t1=$(date +%s%N); cores1=$(cores); sleeps1=$(sleeps "$PID")
  stop "$server"
  local rps requests errors
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx/ {print $NF}' <<<"$out")
  if [ "$scenario" != S6 ] && [ -n "$errors" ]; then
    echo "bench: $scenario on $server: $errors error responses" >&2; exit 1
  fi
  local c0 c1
  read -r -a c0 <<<"$cores0"; read -r -a c1 <<<"$cores1"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$server" "$rps" "$requests" \
    "$((cpu1 - cpu0))" "$round" "$position" "$((t1 - t0))" "$((c1[0] - c0[0]))" "$((c1[1] - c0[1]))" \
    "$((c1[2] - c0[2]))" "$((c1[3] - c0[3]))" "$((sleeps1 - sleeps0))" >> "$RESULTS"
  echo "bench: $scenario $server $rps req/s, $(( (cpu1 - cpu0) / requests )) ns CPU/request" >&2
}

# The order of the cells: round by round, one block per scenario, its servers shuffled
# (seeded by SEED): "round scenario server" lines.
schedule() {
  local server scenario
  for server in $SERVERS; do
    for scenario in ${MATRIX[$server]}; do echo "$server $scenario"; done
  done | python3 -c '
import random
import sys

reps, seed, order = int(sys.argv[1]), sys.argv[2], sys.argv[3].split()
cells = [line.split() for line in sys.stdin]
shuffle = random.Random(seed).shuffle
for round_ in range(1, reps + 1):
    for scenario in order:
        servers = [server for server, wanted in cells if wanted == scenario]
        shuffle(servers)
        for server in servers:
            print(round_, scenario, server)
' "$REPS" "$SEED" "$SCENARIOS"
}

if [ -n "$SERVING" ]; then
  echo "bench: $REPS rounds of $SCENARIOS, ${DURATION} s cells, seed $SEED" >&2
  serving_started=$(date +%s)
  position=0; last=0
  while read -r round scenario server; do
    if [ "$round" != "$last" ]; then echo "bench: round $round of $REPS" >&2; last=$round; position=0; fi
    position=$((position + 1))
    run_cell "$round" "$position" "$scenario" "$server" </dev/null
  done < <(schedule)
  echo "bench: $(wc -l < "$RESULTS") serving cells in $(( $(date +%s) - serving_started )) s" >&2
fi
if [ -n "${RANK_ONLY:-}" ]; then
  mkdir -p results
  cp "$RESULTS" "results/rank-$RANK_RUN.tsv"
  python3 - "results/rank-$RANK_RUN.json" "$REPS" "$DURATION" "$CONNECTIONS" "$SEED" \
    "$(( $(date +%s) - started ))" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" <<'META'
import json
import sys

path, reps, duration, connections, seed, elapsed, finished = sys.argv[1:]
json.dump({"reps": int(reps), "duration": int(duration), "connections": int(connections),
           "seed": seed, "elapsed_s": int(elapsed), "finished": finished},
          open(path, "w"), indent=1)
META
  python3 report.py --stored > ../BENCHMARKS.md
  echo "bench: wrote bench/results/rank-$RANK_RUN.tsv, BENCHMARKS.md in $(( $(date +%s) - started )) s" >&2
  exit 0
fi

# Instructions per request (callgrind). Requests/second on this shared 2-core VM move by up
# to 15% between runs; the user-space instructions a server executes per request do not.
# Each server runs under callgrind on core 0; a client on core 1 waits until it answers (one
# probe request, the same in every run), sends N keep-alive requests on one connection and
# checks every status; SIGTERM makes callgrind write its counts. Start-up, the probe and
# shutdown are the same for both N, so (Ir(2300) - Ir(300)) / 2000 is the steady cost of
# one request. S1: GET of the stylesheet, 200; S2: the same with `If-None-Match: <its
# ETag>`, 304. INSTRUCTION_SERVERS="ours-site" measures some of the servers only.
INSTRUCTION_SERVERS=${INSTRUCTION_SERVERS:-"hyper hyper-headers ours-bare ours ours-site-axum ours-site-actix ours-site memory-serve"}
INSTRUCTION_COUNTS=(300 2300)
cat > "$WORK/requests.py" <<'CLIENT'
import http.client
import sys
import time

# ADDRESS URL COUNT ETAG [ENCODINGS [HEADER ...]]: ENCODINGS is the Content-Encoding every
# measured answer must carry (`dcb|dcz`: either), each HEADER a `Name: value` to send.
address, url, count, etag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
encodings = set(sys.argv[5].split("|")) if len(sys.argv) > 5 and sys.argv[5] else None
sent = dict(header.split(": ", 1) for header in sys.argv[6:])
host, port = address.rsplit(":", 1)


def answer(connection, headers, expect, encodings=None):
    connection.request("GET", url, headers=headers)
    response = connection.getresponse()
    response.read()
    if response.status != expect:
        sys.exit(f"bench: GET {url} on {address} answered {response.status}, expected {expect}")
    encoding = response.getheader("Content-Encoding")
    if encodings is not None and encoding not in encodings:
        sys.exit(f"bench: GET {url} on {address} answered Content-Encoding {encoding}, "
                 f"expected {'|'.join(sorted(encodings))}")


# Readiness: a refused connection costs the server nothing, and the first accepted one
# carries exactly one request, so the probe is the same in every run.
deadline = time.monotonic() + 120
while True:
    probe = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        probe.connect()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(f"bench: nothing answers on {address}")
        time.sleep(0.05)
answer(probe, {}, 200)
probe.close()

connection = http.client.HTTPConnection(host, int(port), timeout=120)
headers, expect = ({"If-None-Match": etag}, 304) if etag else (sent, 200)
for _ in range(count):
    answer(connection, headers, expect, encodings)
connection.close()
CLIENT
# The deltas' scenarios: the 200 KB stylesheet as Chromium asks for it, on a first visit
# (`big-br`: br) and as a returning visitor holding the earlier release's stylesheet
# (`Available-Dictionary`, and dcb, dcz accepted): `big-delta` expects dcb or dcz,
# `big-returning` br (from a build without the earlier release); `big-unknown` is a
# returning visitor whose dictionary the server does not hold (br).
FETCH=("Sec-Fetch-Site: same-origin" "Sec-Fetch-Mode: no-cors" "Sec-Fetch-Dest: style")
UNKNOWN=":$(python3 -c 'import base64, hashlib; print(base64.b64encode(hashlib.sha256(b"none of ours").digest()).decode())'):"
delta_request() { # scenario: sets URL, SENT (headers) and ENCODINGS (the answer's, `a|b`)
  local returning="Accept-Encoding: gzip, deflate, br, zstd, dcb, dcz"
  URL=$BIG; ENCODINGS=br
  case "$1" in
    big-br) SENT=("Accept-Encoding: gzip, deflate, br, zstd" "${FETCH[@]}") ;;
    big-delta) ENCODINGS="dcb|dcz"; SENT=("$returning" "Available-Dictionary: $DICTIONARY" "${FETCH[@]}") ;;
    big-returning) SENT=("$returning" "Available-Dictionary: $DICTIONARY" "${FETCH[@]}") ;;
    big-unknown) SENT=("$returning" "Available-Dictionary: $UNKNOWN" "${FETCH[@]}") ;;
  esac
}
delta_answer() { # scenario server: prints the answer's Content-Encoding and body bytes
  delta_request "$1"
  start "$2"
  local headers=() header got
  for header in "${SENT[@]}"; do headers+=(-H "$header"); done
  got=$(curl -s -o /dev/null -w '%{http_code} %header{content-encoding} %{size_download}' "${headers[@]}" "http://$ADDR$URL")
  stop "$2"
  if [[ ! "$got" =~ ^200\ ($ENCODINGS)\  ]]; then
    echo "bench: $1 on $2 answered '$got', expected 200 and $ENCODINGS" >&2; exit 1
  fi
  echo "${got#200 }"
}
instructions_total() { # server scenario count port: prints the total Ir of one run
  local server=$1 scenario=$2 count=$3 port=$4 etag="" encodings="" out="$WORK/callgrind.$1.$2.$3"
  local sent=()
  case "$scenario" in
    big-*) delta_request "$scenario"; encodings=$ENCODINGS; sent=("${SENT[@]}") ;;
    *) cell_request S1 "$server" ;; # URL: the stylesheet, at the server's natural path
  esac
  # ETAG (from `urls -`) lost its double quotes in the eval above; the header needs them.
  if [ "$scenario" = S2 ]; then etag="\"${ETAG//\"/}\""; fi
  taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$out" \
    "$SERVER" "$server" "127.0.0.1:$port" "$WORK/static" 2> "$out.log" &
  local pid=$!
  if ! taskset -c 1 python3 "$WORK/requests.py" "127.0.0.1:$port" "$URL" "$count" "$etag" \
    "$encodings" "${sent[@]}"; then
    kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    echo "bench: $scenario on $server under callgrind failed; its log:" >&2; tail -5 "$out.log" >&2
    exit 1
  fi
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  local total
  total=$(awk '$1 == "totals:" || $1 == "summary:" {print $2; exit}' "$out" 2>/dev/null || true)
  if [ -z "$total" ]; then
    echo "bench: callgrind wrote no totals for $scenario on $server; its log:" >&2; tail -5 "$out.log" >&2
    exit 1
  fi
  echo "$total"
}
low_n=${INSTRUCTION_COUNTS[0]} high_n=${INSTRUCTION_COUNTS[1]}
instructions_cell() { # scenario server tsv: appends the instructions per request (and for
  # the deltas' scenarios the answer's encoding and body bytes, checked before measuring)
  local scenario=$1 server=$2 low high per answer=""
  case "$scenario" in big-*) answer=$(delta_answer "$scenario" "$server") ;; esac
  port=$((port + 1)); low=$(instructions_total "$server" "$scenario" "$low_n" "$port")
  port=$((port + 1)); high=$(instructions_total "$server" "$scenario" "$high_n" "$port")
  per=$(awk -v a="$low" -v b="$high" -v n=$((high_n - low_n)) 'BEGIN {printf "%.1f", (b - a) / n}')
  local tab=$'\t'
  printf '%s\t%s\t%s%s\n' "$scenario" "$server" "$per" "${answer:+$tab${answer// /$tab}}" >> "$3"
  echo "bench: $scenario $server $per instructions/request (Ir $low at N=$low_n, $high at N=$high_n)" >&2
}
INSTRUCTIONS="$WORK/instructions.tsv"
: > "$INSTRUCTIONS"
if [ -n "$OTHERS" ]; then echo "bench: instructions per request under callgrind, N=$low_n and N=$high_n" >&2; fi
if [ -n "$OTHERS" ] && [ -z "${DELTAS_ONLY:-}" ]; then
  for server in $INSTRUCTION_SERVERS; do
    for scenario in S1 S2; do instructions_cell "$scenario" "$server" "$INSTRUCTIONS"; done
  done
  {
    printf '%-14s %14s %14s\n' "instr/request" S1 S2
    for server in $INSTRUCTION_SERVERS; do
      printf '%-14s %14s %14s\n' "$server" \
        "$(awk -v s="$server" '$1 == "S1" && $2 == s {print $3}' "$INSTRUCTIONS")" \
        "$(awk -v s="$server" '$1 == "S2" && $2 == s {print $3}' "$INSTRUCTIONS")"
    done
  } >&2
fi
# A delta answer against the br answers of the same file: on the one stack built with the
# earlier release (first visit; a dictionary it does not hold), and on the same stack built
# without one (first visit; the returning visitor's very request).
DELTA_INSTRUCTIONS="$WORK/deltas-instructions.tsv"
: > "$DELTA_INSTRUCTIONS"
if [ -n "$OTHERS" ] && [ -z "${INSTRUCTIONS_ONLY:-}" ]; then
  for scenario in big-br big-delta big-unknown; do
    instructions_cell "$scenario" ours-site-deltas "$DELTA_INSTRUCTIONS"
  done
  for scenario in big-br big-returning; do
    instructions_cell "$scenario" ours-site "$DELTA_INSTRUCTIONS"
  done
  # Where a delta answer's instructions go: callgrind's self cost per function, per request
  # ((Ir at N=2300 - Ir at N=300) / 2000, as above), for the first visit's br, the returning
  # visitor's br from the build without the earlier release, and the delta; the functions
  # whose cost differs most between the delta and the first visit.
  python3 - "$WORK" "$low_n" "$high_n" > "$WORK/deltas-profile.tsv" <<'PROFILE'
import re
import subprocess
import sys

work, low, high = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
RUNS = [("ours-site-deltas", "big-br"), ("ours-site", "big-returning"), ("ours-site-deltas", "big-delta")]


def self_cost(path):
    out = subprocess.run(["callgrind_annotate", "--threshold=100", path],
                         capture_output=True, text=True, check=True).stdout
    cost = {}
    for line in out.splitlines():
        match = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(?:\?\?\?:)?(.*?)(?: \[.*\])?$", line)
        if match and "PROGRAM TOTALS" not in line:
            name = match.group(2)
            cost[name] = cost.get(name, 0) + int(match.group(1).replace(",", ""))
    return cost


per_request = []
for server, scenario in RUNS:
    a = self_cost(f"{work}/callgrind.{server}.{scenario}.{low}")
    b = self_cost(f"{work}/callgrind.{server}.{scenario}.{high}")
    per_request.append({f: (b.get(f, 0) - a.get(f, 0)) / (high - low) for f in set(a) | set(b)})
names = set().union(*per_request)
first, returning, delta = per_request
top = sorted(names, key=lambda f: -abs(delta.get(f, 0) - first.get(f, 0)))[:14]
for name in top:
    print(f"{name}\t{first.get(name, 0):.0f}\t{returning.get(name, 0):.0f}\t{delta.get(name, 0):.0f}")
PROFILE
fi
# HTTPS (issue 25): S1 and S2 over TLS with h2load, over h2 and over http/1.1 (ALPN),
# against nginx with TLS and HTTP/2 (`listen ... ssl http2`, one worker, the same
# `location`, the same collected folder), with one throwaway P-256 certificate for both.
# h2: 4 connections of 8 concurrent streams; h1: 32 connections; both 32 requests in
# flight, as wrk's 32 connections above. Each cell a fresh server, a 1 s warm-up, then
# HTTPS_DURATION s measured; each round one block per protocol and scenario, the two
# servers in a shuffled order. Server CPU as above (schedstat of the server and its
# children). Then new TLS connections per second (each a full handshake, TLS 1.3, and
# one request), and the demo's import-map page in Chromium (bench/pageload.mjs).
HTTPS_REPS=${HTTPS_REPS:-5}
HTTPS_DURATION=${HTTPS_DURATION:-4}
H2_CLIENTS=${H2_CLIENTS:-"-c 4 -m 8"}
H1_CLIENTS=${H1_CLIENTS:-"-c 32 -m 1"}
TLS_CONNS=${TLS_CONNS:-400}
TLS_BATCHES=${TLS_BATCHES:-5}
PAGELOAD_RUNS=${PAGELOAD_RUNS:-7}
HTTPS_RESULTS="$WORK/https.tsv"
CONNS_RESULTS="$WORK/tls-conns.tsv"
: > "$HTTPS_RESULTS"; : > "$CONNS_RESULTS"
echo '{}' > "$WORK/pageload.json"
h2load_check() { # what label out: fails unless every request succeeded over the protocol
  local what=$1 label=$2 out=$3 protocol failed
  protocol=$(awk '/^Application protocol:/ {print $3}' <<<"$out")
  failed=$(awk '/^requests:/ {print $10 + $12 + $14}' <<<"$out")
  if [ "$protocol" != "$label" ] || [ "${failed:-1}" != 0 ]; then
    echo "bench: $what: protocol '$protocol' (expected $label), $failed failed/errored/timed out" >&2
    echo "$out" >&2; exit 1
  fi
}
https_cell() { # round position protocol scenario server
  local round=$1 position=$2 protocol=$3 scenario=$4 server=$5
  start "$server"
  local url=$CSS headers=() clients label=h2 curl_protocol=--http2 expect=200 status_field=3
  if [ "$protocol" = h1 ]; then
    clients=(--h1 $H1_CLIENTS); label=http/1.1; curl_protocol=--http1.1
  else
    clients=($H2_CLIENTS)
  fi
  if [ "$scenario" = S2 ]; then
    local validator
    validator=$(curl -skI "$curl_protocol" "https://$ADDR$url" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag" {print $2}')
    headers=(-H "if-none-match: $validator"); expect=304; status_field=5
  fi
  local got
  got=$(curl -sk "$curl_protocol" -o /dev/null -w '%{http_code} %{http_version}' "${headers[@]}" "https://$ADDR$url")
  local version=2; [ "$protocol" = h1 ] && version=1.1
  if [ "$got" != "$expect $version" ]; then
    echo "bench: $scenario on $server over $protocol answered '$got', expected $expect" >&2; exit 1
  fi
  local args=(-t 1 "${clients[@]}" "${headers[@]}")
  h2load_check "$scenario $server $protocol warm-up" "$label" \
    "$(taskset -c 1 h2load "${args[@]}" -D 1 "https://$ADDR$url")"
  local cpu0 cpu1 t0 t1 out
  t0=$(date +%s%N); cpu0=$(cpu_ns "$PID")
  out=$(taskset -c 1 h2load "${args[@]}" -D "$HTTPS_DURATION" "https://$ADDR$url")
  cpu1=$(cpu_ns "$PID"); t1=$(date +%s%N)
  stop "$server"
  h2load_check "$scenario $server $protocol" "$label" "$out"
  local rps requests statuses
  rps=$(awk '/^finished in/ {print $4}' <<<"$out")
  requests=$(awk '/^requests:/ {print $8}' <<<"$out")
  statuses=$(awk -v f="$status_field" '/^status codes:/ {print $f}' <<<"$out")
  if [ "$statuses" != "$requests" ]; then
    echo "bench: $scenario on $server over $protocol: $statuses of $requests answered $expect" >&2; exit 1
  fi
  local cipher key
  cipher=$(awk '/^Cipher:/ {print $2}' <<<"$out")
  key=$(awk -F': ' '/^Server Temp Key:/ {print $2}' <<<"$out")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$protocol" "$scenario" "$server" "$rps" "$requests" \
    "$((cpu1 - cpu0))" "$round" "$position" "$((t1 - t0))" "$cipher" "$key" >> "$HTTPS_RESULTS"
  echo "bench: https $protocol $scenario $server $rps req/s, $(( (cpu1 - cpu0) / requests )) ns CPU/request" >&2
}
conns_cell() { # round server: TLS_BATCHES runs of TLS_CONNS clients of one connection and one request
  local round=$1 server=$2
  start "$server"
  taskset -c 1 h2load -t 1 -n 100 -c 100 -m 1 "https://$ADDR$CSS" >/dev/null
  local cpu0 cpu1 batch out seconds=0 conns=0 done
  cpu0=$(cpu_ns "$PID")
  for batch in $(seq "$TLS_BATCHES"); do
    out=$(taskset -c 1 h2load -t 1 -n "$TLS_CONNS" -c "$TLS_CONNS" -m 1 "https://$ADDR$CSS")
    h2load_check "TLS connections to $server" h2 "$out"
    done=$(awk '/^requests:/ {print $8}' <<<"$out")
    conns=$((conns + done))
    seconds=$(awk -v s="$seconds" '/^finished in/ {
      t = $3; sub(/,$/, "", t); scale = 1
      if (t ~ /ms$/) { sub(/ms$/, "", t); scale = 1e-3 } else if (t ~ /us$/) { sub(/us$/, "", t); scale = 1e-6 } else { sub(/s$/, "", t) }
      print s + t * scale }' <<<"$out")
  done
  cpu1=$(cpu_ns "$PID")
  stop "$server"
  printf '%s\t%s\t%s\t%s\t%s\n' "$server" "$conns" "$seconds" "$((cpu1 - cpu0))" "$round" >> "$CONNS_RESULTS"
  echo "bench: TLS connections to $server: $conns in $seconds s, $(( (cpu1 - cpu0) / conns / 1000 )) µs CPU each" >&2
}
if [ -n "$HTTPS" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
  # nginx with TLS and HTTP/2, otherwise as above.
  sed -e "s|listen 127.0.0.1:18080;|listen 127.0.0.1:18443 ssl http2;\\
    ssl_certificate $WORK/cert.pem;\\
    ssl_certificate_key $WORK/key.pem;\\
    ssl_protocols TLSv1.2 TLSv1.3;|" -e "s|pid $WORK/nginx.pid;|pid $WORK/nginx-tls.pid;|" \
    "$WORK/nginx.conf" > "$WORK/nginx-tls.conf"
  echo "bench: HTTPS, $HTTPS_REPS rounds of ${HTTPS_DURATION} s cells, seed $SEED" >&2
  while read -r round protocol scenario server; do
    https_cell "$round" 0 "$protocol" "$scenario" "$server" </dev/null
  done < <(python3 -c '
import random
import sys

shuffle = random.Random(sys.argv[2]).shuffle
for round_ in range(1, int(sys.argv[1]) + 1):
    for protocol in ["h2", "h1"]:
        for scenario in ["S1", "S2"]:
            servers = ["nginx-tls", "ours-site-tls"]
            shuffle(servers)
            for server in servers:
                print(round_, protocol, scenario, server)
' "$HTTPS_REPS" "$SEED")
  for round in 1 2 3; do
    for server in nginx-tls ours-site-tls; do conns_cell "$round" "$server" </dev/null; done
  done
  # Where the CPU goes, for the HTTPS section's explanation: each server under S1 over h2
  # and h1, system calls per request (perf's raw_syscalls tracepoint) and a flat profile of
  # self time by function (cpu-clock samples; this VM has no hardware counters).
  if command -v perf >/dev/null && [ -z "${SKIP_PROFILE:-}" ]; then
    : > "$WORK/https-profile.txt"
    for protocol in h2 h1; do
      for server in nginx-tls ours-site-tls; do
        start "$server"
        clients=($H2_CLIENTS); [ "$protocol" = h1 ] && clients=(--h1 $H1_CLIENTS)
        taskset -c 1 h2load -t 1 "${clients[@]}" -D 1 "https://$ADDR$CSS" >/dev/null
        pids=$(pgrep -d, -P "$PID" || true)
        out=$(perf stat -x, -e raw_syscalls:sys_enter,task-clock -p "$PID${pids:+,$pids}" -o "$WORK/perf-stat.txt" -- \
          taskset -c 1 h2load -t 1 "${clients[@]}" -D 3 "https://$ADDR$CSS")
        requests=$(awk '/^requests:/ {print $8}' <<<"$out")
        # Core 0 as a whole (this perf cannot sample one process here), the server's own
        # samples kept: its command name.
        perf record -q -e cpu-clock -F 2999 -C 0 -o "$WORK/perf.data" -- \
          taskset -c 1 h2load -t 1 "${clients[@]}" -D 3 "https://$ADDR$CSS" >/dev/null 2>&1
        stop "$server"
        comm=bench-server; [ "$server" = nginx-tls ] && comm=nginx
        {
          echo "== $server, S1 over $protocol: $(awk -F, -v n="$requests" '
            /raw_syscalls/ {printf "%.2f system calls per request, ", $1 / n}
            /task-clock/ {printf "%.2f µs CPU per request", $1 * 1000 / n}' "$WORK/perf-stat.txt")"
          # The server's samples by object (kernel, its binary, libraries), as shares of its own.
          { perf report -i "$WORK/perf.data" --stdio --no-children --sort comm,dso 2>/dev/null || true; } \
            | awk -v comm="$comm" '$2 == comm {sub(/%/, "", $1); share[$3] += $1; total += $1}
                END {for (dso in share) printf "    %6.2f%%  %s\n", 100 * share[dso] / total, dso}' | sort -rn
          { perf report -i "$WORK/perf.data" --stdio --no-children --comms "$comm" \
              --percentage relative --sort dso,symbol 2>/dev/null || true; } \
            | { grep -v -e '^#' -e '^$' || true; } | sed -E 's/ +- +- *$//' | cut -c1-150 | awk 'NR <= 30'
        } >> "$WORK/https-profile.txt"
      done
    done
  fi
  # The demo's import-map page in Chromium with DevTools latency emulation: over h2 and
  # h1.1 from the demo with TLS (Chromium trusting the certificate by its key's hash; h1.1
  # with --disable-http2), and over cleartext h1.1 from the same binary without TLS.
  if [ -z "${SKIP_PAGELOAD:-}" ]; then
    SPKI=$(openssl x509 -in "$WORK/cert.pem" -pubkey -noout | openssl pkey -pubin -outform der \
      | openssl dgst -sha256 -binary | base64)
    echo '{"round": 0}' > "$WORK/demo-config.json"
    demo_env=(SECRET_KEY=bench-secret DEMO_CONFIG="$WORK/demo-config.json" STATIC_DEV_MODE=false
              STALE_CLIENT_SCRIPT=external)
    port=$((port + 1)); DEMO_TLS=127.0.0.1:$port
    env "${demo_env[@]}" ADDR="$DEMO_TLS" TLS_CERT="$WORK/cert.pem" TLS_KEY="$WORK/key.pem" \
      "$DEMO" > "$WORK/demo-tls.log" 2>&1 &
    DEMO_TLS_PID=$!
    port=$((port + 1)); DEMO_CLEAR=127.0.0.1:$port
    env "${demo_env[@]}" ADDR="$DEMO_CLEAR" "$DEMO" > "$WORK/demo-clear.log" 2>&1 &
    DEMO_CLEAR_PID=$!
    for address in "https://$DEMO_TLS" "http://$DEMO_CLEAR"; do
      for _ in $(seq 100); do curl -sk -o /dev/null "$address/version" && break; sleep 0.05; done
    done
    node pageload.mjs "$WORK/pageload.json" "$PAGELOAD_RUNS" \
      "$SPKI" "https://$DEMO_TLS" "http://$DEMO_CLEAR"
    kill "$DEMO_TLS_PID" "$DEMO_CLEAR_PID"; wait "$DEMO_TLS_PID" "$DEMO_CLEAR_PID" 2>/dev/null || true
  fi
  # Kept with the run: the machine's state, and how each tool was given.
  python3 - "$WORK/https.json" "$HTTPS_REPS" "$HTTPS_DURATION" "$H2_CLIENTS" "$H1_CLIENTS" \
    "$TLS_CONNS" "$TLS_BATCHES" "$SEED" "$(h2load --version | sed -n 1p)" \
    "$(openssl version)" "$(chromium --version 2>/dev/null || echo unknown)" \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" <<'META'
import json
import sys

keys = ["reps", "duration", "h2_clients", "h1_clients", "tls_conns", "tls_batches", "seed",
        "h2load", "openssl", "chromium", "finished"]
json.dump(dict(zip(keys, sys.argv[2:])), open(sys.argv[1], "w"), indent=1)
META
fi
store_https() {
  mkdir -p results
  if [ -n "${NGINX_PLAIN:-}" ]; then
    # Against nginx without the deltas block: the HTTPS cells only, beside the main ones.
    cp "$HTTPS_RESULTS" results/https-plain.tsv
    cp "$WORK/https.json" results/https-plain.json
    return
  fi
  cp "$HTTPS_RESULTS" results/https.tsv
  cp "$CONNS_RESULTS" results/tls-conns.tsv
  cp "$WORK/pageload.json" results/pageload.json
  cp "$WORK/https.json" results/https.json
  if [ -s "$WORK/https-profile.txt" ]; then cp "$WORK/https-profile.txt" results/https-profile.txt; fi
}
if [ -n "${HTTPS_ONLY:-}" ]; then
  store_https
  python3 report.py --stored > ../BENCHMARKS.md
  echo "bench: wrote bench/results/https.tsv, tls-conns.tsv, pageload.json, BENCHMARKS.md in $(( $(date +%s) - started )) s" >&2
  exit 0
fi
if [ -n "${DELTAS_ONLY:-}" ]; then
  mkdir -p results
  cp "$WORK/deltas.json" results/deltas.json
  if [ -s "$WORK/deltas-build.json" ]; then cp "$WORK/deltas-build.json" results/deltas-build.json; fi
  cp "$DELTA_INSTRUCTIONS" results/deltas-instructions.tsv
  cp "$WORK/deltas-profile.tsv" results/deltas-profile.tsv
  python3 report.py --stored > ../BENCHMARKS.md
  echo "bench: wrote bench/results/deltas*, BENCHMARKS.md in $(( $(date +%s) - started )) s" >&2
  exit 0
fi
if [ -n "${INSTRUCTIONS_ONLY:-}" ]; then
  mkdir -p results
  cp "$INSTRUCTIONS" results/instructions.tsv
  echo "bench: wrote bench/results/instructions.tsv in $(( $(date +%s) - started )) s" >&2
  exit 0
fi

# The raw measurements stay next to the report, so it can be re-read or re-rendered
# (report.py also keeps the run's arguments and the machine's facts in results/run.json):
#   python3 bench/report.py --stored > BENCHMARKS.md
mkdir -p charts results
cp "$RESULTS" results/serving.tsv
cp "$WORK/build-side.json" results/build-side.json
cp "$WORK/adopt-cost.txt" results/adopt-cost.txt
cp "$INSTRUCTIONS" results/instructions.tsv
cp "$WORK/deltas.json" results/deltas.json
if [ -s "$WORK/deltas-build.json" ]; then cp "$WORK/deltas-build.json" results/deltas-build.json; fi
cp "$DELTA_INSTRUCTIONS" results/deltas-instructions.tsv
cp "$WORK/deltas-profile.tsv" results/deltas-profile.tsv
if [ -n "$HTTPS" ]; then store_https; fi
python3 report.py results/serving.tsv results/build-side.json "$REPS" "$DURATION" "$CONNECTIONS" \
  "$(( $(date +%s) - started ))" results/adopt-cost.txt results/instructions.tsv > ../BENCHMARKS.md
echo "bench: wrote BENCHMARKS.md and bench/charts/ in $(( $(date +%s) - started )) s" >&2
