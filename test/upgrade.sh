#!/usr/bin/env bash
# TAP test of the upgrade from 0.1.0 as released (issue 12): a database made
# with CREATE EXTENSION relintel VERSION '0.1.0' holding the demo data set,
# a database setting of 0.1.0's kind (ALTER DATABASE ... SET
# relintel.tie_half_life) and stored alerts, updated with ALTER EXTENSION
# relintel UPDATE, equals a fresh 0.2.0 install holding the same rows and
# configured to the same value: same objects and definitions
# (test/lib/catalog.sql), verify() empty, same rows, views and answers at a
# fixed time (test/lib/snapshot.sql); the alerts stored by 0.1.0 are kept.
# Needs PG* variables for a server with relintel installed; creates and drops
# databases of its own.
set -uo pipefail
cd "$(dirname "$0")/.."
scale=${UPGRADE_SCALE:-20000}
updated=relintel_upgrade_$$
fresh=relintel_fresh_$$
work=$(mktemp -d)
cleanup() {
  [ -n "${KEEP:-}" ] && return
  dropdb --if-exists "$updated" >/dev/null 2>&1
  dropdb --if-exists "$fresh" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

source test/lib/tap.sh
echo "1..9"

# 0.1.0 with its data, loaded the way 0.1.0's tools loaded it.
createdb "$updated" || { echo "Bail out! no server"; exit 1; }
psql_at "$updated" -c "CREATE EXTENSION relintel VERSION '0.1.0'" \
                   -c "ALTER DATABASE $updated SET relintel.tie_half_life = 60"
psql -X -q -v ON_ERROR_STOP=1 -d "$updated" -v scale="$scale" -v seed=11 -f bench/generate.sql >"$work/load.log" 2>&1 \
  || { echo "Bail out! loading 0.1.0 failed: $(tail -3 "$work/load.log")"; exit 1; }
psql_at "$updated" -c 'SELECT relintel.refresh_alerts()' >/dev/null
ok "$(psql_at "$updated" -c "SELECT extversion FROM pg_extension WHERE extname = 'relintel'") $(psql_at "$updated" -c 'SELECT count(*) FROM relintel.verify()')" \
   "0.1.0 0" "0.1.0 installed from its released script, data loaded, its verify() empty"
alerts_before=$(psql_at "$updated" -c "SELECT string_agg(format('%s %s %s %s %s', entity_type, entity_id, alert, since, first_seen), E'\n' ORDER BY 1) FROM relintel.alert")

# The same rows, written through 0.2.0's triggers into a fresh install.
createdb "$fresh"
psql_at "$fresh" -c 'CREATE EXTENSION relintel'
for table in colleague internal_domain account contact lead opportunity opportunity_contact interaction; do
  psql -X -q -d "$updated" -c "\\copy relintel.$table TO STDOUT" | psql -X -q -v ON_ERROR_STOP=1 -d "$fresh" -c "\\copy relintel.$table FROM STDIN"
done
psql_at "$fresh" -c "SELECT relintel.configure('relintel.tie_half_life', '60')" >/dev/null

psql_at "$updated" -c 'ALTER EXTENSION relintel UPDATE' 2>"$work/update.err"
ok "$? $(grep -c ERROR "$work/update.err")" "0 0" "ALTER EXTENSION relintel UPDATE: no error"
ok "$(psql_at "$updated" -c "SELECT extversion FROM pg_extension WHERE extname = 'relintel'")" 0.2.0 "the updated database is at 0.2.0"

psql -X -d "$updated" -f test/lib/catalog.sql >"$work/updated.catalog" 2>&1
psql -X -d "$fresh" -f test/lib/catalog.sql >"$work/fresh.catalog" 2>&1
ok "$(diff "$work/fresh.catalog" "$work/updated.catalog" | head -6)" "" \
   "same objects, definitions, privileges, comments and backed-up tables as a fresh install ($(wc -l <"$work/fresh.catalog") lines)"
ok "$(psql_at "$updated" -c 'SELECT name, value FROM relintel.stored_setting')" "relintel.tie_half_life|60" \
   "0.1.0's database setting of tie_half_life became the stored setting"

as_of=$(psql_at "$fresh" -c "SELECT date_trunc('hour', now())")
psql -X -d "$updated" -v as_of="$as_of" -f test/lib/snapshot.sql >"$work/updated.snap" 2>&1
psql -X -d "$fresh" -v as_of="$as_of" -f test/lib/snapshot.sql >"$work/fresh.snap" 2>&1
ok "$(grep -c '^verify 0$' "$work/updated.snap")" 1 "verify() empty after the update"
ok "$(diff "$work/fresh.snap" "$work/updated.snap" | head -6)" "" \
   "same rows, maintained tables, views, health_at, kpis, who_knows and alerts as the fresh install"
ok "$(psql_at "$updated" -c "SELECT string_agg(format('%s %s %s %s %s', entity_type, entity_id, alert, since, first_seen), E'\n' ORDER BY 1) FROM relintel.alert")" \
   "$alerts_before" "the alerts stored by 0.1.0 are kept, first_seen included"
ok "$(psql_at "$updated" -c 'SELECT count(DISTINCT id) = count(*) AND count(id) = count(*) FROM relintel.alert')" t \
   "each kept alert has its own id"
exit $failed
