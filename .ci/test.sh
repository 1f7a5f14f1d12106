#!/usr/bin/env bash
# The test command (`make test`): installs what is missing, builds and installs
# relintel, then runs pg_regress, pgTAP and the loader's tests in a throwaway
# cluster, and ends with a line "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."

# The tests' output depends on the locale (encoding, column widths, sorting):
# they run in C.UTF-8, which every Debian has, whatever the caller's locale.
export LC_ALL=C.UTF-8
source .ci/deps.sh   # also chooses PG_VERSION and PG_CONFIG (.ci/pg_version.sh)
source .ci/build_install.sh

log_dir=$(mktemp -d)
status=0
pg_virtualenv -t -v "$PG_VERSION" -o 'shared_buffers=1GB' bash .ci/in_cluster.sh "$log_dir" || status=$?

passed=$(cat "$log_dir"/passed 2>/dev/null | awk '{s+=$1} END {print s+0}')
failed=$(cat "$log_dir"/failed 2>/dev/null | awk '{s+=$1} END {print s+0}')
[ -s regression.diffs ] && { echo "--- regression.diffs (first 200 lines)"; head -200 regression.diffs; }
echo "${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -ne 0 ] || [ "${failed:-0}" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then
  exit 1
fi
