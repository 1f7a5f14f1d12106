-- response_agg: the response part alone of replies a state already holds.
-- Merging it into the state that holds the replies without their latency
-- must give the state of the same rows with their latency.
SET search_path = relintel, public;
CREATE TEMP TABLE mail (t timestamptz, kind interaction_kind, outbound boolean, latency interval);
INSERT INTO mail VALUES
    ('2026-03-02 09:00+00', 'email', true, NULL),          -- our mail
    ('2026-03-02 15:00+00', 'email', false, '6 hours'),    -- their response after 6 h
    ('2026-03-04 10:00+00', 'email', false, NULL),         -- their mail
    ('2026-03-05 10:00+00', 'email', true, '1 day'),       -- our response after 24 h
    ('2026-03-06 10:00+00', 'meeting', true, NULL);

-- The state with every latency, and the state that did not know them yet.
WITH known AS (
    SELECT health_agg(t, kind, outbound, NULL, latency, NULL) AS state FROM mail
), unknown AS (
    SELECT health_agg(t, kind, outbound, NULL, NULL, NULL) AS state FROM mail
), responses AS (
    SELECT response_agg(t, outbound, latency) AS state FROM mail WHERE latency IS NOT NULL
)
SELECT merge(u.state, r.state) = k.state AS merged_equals_known,
       u.state = k.state AS unknown_equals_known,
       interactions(r.state) AS response_interactions,
       status(r.state, '2026-03-06 10:00+00') AS response_status,
       score(r.state, '2026-03-06 10:00+00') AS response_score
  FROM known AS k, unknown AS u, responses AS r;

-- The response-only state carries R_in = 1 (decayed from 2026-03-02 15:00 to
-- its own last time, 2026-03-05 10:00: 2.79167 days at half-life 21 gives
-- 2^(-2.79167/21) = 0.91197), L_in = 6 h x 0.91197 = 5.47184, R_out = 1, L_out = 24.
SELECT replace(replace(response_agg(t, outbound, latency)::text, 'last=1772704800000000', 'last=<2026-03-05 10:00>'),
               'wk=2930', 'wk=<week of 2026-03-05>')
  FROM mail WHERE latency IS NOT NULL;
SELECT round((2 ^ (-(2 + 19.0 / 24) / 21))::numeric, 5) AS decay_of_their_response,
       round((6 * 2 ^ (-(2 + 19.0 / 24) / 21))::numeric, 5) AS decayed_latency_hours;

-- Rows with a NULL argument are ignored; no rows give NULL.
SELECT response_agg(t, outbound, latency) IS NULL AS empty_is_null FROM mail WHERE false;
SELECT response_agg(t, outbound, NULL) IS NULL AS null_latency_ignored FROM mail;
-- A negative latency is refused.
\set VERBOSITY sqlstate
SELECT response_agg(t, outbound, '-1 hour') FROM mail;
\set VERBOSITY default
