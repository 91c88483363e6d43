#!/usr/bin/env bash
# Runs the test command given (`swift test …`) and, when it fails, repeats what failed at the end of
# the output. Why: Swift Testing prints a failing expectation among thousands of lines, while the
# suites' summaries come last, and a CI log is often read (or kept) from its end only.
set -uo pipefail
log=$(mktemp "${TMPDIR:-/tmp}/portcullis-swift-test.XXXXXX")
trap 'rm -f "$log"' EXIT
"$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
    echo
    echo "== '$*' failed (exit $status). What failed, from the output above:"
    # Swift Testing's issue lines, XCTest's and the compiler's errors, and crashes.
    grep -E '^✘ Test .*(recorded an issue|failed)|^ *↳|: error: |^error: |Fatal error|unexpected signal' "$log" \
        | grep -v -E '^✘ Test run |↳ (Testing Library Version|Target Platform)' | head -n 60
fi
exit "$status"
