#!/usr/bin/env bash
# Runs the suites that need ../shared (end-to-end with curl, http-cases, fault tests) against the built
# binary. If the shared directory is absent, says plainly which suites were NOT run and exits 0;
# if it exists, every suite must run and pass — a missing file there is a failure, not a skip.
set -uo pipefail
BIN=${1:?usage: shared-suites.sh BIN [SHARED_DIR]}
SHARED=${2:-../shared}
cd "$(dirname "$0")/.."

if [ ! -d "$SHARED" ]; then
  echo
  echo "NOT RUN: $SHARED is absent, so these shared suites were skipped:"
  echo "  - e2e (scripts/e2e.sh): needs $SHARED/http-cases/upstream.py"
  echo "  - http-cases (scripts/http-cases.sh): needs $SHARED/http-cases/runner.py"
  echo "  - faults (scripts/faults.py): needs $SHARED/http-cases/upstream.py"
  echo "  - detection of the attack corpus (scripts/detection.py): needs $SHARED/corpus"
  echo "Only the project's own tests (swift test, portcullis check) and the benign-traffic pass of"
  echo "the default rules ran:"
  python3 scripts/detection.py "$BIN" --shared "$SHARED" || exit 1
  exit 0
fi

failed=()
SHARED_DIR=$SHARED scripts/e2e.sh "$BIN" || failed+=(e2e)
SHARED_DIR=$SHARED scripts/http-cases.sh "$BIN" || failed+=(http-cases)
python3 scripts/faults.py "$BIN" "$SHARED/http-cases/upstream.py" || failed+=(faults)
python3 scripts/detection.py "$BIN" --shared "$SHARED" || failed+=(detection)
echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "shared suites FAILED: ${failed[*]}"
  exit 1
fi
echo "shared suites passed: e2e, http-cases, faults, detection"
