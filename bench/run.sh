#!/usr/bin/env bash
# Regenerates BENCHMARKS.md: serving benchmarks of hyper-assets against nginx and a bare
# hyper handler, side by side in one run on this machine.
#
#   bash bench/run.sh                  # 5 interleaved repetitions of 10 s per cell
#   REPS=3 DURATION=5 bash bench/run.sh
#
# Every server runs on core 0 (taskset), wrk on core 1, keep-alive, 32 connections,
# TCP_NODELAY on every server, a 2 s warm-up per server start.
set -euo pipefail
cd "$(dirname "$0")"
REPS=${REPS:-5}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}

need() { command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ]; }
missing=()
need wrk || missing+=(wrk)
need nginx || missing+=(nginx)
need taskset || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bench: missing ${missing[*]}" >&2; exit 1
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

cargo build --release --locked -q
SERVER="$PWD/target/release/bench-server"
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill -TERM "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"' EXIT

eval "$("$SERVER" urls - | awk '{print toupper($1) "=\"" $2 "\""}')"
LOCATION=$("$SERVER" collect "$WORK/static")
user=""; [ "$(id -u)" -eq 0 ] && user="user root;"
cat > "$WORK/nginx.conf" <<CONF
$user
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

port=18081
start() { # start SERVER_KIND; sets PID and ADDR
  case "$1" in
    nginx) taskset -c 0 "$NGINX" -p "$WORK" -c "$WORK/nginx.conf" 2>/dev/null & ADDR=127.0.0.1:18080 ;;
    *) port=$((port + 1)); ADDR=127.0.0.1:$port; taskset -c 0 "$SERVER" "$1" "$ADDR" & ;;
  esac
  PID=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://$ADDR/" && break; sleep 0.05; done
}
stop() {
  if [ "$1" = nginx ]; then kill -TERM "$(cat "$WORK/nginx.pid")"; else kill "$PID"; fi
  wait "$PID" 2>/dev/null || true
}
cpu_ticks() { # utime+stime of a process and its children (nginx worker)
  local total=0 p
  for p in $1 $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

# scenario -> path and extra header
declare -A PATHS=( [S1]="$CSS" [S2]="$CSS" [S6]="/static/missing.css" [S3full]="/page" [S3bare]="/page" )
declare -A HEADER=( [S2]="If-None-Match: $ETAG" )
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
run_cell() { # scenario server
  local scenario=$1 server=$2 kind=$2
  [ "$scenario" = S3bare ] && kind=ours-bare
  start "$kind"
  local args=(-t1 -c"$CONNECTIONS" -d2s --latency)
  [ -n "${HEADER[$scenario]:-}" ] && args+=(-H "${HEADER[$scenario]}")
  taskset -c 1 wrk "${args[@]}" "http://$ADDR${PATHS[$scenario]}" >/dev/null
  local before after out
  before=$(cpu_ticks "$PID")
  args=(-t1 -c"$CONNECTIONS" -d"${DURATION}s")
  [ -n "${HEADER[$scenario]:-}" ] && args+=(-H "${HEADER[$scenario]}")
  out=$(taskset -c 1 wrk "${args[@]}" "http://$ADDR${PATHS[$scenario]}")
  after=$(cpu_ticks "$PID")
  stop "$server"
  local rps requests
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  printf '%s\t%s\t%s\t%s\t%s\n' "$scenario" "$server" "$rps" "$requests" "$((after - before))" >> "$RESULTS"
  echo "bench: $scenario $server $rps req/s" >&2
}

for rep in $(seq "$REPS"); do
  for scenario in S1 S2 S6; do
    for server in nginx hyper ours; do run_cell "$scenario" "$server"; done
  done
  run_cell S3full ours
  run_cell S3bare ours
done

python3 report.py "$RESULTS" "$REPS" "$DURATION" "$CONNECTIONS" > ../BENCHMARKS.md
echo "bench: wrote BENCHMARKS.md" >&2
