-- The aggregates give the same result serially and under parallel query
-- (Partial Aggregate + combine = merge), and merge of two halves equals the whole.
SET search_path = relintel, public;
SET timezone = 'UTC';

-- 300,000 generated interactions over 1,000 entities (a regular table, so
-- that parallel workers can scan it).
CREATE TABLE par_ix AS
SELECT g % 1000 AS entity,
       timestamptz '2025-06-01 00:00+00' + (g::bigint * 7919 % 31536000) * interval '1 second' AS t,
       (ARRAY['email', 'email', 'meeting', 'call'])[1 + g % 4]::interaction_kind AS k,
       (g % 3 <> 0) AS o,
       CASE WHEN g % 4 >= 2 THEN (g % 90) * interval '1 minute' END AS dur,
       CASE WHEN g % 4 < 2 AND g % 5 = 0 THEN (g % 4000) * interval '1 minute' END AS lat,
       CASE WHEN g % 7 = 0 THEN ((g % 201) - 100) / 100.0 END::real AS s,
       g % 2 = 0 AS first_half
FROM generate_series(1, 300000) AS g;
ANALYZE par_ix;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF)
SELECT entity, health_agg(t, k, o, dur, lat, s) FROM par_ix GROUP BY entity;
EXPLAIN (COSTS OFF)
SELECT entity, tie_agg(t, k, o) FROM par_ix GROUP BY entity;
EXPLAIN (COSTS OFF)
SELECT trend_agg(t, 1) FROM par_ix;

CREATE TEMP TABLE par AS
SELECT entity, health_agg(t, k, o, dur, lat, s) AS h, tie_agg(t, k, o) AS ti, trend_agg(t, entity) AS w
FROM par_ix GROUP BY entity;
CREATE TEMP TABLE par_all AS
SELECT health_agg(t, k, o, dur, lat, s) AS h, tie_agg(t, k, o) AS ti, trend_agg(t, entity) AS w FROM par_ix;

SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF)
SELECT entity, health_agg(t, k, o, dur, lat, s) FROM par_ix GROUP BY entity;
CREATE TEMP TABLE ser AS
SELECT entity, health_agg(t, k, o, dur, lat, s) AS h, tie_agg(t, k, o) AS ti, trend_agg(t, entity) AS w
FROM par_ix GROUP BY entity;
CREATE TEMP TABLE ser_all AS
SELECT health_agg(t, k, o, dur, lat, s) AS h, tie_agg(t, k, o) AS ti, trend_agg(t, entity) AS w FROM par_ix;

-- Per entity: states equal, and every score, status, trend, slope and strength identical.
SELECT count(*) AS entities,
       count(*) FILTER (WHERE p.h = s.h AND p.ti = s.ti AND p.w = s.w) AS equal_states,
       count(*) FILTER (WHERE score(p.h, '2026-06-01') = score(s.h, '2026-06-01')
                          AND status(p.h, '2026-06-01') = status(s.h, '2026-06-01')
                          AND trend(p.h, '2026-06-01') = trend(s.h, '2026-06-01')
                          AND trend_slope(p.h, '2026-06-01') = trend_slope(s.h, '2026-06-01')
                          AND strength(p.ti, '2026-06-01') = strength(s.ti, '2026-06-01')
                          AND slope(p.w, '2026-06-01') = slope(s.w, '2026-06-01')) AS identical_results,
       count(DISTINCT score(s.h, '2026-06-01')) > 5 AS scores_vary
FROM par p JOIN ser s USING (entity);

-- Whole table (one group): the same.
SELECT p.h = s.h AS h_equal, p.ti = s.ti AS tie_equal, p.w = s.w AS trend_equal,
       score(p.h, '2026-06-01') = score(s.h, '2026-06-01') AS same_score,
       strength(p.ti, '2026-06-01') = strength(s.ti, '2026-06-01') AS same_strength,
       slope(p.w, '2026-06-01') = slope(s.w, '2026-06-01') AS same_slope,
       interactions(p.h) AS n
FROM par_all p, ser_all s;

-- merge of the states of two halves equals the state of all rows.
SELECT merge(a.h, b.h) = s.h AS health_halves, merge(b.h, a.h) = s.h AS health_halves_swapped,
       merge(a.ti, b.ti) = s.ti AS tie_halves, merge(a.w, b.w) = s.w AS trend_halves,
       score(merge(a.h, b.h), '2026-06-01') = score(s.h, '2026-06-01') AS same_score
FROM (SELECT health_agg(t, k, o, dur, lat, s) AS h, tie_agg(t, k, o) AS ti, trend_agg(t, entity) AS w
      FROM par_ix WHERE first_half) a,
     (SELECT health_agg(t, k, o, dur, lat, s) AS h, tie_agg(t, k, o) AS ti, trend_agg(t, entity) AS w
      FROM par_ix WHERE NOT first_half) b,
     ser_all s;

-- The same per entity, halves split by time (older half and newer half).
SELECT count(*) AS entities, count(*) FILTER (WHERE merge(a.h, b.h) = s.h AND merge(a.ti, b.ti) = s.ti
                                                AND merge(a.w, b.w) = s.w) AS equal_merges
FROM (SELECT entity, health_agg(t, k, o, dur, lat, s) AS h, tie_agg(t, k, o) AS ti, trend_agg(t, entity) AS w
      FROM par_ix WHERE t < '2025-12-01' GROUP BY entity) a
JOIN (SELECT entity, health_agg(t, k, o, dur, lat, s) AS h, tie_agg(t, k, o) AS ti, trend_agg(t, entity) AS w
      FROM par_ix WHERE t >= '2025-12-01' GROUP BY entity) b USING (entity)
JOIN ser s USING (entity);

-- alert_summary_agg (the alerts' grouped pass) under parallel query (partial
-- summaries serialized, combined) and serially, against the same figures
-- computed in plain SQL: at T = 2026-04-01 (later rows are pending).
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT entity, alert_summary_agg(t, k, o, dur, lat, s, '2026-04-01', '2026-03-02', '2025-04-01')
FROM par_ix GROUP BY entity;
CREATE TEMP TABLE par_summary AS
SELECT entity, alert_summary_agg(t, k, o, dur, lat, s, '2026-04-01', '2026-03-02', '2025-04-01') AS a
FROM par_ix GROUP BY entity;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ser_summary AS
SELECT entity, alert_summary_agg(t, k, o, dur, lat, s, '2026-04-01', '2026-03-02', '2025-04-01') AS a
FROM par_ix GROUP BY entity;
CREATE TEMP TABLE sql_summary AS
WITH x AS (
    SELECT entity,
           max(t) FILTER (WHERE (k <> 'email' OR NOT o) AND t <= '2026-04-01') AS last_engaged,
           count(*) FILTER (WHERE (k <> 'email' OR NOT o) AND t <= '2026-04-01' AND t > '2025-04-01') AS engaged_year,
           median_gap(array_agg(t) FILTER (WHERE (k <> 'email' OR NOT o) AND t <= '2026-04-01'
                                             AND t > '2025-04-01')) AS typical_gap,
           max(t) FILTER (WHERE k <> 'email' AND t <= '2026-04-01') AS last_meeting,
           count(*) FILTER (WHERE k <> 'email' AND t > '2026-04-01') AS scheduled,
           health_agg(t, k, o, dur, lat, s) FILTER (WHERE t <= '2026-04-01') AS state_now,
           health_agg(t, k, o, dur, lat, s) FILTER (WHERE t <= '2026-03-02') AS state_then
      FROM par_ix GROUP BY entity
), unanswered AS (   -- the outbound emails after the last engagement
    SELECT x.entity, count(u.t) AS unanswered, min(u.t) AS first_unanswered
      FROM x
      LEFT JOIN par_ix AS u
             ON u.entity = x.entity AND u.k = 'email' AND u.o AND u.t <= '2026-04-01'
            AND u.t > coalesce(x.last_engaged, '-infinity')
     GROUP BY x.entity
)
SELECT * FROM x JOIN unanswered USING (entity);
SELECT count(*) AS entities,
       count(*) FILTER (WHERE (p.a).last_engaged IS NOT DISTINCT FROM (q.a).last_engaged AND (p.a).engaged_year = (q.a).engaged_year
                          AND (p.a).typical_gap IS NOT DISTINCT FROM (q.a).typical_gap AND (p.a).unanswered = (q.a).unanswered
                          AND (p.a).first_unanswered IS NOT DISTINCT FROM (q.a).first_unanswered
                          AND (p.a).last_meeting IS NOT DISTINCT FROM (q.a).last_meeting AND (p.a).scheduled = (q.a).scheduled
                          AND (p.a).state_now = (q.a).state_now AND (p.a).state_then = (q.a).state_then
                          AND score((p.a).state_now, '2026-04-01') = score((q.a).state_now, '2026-04-01')
                          AND score((p.a).state_then, '2026-03-02') = score((q.a).state_then, '2026-03-02'))
         AS parallel_equals_serial,
       count(*) FILTER (WHERE (q.a).last_engaged IS NOT DISTINCT FROM x.last_engaged AND (q.a).engaged_year = x.engaged_year
                          AND (q.a).typical_gap IS NOT DISTINCT FROM x.typical_gap AND (q.a).unanswered = x.unanswered
                          AND (q.a).first_unanswered IS NOT DISTINCT FROM x.first_unanswered
                          AND (q.a).last_meeting IS NOT DISTINCT FROM x.last_meeting AND (q.a).scheduled = x.scheduled
                          AND (q.a).state_now = x.state_now AND (q.a).state_then = x.state_then
                          AND score((q.a).state_now, '2026-04-01') = score(x.state_now, '2026-04-01')
                          AND score((q.a).state_then, '2026-03-02') = score(x.state_then, '2026-03-02'))
         AS serial_equals_sql,
       count(*) FILTER (WHERE x.unanswered >= 2) > 10 AS some_unanswered,
       count(DISTINCT x.scheduled) > 1 AS scheduled_vary,
       count(*) FILTER (WHERE x.last_meeting IS NULL) AS without_meetings
FROM par_summary p JOIN ser_summary q USING (entity) JOIN sql_summary x USING (entity);

DROP TABLE par_ix;
