#!/usr/bin/env bash
# Benchmarks Portcullis (no rules, default rules, default rules in detect mode) side by side with nginx, HAProxy and nginx+ModSecurity+CRS by
# adding it as an extra target to ../shared/bench/peer_bench.sh.
#
#   Bench/peer.sh [-r ROUNDS] [-d SECS] [-s SCENARIOS] [any other peer_bench.sh option]
#
# Defaults: -r 2 -d 6 -W 1 -s get,args,post,attack,close (about 10 minutes on 2 cores; later
# options override them). Afterwards it measures the idle RSS of Portcullis with the default
# rules and writes a Markdown table with the targets of issue 7 (Bench/table.py) to the output
# directory and into README.md's bench block (BENCH_README=0 leaves README alone). Builds the
# release binary first. Portcullis listens on 127.0.0.1:19090 (no rules), 19091 (default rules)
# and 19092 (default rules, detect mode) in front of the harness's upstream
# on 127.0.0.1:19081; the harness pins, starts and stops it. Peers must be installed
# (../shared/bench/install-peers.sh, once, as root). Prints the summary table at the end.
# Env: SHARED_DIR (default ../shared), SWIFT_FLAGS (extra flags for swift build, e.g. a scratch path).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SHARED_DIR=${SHARED_DIR:-$ROOT/../shared}
PEER=$SHARED_DIR/bench/peer_bench.sh
[ -x "$PEER" ] || { echo "error: $PEER not found; the benchmark harness lives in ../shared/bench" >&2; exit 1; }

# shellcheck disable=SC2086  # SWIFT_FLAGS is a list of flags
# Static Swift runtime and Foundation, as `make release` builds it (see the Makefile).
swift build ${SWIFT_FLAGS:-} -c release --static-swift-stdlib
# shellcheck disable=SC2086
BIN=$(swift build ${SWIFT_FLAGS:-} -c release --static-swift-stdlib --show-bin-path)/portcullis
[ -x "$BIN" ] || { echo "error: release build produced no $BIN" >&2; exit 1; }

# Our own output directory unless the caller chose one, so the summary can be found afterwards.
OUT=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = -o ] && OUT=${args[$((i + 1))]:-}
done
extra=()
if [ -z "$OUT" ]; then
  OUT=${TMPDIR:-/tmp}/peer_bench/portcullis-$(date -u +%Y%m%dT%H%M%SZ)
  extra=(-o "$OUT")
fi

# Portcullis three ways: no rules, Rules/default.yaml, and the default rules in `mode: detect`
# (every block recorded as a count, so the attack scenario is forwarded and fully inspected).
# The copy sits beside a link to Rules/phrases, which its phrase files are relative to.
DETECT_DIR=$OUT.rules
mkdir -p "$DETECT_DIR"
ln -sfn "$ROOT/Rules/phrases" "$DETECT_DIR/phrases"
DETECT=$DETECT_DIR/default-detect.yaml
{ echo "mode: detect"; grep -v '^mode:' "$ROOT/Rules/default.yaml"; } > "$DETECT"
targets=(
  --start "portcullis=$BIN run --listen 127.0.0.1:19090 --upstream http://127.0.0.1:19081 --rules $ROOT/Bench/no-rules.yaml"
  portcullis=127.0.0.1:19090
  --start "pc-rules=$BIN run --listen 127.0.0.1:19091 --upstream http://127.0.0.1:19081 --rules $ROOT/Rules/default.yaml"
  pc-rules=127.0.0.1:19091
  --start "pc-detect=$BIN run --listen 127.0.0.1:19092 --upstream http://127.0.0.1:19081 --rules $DETECT"
  pc-detect=127.0.0.1:19092
)
"$PEER" -r 2 -d 6 -W 1 -s get,args,post,attack,close "${extra[@]}" "$@" "${targets[@]}"

# Idle RSS with the default rules: started alone, no traffic, read once it accepts connections.
RSS_FILE=$OUT/idle-rss-kib.txt
"$BIN" run --listen 127.0.0.1:19093 --upstream http://127.0.0.1:19081 --rules "$ROOT/Rules/default.yaml" \
  >"$OUT/idle-rss.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do  # at most 10 s
  if (exec 3<>/dev/tcp/127.0.0.1/19093) 2>/dev/null; then break; fi
  sleep 0.1
done
awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" > "$RSS_FILE" || true
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true

echo
if [ -f "$OUT/summary.txt" ]; then
  echo "=== summary ($OUT/summary.txt) ==="
  cat "$OUT/summary.txt"
fi

echo
readme=()
[ "${BENCH_README:-1}" = 1 ] && readme=(--readme "$ROOT/README.md")
python3 "$ROOT/Bench/table.py" "$OUT" --rss-file "$RSS_FILE" --command "make bench${BENCH_ARGS:+ BENCH_ARGS=\"$BENCH_ARGS\"}" "${readme[@]}"

