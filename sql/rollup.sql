-- merge() as an aggregate (issue 15): per-day states rolled up equal the
-- aggregate over all the rows, for each state type; serial equals parallel;
-- NULL states are empty ones.
SET client_min_messages = warning;
SET TimeZone = 'UTC';
CREATE TEMP TABLE rollup_row AS
SELECT (i % 7) AS entity_id,
       timestamptz '2026-01-01' + (i * interval '37 minutes 11 seconds') AS occurred_at,
       (ARRAY['email', 'meeting', 'call']::relintel.interaction_kind[])[1 + i % 3] AS kind,
       i % 4 = 0 AS outbound,
       CASE WHEN i % 3 <> 0 THEN interval '30 minutes' END AS duration,
       CASE WHEN i % 5 = 0 THEN interval '2 hours' END AS reply_latency,
       CASE WHEN i % 6 = 0 THEN ((i % 11) - 5) / 5.0 END::real AS sentiment,
       'x' || (i % 3) || '@fabrikam.com' AS address
  FROM generate_series(1, 20000) AS i;
ANALYZE rollup_row;

-- health_state: per entity and day, rolled up per entity.
WITH by_day AS (
    SELECT entity_id, date_trunc('day', occurred_at) AS day,
           relintel.health_agg(occurred_at, kind, outbound, duration, reply_latency, sentiment) AS state
      FROM rollup_row GROUP BY 1, 2
), rolled AS (
    SELECT entity_id, relintel.merge(state) AS state FROM by_day GROUP BY 1
), whole AS (
    SELECT entity_id, relintel.health_agg(occurred_at, kind, outbound, duration, reply_latency, sentiment) AS state
      FROM rollup_row GROUP BY 1
)
SELECT count(*) AS entities,
       count(*) FILTER (WHERE r.state OPERATOR(relintel.=) w.state) AS equal,
       count(*) FILTER (WHERE relintel.score(r.state, '2026-06-01') = relintel.score(w.state, '2026-06-01')) AS same_score
  FROM rolled AS r JOIN whole AS w USING (entity_id);

-- tie_state and trend_state the same way.
WITH by_day AS (
    SELECT entity_id, address, date_trunc('day', occurred_at) AS day,
           relintel.tie_agg(occurred_at, kind, outbound) AS state
      FROM rollup_row GROUP BY 1, 2, 3
), rolled AS (
    SELECT entity_id, address, relintel.merge(state) AS state FROM by_day GROUP BY 1, 2
), whole AS (
    SELECT entity_id, address, relintel.tie_agg(occurred_at, kind, outbound) AS state
      FROM rollup_row GROUP BY 1, 2
)
SELECT count(*) AS ties, count(*) FILTER (WHERE r.state OPERATOR(relintel.=) w.state) AS equal
  FROM rolled AS r JOIN whole AS w USING (entity_id, address);
WITH by_day AS (
    SELECT entity_id, date_trunc('day', occurred_at) AS day,
           relintel.trend_agg(occurred_at, 1.0) AS state
      FROM rollup_row GROUP BY 1, 2
)
SELECT count(*) AS series,
       count(*) FILTER (WHERE r.state OPERATOR(relintel.=) w.state) AS equal
  FROM (SELECT entity_id, relintel.merge(state) AS state FROM by_day GROUP BY 1) AS r
  JOIN (SELECT entity_id, relintel.trend_agg(occurred_at, 1.0) AS state FROM rollup_row GROUP BY 1) AS w
 USING (entity_id);

-- NULLs are empty states; no rows give NULL.
SELECT relintel.merge(s) IS NULL AS empty_is_null FROM (SELECT NULL::relintel.health_state AS s) AS x;
SELECT relintel.merge(s) IS NULL AS no_rows_is_null FROM (SELECT NULL::relintel.tie_state AS s WHERE false) AS x;

-- Serial equals parallel: the same roll-up of every state at once, forced
-- into two workers, equals the serial one.
-- (A plain table: temporary ones are never scanned in parallel.)
CREATE TABLE rollup_state AS
SELECT entity_id, date_trunc('day', occurred_at) AS day,
       relintel.health_agg(occurred_at, kind, outbound, duration, reply_latency, sentiment) AS state
  FROM rollup_row GROUP BY 1, 2;
ANALYZE rollup_state;
CREATE TEMP TABLE rollup_serial AS SELECT relintel.merge(state) AS state FROM rollup_state;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT relintel.merge(state) FROM rollup_state;
SELECT (SELECT state FROM rollup_serial) OPERATOR(relintel.=) relintel.merge(state) AS serial_equals_parallel
  FROM rollup_state;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
DROP TABLE rollup_state;
