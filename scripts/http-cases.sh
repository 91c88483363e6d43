#!/usr/bin/env bash
# Runs ../shared/http-cases/runner.py --strict against the built proxy in front of upstream.py.
#
#   scripts/http-cases.sh [PATH_TO_PORTCULLIS]      (default .build/debug/portcullis)
#
# The proxy gets scripts/http-cases.config.yaml (body limit 1 MiB) via --config. Ports are free
# loopback ports; both processes are stopped on exit; the runner's per-case verdicts are printed
# and its exit status is ours. Env: SHARED_DIR (default ../shared).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB=$ROOT/scripts/lib
cd "$ROOT"
BIN=${1:-.build/debug/portcullis}
SHARED_DIR=${SHARED_DIR:-../shared}
CASES=$SHARED_DIR/http-cases
# shellcheck source=lib/common.sh
source "$LIB/common.sh"

for f in upstream.py runner.py cases.json; do
  [ -f "$CASES/$f" ] || { echo "FAIL  http-cases needs $CASES/$f"; exit 1; }
done
[ -x "$BIN" ] || { echo "FAIL  no executable at $BIN (build it first: swift build)"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-http-cases.XXXXXX")
RC=1
finish() {
  stop_all
  if [ "$RC" -eq 0 ]; then rm -rf "$WORK"; else echo "http-cases: FAILED; logs kept in $WORK"; fi
}
trap finish EXIT
trap 'exit 130' INT TERM

read -r UP PX <<<"$(free_ports 2 | tr '\n' ' ')"
UPLOG=$WORK/upstream.jsonl
: >"$UPLOG"
start_bg upstream python3 "$CASES/upstream.py" --port "$UP" --log "$UPLOG" --max-seconds 1200
wait_tcp "$UP" 15 upstream "$PID_upstream" || exit 1
start_bg proxy "$BIN" run --listen "127.0.0.1:$PX" --upstream "http://127.0.0.1:$UP" \
  --rules "$ROOT/Rules/default.yaml" --config "$ROOT/scripts/http-cases.config.yaml"
wait_http "http://127.0.0.1:$PX/http-cases/ready" 30 proxy "$PID_proxy" || exit 1

echo "http-cases: proxy :$PX → upstream.py :$UP (log $UPLOG)"
# The runner bounds each case (--timeout, default 2 s); `timeout` bounds the whole run.
timeout 1200 python3 "$CASES/runner.py" --proxy "127.0.0.1:$PX" --upstream-log "$UPLOG" --strict \
  --out "$WORK/results.json"
RC=$?
if ! kill -0 "$PID_proxy" 2>/dev/null; then
  echo "FAIL  the proxy died during the cases; its log:"; tail -20 "$WORK/proxy.log" | sed 's/^/      /'
  RC=1
fi
exit "$RC"
