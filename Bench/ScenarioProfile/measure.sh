#!/usr/bin/env bash
# Instructions and mallocs per inspection of each `make bench` scenario's request, under valgrind
# (load-independent, unlike wall-clock on a shared machine).
#
#   Bench/ScenarioProfile/measure.sh [RULES] [N] [SCENARIOS...]
#
# Defaults: Rules/default.yaml, N=50, get args post attack close. Instructions are counted by
# callgrind inside `inspectOne` only (RequestView + Inspector.decide); mallocs are memcheck's
# "total heap usage" of a run with N inspections minus one with none, divided by N. The
# callgrind output stays in $OUT (default /tmp/scenario-profile) for callgrind_annotate.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RULES=${1:-$ROOT/Rules/default.yaml}
N=${2:-50}
shift $(( $# > 2 ? 2 : $# ))
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(get args post attack close)
OUT=${OUT:-/tmp/scenario-profile}
mkdir -p "$OUT"
command -v valgrind >/dev/null || { echo "error: valgrind not installed (apt-get install valgrind)" >&2; exit 1; }

swift build --package-path "$HERE" -c release >/dev/null
BIN=$(swift build --package-path "$HERE" -c release --show-bin-path)/ScenarioProfile
# Valgrind cannot read the DWARF Swift emits; symbols are enough for function-level counts.
objcopy --strip-debug "$BIN" "$OUT/ScenarioProfile"
BIN=$OUT/ScenarioProfile

for s in "${SCENARIOS[@]}"; do
  ir=$(valgrind --tool=callgrind --toggle-collect='*inspectOne*' --callgrind-out-file="$OUT/callgrind.$s" \
         "$BIN" "$RULES" "$s" "$N" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
  allocs() {
    valgrind --tool=memcheck --leak-check=no "$BIN" "$RULES" "$s" "$1" 2>&1 \
      | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
  }
  a0=$(allocs 0)
  a1=$(allocs "$N")
  awk -v s="$s" -v ir="$ir" -v n="$N" -v a0="$a0" -v a1="$a1" \
    'BEGIN { printf "%-7s %9.0f instructions/request  %6.1f mallocs/request\n", s, ir / n, (a1 - a0) / n }'
done
