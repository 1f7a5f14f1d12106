-- Hostile states (issue 14): impossible states are refused wherever a state
-- can appear (text input, binary receive, merge and transition results),
-- runaway arithmetic is bounded, and every function stays in its documented
-- range: score and strength 0..100, factors 0..1, slopes finite.
SET search_path = relintel, public;
SET timezone = 'UTC';

-- Runs a statement; shows "ok: <result>" or "<SQLSTATE>: <message> | <detail>".
CREATE FUNCTION pg_temp.try(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
    detail text;
BEGIN
    EXECUTE query INTO result;
    RETURN 'ok: ' || coalesce(result, '<NULL>');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' | ' || nullif(detail, ''), '');
END $$;

-- Runs a command; shows "ok" or "<SQLSTATE>: <message> | <detail>".
CREATE FUNCTION pg_temp.run(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    EXECUTE query;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' | ' || nullif(detail, ''), '');
END $$;

-- Valid states to edit: 3 interactions (health), 1 email to them (tie).
CREATE TEMP TABLE base (h text, t text, r text);
INSERT INTO base VALUES (
 'v=1 hl=21 n=3 last=1772452800000000 engaged=1771848000000000 eo=1 ei=0.7937005259840998 mt=0 cl=0 rin=0 lin=0 rout=0 lout=0 s=0 sn=0 wk=2930 email=[1,1,0,0,0,0,0,0,0,0,0,0,0] meeting=[0,0,0,0,0,0,0,0,0,0,0,0,0] call=[0,0,0,0,0,0,0,0,0,0,0,0,0]',
 'v=1 hl=90 n=2 nin=1 nmc=0 last=1772452800000000 kind=email eo=1 ei=0.5 mt=0 cl=0',
 'v=1 hl=21 n=0 last=1772452800000000 engaged=- eo=0 ei=0 mt=0 cl=0 rin=1 lin=2.5 rout=0 lout=0 s=0 sn=0 wk=2930 email=[0,0,0,0,0,0,0,0,0,0,0,0,0] meeting=[0,0,0,0,0,0,0,0,0,0,0,0,0] call=[0,0,0,0,0,0,0,0,0,0,0,0,0]');
SELECT pg_temp.try(format('SELECT score(%L::health_state, ''2026-03-03'')', h)) AS health,
       pg_temp.try(format('SELECT strength(%L::tie_state, ''2026-03-03'')', t)) AS tie,
       pg_temp.try(format('SELECT interactions(%L::health_state)', r)) AS responses_only
FROM base;

-- Repro: a health state with mt=1e308 and n=3 scored -2147483648 (inf * 0 = NaN,
-- then (int32) round(NaN)).  A decayed count of n interactions is at most n.
SELECT pg_temp.try(format('SELECT score(%L::health_state, ''2100-01-01'')', replace(h, 'mt=0', 'mt=1e308'))) FROM base;
SELECT pg_temp.try(format('SELECT (factors(%L::health_state, ''2100-01-01'')).reciprocity', replace(h, 'mt=0', 'mt=1e308'))) FROM base;
-- Repro: a tie state with mt=1e308 had strength -2147483648.
SELECT pg_temp.try(format('SELECT strength(%L::tie_state, ''2100-01-01'')', replace(t, 'mt=0', 'mt=1e308'))) FROM base;

-- Each decayed sum is bounded by what the state's interactions can produce.
SELECT label, pg_temp.try(format('SELECT %L::health_state::text IS NOT NULL', input)) AS outcome
FROM base, LATERAL (VALUES
    ('kind counts sum to n', replace(h, 'eo=1 ei=0.7937005259840998 mt=0 cl=0', 'eo=1 ei=1 mt=0.5 cl=0.5')),
    ('kind counts above n', replace(h, 'eo=1 ei=0.7937005259840998 mt=0 cl=0', 'eo=1 ei=1 mt=0.5 cl=0.6')),
    ('one count above n', replace(h, 'eo=1', 'eo=3.5')),
    ('sentiment count n', replace(h, 's=0 sn=0', 's=-3 sn=3')),
    ('sentiment count above n', replace(h, 's=0 sn=0', 's=0 sn=3.5')),
    ('responses n', replace(h, 'rin=0 lin=0 rout=0', 'rin=2 lin=0 rout=1')),
    ('responses above n', replace(h, 'rin=0 lin=0 rout=0', 'rin=2 lin=0 rout=1.5')),
    ('latency of 1e13 hours per response', replace(h, 'rin=0 lin=0', 'rin=1 lin=1e13')),
    ('latency above 1e13 hours per response', replace(h, 'rin=0 lin=0', 'rin=1 lin=2e13')),
    ('latency without responses', replace(h, 'rin=0 lin=0', 'rin=0 lin=1')),
    ('responses-only state, large', replace(r, 'rin=1 lin=2.5', 'rin=1e300 lin=2.5')),
    ('the latest time the text form can write', replace(replace(h, 'last=1772452800000000', 'last=9223372036854775807'), 'wk=2930', 'wk=15250283')),
    ('the earliest', replace(replace(replace(h, 'last=1772452800000000', 'last=-210866803200000000'), 'wk=2930', 'wk=-348656'), 'engaged=1771848000000000', 'engaged=-'))
) AS c(label, input);
SELECT label, pg_temp.try(format('SELECT %L::tie_state::text IS NOT NULL', input)) AS outcome
FROM base, LATERAL (VALUES
    ('emails to them = outbound emails', replace(t, 'eo=1 ', 'eo=0.99 ')),
    ('emails to them above outbound emails', replace(t, 'eo=1 ', 'eo=1.5 ')),
    ('emails from them above nin', replace(t, 'ei=0.5', 'ei=1.5')),
    ('meetings without nmc', replace(t, 'mt=0', 'mt=0.5')),
    ('meetings and calls up to nmc', replace(replace(replace(t, 'n=2 nin=1 nmc=0', 'n=4 nin=1 nmc=2'), 'mt=0', 'mt=1'), 'cl=0', 'cl=1')),
    ('meetings and calls above nmc', replace(replace(replace(t, 'n=2 nin=1 nmc=0', 'n=4 nin=1 nmc=2'), 'mt=0', 'mt=1.5'), 'cl=0', 'cl=1'))
) AS c(label, input);

-- Repro: merge(x, x) of an accepted state printed eo=Infinity, which the input
-- refuses.  The result of a merge is checked like an input: 22003.
SELECT pg_temp.try(format('SELECT merge(%L::tie_state, %L::tie_state)', replace(t, 'eo=1 ', 'eo=1e308 '), replace(t, 'eo=1 ', 'eo=1e308 '))) FROM base;
SELECT pg_temp.try(format('SELECT merge(%L::health_state, %L::health_state)', replace(h, 'eo=1', 'eo=1e308'), replace(h, 'eo=1', 'eo=1e308'))) FROM base;
SELECT pg_temp.try(format('SELECT merge(%L::health_state, %L::health_state)', replace(r, 'rin=1', 'rin=1e308'), replace(r, 'rin=1', 'rin=1e308'))) FROM base;
SELECT pg_temp.try(format('SELECT merge(%L::tie_state, %L::tie_state)', replace(replace(t, 'n=2 ', 'n=4611686018427387904 '), 'eo=1 ', 'eo=4.6e18 '), replace(replace(t, 'n=2 ', 'n=4611686018427387904 '), 'eo=1 ', 'eo=4.6e18 '))) FROM base;
-- merge(x, x) of a valid state reads back.
SELECT pg_temp.try(format('SELECT merge(%L::health_state, %L::health_state)::text::health_state = merge(%L::health_state, %L::health_state)', h, h, h, h)) AS health,
       pg_temp.try(format('SELECT merge(%L::tie_state, %L::tie_state)::text::tie_state = merge(%L::tie_state, %L::tie_state)', t, t, t, t)) AS tie,
       pg_temp.try(format('SELECT merge(%L::health_state, %L::health_state)::text::health_state = merge(%L::health_state, %L::health_state)', r, r, r, r)) AS responses_only
FROM base;

-- The largest states the bounds allow still give in-range answers.
SELECT pg_temp.try(format('SELECT row(score(s, ''2026-03-03''), trend_slope(s, ''2026-03-03''), f.recency, f.frequency, f.reciprocity,
                                      f.responsiveness, f.momentum, f.sentiment)::text
                           FROM (SELECT %L::health_state AS s) x, factors(s, ''2026-03-03'') f',
                          replace(replace(replace(h, 'n=3', 'n=9223372036854775807'),
                                          'eo=1 ei=0.7937005259840998 mt=0 cl=0 rin=0 lin=0 rout=0 lout=0 s=0 sn=0',
                                          'eo=1e18 ei=1e18 mt=1e18 cl=1e18 rin=1e18 lin=1e31 rout=1e18 lout=1e31 s=-9e18 sn=9e18'),
                                  'email=[1,1,', 'email=[2147483647,2147483647,'))) FROM base;
SELECT pg_temp.try(format('SELECT strength(%L::tie_state, ''2026-03-03'')',
                          'v=1 hl=90 n=9223372036854775807 nin=3000000000000000000 nmc=3000000000000000000 last=1772452800000000 kind=call eo=3e18 ei=3e18 mt=1.5e18 cl=1.5e18')) FROM base;

-- Repro: slope(trend_agg(ts, 1.7e308)) over 13 weeks was NaN, with +-1.7e308
-- Infinity.  Weekly sums are bounded by 1e300 (22003 beyond), so that the
-- slope is always finite.
SELECT pg_temp.try($$SELECT slope(trend_agg(timestamptz '2026-03-02' - k * interval '1 week', 1.7e308), '2026-03-02')
                     FROM generate_series(0, 12) AS k$$);
SELECT pg_temp.try($$SELECT slope(trend_agg(timestamptz '2026-03-02' - k * interval '1 week', (-1) ^ k * 1.7e308), '2026-03-02')
                     FROM generate_series(0, 12) AS k$$);
SELECT pg_temp.try($$SELECT slope(trend_agg(timestamptz '2026-03-02' - k * interval '1 week', 6e299), '2026-03-02')
                     FROM generate_series(1, 2) AS k, generate_series(1, 2)$$);
SELECT pg_temp.try($$SELECT slope(trend_agg(timestamptz '2026-03-02' - k * interval '1 week', (-1) ^ k * 1e300), '2026-03-09')
                     FROM generate_series(0, 12) AS k$$);
SELECT pg_temp.try($$SELECT 'v=1 n=13 wk=2930 weekly=[1e300,-1e300,1e300,-1e300,1e300,-1e300,1e300,-1e300,1e300,-1e300,1e300,-1e300,1e300]'::trend_state::text$$);
SELECT pg_temp.try($$SELECT 'v=1 n=13 wk=2930 weekly=[1.1e300,0,0,0,0,0,0,0,0,0,0,0,0]'::trend_state::text$$);
SELECT pg_temp.try($$SELECT 'v=1 n=1 wk=2930 weekly=[1,1,0,0,0,0,0,0,0,0,0,0,0]'::trend_state::text$$) AS two_weeks_one_point;
SELECT pg_temp.try($$SELECT merge(x, x)::text FROM (SELECT 'v=1 n=1 wk=2930 weekly=[6e299,0,0,0,0,0,0,0,0,0,0,0,0]'::trend_state AS x) s$$);

-- Repro: times after 294247-01-10 04:00:54.775807 UTC overflowed int64 when
-- the Unix epoch offset was added (undefined behaviour), and printed a state
-- that cannot be read back.  States keep times the text form can write.
SELECT pg_temp.try($$SELECT health_agg('294250-06-01+00', 'email', false, NULL, NULL, NULL)::text$$);
SELECT pg_temp.try($$SELECT tie_agg('294250-06-01+00', 'email', false)::text$$);
SELECT pg_temp.try($$SELECT response_agg('294250-06-01+00', false, '1 hour')::text$$);
SELECT pg_temp.try($$SELECT health_agg('294247-01-10 04:00:54.775807+00', 'email', false, NULL, NULL, NULL)::text::health_state::text$$) AS latest;
SELECT pg_temp.try($$SELECT health_agg('294247-01-10 04:00:54.775808+00', 'email', false, NULL, NULL, NULL)::text$$) AS one_later;
SELECT pg_temp.try($$SELECT tie_agg('4714-11-24 00:00:00+00 BC', 'call', false)::text::tie_state::text$$) AS earliest;
-- trend_agg keeps weeks only: any finite time works, with the week of the spec's formula
-- (week 1565 starts on Monday 2000-01-03; extract(epoch FROM t) itself is off near the end).
SELECT pg_temp.try($$SELECT trend_agg(t, 1)::text = format('v=1 n=1 wk=%s weekly=[1,0,0,0,0,0,0,0,0,0,0,0,0]',
                                                            1565 + floor(extract(epoch FROM t - timestamptz '2000-01-03+00') / 604800))
                     FROM (VALUES (timestamptz '294276-12-31 23:59:59.999999+00')) v(t) GROUP BY t$$) AS last_week;
SELECT pg_temp.try($$SELECT slope(trend_agg(t, 1), '294276-12-31 23:59:59.999999+00')
                     FROM (VALUES (timestamptz '294276-12-01+00'), ('294276-11-01+00')) v(t)$$) AS far_slope;
-- Reading a state at a far as_of works (the week of as_of does not overflow).
SELECT pg_temp.try(format('SELECT row(score(s, x), status(s, x), trend(s, x), trend_slope(s, x))::text
                           FROM (SELECT %L::health_state AS s, timestamptz ''294276-12-31 23:59:59.999999+00'' AS x) v', h)) FROM base;
SELECT pg_temp.try(format('SELECT strength(%L::tie_state, ''294276-12-31 23:59:59.999999+00'')', t)) FROM base;

-- Crafted binary states go through the same checks (binary COPY of raw bytes,
-- see state_io.sql): last_at 294270-01-01, which the text form cannot write.
CREATE TEMP TABLE crafted (bytes bytea);
CREATE TEMP TABLE received (h health_state);
CREATE TEMP TABLE received_tie (t tie_state);
INSERT INTO crafted
SELECT overlay(overlay(health_state_send(h::health_state) placing int8send(x) from 18 for 8) placing int8send(w) from 114 for 8)
FROM base, LATERAL (SELECT ((extract(epoch FROM t) - 946684800) * 1000000)::bigint AS x,
                           floor((extract(epoch FROM t) - 345600) / 604800)::bigint AS w
                    FROM (VALUES (timestamptz '294270-01-01+00')) AS v(t)) v;
COPY crafted TO '/tmp/relintel_regress_hostile.crafted' (FORMAT binary);
SELECT pg_temp.run($$COPY received FROM '/tmp/relintel_regress_hostile.crafted' (FORMAT binary)$$);
SELECT h::text FROM received;
TRUNCATE crafted;
INSERT INTO crafted SELECT overlay(tie_state_send(t::tie_state) placing int8send(x) from 35 for 8)
FROM base, LATERAL (SELECT ((extract(epoch FROM timestamptz '294270-01-01+00') - 946684800) * 1000000)::bigint AS x) v;
COPY crafted TO '/tmp/relintel_regress_hostile.crafted' (FORMAT binary);
SELECT pg_temp.run($$COPY received_tie FROM '/tmp/relintel_regress_hostile.crafted' (FORMAT binary)$$);
SELECT t::text FROM received_tie;
TRUNCATE received_tie;
TRUNCATE crafted;
INSERT INTO crafted SELECT overlay(tie_state_send(t::tie_state) placing float8send(1e308) from 51 for 8) FROM base;
COPY crafted TO '/tmp/relintel_regress_hostile.crafted' (FORMAT binary);
SELECT pg_temp.run($$COPY received_tie FROM '/tmp/relintel_regress_hostile.crafted' (FORMAT binary)$$);
SELECT t::text FROM received_tie;
TRUNCATE received_tie;

-- Repro: health_report(state, NULL) reported 'insufficient' with 0 interactions
-- for a state of 200 interactions.  A NULL as_of gives a NULL row, as the
-- strict readers (score, status, ...) give NULL; a NULL state is still the
-- entity without interactions.
CREATE TEMP TABLE many AS
SELECT health_agg(timestamptz '2026-01-01' + k * interval '7 hours', 'email', k % 2 = 0, NULL, NULL, NULL) AS s
FROM generate_series(1, 200) AS k;
SELECT h.* FROM many, health_report(s, NULL) AS h;
SELECT h.status, h.interactions FROM many, health_report(NULL, '2026-03-02') AS h;
SELECT h.status, h.interactions, h.score IS NOT NULL AS scored FROM many, health_report(s, '2026-03-02') AS h;
