#!/usr/bin/env bash
# TAP test of backups (issue 12): the demo data set, with a stored setting
# and stored alerts, dumped with pg_dump in custom, plain and data-only
# format and restored (pg_restore, also with the triggers disabled and
# rebuild() after; psql; the data-only dump into a fresh install) brings back every row of the customer's tables, the
# maintained tables consistent (verify() empty) and the same answers
# (test/lib/snapshot.sql at a fixed time); sequences continue where they were.
# Then DROP EXTENSION relintel without CASCADE is refused while rows exist,
# and drops an empty install.  Needs PG* variables for a server with
# relintel installed; creates and drops databases of its own.
set -uo pipefail
cd "$(dirname "$0")/.."
scale=${BACKUP_SCALE:-20000}
prefix=relintel_backup_$$
work=$(mktemp -d)
databases=("$prefix" "${prefix}_custom" "${prefix}_fast" "${prefix}_plain" "${prefix}_data" "${prefix}_empty")
cleanup() {
  for db in "${databases[@]}"; do dropdb --if-exists "$db" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT

source test/lib/tap.sh
echo "1..22"

src=$prefix
bash demo/load.sh "$src" "$scale" 7 >"$work/load.log" 2>&1 || { echo "Bail out! demo/load.sh failed: $(tail -3 "$work/load.log")"; exit 1; }
psql_at "$src" >/dev/null <<'SQL'
SELECT relintel.configure('relintel.tie_half_life', '60');
SELECT relintel.refresh_alerts();
SQL
as_of=$(psql_at "$src" -c "SELECT date_trunc('hour', now())")
psql -X -d "$src" -v as_of="$as_of" -f test/lib/snapshot.sql >"$work/original.snap" 2>&1
tables_query="SELECT string_agg(t::text, E'\n' ORDER BY t::text) FROM relintel.stored_setting AS t
              UNION ALL SELECT string_agg(t::text, E'\n' ORDER BY t.id) FROM relintel.alert AS t"

# compare DB LABEL: the snapshot, stored settings and alerts of DB equal the original's.
compare() {
  local db=$1 label=$2
  psql -X -d "$db" -v as_of="$as_of" -f test/lib/snapshot.sql >"$work/$label.snap" 2>&1
  ok "$(diff "$work/original.snap" "$work/$label.snap" >"$work/$label.diff" && echo same || head -5 "$work/$label.diff")" \
     same "$label: every table's rows, verify() empty, views, health_at, kpis, who_knows and alerts as the original's"
  ok "$(psql_at "$db" -c "$tables_query" | md5sum)" "$(psql_at "$src" -c "$tables_query" | md5sum)" \
     "$label: stored settings and stored alerts (first_seen, id) as the original's"
}
ok "$(grep -c '^verify 0$' "$work/original.snap") $(grep -c '^interaction 0 ' "$work/original.snap")" "1 0" \
   "the original holds interactions and verify() is empty"

# Custom format, restored with pg_restore.  (Not with -j: PostgreSQL's
# parallel restore loads an extension's tables without their foreign-key
# order; see the README.)
pg_dump -Fc -f "$work/crm.dump" "$src" 2>"$work/dump.err"
ok "$? $(wc -c <"$work/dump.err")" "0 0" "pg_dump -Fc: no error, no warning"
createdb "${prefix}_custom"
pg_restore -d "${prefix}_custom" "$work/crm.dump" 2>"$work/restore.err"
ok "$? $(wc -c <"$work/restore.err")" "0 0" "pg_restore: no error, no warning"
compare "${prefix}_custom" custom

# The same dump restored the way the README gives for large dumps: the
# triggers off while the rows are copied, then rebuild().
createdb "${prefix}_fast"
{ pg_restore --section=pre-data -d "${prefix}_fast" "$work/crm.dump" &&
  pg_restore --data-only --disable-triggers -d "${prefix}_fast" "$work/crm.dump" &&
  pg_restore --section=post-data -d "${prefix}_fast" "$work/crm.dump" &&
  psql_at "${prefix}_fast" -c 'SELECT relintel.rebuild()'; } >/dev/null 2>"$work/fast.err"
ok "$? $(wc -c <"$work/fast.err")" "0 0" "pg_restore with the triggers disabled, then rebuild(): no error, no warning"
compare "${prefix}_fast" triggers-off

# Plain format, restored with psql.
pg_dump -f "$work/crm.sql" "$src"
createdb "${prefix}_plain"
psql -X -q -v ON_ERROR_STOP=1 -d "${prefix}_plain" -f "$work/crm.sql" >/dev/null 2>"$work/plain.err"
ok "$? $(grep -c ERROR "$work/plain.err")" "0 0" "plain dump restored by psql without error"
compare "${prefix}_plain" plain

# Data only, into a fresh install.
pg_dump --data-only -f "$work/data.sql" "$src" 2>"$work/data_dump.err"
createdb "${prefix}_data"
psql_at "${prefix}_data" -c 'CREATE EXTENSION relintel'
psql -X -q -v ON_ERROR_STOP=1 -d "${prefix}_data" -f "$work/data.sql" >/dev/null 2>"$work/data.err"
ok "$? $(grep -c ERROR "$work/data.err")" "0 0" "data-only dump restored into a fresh install without error"
compare "${prefix}_data" data-only

# Sequences continue: new rows get new ids.
db=${prefix}_custom
ok "$(psql_at "$db" -c "INSERT INTO relintel.colleague (email) VALUES ('new.seller@example.com') RETURNING id > (SELECT max(id) FROM relintel.colleague WHERE email <> 'new.seller@example.com')")" \
   t "a colleague added after the restore gets a new id"
ok "$(psql_at "$db" -c "INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients)
                        SELECT 'email', now() - interval '1 hour', 'new.seller@example.com', ARRAY[email]
                          FROM relintel.contact ORDER BY id LIMIT 1 RETURNING id" | wc -l) $(psql_at "$db" -c 'SELECT count(*) FROM relintel.verify()')" \
   "1 0" "an interaction added after the restore gets an id, verify() stays empty"

# DROP EXTENSION without CASCADE: refused while rows exist, the rows kept.
out=$(psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$src" -c 'DROP EXTENSION relintel' 2>&1)
ok "$(grep -o '2BP01' <<<"$out" | head -1)" 2BP01 "DROP EXTENSION relintel on a database with rows: refused (2BP01)"
ok "$(grep -c 'relintel.interaction' <<<"$out")" 1 "the refusal names the tables holding rows"
ok "$(psql_at "$src" -c "SELECT count(*) > 0 FROM relintel.interaction") $(psql_at "$src" -c 'SELECT count(*) FROM relintel.verify()')" \
   "t 0" "the rows and the maintained tables are still there"
ok "$(psql -X -q -d "$src" -c 'BEGIN' -c 'DROP EXTENSION IF EXISTS relintel, plpgsql' -c 'ROLLBACK' 2>&1 | grep -c 'cannot drop extension relintel')" 1 \
   "DROP EXTENSION IF EXISTS naming relintel among others: refused as well"
createdb "${prefix}_empty"
psql_at "${prefix}_empty" -c 'CREATE EXTENSION relintel'
ok "$(psql_at "${prefix}_empty" -c 'DROP EXTENSION relintel' 2>&1; psql_at "${prefix}_empty" -c "SELECT count(*) FROM pg_extension WHERE extname = 'relintel'")" \
   0 "DROP EXTENSION relintel on an empty install drops it"
ok "$(psql_at "$src" -c 'DROP EXTENSION relintel CASCADE' 2>&1; psql_at "$src" -c "SELECT count(*) FROM pg_extension WHERE extname = 'relintel'")" \
   0 "DROP EXTENSION relintel CASCADE drops it, rows and all, as asked"
exit $failed
