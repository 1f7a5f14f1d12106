#!/usr/bin/env bash
# bench/run.sh maintenance [N] [SHAPE]: the cost of keeping the stored
# membership, entity_health and tie fresh, against the plain way of loading
# the same rows (the same COPY with every user trigger of the table disabled:
# no normalization, no maintenance), in one run, on the same data.
#   SHAPE crm (default): bench/generate.sql, a CRM with many records;
#   SHAPE mailbox: bench/generate_mailbox.sql, a company's mailbox (5,000
#     colleagues, 5 recipients on average with a tail of 20-50, a quarter
#     internal-only, few CRM records).
#   1. first load: COPY of N generated interactions, one statement, into a
#      database holding the CRM and no interaction yet;
#   2. rebuild() of what step 1 loaded;
#   3. load into a loaded database: the first half of the same rows loaded,
#      then a COPY of the second half (one statement);
#   4. single-row INSERT latency, p50 and p99 over TRANSACTIONS inserts
#      (default 2000, pgbench, one client, synchronous_commit off) into the
#      database of step 1, with the triggers and without;
#   5. batches into the loaded database: BATCHES (default 3) COPYs of 10,000
#      new interactions each (the last rows of the data set again, under new
#      Message-IDs) into the databases of step 1, with the triggers and
#      without: what a loader's batch costs once the table is large.
# BENCH_DEFAULTS=1 runs it all in a cluster with PostgreSQL's default settings.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n=${1:-${N:-1000000}}
shape=${2:-${SHAPE:-crm}}
transactions=${TRANSACTIONS:-2000}
ensure_cluster
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"

# The rows to load (generated once per scale and shape, with the triggers
# disabled), and a database holding the same CRM without interactions.
src=bench_${shape}_$n
tpl=bench_copy_tpl_${shape}_$n
case $shape in
  crm)
    REBUILD=0 dataset "$src" "$n"
    fresh_db "$tpl"
    generate "$tpl" "$n" -v crm_only=1 >/dev/null ;;
  mailbox)
    if [ "$(psql -X -A -t -d "$src" -c "SELECT count(*) FROM relintel.interaction" 2>/dev/null || true)" != "$n" ]; then
      fresh_db "$src"
      psql -X -q -d "$src" -v scale="$n" -v seed="$SEED" -v rebuild=0 -f "$bench_dir/generate_mailbox.sql"
    fi
    fresh_db "$tpl"
    psql -X -q -d "$tpl" -v scale="$n" -v seed="$SEED" -v crm_only=1 -f "$bench_dir/generate_mailbox.sql" ;;
  *) echo "unknown shape: $shape (crm or mailbox)" >&2; exit 2 ;;
esac
cols="kind, occurred_at, duration, sender, recipients, subject, message_id, in_reply_to, regarding_type, regarding_id, sentiment"
psql -X -q -d "$src" -c "\\copy (SELECT $cols FROM relintel.interaction ORDER BY id) TO '$work/all.csv' WITH (FORMAT csv)"
half=$((n / 2))
head -n "$half" "$work/all.csv" >"$work/first.csv"
tail -n +"$((half + 1))" "$work/all.csv" >"$work/second.csv"
psql -X -q -d "$tpl" -c "CHECKPOINT"

copy_ms() {   # copy_ms DB CSV: milliseconds of the COPY
  psql -X -q -d "$1" -v ON_ERROR_STOP=1 -c '\timing on' \
    -c "\\copy relintel.interaction ($cols) FROM '$2' WITH (FORMAT csv)" \
    | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -1
}
new_db() {    # new_db DB MODE: a copy of the template, triggers disabled for MODE without
  dropdb --if-exists "$1" 2>/dev/null || true
  createdb -T "$tpl" "$1"
  if [ "$2" = without ]; then
    psql -X -q -d "$1" -c 'ALTER TABLE relintel.interaction DISABLE TRIGGER USER'
  fi
}

# 1. First load, 2. rebuild().
for mode in without with; do
  db=bench_copy_${mode}_${shape}_$n
  new_db "$db" "$mode"
  psql -X -q -d "$db" -c "CHECKPOINT"
  eval "fresh_$mode=\$(copy_ms \"\$db\" \"\$work/all.csv\")"
  psql -X -q -d "$db" -c "ANALYZE"
done
db_with=bench_copy_with_${shape}_$n
check=$(psql -X -A -t -d "$db_with" -c "SELECT format('%s memberships, %s tie memberships, %s entity states, %s ties, %s pending', (SELECT count(*) FROM relintel.entity_member), (SELECT count(*) FROM relintel.tie_member), (SELECT count(*) FROM relintel.entity_health), (SELECT count(*) FROM relintel.tie), (SELECT count(*) FROM relintel.pending_interaction))")
bytes=$(psql -X -A -t -d "$db_with" -c "SELECT round((pg_total_relation_size('relintel.interaction_fact') + pg_total_relation_size('relintel.entity_member') + pg_total_relation_size('relintel.tie_member'))::numeric / $n)")
rebuild=$(ms "$db_with" -c '\timing on' -c 'SELECT relintel.rebuild()')

# 3. Into a loaded database: the first half loaded the same way, then timed.
for mode in without with; do
  db=bench_loaded_${mode}_${shape}_$n
  new_db "$db" "$mode"
  copy_ms "$db" "$work/first.csv" >/dev/null
  psql -X -q -d "$db" -c "VACUUM ANALYZE" -c "CHECKPOINT"
  eval "loaded_$mode=\$(copy_ms \"\$db\" \"\$work/second.csv\")"
done
loaded_verify=$(psql -X -A -t -d "bench_loaded_with_${shape}_$n" -c "SELECT count(*) FROM relintel.verify()")
for mode in without with; do dropdb --if-exists "bench_loaded_${mode}_${shape}_$n"; done

# 4. Single-row inserts.
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
read -r p50_with p99_with _ < <(bench_inserts with "$db_with" "-c synchronous_commit=off")
read -r p50_without p99_without _ < <(bench_inserts without "bench_copy_without_${shape}_$n" "-c synchronous_commit=off")
read -r p50_sync p99_sync _ < <(bench_inserts sync "$db_with" "-c synchronous_commit=on")

# 5. Batches of 10,000 into the loaded databases, alternately without and with.
batches=${BATCHES:-3}
batch_without=0 batch_with=0 batch_each=""
for b in $(seq 1 "$batches"); do
  psql -X -q -d "$src" -c "\\copy (SELECT kind, occurred_at, duration, sender, recipients, subject, 'b$b-' || message_id, 'b$b-' || in_reply_to, regarding_type, regarding_id, sentiment FROM (SELECT * FROM relintel.interaction ORDER BY id DESC LIMIT 10000) AS i ORDER BY id) TO '$work/batch$b.csv' WITH (FORMAT csv)"
  t_without=$(copy_ms "bench_copy_without_${shape}_$n" "$work/batch$b.csv")
  t_with=$(copy_ms "$db_with" "$work/batch$b.csv")
  batch_without=$(echo "$batch_without + $t_without" | bc)
  batch_with=$(echo "$batch_with + $t_with" | bc)
  batch_each="$batch_each $(printf '%.0f/%.0f' "$t_with" "$t_without")"
done
verify=$(psql -X -A -t -d "$db_with" -c "SELECT count(*) FROM relintel.verify()")

echo
echo "maintenance, shape $shape, $n interactions ($(psql -X -A -t -d "$db_with" -c "SELECT format('shared_buffers %s, work_mem %s', current_setting('shared_buffers'), current_setting('work_mem'))"))"
echo "1. first load: COPY of $n interactions (one statement) into a CRM without interactions"
printf '  %-36s %10s\n' "without triggers" "$(secs "$fresh_without")"
printf '  %-36s %10s   (%s)\n' "with relintel's triggers" "$(secs "$fresh_with")" "$check"
echo "  with triggers: $(ratio "$fresh_with" "$fresh_without")x the time without (target <= 3x)"
echo "2. rebuild() of that data: $(secs "$rebuild"), $(ratio "$rebuild" "$fresh_without")x the COPY without triggers (target <= 10x)"
echo "3. into a loaded database: COPY of the second $((n - half)) after the first $half"
printf '  %-36s %10s\n' "without triggers" "$(secs "$loaded_without")"
printf '  %-36s %10s   (verify(): %s rows)\n' "with relintel's triggers" "$(secs "$loaded_with")" "$loaded_verify"
echo "  with triggers: $(ratio "$loaded_with" "$loaded_without")x the time without (target <= 3x)"
echo "4. single-row INSERT, $transactions inserts after the first load, one client, synchronous_commit = off"
echo "  with triggers:    p50 $p50_with ms, p99 $p99_with ms (target p99 <= 5 ms)"
echo "  without triggers: p50 $p50_without ms, p99 $p99_without ms"
echo "  with triggers and synchronous_commit = on (fsync at each commit): p50 $p50_sync ms, p99 $p99_sync ms"
echo "5. $batches batches of 10,000 new interactions into the loaded database (ms with/without triggers:$batch_each)"
echo "  with triggers: $(ratio "$batch_with" "$batch_without")x the time without (target <= 3x)"
echo "stored membership: $bytes bytes per interaction (interaction_fact, entity_member, tie_member with their indexes); verify() after the inserts: $verify rows"
