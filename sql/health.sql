-- health_agg and the functions reading a health_state (SPEC section 2.1).
-- Every expected value below is worked out by hand in the comment beside
-- its query.  Notation: T' = max(as_of, last_at); d = 2^(-(T' - t)/21) the
-- decay of an interaction at t (half-life 21 days); kind weights email 1,
-- call 2, meeting 3; factor weights r .25, f .20, b .20, p .20, m .15, q .10.
-- T0 = 2026-03-02 12:00 UTC, a Monday: the week of T0 starts 2026-03-02
-- 00:00, so the 12 complete weeks before it are c_0 = week of 2025-12-08 ...
-- c_9 = week of 2026-02-09, c_10 = 2026-02-16, c_11 = 2026-02-23.
-- OLS slope over k = 0..11: s = sum((k - 5.5) c_k) / 143; s^ = s / max(mean(c), 0.25).
SET search_path = relintel, public;
SET timezone = 'UTC';

CREATE TEMP TABLE ix (
    sc text, t timestamptz, k interaction_kind, o boolean,
    dur interval, lat interval, s real);

INSERT INTO ix VALUES
-- cold: a cold lead, only outbound mail
('cold', '2026-01-19 12:00', 'email', true, NULL, NULL, NULL),    -- T0 - 42 d, week c_6
('cold', '2026-02-09 12:00', 'email', true, NULL, NULL, NULL),    -- T0 - 21 d, week c_9
('cold', '2026-03-02 12:00', 'email', true, NULL, NULL, NULL),    -- T0, current week (not in c)
-- dark: an engaged relationship that then goes silent
('dark', '2026-02-09 12:00', 'email', true, NULL, NULL, NULL),    -- T0 - 21 d, c_9
('dark', '2026-02-16 12:00', 'email', false, NULL, '7 days', NULL), -- T0 - 14 d, c_10, their response after 168 h
('dark', '2026-02-23 12:00', 'meeting', true, '1 hour', NULL, NULL), -- T0 - 7 d, c_11
('dark', '2026-03-02 12:00', 'call', false, '30 minutes', NULL, NULL), -- T0
-- resp: responsiveness with rho < 1, reciprocity < 1
('resp', '2026-02-09 12:00', 'email', true, NULL, NULL, NULL),    -- T0 - 21 d, c_9
('resp', '2026-02-23 12:00', 'email', true, NULL, NULL, NULL),    -- T0 - 7 d, c_11
('resp', '2026-02-23 18:00', 'email', false, NULL, '6 hours', NULL), -- T0 - 6.75 d, c_11, their response
('resp', '2026-03-02 12:00', 'email', true, NULL, NULL, NULL),    -- T0
-- inbound: we send no mail (M_out = 0): responsiveness left out
('inbound', '2026-02-23 12:00', 'email', false, NULL, NULL, NULL), -- T0 - 7 d, c_11
('inbound', '2026-02-25 12:00', 'email', false, NULL, NULL, NULL), -- T0 - 5 d, c_11
('inbound', '2026-03-02 12:00', 'meeting', false, NULL, NULL, NULL), -- T0
-- sent: sentiment present, with a NULL-sentiment row
('sent', '2026-02-16 12:00', 'email', true, NULL, NULL, NULL),     -- T0 - 14 d, c_10, no sentiment
('sent', '2026-02-23 12:00', 'email', false, NULL, NULL, 0.5),     -- T0 - 7 d, c_11
('sent', '2026-03-02 12:00', 'email', false, NULL, NULL, -0.25),   -- T0
-- faded: the only sentiment is 42 days old, S_n = 0.25 < 0.5: left out
('faded', '2026-01-19 12:00', 'email', false, NULL, NULL, 1),      -- T0 - 42 d, c_6
('faded', '2026-02-23 12:00', 'email', true, NULL, NULL, NULL),    -- T0 - 7 d, c_11
('faded', '2026-03-02 12:00', 'email', false, NULL, NULL, NULL),   -- T0
-- half: the only sentiment is 21 days old, S_n = 0.5 exactly: present
('half', '2026-02-09 12:00', 'email', false, NULL, NULL, -1),      -- T0 - 21 d, c_9
('half', '2026-02-23 12:00', 'email', true, NULL, NULL, NULL),     -- T0 - 7 d, c_11
('half', '2026-03-02 12:00', 'email', false, NULL, NULL, NULL),    -- T0
-- two: n = 2 < 3
('two', '2026-02-23 12:00', 'email', false, NULL, NULL, NULL),
('two', '2026-03-02 12:00', 'meeting', true, NULL, NULL, NULL);

-- Weekly series of inbound emails, one batch on the Wednesday 12:00 of each of
-- the 12 complete weeks before T0 (week c_k starts 2025-12-08 + k weeks).
INSERT INTO ix
SELECT sc, timestamptz '2025-12-10 12:00' + k * interval '1 week', 'email', false, NULL, NULL, NULL
FROM (VALUES ('rise', 0), ('fall', 0), ('up05', 0), ('up05+', 0), ('down05', 0), ('down05-', 0)) AS v(sc, dummy),
     generate_series(0, 11) AS k,
     generate_series(1, CASE sc WHEN 'rise' THEN k + 1          -- c_k = k + 1
                                WHEN 'fall' THEN 12 - k         -- c_k = 12 - k
                                WHEN 'up05' THEN 29 + 2 * k     -- c_k = 29 + 2k
                                WHEN 'up05+' THEN 29 + 2 * k + (k = 11)::int  -- one more in c_11
                                WHEN 'down05' THEN 51 - 2 * k   -- c_k = 51 - 2k
                                ELSE 51 - 2 * k + (k = 0)::int  -- one more in c_0
                           END) AS j;

-- Week boundaries: three inbound emails in the last microsecond of Sunday
-- 2026-03-01 (UTC), three more at Monday 2026-03-02 00:00 exactly.
INSERT INTO ix SELECT 'sunday', '2026-03-01 23:59:59.999999+00', 'email', false, NULL, NULL, NULL FROM generate_series(1, 3);
INSERT INTO ix SELECT 'monday', '2026-03-02 00:00:00+00', 'email', false, NULL, NULL, NULL FROM generate_series(1, 3);

CREATE TEMP TABLE st AS
SELECT sc, health_agg(t, k, o, dur, lat, s ORDER BY t) AS state FROM ix GROUP BY sc;

-- One row per (scenario, as_of): every factor rounded to 6 places, the slope,
-- score, status and trend.
CREATE FUNCTION pg_temp.h(scenario text, as_of timestamptz)
RETURNS TABLE (r numeric, f numeric, b numeric, p numeric, m numeric, q numeric,
               slope numeric, score int, status health_status, trend health_trend)
LANGUAGE sql AS $$
    SELECT round(x.recency::numeric, 6), round(x.frequency::numeric, 6),
           round(x.reciprocity::numeric, 6), round(x.responsiveness::numeric, 6),
           round(x.momentum::numeric, 6), round(x.sentiment::numeric, 6),
           round(relintel.trend_slope(st.state, as_of)::numeric, 6),
           relintel.score(st.state, as_of), relintel.status(st.state, as_of), relintel.trend(st.state, as_of)
    FROM st, relintel.factors(st.state, as_of) AS x
    WHERE st.sc = scenario
$$;

-- cold at T0 (cold lead, only outbound mail):
--   d: 0.25 (42 d), 0.5 (21 d), 1 (0 d).  E_out = 0.25 + 0.5 + 1 = 1.75, E_in = 0, M_out = 1.75.
--   r = 0 (nothing engaged: no inbound, no meeting or call)
--   f = 1 - exp(-1.75/6) = 1 - 0.747018 = 0.252982
--   b = min(1, 2*0/1.75) = 0
--   p: M_out = 1.75 >= 0.5 so present; R_in = 0 so p = 0
--   c_6 = 1, c_9 = 1: sum (k-5.5) c_k = 0.5 + 3.5 = 4, s = 4/143 = 0.027972;
--   mean = 2/12 = 0.1667 -> floor 0.25; s^ = 0.027972/0.25 = 0.111888 > 0.05: improving
--   m = (0.111888/0.2 + 1)/2 = (0.559441 + 1)/2 = 0.779720
--   q left out (no sentiment).  Weights present: .25+.2+.2+.2+.15 = 1
--   score = round(100 * (.25*0 + .2*0.252982 + .2*0 + .2*0 + .15*0.779720)) = round(100 * (0.050596 + 0.116958))
--         = round(16.7555) = 17 -> poor (< 40)
SELECT * FROM pg_temp.h('cold', '2026-03-02 12:00');

-- factors() also reports last_engaged (NULL: never engaged), last_at and n,
-- and each contribution = 100 * w * x / sum(w): f: 100*.2*0.2529825 = 5.059650,
-- m: 100*.15*0.7797203 = 11.695804; their sum 16.755454 is the unrounded score.
SELECT round(recency_contribution::numeric, 6) AS rc, round(frequency_contribution::numeric, 6) AS fc,
       round(reciprocity_contribution::numeric, 6) AS bc, round(responsiveness_contribution::numeric, 6) AS pc,
       round(momentum_contribution::numeric, 6) AS mc, sentiment_contribution AS qc,
       round((recency_contribution + frequency_contribution + reciprocity_contribution
              + responsiveness_contribution + momentum_contribution)::numeric, 4) AS total,
       last_engaged, last_at, n
FROM st, factors(state, '2026-03-02 12:00') WHERE sc = 'cold';

-- dark at T0 (engaged):
--   d: email out 21 d -> 0.5; email in 14 d -> 2^(-2/3) = 0.629961; meeting 7 d -> 2^(-1/3) = 0.793701; call -> 1
--   E_out = 1*0.5 + (3/2)*0.793701 + (2/2)*1 = 0.5 + 1.190551 + 1 = 2.690551
--   E_in  = 1*0.629961 + 1.190551 + 1 = 2.820511
--   r = 2^(-0/14) = 1 (last engaged = the call at T0)
--   f = 1 - exp(-(2.690551 + 2.820511)/6) = 1 - exp(-0.918510) = 1 - 0.399113 = 0.600887
--   b = min(1, 2*2.820511/5.511062) = min(1, 1.0236) = 1
--   p: M_out = 0.5 >= 0.5 (boundary: present); R_in = 0.629961, L_in = 168*0.629961;
--      rho = min(1, 0.629961/0.5) = 1; L_in/R_in = 168 h; p = 1 * 24/(24+168) = 0.125
--   c_9 = 1 (email), c_10 = 1 (email), c_11 = 3 (meeting): sum (k-5.5) c_k = 3.5 + 4.5 + 3*5.5 = 24.5,
--      s = 24.5/143 = 0.171329, mean = 5/12 = 0.416667, s^ = 0.411189 > 0.05: improving;
--      m = (clamp(2.06, -1, 1) + 1)/2 = 1
--   score = round(100*(.25*1 + .2*0.600887 + .2*1 + .2*0.125 + .15*1)/1)
--         = round(25 + 12.017740 + 20 + 2.5 + 15) = round(74.5177) = 75 -> good
-- dark at T0 - 10 d: T' = max(as_of, last_at) = T0, so exactly the row above.
-- dark at T0 + 14 d (going dark): every d halves 14/21 of a half-life: x 2^(-2/3) = 0.629961
--   E_out = 2.690551*0.629961 = 1.694941, E_in = 2.820511*0.629961 = 1.776811
--   r = 2^(-14/14) = 0.5;  f = 1 - exp(-3.471752/6) = 1 - 0.560669 = 0.439331;  b = 1
--   M_out = 0.5*0.629961 = 0.314980 < 0.5: p left out, weights sum 0.8
--   week of T' starts 2026-03-16: c_7 = 1 (02-09), c_8 = 1 (02-16), c_9 = 3 (02-23), c_10 = 2 (the call, 03-02), c_11 = 0
--     sum (k-5.5) c_k = 1.5 + 2.5 + 3*3.5 + 2*4.5 = 23.5, s = 0.164336, mean = 7/12 = 0.583333,
--     s^ = 0.281718: improving, m = 1
--   score = round(100*(.25*.5 + .2*0.439331 + .2*1 + .15*1)/.8) = round(100*0.562866/.8) = round(70.3583) = 70 -> good
-- dark at T0 + 28 d: d x 2^(-4/3) = 0.396850; E_out = 1.067746, E_in = 1.119321, r = 2^(-2) = 0.25
--   f = 1 - exp(-2.187067/6) = 1 - 0.694536 = 0.305464, b = 1, p left out (M_out = 0.198425)
--   week of T' = 2026-03-30: c_5 = 1, c_6 = 1, c_7 = 3, c_8 = 2: sum = -0.5 + 0.5 + 4.5 + 5 = 9.5,
--     s = 0.066434, mean = 0.583333, s^ = 0.113886 improving; m = (0.569431 + 1)/2 = 0.784715
--   score = round(100*(.0625 + .2*0.305464 + .2 + .15*0.784715)/.8) = round(100*0.441300/.8) = round(55.1625) = 55 -> fair
-- dark at T0 + 56 d: d x 2^(-8/3) = 0.157490; E_out = 0.423735, E_in = 0.444203, r = 2^(-4) = 0.0625
--   f = 1 - exp(-0.867938/6) = 0.134680, b = 1, p left out
--   week of T' = 2026-04-27: c_1 = 1, c_2 = 1, c_3 = 3, c_4 = 2: sum = -4.5 - 3.5 - 7.5 - 3 = -18.5,
--     s = -0.129371, mean = 0.583333, s^ = -0.221778 < -0.05: declining; m = (clamp(-1.109) + 1)/2 = 0
--   score = round(100*(.015625 + .2*0.134680 + .2 + 0)/.8) = round(100*0.242561/.8) = round(30.3201) = 30 -> poor
-- dark at T0 + 100 d: the week of T' (2026-06-08) is more than 13 weeks after every interaction:
--   all c_k = 0, s^ = 0, steady, m = 0.5.  d x 2^(-100/21) = 0.036858; r = 2^(-100/14) = 0.007076
--   E_out + E_in = 5.511062*0.036858 = 0.203124, f = 1 - exp(-0.033854) = 0.033287, b = 1
--   score = round(100*(.25*0.007076 + .2*0.033287 + .2 + .15*.5)/.8) = round(100*0.283426/.8) = round(35.4283) = 35 -> poor
SELECT as_of, h.* FROM unnest(ARRAY[timestamptz '2026-03-02 12:00', '2026-02-20 12:00', '2026-03-16 12:00',
                                    '2026-03-30 12:00', '2026-04-27 12:00', '2026-06-10 12:00']) AS as_of,
     pg_temp.h('dark', as_of) AS h;

-- resp at T0:
--   d: out 21 d -> 0.5, out 7 d -> 0.793701, in 6.75 d -> 2^(-6.75/21) = 0.800277, out 0 d -> 1
--   E_out = M_out = 0.5 + 0.793701 + 1 = 2.293701; E_in = R_in = 0.800277; L_in = 6*0.800277
--   r = 2^(-6.75/14) = 0.715913 (last engaged: the inbound email)
--   f = 1 - exp(-3.093978/6) = 1 - 0.597105 = 0.402895
--   b = min(1, 2*0.800277/3.093978) = 0.517313
--   rho = min(1, 0.800277/2.293701) = 0.348902; L_in/R_in = 6 h; p = 0.348902 * 24/30 = 0.279122
--   c_9 = 1, c_11 = 2: sum = 3.5 + 11 = 14.5, s = 0.101399, mean = 0.25, s^ = 0.405594 improving, m = 1
--   score = round(100*(.25*0.715913 + .2*0.402895 + .2*0.517313 + .2*0.279122 + .15)/1)
--         = round(17.897825 + 8.057900 + 10.346260 + 5.582440 + 15) = round(56.8844) = 57 -> fair
SELECT * FROM pg_temp.h('resp', '2026-03-02 12:00');

-- inbound at T0 (no mail from us: M_out = 0 < 0.5, responsiveness left out):
--   d: in 7 d -> 0.793701, in 5 d -> 2^(-5/21) = 0.847932, meeting -> 1
--   E_out = 3/2 = 1.5; E_in = 0.793701 + 0.847932 + 1.5 = 3.141633
--   r = 1; f = 1 - exp(-4.641633/6) = 1 - 0.461352 = 0.538648; b = min(1, 6.283266/4.641633) = 1
--   c_11 = 2: s = 11/143 = 0.076923, mean 2/12 -> 0.25, s^ = 0.307692, m = 1
--   score = round(100*(.25 + .2*0.538648 + .2 + .15)/.8) = round(100*0.707730/.8) = round(88.4662) = 88 -> good
SELECT * FROM pg_temp.h('inbound', '2026-03-02 12:00');
-- contributions with weights summing to 0.8: r 100*.25/.8 = 31.25, f 100*.2*0.538648/.8 = 13.466201,
-- b 25, p NULL, m 100*.15/.8 = 18.75, q NULL; total 88.4662
SELECT round(recency_contribution::numeric, 6) AS rc, round(frequency_contribution::numeric, 6) AS fc,
       round(reciprocity_contribution::numeric, 6) AS bc, responsiveness_contribution AS pc,
       round(momentum_contribution::numeric, 6) AS mc, sentiment_contribution AS qc, last_engaged, last_at, n
FROM st, factors(state, '2026-03-02 12:00') WHERE sc = 'inbound';

-- sent at T0 (sentiment present; the first row has NULL sentiment):
--   d: out 14 d -> 0.629961, in 7 d -> 0.793701, in -> 1
--   S = 0.5*0.793701 + (-0.25)*1 = 0.146850; S_n = 0.793701 + 1 = 1.793701 >= 0.5
--   q = (0.146850/1.793701 + 1)/2 = (0.081870 + 1)/2 = 0.540935
--   E_out = M_out = 0.629961, E_in = 1.793701; r = 1; f = 1 - exp(-2.423662/6) = 0.332318; b = 1
--   p: M_out >= 0.5, R_in = 0 -> 0
--   c_10 = 1, c_11 = 1: sum = 4.5 + 5.5 = 10, s = 0.069930, s^ = 0.279720, m = 1
--   weights: 1 + .1 = 1.1
--   score = round(100*(.25 + .2*0.332318 + .2 + 0 + .15 + .1*0.540935)/1.1) = round(100*0.720557/1.1) = round(65.5052) = 66 -> good
SELECT * FROM pg_temp.h('sent', '2026-03-02 12:00');

-- faded at T0: S_n = 2^(-42/21) = 0.25 < 0.5: sentiment left out (q NULL), weights sum 1
--   d: in 42 d -> 0.25, out 7 d -> 0.793701, in -> 1; E_out = M_out = 0.793701, E_in = 1.25
--   r = 1; f = 1 - exp(-2.043701/6) = 0.288669; b = 1; p = 0 (R_in = 0)
--   c_6 = 1, c_11 = 1: sum = 0.5 + 5.5 = 6, s = 0.041958, s^ = 0.167832; m = (0.839161 + 1)/2 = 0.919580
--   score = round(100*(.25 + .2*0.288669 + .2 + 0 + .15*0.919580)) = round(64.5671) = 65 -> good
SELECT * FROM pg_temp.h('faded', '2026-03-02 12:00');

-- half at T0: S_n = 2^(-21/21) = 0.5 >= 0.5: present, q = (-0.5/0.5 + 1)/2 = 0
--   E_out = M_out = 0.793701, E_in = 0.5 + 1 = 1.5; r = 1; f = 1 - exp(-2.293701/6) = 0.317698; b = 1; p = 0
--   c_9 = 1, c_11 = 1: sum = 3.5 + 5.5 = 9, s = 0.062937, s^ = 0.251748, m = 1
--   score = round(100*(.25 + .2*0.317698 + .2 + 0 + .15 + .1*0)/1.1) = round(100*0.663540/1.1) = round(60.3218) = 60
--   -> good (60 >= good_score 60: the lower bound of the band is included)
SELECT * FROM pg_temp.h('half', '2026-03-02 12:00');

-- two: n = 2 < 3 -> status insufficient, score and trend NULL
SELECT score(state, '2026-03-02 12:00'), status(state, '2026-03-02 12:00'), trend(state, '2026-03-02 12:00'),
       interactions(state), last_at(state)
FROM st WHERE sc = 'two';

-- Weekly series (only the slope, momentum and trend are of interest here):
--   rise: c_k = k + 1: sum (k-5.5)(k+1) = sum (k-5.5)^2 = 143, s = 1, mean = 78/12 = 6.5,
--         s^ = 1/6.5 = 0.153846 improving; m = (clamp(0.769231) + 1)/2 = 0.884615
--   fall: c_k = 12 - k: s = -1, mean 6.5, s^ = -0.153846 declining; m = (-0.769231 + 1)/2 = 0.115385
--   up05: c_k = 29 + 2k: s = 2*143/143 = 2, mean = 480/12 = 40, s^ = 0.05 exactly: not > 0.05, steady;
--         m = (0.25 + 1)/2 = 0.625
--   up05+: one more email in c_11: sum = 286 + 5.5 = 291.5, s = 2.038462, mean = 481/12 = 40.083333,
--         s^ = 0.050856 > 0.05: improving; m = (0.254279 + 1)/2 = 0.627139
--   down05: c_k = 51 - 2k: s = -2, mean 40, s^ = -0.05 exactly: steady; m = 0.375
--   down05-: one more email in c_0: sum = -286 - 5.5, s = -2.038462, s^ = -0.050856: declining; m = 0.372861
SELECT sc, round(momentum::numeric, 6) AS m, round(trend_slope(state, '2026-03-02 12:00')::numeric, 6) AS slope,
       trend(state, '2026-03-02 12:00')
FROM st, factors(state, '2026-03-02 12:00')
WHERE sc IN ('rise', 'fall', 'up05', 'up05+', 'down05', 'down05-')
ORDER BY array_position(ARRAY['rise', 'fall', 'up05', 'up05+', 'down05', 'down05-'], sc);

-- Week boundaries, read at Monday 2026-03-02 00:00 UTC (= T'):
--   sunday: the emails lie in the week of 2026-02-23 = c_11: s = 3*5.5/143 = 0.115385,
--     mean 3/12 = 0.25, s^ = 0.461538 improving
--   monday: the emails lie in the current week (not complete): all c_k = 0, s^ = 0, steady
--   Both: r = 1 (engaged at T', within a microsecond), E_in = 3, f = 1 - exp(-3/6) = 0.393469, b = 1,
--   p left out.  sunday: m = 1, score = round(100*(.25 + .2*0.393469 + .2 + .15)/.8) = round(84.8367) = 85;
--   monday: m = 0.5, score = round(100*(.25 + 0.078694 + .2 + .075)/.8) = round(75.4617) = 75
SELECT sc, h.* FROM unnest(ARRAY['sunday', 'monday']) AS sc, pg_temp.h(sc, '2026-03-02 00:00+00') AS h;
-- The week is a UTC week whatever the session's time zone.
SET timezone = 'Pacific/Kiritimati';
SELECT sc, round(trend_slope(state, '2026-03-02 00:00+00')::numeric, 6) AS slope FROM st
WHERE sc IN ('sunday', 'monday') ORDER BY sc DESC;
SET timezone = 'UTC';
-- Read a week later (as_of 2026-03-09 00:00, a Monday): the window shifts by one week:
--   sunday: c_10 = 3, s = 3*4.5/143 = 0.094406, s^ = 0.377622; monday: c_11 = 3, s^ = 0.461538
SELECT sc, round(trend_slope(state, '2026-03-09 00:00+00')::numeric, 6) AS slope FROM st
WHERE sc IN ('sunday', 'monday') ORDER BY sc DESC;

-- Status bands are settings.  resp scores 57 at T0 (fair with the defaults 60/40).
SET relintel.good_score = 57;   -- 57 >= 57: good
SELECT score(state, '2026-03-02 12:00'), status(state, '2026-03-02 12:00') FROM st WHERE sc = 'resp';
SET relintel.good_score = 58;   -- 57 < 58, 57 >= 40: fair
SELECT score(state, '2026-03-02 12:00'), status(state, '2026-03-02 12:00') FROM st WHERE sc = 'resp';
SET relintel.fair_score = 58;   -- 57 < 58: poor
SELECT score(state, '2026-03-02 12:00'), status(state, '2026-03-02 12:00') FROM st WHERE sc = 'resp';
SET relintel.fair_score = 57;   -- 57 >= 57: fair
SELECT score(state, '2026-03-02 12:00'), status(state, '2026-03-02 12:00') FROM st WHERE sc = 'resp';
RESET relintel.good_score;
RESET relintel.fair_score;

-- Kind weights apply when a state is read, without recomputing it: the
-- stored dark state read with meeting = call = 1 at T0:
--   E_out = 0.5 + 0.793701/2 + 1/2 = 1.396850, E_in = 0.629961 + 0.396850 + 0.5 = 1.526811
--   f = 1 - exp(-2.923661/6) = 1 - 0.614297 = 0.385703; b = 1; r = 1; p = 0.125 (counts, not weights)
--   c_9 = 1, c_10 = 1, c_11 = 1: sum = 3.5 + 4.5 + 5.5 = 13.5, s = 0.094406, mean = 0.25, s^ = 0.377622, m = 1
--   score = round(100*(.25 + .2*0.385703 + .2 + .2*0.125 + .15)) = round(70.2141) = 70
SET relintel.weight_meeting = 1;
SET relintel.weight_call = 1;
SELECT * FROM pg_temp.h('dark', '2026-03-02 12:00');
-- weight_email = 0 as well: E_out = 0.396850 + 0.5 = 0.896850 = E_in; f = 1 - exp(-1.793701/6)
-- = 1 - exp(-0.298950) = 1 - 0.741596 = 0.258404; b = min(1, 2*0.896850/1.793701) = 1;
-- c_9 = c_10 = 0 (emails weigh 0), c_11 = 1: s = 5.5/143 = 0.038462, mean -> 0.25, s^ = 0.153846,
-- m = (0.769231 + 1)/2 = 0.884615; p = 0.125 still (M_out, R_in, L_in are counts, not weights)
-- score = round(100*(.25 + .2*0.258404 + .2 + .2*0.125 + .15*0.884615)) = round(25 + 5.168080 + 20 + 2.5 + 13.269231)
--       = round(65.9373) = 66
SET relintel.weight_email = 0;
SELECT * FROM pg_temp.h('dark', '2026-03-02 12:00');
RESET relintel.weight_email;
RESET relintel.weight_meeting;
RESET relintel.weight_call;
-- back to the defaults: the same as the first dark row above (75)
SELECT score(state, '2026-03-02 12:00') FROM st WHERE sc = 'dark';

-- Rounding is half away from zero.  With every kind weight 0, E_in = E_out = 0 and
-- every c_k = 0, so f = 1 - exp(0) = 0, b = 0 (both 0), s^ = 0, m = 0.5.  One inbound
-- and two outbound emails, all at T0, read at T0: r = 1 (engaged at T'),
-- p = 0 (M_out = 2 >= 0.5, R_in = 0), no sentiment, weights sum 1:
--   100*(.25*1 + .2*0 + .2*0 + .2*0 + .15*.5) = 32.5 exactly (in float8 too) -> 33
--   (half away from zero; half-to-even would give 32)
SET relintel.weight_email = 0;
SET relintel.weight_meeting = 0;
SET relintel.weight_call = 0;
SELECT score(health_agg(t, 'email', o, NULL, NULL, NULL), '2026-03-02 12:00') AS score_32_5
FROM (VALUES (timestamptz '2026-03-02 12:00', false), ('2026-03-02 12:00', true), ('2026-03-02 12:00', true)) AS v(t, o);
RESET relintel.weight_email;
RESET relintel.weight_meeting;
RESET relintel.weight_call;
