#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ and runs each for a bounded time.
#
#   scripts/fuzz.sh [SECONDS]        # default 60 seconds per target; the targets run side by side
#
# Each target is one binary compiled from Sources/PortcullisHTTP/*.swift plus its entry point
# (so it can use internal API), with -sanitize=fuzzer,address. It runs on a copy of the
# committed seed corpus (kept in .build-fuzz/corpus/<target>, which grows across runs; the
# repo's Fuzz/corpus is never written) with Fuzz/http.dict. One summary line per target; the
# exit status is non-zero when any crash, leak, timeout or OOM artifact was written, and its path
# is printed. Reproduce one with: SWIFT_BACKTRACE=enable=no .build-fuzz/fuzz-<target> <artifact>
set -euo pipefail

SECONDS_PER_TARGET="${1:-60}"
if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || [ "$SECONDS_PER_TARGET" -lt 1 ]; then
    echo "usage: $0 [SECONDS]  (whole seconds per target, default 60)" >&2
    exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=.build-fuzz
SWIFTC="${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}"
TARGETS=(request response)
export SWIFT_BACKTRACE=enable=no

mkdir -p "$OUT"

build() {
    local target="$1" entry
    case "$target" in
        request) entry=Fuzz/RequestFuzz.swift ;;
        response) entry=Fuzz/ResponseFuzz.swift ;;
    esac
    local bin="$OUT/fuzz-$target"
    # Rebuild only when a source is newer than the binary.
    if [ -x "$bin" ] && [ -z "$(find Sources/PortcullisHTTP Fuzz -name '*.swift' -newer "$bin" -print -quit)" ]; then
        return 0
    fi
    echo "building $bin"
    "$SWIFTC" -parse-as-library -sanitize=fuzzer,address -O -g -use-ld=lld -module-name PortcullisHTTPFuzz \
        Sources/PortcullisHTTP/*.swift Fuzz/FuzzSupport.swift "$entry" -o "$bin"
}

for t in "${TARGETS[@]}"; do build "$t"; done

STAMP="$(date +%Y%m%d-%H%M%S)"
ARTIFACTS="$OUT/artifacts/$STAMP"
mkdir -p "$ARTIFACTS"

# Hard bound: libFuzzer stops itself at -max_total_time; `timeout` catches a wedged process.
LIMIT=$((SECONDS_PER_TARGET + 60))
pids=()
for t in "${TARGETS[@]}"; do
    corpus="$OUT/corpus/$t"
    mkdir -p "$corpus"
    cp -n Fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
    log="$ARTIFACTS/$t.log"
    timeout -k 10 "$LIMIT" "$OUT/fuzz-$t" "$corpus" \
        -dict=Fuzz/http.dict -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$ARTIFACTS/$t-" >"$log" 2>&1 &
    pids+=($!)
done

status=0
for i in "${!TARGETS[@]}"; do
    t="${TARGETS[$i]}"
    rc=0
    wait "${pids[$i]}" || rc=$?
    log="$ARTIFACTS/$t.log"
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1 || true)
    shopt -s nullglob
    found=("$ARTIFACTS/$t-"{crash,leak,timeout,oom}-*)
    shopt -u nullglob
    printf '%-8s %ss  execs: %s (%s/s)  %s  artifacts: %d  exit: %d\n' \
        "$t" "$SECONDS_PER_TARGET" "${execs:-?}" "${rate:-?}" "${cov:-cov: ?}" "${#found[@]}" "$rc"
    for a in "${found[@]}"; do echo "  ARTIFACT $a"; done
    if [ "${#found[@]}" -gt 0 ] || [ "$rc" -ne 0 ]; then
        status=1
        echo "  log: $log"
        grep -E 'ERROR|Fatal error|SUMMARY' "$log" | head -5 | sed 's/^/  /' || true
    fi
done
exit $status
