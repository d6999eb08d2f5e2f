#!/usr/bin/env bash
# Regenerates BENCHMARKS.md and bench/charts/: serving benchmarks of hyper-assets against
# nginx, the Rust peers (memory-serve, rust-embed + axum, tower-http ServeDir) and a bare
# hyper handler, plus the build-side measurements, side by side in one run.
#
#   bash bench/run.sh                   # 5 interleaved rounds of 6 s per cell
#   REPS=3 DURATION=5 bash bench/run.sh
#   SKIP_BUILD_SIDE=1 bash bench/run.sh # serving only
#   INSTRUCTIONS_ONLY=1 bash bench/run.sh  # only the callgrind instruction counts (below),
#                                       # into bench/results/instructions.tsv
#   DELTAS_ONLY=1 bash bench/run.sh     # only the deltas between releases (RFC 9842, below):
#                                       # bytes, build cost, instructions; into
#                                       # bench/results/deltas*.{json,tsv}, then BENCHMARKS.md
#                                       # re-rendered from the stored results (no serving)
#
# Every server runs on core 0 (taskset), wrk on core 1, keep-alive, 32 connections,
# TCP_NODELAY on every server, a 1 s warm-up before every measured cell. After the
# serving rounds, user-space instructions per request under callgrind: a figure that does
# not move with the neighbours on this shared VM the way requests/second do.
set -euo pipefail
cd "$(dirname "$0")"
REPS=${REPS:-5}
DURATION=${DURATION:-6}
CONNECTIONS=${CONNECTIONS:-32}
started=$(date +%s)

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
if [ -z "${INSTRUCTIONS_ONLY:-}" ] && [ -z "${DELTAS_ONLY:-}" ]; then
  need wrk || missing+=(wrk)
  need nginx || missing+=(nginx-light)
  [ -f "$BROTLI_MODULE" ] || missing+=(libnginx-mod-http-brotli-static)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "bench: installing ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bench: missing ${missing[*]} (install them, or run as root on Debian)" >&2; exit 1
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill -TERM "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"' EXIT

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

if [ -z "${INSTRUCTIONS_ONLY:-}" ]; then
  deltas_bytes
fi

# The build side, and the build cost of the deltas (build_side.py --deltas).
echo '{}' > "$WORK/build-side.json"
if [ -z "${SKIP_BUILD_SIDE:-}" ] && [ -z "${INSTRUCTIONS_ONLY:-}" ]; then
  if [ -z "${DELTAS_ONLY:-}" ]; then python3 build_side.py "$WORK/build-side.json"; fi
  python3 build_side.py --deltas "$WORK/deltas-build.json"
fi

# The adapters' start-up cost (issue 9): 1,000 files of 4 KiB through adopt::rust_embed and
# adopt::include_dir, in release.
if [ -z "${INSTRUCTIONS_ONLY:-}" ] && [ -z "${DELTAS_ONLY:-}" ]; then
  CARGO_TARGET_DIR="$PWD/target" cargo run --release --locked -q \
    --manifest-path adopt-cost/Cargo.toml > "$WORK/adopt-cost.txt"
fi

eval "$("$SERVER" urls - | awk '{print toupper($1) "=\"" $2 "\""}')"
LOCATION=$("$SERVER" collect "$WORK/static" brotli)
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
start() { # start SERVER; sets PID and ADDR
  case "$1" in
    nginx) taskset -c 0 "$NGINX" -p "$WORK" -c "$WORK/nginx.conf" 2>/dev/null & ADDR=127.0.0.1:18080 ;;
    *) port=$((port + 1)); ADDR=127.0.0.1:$port; taskset -c 0 "$SERVER" "$1" "$ADDR" "$WORK/static" & ;;
  esac
  PID=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://$ADDR/" && return; sleep 0.05; done
  echo "bench: $1 did not start" >&2; exit 1
}
stop() {
  if [ "$1" = nginx ]; then kill -TERM "$(cat "$WORK/nginx.pid")"; else kill "$PID"; fi
  wait "$PID" 2>/dev/null || true
}
cpu_ticks() { # utime+stime of a process and its children (the nginx worker)
  local total=0 p
  for p in $1 $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
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
run_cell() { # scenario server
  local scenario=$1 server=$2
  cell_request "$scenario" "$server"
  # Check the answer before measuring it: a benchmark of the wrong response is worthless.
  local got
  got=$(curl -s -o /dev/null -w '%{http_code} %header{content-encoding}' "${HEADERS[@]}" "http://$ADDR$URL")
  if [ "$got" != "$EXPECT $ENCODING" ] && [ "$got" != "$EXPECT" ]; then
    echo "bench: $scenario on $server answered '$got', expected '$EXPECT $ENCODING'" >&2; exit 1
  fi
  local args=(-t1 -c"$CONNECTIONS" "${HEADERS[@]}" "${LUA[@]}")
  taskset -c 1 wrk "${args[@]}" -d1s "http://$ADDR$URL" >/dev/null
  local before after out
  before=$(cpu_ticks "$PID")
  out=$(taskset -c 1 wrk "${args[@]}" -d"${DURATION}s" "http://$ADDR$URL")
  after=$(cpu_ticks "$PID")
  local rps requests errors
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx/ {print $NF}' <<<"$out")
  if [ "$scenario" != S6 ] && [ -n "$errors" ]; then
    echo "bench: $scenario on $server: $errors error responses" >&2; exit 1
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$scenario" "$server" "$rps" "$requests" "$((after - before))" >> "$RESULTS"
  echo "bench: $scenario $server $rps req/s" >&2
}

if [ -z "${INSTRUCTIONS_ONLY:-}" ] && [ -z "${DELTAS_ONLY:-}" ]; then
  for rep in $(seq "$REPS"); do
    echo "bench: round $rep of $REPS" >&2
    for server in $SERVERS; do
      start "$server"
      for scenario in ${MATRIX[$server]}; do run_cell "$scenario" "$server"; done
      stop "$server"
    done
  done
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
echo "bench: instructions per request under callgrind, N=$low_n and N=$high_n" >&2
if [ -z "${DELTAS_ONLY:-}" ]; then
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
if [ -z "${INSTRUCTIONS_ONLY:-}" ]; then
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
python3 report.py results/serving.tsv results/build-side.json "$REPS" "$DURATION" "$CONNECTIONS" \
  "$(( $(date +%s) - started ))" results/adopt-cost.txt results/instructions.tsv > ../BENCHMARKS.md
echo "bench: wrote BENCHMARKS.md and bench/charts/ in $(( $(date +%s) - started )) s" >&2
