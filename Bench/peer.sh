#!/usr/bin/env bash
# Benchmarks Portcullis (no rules, default rules, default rules in detect mode) side by side with nginx, HAProxy and nginx+ModSecurity+CRS by
# adding it as an extra target to ../shared/bench/peer_bench.sh.
#
#   Bench/peer.sh [-r ROUNDS] [-d SECS] [-s SCENARIOS] [any other peer_bench.sh option]
#
# Defaults: -r 4 -d 3 -W 1 -T modsec,haproxy,nginx -s get,args,post,attack,close (later options
# override them). -T's order puts nginx right before the three Portcullis targets, so with the
# harness's rotating order (each round starts one target later) nginx, Portcullis without rules and
# Portcullis with the default rules run back to back in every round up to -r 4, and the ratios
# Bench/table.py takes within each round compare runs seconds apart (Bench/README.md, "How `make
# bench` measures"). Prints its expected duration first: about 11 minutes with the defaults.
# Afterwards it measures the idle RSS of Portcullis with the default
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

# The harness's duration from its options (the last of each wins, as in peer_bench.sh): per
# scenario, every target's warm-up plus a 1 s pause, then rounds × targets measured runs, each
# its duration plus the harness's 1 s load sample and ~0.15 s of bookkeeping (both measured on the
# session-14 logs: 7.15 s between 6 s runs, 22 s from a scenario's last run to the next one's first).
bench_estimate() {
  local r=5 d=10 w=2 s=get,args,post,attack t=direct,nginx,haproxy,modsec extras=3
  while [ $# -gt 0 ]; do
    case $1 in
      -r) r=$2; shift 2;; -d) d=$2; shift 2;; -W) w=$2; shift 2;; -s) s=$2; shift 2;; -T) t=$2; shift 2;;
      *) shift;;
    esac
  done
  local ns nt
  ns=$(tr ',' '\n' <<<"$s" | grep -c .)
  nt=$(( $(tr ',' '\n' <<<"$t" | grep -vc '^direct$') + 1 + extras ))
  awk -v ns="$ns" -v nt="$nt" -v r="$r" -v d="$d" -v w="$w" 'BEGIN {
    secs = 2 + ns * nt * (w + 1.15) + ns * r * nt * (d + 1.15)
    printf "peer.sh: %d scenario(s) x %d targets x %d round(s) of %d s (warm-up %d s): about %d min %02d s of load runs\n",
      ns, nt, r, d, w, secs / 60, secs % 60 }' >&2
}

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
defaults=(-r 4 -d 3 -W 1 -T modsec,haproxy,nginx -s get,args,post,attack,close)
bench_estimate "${defaults[@]}" "$@"
"$PEER" "${defaults[@]}" "${extra[@]}" "$@" "${targets[@]}"

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

