#!/usr/bin/env bash
# bench/run.sh scoring [SCALE]: the health of every entity, three ways, over
# the same rows: relintel.entity_interaction (up to now) materialized into the
# plain table bench_ei first, so that all three read identical rows.
#   relintel  health_agg + score, status, trend, GROUP BY entity
#   plain SQL the formula of SPEC 2.1 in SQL: decayed sums with power(), the
#             weekly OLS slope, every factor, score, status and trend
#   floor     count(*) GROUP BY entity
# All serial (max_parallel_workers_per_gather = 0; see parallel.sh); best of
# REPEAT runs (default 3).  Checks that the plain-SQL scores equal relintel's.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
scale=${1:-${SCALE:-1000000}}
repeat=${REPEAT:-3}
db=bench_score_${scale}
ensure_cluster
dataset "$db" "$scale"

psql -X -q -d "$db" -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_ei, bench_asof;
CREATE TABLE bench_asof AS SELECT now() AS t;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE bench_ei AS
SELECT entity_type, entity_id, occurred_at, kind, outbound, duration, reply_latency, sentiment
  FROM relintel.entity_interaction
 WHERE occurred_at <= (SELECT t FROM bench_asof);
VACUUM ANALYZE bench_ei;
SQL
as_of=$(psql -X -A -t -d "$db" -c "SELECT t FROM bench_asof")
psql -X -A -t -d "$db" -c "SELECT format('%s entity-interaction rows, %s entities, as of %s',
    (SELECT count(*) FROM bench_ei), (SELECT count(*) FROM (SELECT DISTINCT entity_type, entity_id FROM bench_ei) AS e), '$as_of')"

relintel_sql="SELECT count(*), sum(score), count(status), count(trend) FROM (
  SELECT relintel.score(s, '$as_of') AS score, relintel.status(s, '$as_of') AS status, relintel.trend(s, '$as_of') AS trend
    FROM (SELECT entity_type, entity_id,
                 relintel.health_agg(occurred_at, kind, outbound, duration, reply_latency, sentiment) AS s
            FROM bench_ei GROUP BY entity_type, entity_id) AS g) AS x"

# SPEC 2.1 in plain SQL (default settings: H = 21 days, weights 1/2/3, bands 60/40).
plain_query="
WITH ent AS (
    SELECT entity_type, entity_id, greatest(timestamptz '$as_of', max(occurred_at)) AS tp
      FROM bench_ei GROUP BY entity_type, entity_id
), sums AS (
    SELECT e.entity_type, e.entity_id, e.tp,
           count(*) AS n,
           max(x.occurred_at) FILTER (WHERE NOT x.outbound OR x.kind <> 'email') AS last_engaged,
           sum(v.d * CASE WHEN x.kind <> 'email' THEN v.w / 2 WHEN x.outbound THEN 1 ELSE 0 END) AS e_out,
           sum(v.d * CASE WHEN x.kind <> 'email' THEN v.w / 2 WHEN x.outbound THEN 0 ELSE 1 END) AS e_in,
           coalesce(sum(v.d) FILTER (WHERE x.kind = 'email' AND x.outbound), 0) AS m_out,
           coalesce(sum(v.d) FILTER (WHERE x.reply_latency IS NOT NULL AND NOT x.outbound), 0) AS r_in,
           coalesce(sum(v.d * extract(epoch FROM x.reply_latency)::float8 / 3600)
                      FILTER (WHERE x.reply_latency IS NOT NULL AND NOT x.outbound), 0) AS l_in,
           coalesce(sum(v.d * x.sentiment), 0) AS s,
           coalesce(sum(v.d) FILTER (WHERE x.sentiment IS NOT NULL), 0) AS s_n,
           coalesce(sum(v.w * (v.k - 5.5)) FILTER (WHERE v.k BETWEEN 0 AND 11), 0) AS slope_num,
           coalesce(sum(v.w) FILTER (WHERE v.k BETWEEN 0 AND 11), 0) AS window_total
      FROM ent AS e
      JOIN bench_ei AS x USING (entity_type, entity_id)
     CROSS JOIN LATERAL (
            SELECT power(2, -extract(epoch FROM e.tp - x.occurred_at)::float8 / 86400 / 21) AS d,
                   CASE x.kind WHEN 'email' THEN 1.0 WHEN 'call' THEN 2.0 ELSE 3.0 END::float8 AS w,
                   floor((extract(epoch FROM x.occurred_at)::float8 - 345600) / 604800)
                   - floor((extract(epoch FROM e.tp)::float8 - 345600) / 604800) + 12 AS k
           ) AS v
     GROUP BY e.entity_type, e.entity_id, e.tp
), factor AS (
    SELECT s.entity_type, s.entity_id, s.n,
           CASE WHEN s.last_engaged IS NULL THEN 0
                ELSE power(2, -extract(epoch FROM s.tp - s.last_engaged)::float8 / 86400 / 14) END AS r,
           1 - exp(-(s.e_in + s.e_out) / 6) AS f,
           CASE WHEN s.e_in + s.e_out > 0 THEN least(1, 2 * s.e_in / (s.e_in + s.e_out)) ELSE 0 END AS b,
           CASE WHEN s.m_out >= 0.5 THEN
                CASE WHEN s.r_in > 0 THEN least(1, s.r_in / s.m_out) * 24 / (24 + s.l_in / s.r_in) ELSE 0 END
           END AS p,
           s.slope_num / 143 / greatest(s.window_total / 12, 0.25) AS slope,
           CASE WHEN s.s_n >= 0.5 THEN (s.s / s.s_n + 1) / 2 END AS q
      FROM sums AS s
), scored AS (
    SELECT f.entity_type, f.entity_id, f.slope,
           CASE WHEN f.n >= 3 THEN round((100 * (0.25 * f.r + 0.20 * f.f + 0.20 * f.b + coalesce(0.20 * f.p, 0)
                                                 + 0.15 * (greatest(-1, least(1, f.slope / 0.2)) + 1) / 2
                                                 + coalesce(0.10 * f.q, 0))
                                         / (0.80 + CASE WHEN f.p IS NOT NULL THEN 0.20 ELSE 0 END
                                                 + CASE WHEN f.q IS NOT NULL THEN 0.10 ELSE 0 END))::numeric)::int
           END AS score
      FROM factor AS f
)
SELECT entity_type, entity_id, score,
       CASE WHEN score IS NULL THEN 'insufficient' WHEN score >= 60 THEN 'good' WHEN score >= 40 THEN 'fair' ELSE 'poor' END AS status,
       CASE WHEN score IS NULL THEN NULL WHEN slope > 0.05 THEN 'improving' WHEN slope < -0.05 THEN 'declining' ELSE 'steady' END AS trend
  FROM scored"
plain_sql="SELECT count(*), sum(score), count(status), count(trend) FROM ($plain_query) AS x"
floor_sql="SELECT count(*), sum(n) FROM (SELECT entity_type, entity_id, count(*) AS n FROM bench_ei GROUP BY entity_type, entity_id) AS x"

PRE_SQL="SET max_parallel_workers_per_gather = 0;"
t_rel=$(best_of "$repeat" "$db" "$relintel_sql")
t_floor=$(best_of "$repeat" "$db" "$floor_sql")
t_plain=$(best_of "$(( repeat > 2 ? 2 : repeat ))" "$db" "$plain_sql")

differ=$(psql -X -A -t -d "$db" -c "
  WITH r AS (SELECT entity_type, entity_id, relintel.score(s, '$as_of') AS score,
                    relintel.status(s, '$as_of')::text AS status, relintel.trend(s, '$as_of')::text AS trend
               FROM (SELECT entity_type, entity_id,
                            relintel.health_agg(occurred_at, kind, outbound, duration, reply_latency, sentiment) AS s
                       FROM bench_ei GROUP BY entity_type, entity_id) AS g),
       p AS ($plain_query)
  SELECT format('%s of %s entities differ in score, %s in status, %s in trend',
                count(*) FILTER (WHERE r.score IS DISTINCT FROM p.score), count(*),
                count(*) FILTER (WHERE coalesce(r.status, 'insufficient') IS DISTINCT FROM p.status),
                count(*) FILTER (WHERE r.trend IS DISTINCT FROM p.trend))
    FROM r FULL JOIN p USING (entity_type, entity_id)")

echo
echo "scoring, serial, best of $repeat (plain SQL: best of $(( repeat > 2 ? 2 : repeat )))"
printf '  %-44s %10s\n' "relintel (health_agg + score/status/trend)" "$(secs "$t_rel")"
printf '  %-44s %10s\n' "plain SQL (SPEC 2.1 with power/exp/OLS)" "$(secs "$t_plain")"
printf '  %-44s %10s\n' "floor (count(*) GROUP BY entity)" "$(secs "$t_floor")"
echo "  relintel is $(ratio "$t_plain" "$t_rel")x faster than plain SQL (target >= 40x)"
echo "  relintel takes $(ratio "$t_rel" "$t_floor")x the floor (target <= 1.4x)"
echo "  check: $differ"
