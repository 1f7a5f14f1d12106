#!/usr/bin/env bash
# bench/run.sh maintenance [N]: the cost of keeping entity_health and tie
# fresh.
#   1. COPY of N generated interactions (default 1000000) into a database
#      holding the generator's CRM for that scale and no interaction yet: once
#      with relintel's triggers, once with every user trigger of the table
#      disabled (no normalization, no maintenance); one COPY statement each.
#   2. single-row INSERT latency, p50 and p99 over TRANSACTIONS inserts
#      (default 2000, pgbench, one client), into the database just loaded,
#      with the triggers and without.  Each insert is a new email between a
#      random contact and a colleague, half of them inbound.  COPY of 1
#      million interactions through the triggers takes long on 2 cores: pass
#      a smaller N to try it quickly.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n=${1:-${N:-1000000}}
transactions=${TRANSACTIONS:-2000}
ensure_cluster
src=bench_score_$n   # the data set of the scoring benchmark
tpl=bench_copy_tpl_$n
dataset "$src" "$n"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"

cols="kind, occurred_at, duration, sender, recipients, subject, message_id, in_reply_to, regarding_type, regarding_id, sentiment"
psql -X -q -d "$src" -c "\\copy (SELECT $cols FROM relintel.interaction ORDER BY id) TO '$work/interactions.csv' WITH (FORMAT csv)"
# The same CRM, no interactions (same scale and seed: the generator is deterministic).
fresh_db "$tpl"
generate "$tpl" "$n" -v crm_only=1 >/dev/null
psql -X -q -d "$tpl" -c "CHECKPOINT"

copy_ms() {   # copy_ms DB: milliseconds of the COPY
  psql -X -q -d "$1" -v ON_ERROR_STOP=1 -c '\timing on' \
    -c "\\copy relintel.interaction ($cols) FROM '$work/interactions.csv' WITH (FORMAT csv)" \
    | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -1
}
for mode in without with; do
  db=bench_copy_${mode}_$n
  dropdb --if-exists "$db" 2>/dev/null || true
  createdb -T "$tpl" "$db"
  if [ "$mode" = without ]; then
    psql -X -q -d "$db" -c 'ALTER TABLE relintel.interaction DISABLE TRIGGER USER'
  fi
  psql -X -q -d "$db" -c "CHECKPOINT"
  t=$(copy_ms "$db")
  eval "t_$mode=\$t"
  psql -X -q -d "$db" -c "ANALYZE"
done
check=$(psql -X -A -t -d "bench_copy_with_$n" -c "SELECT format('%s maintained entity states, %s ties, %s pending', (SELECT count(*) FROM relintel.entity_health), (SELECT count(*) FROM relintel.tie), (SELECT count(*) FROM relintel.pending_interaction))")

# Single-row inserts.
ncon=$(psql -X -A -t -d "$src" -c "SELECT count(*) FROM relintel.contact")
ncol=$(psql -X -A -t -d "$src" -c "SELECT count(*) FROM relintel.colleague")
cat >"$work/out.sql" <<SQL
\\set p random(1, $ncon)
\\set c random(1, $ncol)
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, subject, message_id)
SELECT 'email', now() - interval '1 minute', co.email, ARRAY[ct.email], 'Quick question', gen_random_uuid() || '@mail.contoso.com'
  FROM relintel.colleague AS co, relintel.contact AS ct WHERE co.id = :c AND ct.id = :p;
SQL
cat >"$work/in.sql" <<SQL
\\set p random(1, $ncon)
\\set c random(1, $ncol)
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, subject, message_id)
SELECT 'email', now() - interval '1 minute', ct.email, ARRAY[co.email], 'Re: Quick question', gen_random_uuid() || '@mail.example'
  FROM relintel.colleague AS co, relintel.contact AS ct WHERE co.id = :c AND ct.id = :p;
SQL
# synchronous_commit = off isolates what the triggers cost from the disk's
# fsync at commit; one run with the default shows what the commit costs here.
bench_inserts() {   # bench_inserts LABEL DB PGOPTIONS
  (cd "$work" && PGOPTIONS=$3 pgbench -n -c 1 -t 50 -f out.sql -f in.sql "$2" >/dev/null)   # warm-up
  (cd "$work" && PGOPTIONS=$3 pgbench -n -c 1 -t "$transactions" -f out.sql -f in.sql -l --log-prefix="ins_$1" "$2" >/dev/null)
  pgbench_percentiles "$work"/ins_$1.*
}
read -r p50_with p99_with _ < <(bench_inserts with "bench_copy_with_$n" "-c synchronous_commit=off")
read -r p50_without p99_without _ < <(bench_inserts without "bench_copy_without_$n" "-c synchronous_commit=off")
read -r p50_sync p99_sync _ < <(bench_inserts sync "bench_copy_with_$n" "-c synchronous_commit=on")

echo
echo "maintenance: COPY of $n interactions (one statement) into an empty interaction table"
printf '  %-36s %10s\n' "without triggers" "$(secs "$t_without")"
printf '  %-36s %10s   (%s)\n' "with relintel's triggers" "$(secs "$t_with")" "$check"
echo "  with triggers: $(ratio "$t_with" "$t_without")x the time without (target <= 3x)"
echo "single-row INSERT, $transactions inserts after the COPY, one client, synchronous_commit = off"
echo "  with triggers:    p50 $p50_with ms, p99 $p99_with ms (target p99 < 5 ms)"
echo "  without triggers: p50 $p50_without ms, p99 $p99_without ms"
echo "  with triggers and synchronous_commit = on (fsync at each commit): p50 $p50_sync ms, p99 $p99_sync ms"
