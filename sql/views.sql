-- views: health at a given time (health_at) and the four health views.
-- Runs on the data of the scenario test.  Half-life 21 days, weights
-- email 1, call 2, meeting 3; decayed sums are at T = 2026-06-15 00:00 UTC
-- (every state's last_at is before T, so T' = T).  Interaction 43 (June 20)
-- is pending at T and left out.  Expected values worked out beside them
-- (d(t) = 2^(-(T - t)/21 days); weekly series c_0 .. c_11 = weeks starting
-- Mondays 2026-03-23 .. 2026-06-08; s^ = OLS slope / max(mean, 0.25),
-- sum((k - 5.5)^2) = 143):
-- contact 100 (ann):
--   n = 16; last_at 06-13 10:00; last_engaged 06-10 16:00
--   r = 2^(-4.3333/14) = 0.8069
--   E_in = 5.6510, E_out = 8.5822: f = 1-exp(-14.2332/6) = 0.9067, b = 0.7941
--   M_out = 5.0282, R_in = 0.7453, L_in = 5.0604: p = min(1,0.1482)*24/(24+6.7899) = 0.1155
--   weeks [0, 0, 2, 0, 0, 0, 3, 3, 0, 4, 6, 7]: s^ = 0.2635, m = 1.0000
--   S = 0.3848, S_n = 0.6413: q = 0.8000
--   score = 100*(0.25*0.8069 + 0.20*0.9067 + 0.20*0.7941 + 0.20*0.1155 + 0.15*1.0000 + 0.10*0.8000)/1.10 = 72.27 -> 72 good improving
-- contact 101 (raj):
--   n = 6; last_at 06-12 10:00; last_engaged 06-06 09:00
--   r = 2^(-8.6250/14) = 0.6524
--   E_in = 2.1585, E_out = 3.9096: f = 1-exp(-6.0680/6) = 0.6363, b = 0.7114
--   M_out = 2.5033, R_in = 0.7523, L_in = 18.0540: p = min(1,0.3005)*24/(24+24.0000) = 0.1502
--   weeks [0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 5, 2]: s^ = 0.2937, m = 1.0000
--   S = -0.1505, S_n = 0.7523: q = 0.4000
--   score = 100*(0.25*0.6524 + 0.20*0.6363 + 0.20*0.7114 + 0.20*0.1502 + 0.15*1.0000 + 0.10*0.4000)/1.10 = 59.34 -> 59 fair improving
-- contact 200 (zoe):
--   n = 7; last_at 06-10 08:00; last_engaged 05-20 11:00
--   r = 2^(-25.5417/14) = 0.2824
--   E_in = 0.6118, E_out = 2.1232: f = 1-exp(-2.7350/6) = 0.3661, b = 0.4474
--   M_out = 1.6928, R_in = 0.0417, L_in = 0.3333: p = min(1,0.0246)*24/(24+8.0000) = 0.0185
--   weeks [0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 1, 1]: s^ = 0.1399, m = 0.8497
--   S_n = 0.0417 < 0.5: sentiment left out
--   score = 100*(0.25*0.2824 + 0.20*0.3661 + 0.20*0.4474 + 0.20*0.0185 + 0.15*0.8497)/1.00 = 36.44 -> 36 poor improving
-- contact 201 (ghost):
--   no interactions: insufficient, n = 0
-- lead 300 (max (lead)):
--   n = 4; last_at 06-12 09:00; last_engaged 06-12 09:00
--   r = 2^(-2.6250/14) = 0.8781
--   E_in = 0.9170, E_out = 2.4487: f = 1-exp(-3.3657/6) = 0.4293, b = 0.5449
--   M_out = 2.4487, R_in = 0: p = 0
--   weeks [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3]: s^ = 0.4406, m = 1.0000
--   S_n = 0.0000 < 0.5: sentiment left out
--   score = 100*(0.25*0.8781 + 0.20*0.4293 + 0.20*0.5449 + 0.20*0.0000 + 0.15*1.0000)/1.00 = 56.44 -> 56 fair improving
-- account 10 (Fabrikam):
--   n = 17; last_at 06-13 10:00; last_engaged 06-10 16:00
--   r = 2^(-4.3333/14) = 0.8069
--   E_in = 6.4032, E_out = 8.5822: f = 1-exp(-14.9854/6) = 0.9177, b = 0.8546
--   M_out = 5.0282, R_in = 1.4975, L_in = 23.1144: p = min(1,0.2978)*24/(24+15.4349) = 0.1813
--   weeks [0, 0, 2, 0, 0, 0, 3, 3, 0, 4, 7, 7]: s^ = 0.2679, m = 1.0000
--   S = 0.2343, S_n = 1.3936: q = 0.5841
--   score = 100*(0.25*0.8069 + 0.20*0.9177 + 0.20*0.8546 + 0.20*0.1813 + 0.15*1.0000 + 0.10*0.5841)/1.10 = 72.80 -> 73 good improving
-- account 20 (Northwind):
--   n = 7; last_at 06-10 08:00; last_engaged 05-20 11:00
--   r = 2^(-25.5417/14) = 0.2824
--   E_in = 0.6118, E_out = 2.1232: f = 1-exp(-2.7350/6) = 0.3661, b = 0.4474
--   M_out = 1.6928, R_in = 0.0417, L_in = 0.3333: p = min(1,0.0246)*24/(24+8.0000) = 0.0185
--   weeks [0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 1, 1]: s^ = 0.1399, m = 0.8497
--   S_n = 0.0417 < 0.5: sentiment left out
--   score = 100*(0.25*0.2824 + 0.20*0.3661 + 0.20*0.4474 + 0.20*0.0185 + 0.15*0.8497)/1.00 = 36.44 -> 36 poor improving
-- account 30 (Empty Co):
--   no interactions: insufficient, n = 0
-- opportunity 1000 (Fabrikam renewal):
--   n = 14; last_at 06-13 10:00; last_engaged 06-10 16:00
--   r = 2^(-4.3333/14) = 0.8069
--   E_in = 5.5470, E_out = 8.4816: f = 1-exp(-14.0286/6) = 0.9035, b = 0.7908
--   M_out = 4.9277, R_in = 0.6413, L_in = 2.5653: p = min(1,0.1301)*24/(24+4.0000) = 0.1116
--   weeks [0, 0, 0, 0, 0, 0, 3, 3, 0, 4, 6, 7]: s^ = 0.3119, m = 1.0000
--   S = 0.3848, S_n = 0.6413: q = 0.8000
--   score = 100*(0.25*0.8069 + 0.20*0.9035 + 0.20*0.7908 + 0.20*0.1116 + 0.15*1.0000 + 0.10*0.8000)/1.10 = 72.08 -> 72 good improving
-- opportunity 1001 (Northwind pilot):
--   n = 5; last_at 05-20 11:00; last_engaged 05-20 11:00
--   r = 2^(-25.5417/14) = 0.2824
--   E_in = 0.6118, E_out = 0.6068: f = 1-exp(-1.2186/6) = 0.1838, b = 1.0000
--   M_out = 0.1764 < 0.5: responsiveness left out
--   weeks [0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0]: s^ = 0.0000, m = 0.5000
--   S_n = 0.0417 < 0.5: sentiment left out
--   score = 100*(0.25*0.2824 + 0.20*0.1838 + 0.20*1.0000 + 0.15*0.5000)/0.80 = 47.79 -> 48 fair steady

-- (no CONTEXT lines: they name line numbers of function bodies)
\set SHOW_CONTEXT never
SET timezone = 'UTC';
SET intervalstyle = 'postgres';
SET datestyle = 'ISO, YMD';
SELECT e.entity_type, e.entity_id, h.score, h.status, h.trend,
       round(h.trend_slope::numeric, 4) AS slope,
       h.last_interaction_at, h.last_engaged_at, h.interactions AS n,
       round(h.recency::numeric, 4) AS r, round(h.frequency::numeric, 4) AS f,
       round(h.reciprocity::numeric, 4) AS b, round(h.responsiveness::numeric, 4) AS p,
       round(h.momentum::numeric, 4) AS m, round(h.sentiment::numeric, 4) AS q
  FROM (VALUES ('contact'::relintel.entity_type, 100), ('contact', 101), ('contact', 200),
               ('contact', 201), ('lead', 300), ('account', 10), ('account', 20),
               ('account', 30), ('opportunity', 1000), ('opportunity', 1001))
       AS e(entity_type, entity_id)
 CROSS JOIN LATERAL relintel.health_at(e.entity_type, e.entity_id, '2026-06-15 00:00+00') AS h
 ORDER BY 1, 2;

-- At 2026-06-13 09:00, 44 (June 13 10:00) is pending too: ann has 15
-- interactions, the latest being 12 (June 12 10:00).
SELECT h.interactions, h.last_interaction_at
  FROM relintel.health_at('contact', 100, '2026-06-13 09:00+00') AS h;

-- Fewer than 3 interactions: opportunity 1000 at 2026-05-05 has only the
-- May 4 meeting (3): insufficient, score and trend NULL, factors shown.
SELECT h.score, h.status, h.trend, h.trend_slope, h.interactions
  FROM relintel.health_at('opportunity', 1000, '2026-05-05 00:00+00') AS h;

-- The views: every entity appears, with the spec's columns, evaluated at
-- now() (this test runs after 2026-06-20, so the scheduled meeting 43 is in
-- the past and counted: ann 17, Fabrikam 18, opportunity 1000 15).  Their
-- values are those of health_at(..., now()).
SELECT id, name, interactions, last_interaction_at, status = 'insufficient' AS insufficient
  FROM relintel.contact_health ORDER BY id;
SELECT id, name, interactions, last_interaction_at, status = 'insufficient' AS insufficient
  FROM relintel.lead_health ORDER BY id;
SELECT id, name, interactions, last_interaction_at, status = 'insufficient' AS insufficient
  FROM relintel.account_health ORDER BY id;
SELECT id, name, interactions, last_interaction_at, status = 'insufficient' AS insufficient
  FROM relintel.opportunity_health ORDER BY id;

-- (Floats are compared to 12 decimals: the aggregate sums in scan order,
-- which may differ between two plans in the last bit.)
WITH v AS (
    SELECT 'contact'::relintel.entity_type AS t, id, score, status, trend, trend_slope, last_interaction_at, last_engaged_at, interactions, recency, frequency, reciprocity, responsiveness, momentum, sentiment
      FROM relintel.contact_health
    UNION ALL SELECT 'lead', id, score, status, trend, trend_slope, last_interaction_at, last_engaged_at, interactions, recency, frequency, reciprocity, responsiveness, momentum, sentiment FROM relintel.lead_health
    UNION ALL SELECT 'account', id, score, status, trend, trend_slope, last_interaction_at, last_engaged_at, interactions, recency, frequency, reciprocity, responsiveness, momentum, sentiment FROM relintel.account_health
    UNION ALL SELECT 'opportunity', id, score, status, trend, trend_slope, last_interaction_at, last_engaged_at, interactions, recency, frequency, reciprocity, responsiveness, momentum, sentiment FROM relintel.opportunity_health
)
SELECT v.t, count(*) AS rows,
       count(*) FILTER (WHERE
           (v.score, v.status, v.trend, round(v.trend_slope::numeric, 12),
            v.last_interaction_at, v.last_engaged_at, v.interactions,
            round(v.recency::numeric, 12), round(v.frequency::numeric, 12),
            round(v.reciprocity::numeric, 12), round(v.responsiveness::numeric, 12),
            round(v.momentum::numeric, 12), round(v.sentiment::numeric, 12))
           IS NOT DISTINCT FROM
           (h.score, h.status, h.trend, round(h.trend_slope::numeric, 12),
            h.last_interaction_at, h.last_engaged_at, h.interactions,
            round(h.recency::numeric, 12), round(h.frequency::numeric, 12),
            round(h.reciprocity::numeric, 12), round(h.responsiveness::numeric, 12),
            round(h.momentum::numeric, 12), round(h.sentiment::numeric, 12))) AS same
  FROM v CROSS JOIN LATERAL relintel.health_at(v.t, v.id, now()) AS h
 GROUP BY v.t ORDER BY v.t;

-- Column names and types of a health view.
SELECT attname, format_type(atttypid, atttypmod)
  FROM pg_attribute
 WHERE attrelid = 'relintel.account_health'::regclass AND attnum > 0
 ORDER BY attnum;

-- The at-risk list sorts on the score alone: below the sort the plan
-- computes score() once per row (the sort key) and no health_report(); every
-- other column (one health_report() call each, which finds the row's report
-- kept by score()) only above it, for the rows the LIMIT keeps.
CREATE FUNCTION pg_temp.sort_node(plan json) RETURNS json LANGUAGE sql AS $$
    SELECT CASE WHEN plan->>'Node Type' = 'Sort' THEN plan
                ELSE (SELECT pg_temp.sort_node(child) FROM json_array_elements(plan->'Plans') AS child
                       WHERE pg_temp.sort_node(child) IS NOT NULL LIMIT 1) END
$$;
CREATE FUNCTION pg_temp.at_risk_plan()
RETURNS TABLE (sort_key text, score_calls_below_sort bigint, report_calls_below_sort bigint,
               report_calls_in_plan bigint)
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
    sort_plan json;
BEGIN
    EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF, FORMAT JSON)
             SELECT id, name, score, status, trend, recency FROM relintel.opportunity_health
              ORDER BY score LIMIT 3' INTO plan;
    sort_plan := pg_temp.sort_node(plan->0->'Plan');
    RETURN QUERY
    SELECT sort_plan->'Sort Key'->>0,
           (SELECT count(*) FROM json_array_elements_text(sort_plan->'Output') AS o
             WHERE o LIKE '%relintel.score(%'),
           (SELECT count(*) FROM json_array_elements_text(sort_plan->'Output') AS o
             WHERE o LIKE '%health_report%'),
           (SELECT count(*) FROM json_array_elements_text(plan->0->'Plan'->'Output') AS o
             WHERE o LIKE '%health_report%');
END;
$$;
SELECT * FROM pg_temp.at_risk_plan();

-- Reading a row column by column (score, then the report's columns) gives
-- what one health_report() call gives, also when the settings that reading
-- uses change between two reads of the same state, and at another time.
CREATE TEMP TABLE one_state AS
SELECT relintel.health_agg(t, k::relintel.interaction_kind, o, NULL, NULL, NULL) AS state
  FROM (VALUES (timestamptz '2026-03-01 09:00+00', 'email', true), ('2026-03-12 09:00+00', 'email', false),
               ('2026-03-19 09:00+00', 'meeting', true), ('2026-03-20 09:00+00', 'email', true)) AS v(t, k, o);
SELECT relintel.score(state, '2026-03-21 09:00+00') AS score, relintel.status(state, '2026-03-21 09:00+00') AS status,
       (relintel.health_report(state, '2026-03-21 09:00+00')).status AS report_status FROM one_state;
SET relintel.good_score = 70;
SELECT relintel.score(state, '2026-03-21 09:00+00') AS score, relintel.status(state, '2026-03-21 09:00+00') AS status,
       (relintel.health_report(state, '2026-03-21 09:00+00')).status AS report_status FROM one_state;
RESET relintel.good_score;
SET relintel.weight_meeting = 1;
SELECT relintel.score(state, '2026-03-21 09:00+00') AS score, (relintel.health_report(state, '2026-03-21 09:00+00')).score AS report_score,
       (relintel.factors(state, '2026-03-21 09:00+00')).frequency = (relintel.health_report(state, '2026-03-21 09:00+00')).frequency AS same_frequency
  FROM one_state;
RESET relintel.weight_meeting;
SELECT relintel.score(state, '2026-03-21 09:00+00') AS score, relintel.score(state, '2026-05-20 09:00+00') AS score_later,
       (relintel.health_report(state, '2026-05-20 09:00+00')).score AS report_later FROM one_state;
