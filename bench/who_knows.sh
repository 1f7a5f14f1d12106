#!/usr/bin/env bash
# bench/run.sh who_knows [SCALE]: latency of relintel.who_knows(address) at
# SCALE interactions (default 10000000), p50 and p99 over TRANSACTIONS calls
# (default 2000, pgbench, one client, prepared statements) for addresses drawn
# from 1000 contacts and leads (big accounts, with many interactions, come up
# as often as small ones).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scale=${1:-${SCALE:-10000000}}
transactions=${TRANSACTIONS:-2000}
db=${DB:-bench_who_${scale}}
ensure_cluster
dataset "$db" "$scale"
# who_knows reads the maintained tie table: a data set loaded with REBUILD=0
# gets the stored membership and states made here by rebuild().
if [ "$(psql -X -A -t -d "$db" -c 'SELECT NOT EXISTS (SELECT 1 FROM relintel.tie)')" = t ]; then
  started=$(date +%s.%N)
  psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c 'SELECT relintel.rebuild()' >/dev/null
  awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "rebuild() of the data set in %.1f s\n", e - s }'
fi

# A cached data set keeps the functions of the install it was generated
# with: the who_knows section of this tree (src/sql/50_who_knows.sql) is
# made again in it, in one transaction, its functions dropped by name first
# and made members of the extension again after (as a fresh install has them).
section="$repo_dir/src/sql/50_who_knows.sql"
names=$(sed -nE 's/^CREATE FUNCTION relintel\.([a-z_]+)\(.*/\1/p' "$section" | paste -sd, -)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"
cat >"$work/drop.sql" <<'SQL'
SET client_min_messages = warning;
SELECT format('ALTER EXTENSION relintel DROP FUNCTION relintel.%I', n),
       format('DROP FUNCTION relintel.%I', n)
  FROM unnest(string_to_array(:'names', ',')) AS n
 WHERE to_regproc(format('relintel.%I', n)) IS NOT NULL \gexec
SQL
cat >"$work/add.sql" <<'SQL'
SELECT format('ALTER EXTENSION relintel ADD FUNCTION relintel.%I', n)
  FROM unnest(string_to_array(:'names', ',')) AS n \gexec
SQL
psql -X -q -1 -d "$db" -v ON_ERROR_STOP=1 -v names="$names" -f "$work/drop.sql" -f "$section" -f "$work/add.sql" >/dev/null
echo "who_knows section of this tree made again in $db (functions: ${names//,/, })"

psql -X -q -d "$db" -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_addr;
CREATE TABLE bench_addr AS
SELECT row_number() OVER (ORDER BY h) AS i, email
  FROM (SELECT email, hashtext(email) AS h FROM relintel.contact
        UNION ALL SELECT email, hashtext(email) FROM relintel.lead ORDER BY 2 LIMIT 1000) AS a;
CREATE UNIQUE INDEX ON bench_addr (i);
ANALYZE bench_addr;
SQL
cat >"$work/who.sql" <<'SQL'
\set i random(1, 1000)
SELECT w.* FROM bench_addr AS a CROSS JOIN LATERAL relintel.who_knows(a.email) AS w WHERE a.i = :i;
SQL
# Warm-up: every address once (their tie and colleague pages in the cache:
# the calls measure the lookup, not the first read of a page after a
# restart or another benchmark), then 50 calls of the measured session's kind.
psql -X -q -d "$db" -v ON_ERROR_STOP=1 -o /dev/null -c 'SELECT count(*) FROM bench_addr AS a CROSS JOIN LATERAL relintel.who_knows(a.email) AS w'
(cd "$work" && pgbench -n -M prepared -c 1 -t 50 -f who.sql "$db" >/dev/null)
(cd "$work" && pgbench -n -M prepared -c 1 -t "$transactions" -f who.sql -l --log-prefix=who "$db" >/dev/null)
read -r p50 p99 n < <(pgbench_percentiles "$work"/who.*)
rows=$(psql -X -A -t -d "$db" -c "SELECT round(avg(n), 1) FROM (SELECT (SELECT count(*) FROM relintel.who_knows(a.email, 5)) AS n FROM bench_addr AS a WHERE a.i <= 100) AS x")

echo
echo "who_knows at $(psql -X -A -t -d "$db" -c 'SELECT count(*) FROM relintel.interaction') interactions, $transactions calls (avg $rows colleagues returned per address)"
echo "  p50 $p50 ms, p99 $p99 ms (target p99 ≤ 1 ms)"
