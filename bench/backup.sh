#!/usr/bin/env bash
# bench/run.sh backup [N]: restoring a pg_dump of a relintel database against
# loading the same data (issue 12: a restore must not take longer than a
# load), in one run, on the same data.
#   1. pg_dump -Fc of the data set (N interactions, default 1,000,000, with
#      its CRM), rebuilt: the maintained tables are full, as in production;
#   2. restore: pg_restore of that dump into an empty database (CREATE
#      EXTENSION, then the rows of the customer's tables, each COPY through
#      the statement triggers, which fill the maintained tables);
#   3. restore with the triggers off, as the README describes for large
#      dumps: pg_restore --section=pre-data, --data-only --disable-triggers,
#      --section=post-data, then SELECT relintel.rebuild();
#   4. load: the same rows, exported to files first, COPY'd into a fresh
#      install in the order a user loads them (CRM, then interactions).
# All end with verify() empty (checked, not timed).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n=${1:-${N:-1000000}}
ensure_cluster
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"
src=bench_crm_$n
dataset "$src" "$n"
tables="colleague internal_domain account contact lead opportunity opportunity_contact interaction"

started=$(date +%s%N)
pg_dump -Fc -f "$work/crm.dump" "$src"
dump_ms=$(( ($(date +%s%N) - started) / 1000000 ))
echo "pg_dump -Fc: $(secs "$dump_ms"), $(du -h "$work/crm.dump" | cut -f1)"

restored=bench_restored_$n
dropdb --if-exists "$restored" 2>/dev/null
createdb -E UTF8 -T template0 "$restored"
started=$(date +%s%N)
pg_restore -d "$restored" "$work/crm.dump"
restore_ms=$(( ($(date +%s%N) - started) / 1000000 ))

fast=bench_fast_restored_$n
dropdb --if-exists "$fast" 2>/dev/null
createdb -E UTF8 -T template0 "$fast"
started=$(date +%s%N)
pg_restore --section=pre-data -d "$fast" "$work/crm.dump"
pg_restore --data-only --disable-triggers -d "$fast" "$work/crm.dump"
pg_restore --section=post-data -d "$fast" "$work/crm.dump"
psql -X -q -d "$fast" -c 'SELECT relintel.rebuild()' >/dev/null
fast_ms=$(( ($(date +%s%N) - started) / 1000000 ))

for t in $tables; do
  psql -X -q -d "$src" -c "COPY relintel.$t TO '$work/$t.copy'"
done
loaded=bench_loaded_$n
fresh_db "$loaded"
started=$(date +%s%N)
for t in $tables; do
  psql -X -q -v ON_ERROR_STOP=1 -d "$loaded" -c "COPY relintel.$t FROM '$work/$t.copy'"
done
load_ms=$(( ($(date +%s%N) - started) / 1000000 ))

for db in "$restored" "$fast" "$loaded"; do
  [ "$(psql -X -A -t -d "$db" -c 'SELECT count(*) FROM relintel.verify()')" = 0 ] || { echo "verify() not empty in $db" >&2; exit 1; }
done
echo "restore (pg_restore, triggers fill the maintained tables): $(secs "$restore_ms")"
echo "restore, triggers off, then rebuild() (README):           $(secs "$fast_ms")"
echo "load    (COPY of the same rows into a fresh install):      $(secs "$load_ms")"
echo "restore / load: $(ratio "$restore_ms" "$load_ms"); triggers-off restore / load: $(ratio "$fast_ms" "$load_ms")"
dropdb "$restored"; dropdb "$fast"; dropdb "$loaded"
