#!/usr/bin/env bash
# bench/run.sh distributed [SCALE]: what a distributed engine (Citus) does
# with relintel's aggregates, emulated on one machine, against the one-node
# aggregate, in one run, on the same rows (the stored membership of the data
# set of SCALE interactions, default 1,000,000, copied into bench_em):
#   one node   health_agg GROUP BY entity, then health_report (every figure
#              from one state)
#   split      partial health_agg per entity within each chunk (CHUNKS,
#              default 32, by a hash of the interaction: as shards; each
#              chunk aggregated on its own, as a shard is), each partial
#              state written as text and read back (how Citus ships partial
#              aggregates), combined with the merge() aggregate, then
#              health_report
#   text I/O   the per-state cost of writing the partial states as text and
#              of reading them back, in microseconds
# Serial (max_parallel_workers_per_gather = 0); best of REPEAT (default 3).
# Checks that the split path's states equal the one-node ones.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scale=${1:-${SCALE:-1000000}}
chunks=${CHUNKS:-32}
repeat=${REPEAT:-3}
db=bench_crm_$scale
ensure_cluster
dataset "$db" "$scale"

psql -X -q -d "$db" -v ON_ERROR_STOP=1 -v chunks="$chunks" <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_em, bench_partial_text, bench_partial_state;
CREATE TABLE bench_em AS
SELECT m.entity_type, m.entity_id, m.occurred_at, m.kind, m.outbound, m.duration, m.reply_latency,
       m.sentiment, abs(hashint8(m.interaction_id)) % :chunks AS chunk
  FROM relintel.entity_member AS m
 ORDER BY chunk;   -- each chunk's rows together, as a shard's are
CREATE INDEX ON bench_em (chunk);
VACUUM ANALYZE bench_em;
SET max_parallel_workers_per_gather = 0;
DROP TABLE IF EXISTS bench_partial_state;
CREATE TABLE bench_partial_state AS
SELECT entity_type, entity_id, chunk,
       relintel.health_agg(occurred_at, kind, outbound, duration, reply_latency, sentiment) AS state
  FROM bench_em GROUP BY 1, 2, 3;
CREATE TABLE bench_partial_text AS
SELECT entity_type, entity_id, chunk, state::text AS state FROM bench_partial_state;
VACUUM ANALYZE bench_partial_state, bench_partial_text;
SQL
psql -X -A -t -d "$db" -c "SELECT format('%s rows, %s entities, %s partial states in $chunks chunks',
    (SELECT count(*) FROM bench_em), (SELECT count(*) FROM (SELECT DISTINCT entity_type, entity_id FROM bench_em) AS e),
    (SELECT count(*) FROM bench_partial_text))"

export PRE_SQL="SET max_parallel_workers_per_gather = 0;"
agg="relintel.health_agg(occurred_at, kind, outbound, duration, reply_latency, sentiment)"
one_sql="SELECT count(r.score) FROM (SELECT $agg AS s FROM bench_em GROUP BY entity_type, entity_id) AS g,
           LATERAL relintel.health_report(g.s, now()) AS r"
split_sql="SELECT count(r.score) FROM (
             SELECT relintel.merge(p.state::relintel.health_state) AS s
               FROM generate_series(0, $chunks - 1) AS c(chunk)
              CROSS JOIN LATERAL (SELECT m.entity_type, m.entity_id, $agg::text AS state
                                    FROM bench_em AS m WHERE m.chunk = c.chunk
                                   GROUP BY m.entity_type, m.entity_id) AS p
              GROUP BY p.entity_type, p.entity_id) AS g,
           LATERAL relintel.health_report(g.s, now()) AS r"
# text I/O: writing the stored partial states as text, reading their text back, each less the bare scan
write_sql="SELECT count(state::text) FROM bench_partial_state"
state_scan_sql="SELECT count(state) FROM bench_partial_state"
read_sql="SELECT count(state::relintel.health_state) FROM bench_partial_text"
scan_sql="SELECT count(state) FROM bench_partial_text"

equal=$(psql -X -A -t -d "$db" -c "
  SELECT count(*) FILTER (WHERE NOT (o.s OPERATOR(relintel.=) d.s)) FROM
    (SELECT entity_type, entity_id, $agg AS s FROM bench_em GROUP BY 1, 2) AS o
    JOIN (SELECT entity_type, entity_id, relintel.merge(state::relintel.health_state) AS s
            FROM bench_partial_text GROUP BY 1, 2) AS d USING (entity_type, entity_id)")
[ "$equal" = 0 ] || { echo "split states differ from the one-node states: $equal" >&2; exit 1; }
echo "split-and-combine states equal the one-node states"

one_ms=$(best_of "$repeat" "$db" "$one_sql")
split_ms=$(best_of "$repeat" "$db" "$split_sql")
partial_ms=$(best_of "$repeat" "$db" "$state_scan_sql")
write_ms=$(best_of "$repeat" "$db" "$write_sql")
read_ms=$(best_of "$repeat" "$db" "$read_sql")
scan_ms=$(best_of "$repeat" "$db" "$scan_sql")
states=$(psql -X -A -t -d "$db" -c "SELECT count(*) FROM bench_partial_text")
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "one node (health_agg + health_report):            $(secs "$one_ms")"
echo "split in $chunks chunks, through text, merge():      $(secs "$split_ms")   ratio $(ratio "$split_ms" "$one_ms") (target <= 1.5)"
awk -v w="$write_ms" -v p="$partial_ms" -v r="$read_ms" -v s="$scan_ms" -v n="$states" \
  'BEGIN { printf "text I/O per state: write %.2f us, read %.2f us (%d states; target <= 1 us each)\n", (w - p) * 1000 / n, (r - s) * 1000 / n, n }'
