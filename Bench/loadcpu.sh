#!/usr/bin/env bash
# CPU per request of one or more Portcullis binaries under load, for quick A/B comparisons.
#
#   Bench/loadcpu.sh SCENARIO SECONDS BIN1 RULES1 [BIN2 RULES2 ...]
#
# For each BIN/RULES pair in turn: starts the proxy pinned to CPU 1 in front of an nginx upstream
# (../shared/bench's upstream configuration, 1 worker) pinned to CPU 0, warms it up for 1 s with
# wrk, then loads it with `wrk -t1 -c32 -dSECONDS` (on CPU 0) sending the request of a
# `make bench` scenario (get, args, post, attack; the same headers and 2,048-byte form body as
# ../shared/bench/peer_bench.sh). Prints the proxy's user and system CPU time per request, from
# /proc/PID/stat before and after. Give the binaries alternately and repeat the call: this
# machine's speed drifts between runs by up to ±25 %, so one run each compares nothing.
# Loopback only; ports 19481 (upstream) and 19490 (proxy). Env: SHARED_DIR (default ../shared).
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 SCENARIO SECONDS BIN RULES [BIN RULES ...]" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED_DIR=${SHARED_DIR:-$ROOT/../shared}
S=$1 SECS=$2; shift 2
OUT=$(mktemp -d /tmp/loadcpu.XXXXXX)
mkdir -p "$OUT/tmp"
UP=19481 PX=19490
sed -e "s#@WORKERS_UP@#1#; s#@RUN@#$OUT#g; s#@PORT@#$UP#" "$SHARED_DIR/bench/conf/nginx_upstream.conf.in" > "$OUT/up.conf"
taskset -c 0 nginx -p "$OUT" -c "$OUT/up.conf" -g 'daemon off;' 2>/dev/null &
NG=$!
trap 'kill $NG 2>/dev/null; wait 2>/dev/null; rm -rf "$OUT"' EXIT
body=""; i=1
while [ ${#body} -lt 2048 ]; do
  v=$(printf 'field%02d=value%02dabcdefghijklmnopqrstuvwxyz0123456789' "$i" "$i"); body+="${body:+&}$v"; i=$((i + 1))
done
body=${body:0:2048}
{
  echo 'wrk.headers["Host"] = "bench.local"'
  echo 'wrk.headers["User-Agent"] = "peer-bench/1.0 (wrk)"'
  echo 'wrk.headers["Accept"] = "*/*"'
  case $S in
    get) echo 'wrk.method = "GET"; wrk.path = "/index.html"';;
    args) echo 'wrk.method = "GET"; wrk.path = "/index.html?user=alice&page=2&sort=desc&lang=en&id=12345&ref=home&color=blue&size=m&qty=3&session=abcdef123456"';;
    post) echo 'wrk.method = "POST"; wrk.path = "/submit"'
          echo 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"'
          echo "wrk.body = \"$body\"";;
    attack) echo 'wrk.method = "GET"; wrk.path = "/?id=1%27%20OR%20%271%27%3D%271"';;
    *) echo "unknown scenario $S (get, args, post, attack)" >&2; exit 2;;
  esac
} > "$OUT/s.lua"
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14, $15}' "/proc/$1/stat"; }
while [ $# -ge 2 ]; do
  BIN=$1 RULES=$2; shift 2
  taskset -c 1 "$BIN" run --listen 127.0.0.1:$PX --upstream http://127.0.0.1:$UP --rules "$RULES" > "$OUT/proxy.log" 2>&1 &
  PC=$!
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PX) 2>/dev/null && break; sleep 0.1; done
  taskset -c 0 wrk -t1 -c32 -d1s -s "$OUT/s.lua" http://127.0.0.1:$PX/ > /dev/null
  read -r u0 s0 < <(cpu $PC)
  n=$(taskset -c 0 wrk -t1 -c32 -d"${SECS}s" -s "$OUT/s.lua" http://127.0.0.1:$PX/ | awk '/requests in/ {print $1}')
  read -r u1 s1 < <(cpu $PC)
  kill $PC; wait $PC 2>/dev/null || true
  awk -v n="$n" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v t="$ticks" -v b="$BIN" -v r="$(basename "$RULES")" -v sc="$S" 'BEGIN {
    printf "%-7s %-40s %-14s %8d requests  user %6.2f  system %6.2f  total %6.2f µs/request\n",
      sc, b, r, n, u / t * 1e6 / n, s / t * 1e6 / n, (u + s) / t * 1e6 / n }'
done
