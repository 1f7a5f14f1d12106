#!/usr/bin/env bash
# bench/run.sh reading [OPPORTUNITIES] [SCALE]: the at-risk list,
#   SELECT … FROM relintel.opportunity_health ORDER BY score LIMIT 50
# over a data set with OPPORTUNITIES opportunities (default 100000) and SCALE
# interactions (default 1000000); best of REPEAT (default 3).  For
# comparison, the same list read from the maintained states
# (relintel.entity_health, scored before the LIMIT, factors for the 50 only)
# instead of the view, and the view with parallel query off (on a virtual
# machine a parallel worker pays a page fault per page of its hash table).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
opps=${1:-100000}
scale=${2:-${SCALE:-1000000}}
repeat=${REPEAT:-3}
db=bench_read_${opps}_${scale}
ensure_cluster
dataset "$db" "$scale" "$opps"

view_sql="SELECT id, name, score, status, trend, recency, frequency, reciprocity, responsiveness, momentum, sentiment
  FROM relintel.opportunity_health ORDER BY score LIMIT 50"
state_sql="SELECT t.id, t.name, t.score, coalesce(relintel.status(t.state), 'insufficient') AS status, relintel.trend(t.state) AS trend,
       f.recency, f.frequency, f.reciprocity, f.responsiveness, f.momentum, f.sentiment
  FROM (SELECT o.id, o.name, e.state, relintel.score(e.state) AS score
          FROM relintel.opportunity AS o
          LEFT JOIN relintel.entity_health AS e ON e.entity_type = 'opportunity' AND e.entity_id = o.id
         ORDER BY 4 LIMIT 50) AS t
  LEFT JOIN LATERAL relintel.factors(t.state) AS f ON true
 ORDER BY t.score"
PRE_SQL=""
t_view=$(best_of "$repeat" "$db" "$view_sql")
t_state=$(best_of "$repeat" "$db" "$state_sql")
PRE_SQL="SET max_parallel_workers_per_gather = 0;"
t_serial=$(best_of "$repeat" "$db" "$view_sql")
plan=$(psql -X -A -t -d "$db" -c "EXPLAIN (COSTS OFF) $view_sql" | grep -oE 'Gather( Merge)?' | head -1)
same=$(psql -X -A -t -d "$db" -c "SELECT count(*) FROM ((SELECT score FROM ($view_sql) AS v) EXCEPT ALL (SELECT score FROM ($state_sql) AS s)) AS d")

echo
echo "at-risk list: ORDER BY score LIMIT 50 over all opportunities, best of $repeat"
printf '  %-52s %10s   (target <= 100 ms; plan: %s)\n' "relintel.opportunity_health (the view)" "$(awk -v t="$t_view" 'BEGIN { printf "%.0f ms", t }')" "${plan:-serial}"
printf '  %-52s %10s\n' "the view, serial (max_parallel_workers_per_gather = 0)" "$(awk -v t="$t_serial" 'BEGIN { printf "%.0f ms", t }')"
printf '  %-52s %10s\n' "maintained states (entity_health, score, LIMIT)" "$(awk -v t="$t_state" 'BEGIN { printf "%.0f ms", t }')"
echo "  the view takes $(ratio "$t_view" "$t_state")x the maintained-state read; scores of the view missing from it: $same"
