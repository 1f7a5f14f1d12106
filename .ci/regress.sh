#!/usr/bin/env bash
# .ci/regress.sh: builds and installs relintel for the chosen PostgreSQL
# (.ci/pg_version.sh; PG_VERSION=18 to choose) and runs pg_regress only, in a
# throwaway cluster; installs only what that needs.  Ends with
# "N passed, M failed" like the test command.  Used by `make test-pg18`.
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests' output depends on the locale (encoding, column widths, sorting):
# they run in C.UTF-8, which every Debian has, whatever the caller's locale.
export LC_ALL=C.UTF-8
RELINTEL_DEPS=regress source .ci/deps.sh
source .ci/build_install.sh

log=$(mktemp)
status=0
pg_virtualenv -t -v "$PG_VERSION" make -s installcheck >"$log" 2>&1 || status=$?
cat "$log"
passed=$(grep -cE '\.\.\. +ok|^ok [0-9]+ ' "$log" || true)           # up to 15 | from 16 on
failed=$(grep -cE '\.\.\. +FAILED|^not ok [0-9]+ ' "$log" || true)
rm -f "$log"
[ -s regression.diffs ] && { echo "--- regression.diffs (first 200 lines)"; head -200 regression.diffs; }
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
