-- trend_agg and slope() (SPEC section 2.1, "Trend slope").
-- Weeks start Monday 00:00 UTC.  T0 = 2026-03-02 12:00 UTC (Monday): the 12
-- complete weeks before its week are c_0 = week of 2025-12-08 ... c_11 = week of 2026-02-23.
-- s = sum((k - 5.5) c_k) / 143 (143 = sum (k-5.5)^2), s^ = s / max(mean(c), 0.25).
SET search_path = relintel, public;
SET timezone = 'UTC';

CREATE FUNCTION pg_temp.try(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE query INTO result;
    RETURN 'ok: ' || coalesce(result, '<NULL>');
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- rise: weight k + 1 on the Thursday of week c_k.
CREATE TEMP TABLE rise AS
SELECT trend_agg(timestamptz '2025-12-11 00:00+00' + k * interval '1 week', k + 1) AS state
FROM generate_series(0, 11) AS k;

-- Read at T0: c_k = k + 1: sum (k-5.5)(k+1) = 143, s = 1, mean = 78/12 = 6.5, s^ = 1/6.5 = 0.153846
-- Read at T0 - 30 days (2026-01-31): T' = max(as_of, latest point) = 2026-02-26 (week c_11),
--   so the window is the 12 weeks before c_11: c'_k = k for k = 0..11 (c'_0 is empty):
--   sum (k-5.5) k = 143, s = 1, mean = 66/12 = 5.5, s^ = 1/5.5 = 0.181818
-- Read at T0 + 1 week: the window shifts by one: c_k = k + 2 for k = 0..10, c_11 = 0:
--   sum (k-5.5)(k+2) over k = 0..10 = 71.5, s = 0.5, mean = 77/12 = 6.416667, s^ = 0.077922
-- Read at T0 + 5 weeks: c_k = k + 6 for k = 0..6, then 0: sum (k-5.5)(k+6) over k = 0..6
--   = -33 - 31.5 - 28 - 22.5 - 15 - 5.5 + 6 = -129.5, s = -0.905594, mean = 63/12 = 5.25, s^ = -0.172494
-- Read at T0 + 12 weeks: every point is older than the 12 complete weeks: s^ = 0
SELECT as_of, round(slope(state, as_of)::numeric, 6) AS slope
FROM rise, unnest(ARRAY[timestamptz '2026-03-02 12:00', '2026-01-31 12:00', '2026-03-09 12:00', '2026-04-06 12:00',
                        '2026-05-25 12:00']) AS as_of;

-- The 0.25 floor of the mean: one point of weight 1 in c_11 (2026-02-23 00:00, the first
-- microsecond of that week): s = 5.5/143 = 0.038462, mean = 1/12 < 0.25, s^ = 0.038462/0.25 = 0.153846.
-- The same in c_0 (2025-12-14 23:59:59.999999, the last microsecond of week c_0): s^ = -5.5/143/0.25 = -0.153846.
-- Weight 6 in c_11: s = 33/143 = 0.230769, mean = 0.5 > 0.25, s^ = 0.461538.
-- Weight 3 in c_11: mean = 0.25 exactly, s^ = 16.5/143/0.25 = 0.461538 as well.
-- Weight 1 at Monday 2026-03-02 00:00: the current week, not complete: all c_k = 0, s^ = 0.
-- Weight 1 at Sunday 2026-03-01 23:59:59.999999: c_11 = 1, s^ = 0.153846.
SELECT label, round(slope(trend_agg(ts, w), '2026-03-02 12:00')::numeric, 6) AS slope
FROM (VALUES ('c11 w1', timestamptz '2026-02-23 00:00+00', 1.0::float8),
             ('c0 w1', '2025-12-14 23:59:59.999999+00', 1),
             ('c11 w6', '2026-02-23 00:00+00', 6),
             ('c11 w3', '2026-02-23 12:00+00', 3),
             ('monday', '2026-03-02 00:00+00', 1),
             ('sunday', '2026-03-01 23:59:59.999999+00', 1)) AS v(label, ts, w)
GROUP BY label ORDER BY label;

-- Week boundaries do not depend on the session time zone (UTC weeks).
SET timezone = 'America/Los_Angeles';
SELECT round(slope(trend_agg(ts, 1), '2026-03-02 12:00+00')::numeric, 6) AS sunday_utc
FROM (VALUES (timestamptz '2026-03-01 23:59:59.999999+00')) AS v(ts);
SET timezone = 'UTC';

-- Fractional and negative weights: 0.5 in c_0, c_2, ..., c_10 and -1 in c_11 (Sunday 23:00):
--   sum (k-5.5) c_k = 0.5 * (-5.5 - 3.5 - 1.5 + 0.5 + 2.5 + 4.5) - 5.5 = -1.5 - 5.5 = -7,
--   s = -7/143 = -0.048951, mean = (3 - 1)/12 = 0.166667 -> 0.25, s^ = -0.195804
SELECT round(slope(trend_agg(ts, w), '2026-03-02 12:00')::numeric, 6) AS slope
FROM (SELECT timestamptz '2025-12-11 00:00+00' + k * interval '1 week' AS ts, 0.5::float8 AS w
      FROM generate_series(0, 10, 2) AS k
      UNION ALL SELECT '2026-03-01 23:00+00', -1) AS v;

-- Several points in one week add up; order and merge do not matter:
--   points 2 + 3 in c_11 and 1 in c_5: c_5 = 1, c_11 = 5: sum = -0.5 + 27.5 = 27, s = 0.188811,
--   mean = 0.5, s^ = 0.377622
SELECT round(slope(a, '2026-03-02 12:00')::numeric, 6) AS slope, a = b AS same_any_order,
       merge(x, y) = a AS merge_equal, merge(y, x) = a AS merge_commutes,
       merge(NULL::trend_state, a) = a AS merge_null_left, merge(a, NULL) = a AS merge_null_right
FROM (SELECT trend_agg(ts, w ORDER BY ts) AS a, trend_agg(ts, w ORDER BY ts DESC) AS b,
             trend_agg(ts, w) FILTER (WHERE w = 2) AS x, trend_agg(ts, w) FILTER (WHERE w <> 2) AS y
      FROM (VALUES (timestamptz '2026-02-24 10:00+00', 2::float8), ('2026-02-27 10:00+00', 3),
                   ('2026-01-12 10:00+00', 1)) AS v(ts, w)) AS s;

-- Rows with a NULL argument are ignored; an empty group gives NULL; merge(NULL, NULL) is NULL.
SELECT trend_agg(ts, w) IS NULL AS empty_is_null FROM (VALUES (timestamptz '2026-03-02 12:00', 1::float8)) AS v(ts, w) WHERE false;
SELECT trend_agg(ts, w) IS NULL AS nulls_only
FROM (VALUES (NULL::timestamptz, 1::float8), ('2026-03-02 12:00', NULL)) AS v(ts, w);
SELECT round(slope(trend_agg(ts, w), '2026-03-02 12:00')::numeric, 6) AS slope_with_null_rows
FROM (VALUES (NULL::timestamptz, 1::float8), ('2026-02-23 00:00+00', 1), ('2026-02-24 00:00+00', NULL)) AS v(ts, w);
SELECT merge(NULL::trend_state, NULL::trend_state) IS NULL AS merge_nulls;
SELECT slope(NULL::trend_state, '2026-03-02 12:00') IS NULL AS slope_null;

-- Bad arguments: an infinite time is 22008, a non-finite weight 22023.
SELECT pg_temp.try($$SELECT relintel.trend_agg(ts, 1)::text FROM (VALUES (timestamptz 'infinity')) v(ts)$$);
SELECT pg_temp.try($$SELECT relintel.trend_agg(ts, 1)::text FROM (VALUES (timestamptz '-infinity')) v(ts)$$);
SELECT pg_temp.try($$SELECT relintel.trend_agg(timestamptz '2026-03-02 12:00', w)::text FROM (VALUES ('NaN'::float8)) v(w)$$);
SELECT pg_temp.try($$SELECT relintel.trend_agg(timestamptz '2026-03-02 12:00', w)::text FROM (VALUES ('-Infinity'::float8)) v(w)$$);
SELECT pg_temp.try($$SELECT relintel.slope(relintel.trend_agg(timestamptz '2026-03-02', 1), 'infinity')::text$$);
