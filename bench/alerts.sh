#!/usr/bin/env bash
# Benchmark of refresh_alerts(): builds a CRM of N interactions (default
# 1,000,000, first argument) with bench/alerts_data.sql in a fresh database
# and times alerts(now()) (three times) and refresh_alerts() (twice: the
# first inserts every alert, the second finds them all again).  The data is
# vacuumed first, as autovacuum would have done: the first reader of freshly
# written rows otherwise pays for setting their hint bits.  Needs PG*
# variables for a server with relintel installed (superuser: the data is
# loaded with triggers off).
set -euo pipefail
n=${1:-1000000}
cd "$(dirname "$0")"
db=relintel_alerts_bench
dropdb --if-exists "$db" >/dev/null 2>&1 || true
createdb "$db"
psql -X -q -d "$db" -c 'CREATE EXTENSION relintel'
start=$(date +%s.%N)
psql -X -q -d "$db" -v ON_ERROR_STOP=1 -v n="$n" -f alerts_data.sql >/dev/null
echo "loaded $n interactions in $(echo "$(date +%s.%N) - $start" | bc) s"
psql -X -q -d "$db" -c "VACUUM ANALYZE"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
psql -X -d "$db" -v ON_ERROR_STOP=1 <<'SQL'
\timing on
SELECT count(*) AS interactions FROM relintel.interaction;
SELECT alert, count(*) FROM relintel.alerts() GROUP BY alert ORDER BY alert;
SELECT count(*) AS alerts FROM relintel.alerts();
SELECT count(*) AS alerts FROM relintel.alerts();
SELECT relintel.refresh_alerts() AS new_alerts;
SELECT relintel.refresh_alerts() AS new_alerts;
SQL
[ -n "${KEEP:-}" ] || dropdb "$db"
