#!/usr/bin/env bash
# Runs inside pg_virtualenv (PG* variables point to a throwaway cluster):
# every test suite, each one's counts written to $1/passed and $1/failed.
set -uo pipefail
log_dir=$1
overall=0

# pg_regress: one count per test file.
make -s installcheck >"$log_dir/regress.log" 2>&1 || overall=1
cat "$log_dir/regress.log"
grep -cE '\.\.\. +ok' "$log_dir/regress.log" >>"$log_dir/passed" || true
grep -cE '\.\.\. +FAILED' "$log_dir/regress.log" >>"$log_dir/failed" || true

# pgTAP: one count per assertion.
createdb relintel_tap
psql -X -q -d relintel_tap -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION relintel'
if ls test/*.sql >/dev/null 2>&1; then
  pg_prove -d relintel_tap test/*.sql >"$log_dir/tap.log" 2>&1 || overall=1
  cat "$log_dir/tap.log"
  tests=$(sed -nE 's/.*Tests=([0-9]+).*/\1/p' "$log_dir/tap.log" | tail -1)
  bad=$(sed -nE 's/.*Failed ([0-9]+)\/[0-9]+ subtests.*/\1/p' "$log_dir/tap.log" | awk '{s+=$1} END {print s+0}')
  echo "$(( ${tests:-0} - ${bad:-0} ))" >>"$log_dir/passed"
  echo "${bad:-0}" >>"$log_dir/failed"
  grep -q '^Result: PASS' "$log_dir/tap.log" || { overall=1; [ "${bad:-0}" -gt 0 ] || echo 1 >>"$log_dir/failed"; }
fi

# The loader's own tests (TAP), when the loader is part of the tree.
if [ -x loader/test/run.sh ]; then
  prove loader/test/run.sh >"$log_dir/loader.log" 2>&1 || overall=1
  cat "$log_dir/loader.log"
  tests=$(sed -nE 's/.*Tests=([0-9]+).*/\1/p' "$log_dir/loader.log" | tail -1)
  bad=$(sed -nE 's/.*Failed ([0-9]+)\/[0-9]+ subtests.*/\1/p' "$log_dir/loader.log" | awk '{s+=$1} END {print s+0}')
  echo "$(( ${tests:-0} - ${bad:-0} ))" >>"$log_dir/passed"
  echo "${bad:-0}" >>"$log_dir/failed"
  grep -q '^Result: PASS' "$log_dir/loader.log" || { overall=1; [ "${bad:-0}" -gt 0 ] || echo 1 >>"$log_dir/failed"; }
fi

# The dashboard's tests (TAP): built against the demo data, checked in headless Chromium.
if [ -x dashboard/test/run.sh ]; then
  prove dashboard/test/run.sh >"$log_dir/dashboard.log" 2>&1 || overall=1
  cat "$log_dir/dashboard.log"
  tests=$(sed -nE 's/.*Tests=([0-9]+).*/\1/p' "$log_dir/dashboard.log" | tail -1)
  bad=$(sed -nE 's/.*Failed ([0-9]+)\/[0-9]+ subtests.*/\1/p' "$log_dir/dashboard.log" | awk '{s+=$1} END {print s+0}')
  echo "$(( ${tests:-0} - ${bad:-0} ))" >>"$log_dir/passed"
  echo "${bad:-0}" >>"$log_dir/failed"
  grep -q '^Result: PASS' "$log_dir/dashboard.log" || { overall=1; [ "${bad:-0}" -gt 0 ] || echo 1 >>"$log_dir/failed"; }
fi

# The alerts' notification test (TAP, LISTEN/NOTIFY needs a real connection).
if [ -x test/alerts_notify.sh ]; then
  prove test/alerts_notify.sh >"$log_dir/alerts_notify.log" 2>&1 || overall=1
  cat "$log_dir/alerts_notify.log"
  tests=$(sed -nE 's/.*Tests=([0-9]+).*/\1/p' "$log_dir/alerts_notify.log" | tail -1)
  bad=$(sed -nE 's/.*Failed ([0-9]+)\/[0-9]+ subtests.*/\1/p' "$log_dir/alerts_notify.log" | awk '{s+=$1} END {print s+0}')
  echo "$(( ${tests:-0} - ${bad:-0} ))" >>"$log_dir/passed"
  echo "${bad:-0}" >>"$log_dir/failed"
  grep -q '^Result: PASS' "$log_dir/alerts_notify.log" || { overall=1; [ "${bad:-0}" -gt 0 ] || echo 1 >>"$log_dir/failed"; }
fi

# Concurrency of the maintained tables (TAP): pgbench writers, then verify().
if [ -x test/concurrency.sh ]; then
  prove test/concurrency.sh >"$log_dir/concurrency.log" 2>&1 || overall=1
  cat "$log_dir/concurrency.log"
  tests=$(sed -nE 's/.*Tests=([0-9]+).*/\1/p' "$log_dir/concurrency.log" | tail -1)
  bad=$(sed -nE 's/.*Failed ([0-9]+)\/[0-9]+ subtests.*/\1/p' "$log_dir/concurrency.log" | awk '{s+=$1} END {print s+0}')
  echo "$(( ${tests:-0} - ${bad:-0} ))" >>"$log_dir/passed"
  echo "${bad:-0}" >>"$log_dir/failed"
  grep -q '^Result: PASS' "$log_dir/concurrency.log" || { overall=1; [ "${bad:-0}" -gt 0 ] || echo 1 >>"$log_dir/failed"; }
fi
exit $overall
