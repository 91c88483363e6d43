#!/usr/bin/env bash
# End-to-end test of the built binary in front of ../shared/http-cases/upstream.py, driven by curl.
#
#   scripts/e2e.sh [PATH_TO_PORTCULLIS]      (default .build/debug/portcullis)
#
# Starts on free loopback ports: upstream.py, scripts/hash_upstream.py, and four proxies —
# main (→ upstream.py), hash (→ hash_upstream.py), down (→ a closed port) and slow
# (→ upstream.py with --upstream-timeout 2s). Each check prints PASS/FAIL with what it saw;
# exits non-zero on any FAIL. Every request is bounded by curl --max-time; every process
# started here is stopped on exit. Logs are kept (path printed) when something failed.
# Env: SHARED_DIR (default ../shared), E2E_BIG_BYTES (default 104857600).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB=$ROOT/scripts/lib
cd "$ROOT"
BIN=${1:-.build/debug/portcullis}
SHARED_DIR=${SHARED_DIR:-../shared}
UPSTREAM_PY=$SHARED_DIR/http-cases/upstream.py
RULES=$ROOT/Rules/default.yaml
BIG=${E2E_BIG_BYTES:-104857600}
# shellcheck source=lib/common.sh
source "$LIB/common.sh"

[ -f "$UPSTREAM_PY" ] || { echo "FAIL  e2e needs $UPSTREAM_PY"; exit 1; }
[ -x "$BIN" ] || { echo "FAIL  no executable at $BIN (build it first: swift build)"; exit 1; }
for tool in curl python3 sha256sum; do
  command -v $tool >/dev/null || { echo "FAIL  e2e needs $tool"; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-e2e.XXXXXX")
finish() {
  stop_all
  echo
  echo "e2e: $PASSES passed, $FAILS failed"
  if [ "$FAILS" -eq 0 ]; then rm -rf "$WORK"; else echo "logs kept in $WORK"; fi
}
trap finish EXIT
trap 'FAILS=$((FAILS + 1)); exit 130' INT TERM

read -r UP HASH P_MAIN P_HASH P_DOWN P_SLOW CLOSED <<<"$(free_ports 7 | tr '\n' ' ')"
UPLOG=$WORK/upstream.jsonl
: >"$UPLOG"
echo "e2e: binary $BIN; upstream.py :$UP, hash upstream :$HASH; proxies main :$P_MAIN hash :$P_HASH down :$P_DOWN slow :$P_SLOW; work dir $WORK"

start_bg upstream python3 "$UPSTREAM_PY" --port "$UP" --log "$UPLOG" --max-seconds 1800
start_bg hashup python3 "$ROOT/scripts/hash_upstream.py" --port "$HASH" --max-seconds 1800
wait_tcp "$UP" 15 upstream "$PID_upstream" || exit 1
wait_tcp "$HASH" 15 hashup "$PID_hashup" || exit 1

proxy() { # NAME LISTEN_PORT UPSTREAM_PORT [extra flags...]
  local name=$1 port=$2 up=$3; shift 3
  start_bg "$name" "$BIN" run --listen "127.0.0.1:$port" --upstream "http://127.0.0.1:$up" --rules "$RULES" "$@"
}
proxy main "$P_MAIN" "$UP"
proxy hash "$P_HASH" "$HASH"
proxy down "$P_DOWN" "$CLOSED"
proxy slow "$P_SLOW" "$UP" --upstream-timeout 2s
wait_http "http://127.0.0.1:$P_MAIN/e2e/ready" 30 main "$PID_main" || exit 1
wait_http "http://127.0.0.1:$P_HASH/" 30 hash "$PID_hash" || exit 1
# refused upstream: only wait for the listener, the answer itself is the 502 check
wait_tcp "$P_DOWN" 30 down "$PID_down" || exit 1
wait_http "http://127.0.0.1:$P_SLOW/e2e/ready" 30 slow "$PID_slow" || exit 1

M=http://127.0.0.1:$P_MAIN
C=(curl -sS --max-time 20)

# --- GET: status and the body the upstream sent
out=$("${C[@]}" -o "$WORK/get.body" -w '%{http_code}' "$M/e2e/get")
check "GET status" 200 "$out"
body=$(head -c 200 "$WORK/get.body" | tr -d '\n')
check_true "GET body from upstream" "body '$body'" eval '[[ "$body" =~ ^ok\ [0-9]+\ GET$ ]]'

# --- HEAD: status, no body, connection still usable
out=$("${C[@]}" -I -o /dev/null -w '%{http_code}' "$M/e2e/head")
check "HEAD status" 200 "$out"
seen=$(python3 "$LIB/head_check.py" 127.0.0.1 "$P_MAIN" /e2e/head2 2>&1); rc=$?
check_true "HEAD has no body, connection reusable" "$seen" test "$rc" -eq 0

# --- POST with Content-Length
head -c 5000 /dev/urandom | base64 -w0 | head -c 5000 >"$WORK/small.bin"
out=$("${C[@]}" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
  --data-binary @"$WORK/small.bin" "$M/e2e/post-cl")
check "POST Content-Length status" 200 "$out"
check "POST Content-Length at upstream (framing, body_len)" "cl 5000" "$(uplog "$UPLOG" req /e2e/post-cl framing body_len | tr '\n' ' ' | sed 's/ $//')"

# --- POST chunked
out=$("${C[@]}" -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
  -H 'Content-Type: application/octet-stream' --data-binary @"$WORK/small.bin" "$M/e2e/post-chunked")
check "POST chunked status" 200 "$out"
check "POST chunked at upstream (framing, body_len)" "chunked 5000" "$(uplog "$UPLOG" req /e2e/post-chunked framing body_len | tr '\n' ' ' | sed 's/ $//')"

# --- X-Forwarded-For
"${C[@]}" -o /dev/null "$M/e2e/xff"
check "X-Forwarded-For at upstream" 127.0.0.1 "$(uplog "$UPLOG" req /e2e/xff header:x-forwarded-for)"

# --- hop-by-hop headers removed (X-Keep-Me is the control: an end-to-end field must survive)
"${C[@]}" -o /dev/null -H 'Connection: close, X-Drop-Me' -H 'X-Drop-Me: 1' -H 'Keep-Alive: 5' \
  -H 'X-Keep-Me: yes' "$M/e2e/hop"
mapfile -t hop < <(uplog "$UPLOG" req /e2e/hop header:x-drop-me header:keep-alive header:connection header:x-keep-me)
check "hop-by-hop: X-Drop-Me (named in Connection) removed" "<absent>" "${hop[0]:-<none>}"
check "hop-by-hop: Keep-Alive removed" "<absent>" "${hop[1]:-<none>}"
check_true "hop-by-hop: client's Connection not forwarded" "upstream saw Connection: ${hop[2]:-<none>}" \
  eval '[[ "${hop[2]:-<none>}" != "<none>" && ! "${hop[2],,}" =~ (close|x-drop-me) ]]'
check "hop-by-hop: end-to-end X-Keep-Me kept" "yes" "${hop[3]:-<none>}"

# --- keep-alive reuse: one client connection, one upstream connection
out=$("${C[@]}" -o /dev/null -o /dev/null -w '%{num_connects} ' "$M/e2e/ka1" "$M/e2e/ka2")
check "keep-alive: client connects for two requests" "1 0" "${out% }"
c1=$(uplog "$UPLOG" req /e2e/ka1 conn); c2=$(uplog "$UPLOG" req /e2e/ka2 conn)
check_true "keep-alive: both on one upstream conn" "upstream conn $c1 then $c2" \
  eval '[[ "$c1" != "<none>" && "$c1" == "$c2" ]]'

# --- 502: upstream refused
out=$("${C[@]}" -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$P_DOWN/e2e/down")
check_true "502 when the upstream is down" "status and seconds: $out" eval '[[ "$out" =~ ^502\ ([0-4])\. ]]'

# --- 504: upstream slower than --upstream-timeout 2s
out=$("${C[@]}" -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$P_SLOW/delay/6000")
check_true "504 when the upstream is slower than 2s" "status and seconds: $out" eval '[[ "$out" =~ ^504\ [1-5]\. ]]'

# --- big download: upstream.py /big/N is N bytes of 'x'
want=$(head -c "$BIG" /dev/zero | tr '\0' x | sha256sum | cut -d' ' -f1)
out=$(curl -sS --max-time 300 -o "$WORK/down.bin" -w '%{http_code} %{size_download}' "$M/big/$BIG")
check "download $BIG bytes: status and size" "200 $BIG" "$out"
check "download $BIG bytes: sha256" "$want" "$(sha256sum <"$WORK/down.bin" | cut -d' ' -f1)"
rm -f "$WORK/down.bin"

# --- big upload: integrity through the hash upstream, framing and length at upstream.py
head -c $((BIG * 3 / 4 + 3)) /dev/urandom | base64 -w0 | head -c "$BIG" >"$WORK/up.bin"
want=$(sha256sum <"$WORK/up.bin" | cut -d' ' -f1)
out=$(curl -sS --max-time 300 -H 'Content-Type: application/octet-stream' --data-binary @"$WORK/up.bin" \
  "http://127.0.0.1:$P_HASH/e2e/upload")
check "upload $BIG bytes (Content-Length): sha256, length, framing at hash upstream" "$want $BIG cl" "$out"
out=$(curl -sS --max-time 300 -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/octet-stream' --data-binary @"$WORK/up.bin" \
  "http://127.0.0.1:$P_HASH/e2e/upload-chunked")
check "upload $BIG bytes (chunked): sha256, length, framing at hash upstream" "$want $BIG chunked" "$out"
# upstream.py buffers quadratically; 100 MiB takes it ~40 s on its own.
out=$(curl -sS --max-time 600 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
  --data-binary @"$WORK/up.bin" "$M/e2e/upload")
check "upload $BIG bytes to upstream.py: status" 200 "$out"
check "upload $BIG bytes to upstream.py (framing, body_len)" "cl $BIG" "$(uplog "$UPLOG" req /e2e/upload framing body_len | tr '\n' ' ' | sed 's/ $//')"
rm -f "$WORK/up.bin"

# --- every proxy still alive (none crashed along the way)
for n in main hash down slow; do
  pid_var=PID_$n
  check_true "proxy '$n' still running" "pid ${!pid_var}" kill -0 "${!pid_var}"
done

[ "$FAILS" -eq 0 ]
