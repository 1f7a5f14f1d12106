#!/usr/bin/env bash
# Runs inside pg_virtualenv (PG* variables point to a throwaway cluster):
# every test suite, each one's counts written to $1/passed and $1/failed.
set -uo pipefail
log_dir=$1
overall=0

# Count the assertions of a TAP run whose output is in log file $1 (prove or pg_prove).
count_tap() {
  local log=$1 tests bad
  cat "$log"
  tests=$(sed -nE 's/.*Tests=([0-9]+).*/\1/p' "$log" | tail -1)
  bad=$(sed -nE 's/.*Failed ([0-9]+)\/[0-9]+ subtests.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
  echo "$(( ${tests:-0} - ${bad:-0} ))" >>"$log_dir/passed"
  echo "${bad:-0}" >>"$log_dir/failed"
  # (NOTESTS: a script that skipped itself, e.g. a fuzz test without clang)
  grep -qE '^Result: (PASS|NOTESTS)' "$log" || { overall=1; [ "${bad:-0}" -gt 0 ] || echo 1 >>"$log_dir/failed"; }
}

# Run TAP script $1 with prove, when it is part of the tree, and count it.
run_tap_script() {
  local script=$1 name
  [ -x "$script" ] || return 0
  name=$(echo "$script" | tr '/.' '__')
  prove "$script" >"$log_dir/$name.log" 2>&1 || overall=1
  count_tap "$log_dir/$name.log"
}

# pg_regress: one count per test file ("test x ... ok" up to PostgreSQL 15,
# TAP lines "ok 1 - x" / "not ok 1 - x" from 16 on).
make -s installcheck >"$log_dir/regress.log" 2>&1 || overall=1
cat "$log_dir/regress.log"
grep -cE '\.\.\. +ok|^ok [0-9]+ ' "$log_dir/regress.log" >>"$log_dir/passed" || true
grep -cE '\.\.\. +FAILED|^not ok [0-9]+ ' "$log_dir/regress.log" >>"$log_dir/failed" || true

# pgTAP: one count per assertion.
createdb relintel_tap
psql -X -q -d relintel_tap -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION relintel'
pg_prove -d relintel_tap test/*.sql >"$log_dir/tap.log" 2>&1 || overall=1
count_tap "$log_dir/tap.log"

run_tap_script loader/test/run.sh        # the loader: mailboxes and calendars of its own
run_tap_script dashboard/test/run.sh     # the dashboard, checked in headless Chromium
run_tap_script test/alerts_notify.sh     # refresh_alerts() with a listening connection
run_tap_script test/concurrency.sh       # pgbench writers on the maintained tables, then verify()
run_tap_script test/directory_concurrency.sh   # concurrent CRM and directory updates: no deadlock
run_tap_script test/backup.sh            # pg_dump/pg_restore bring every row back; DROP EXTENSION refused
run_tap_script test/upgrade.sh           # 0.1.0 as released, updated, equals a fresh 0.2.0 install
run_tap_script test/package.sh           # META.json; the .deb builds, installs with apt, serves CREATE EXTENSION
run_tap_script test/fuzz_states.sh       # libFuzzer, fixed seed: the state text parsers under ASan/UBSan
exit $overall
