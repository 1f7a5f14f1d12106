-- State types: text and binary I/O, equality, NULLs and empty groups, bad
-- arguments, and a fuzz test of the text input (SPEC section 3).
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

-- Same, but only the SQLSTATE and the detail (for inputs quoted at length).
CREATE FUNCTION pg_temp.state(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    EXECUTE query;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || coalesce(' | ' || nullif(detail, ''), '');
END $$;

CREATE TABLE io (id int, h health_state, t tie_state, w trend_state);
INSERT INTO io
SELECT g,
       health_agg(ts, k, o, dur, lat, s),
       tie_agg(ts, k, o),
       trend_agg(ts, g * 0.1)
FROM (VALUES
    (timestamptz '2026-01-05 09:00+00', 'email'::interaction_kind, true, NULL::interval, NULL::interval, NULL::real),
    ('2026-01-05 17:40+00', 'email', false, NULL, '8 hours 40 minutes', 0.3),
    ('2026-01-21 10:00+00', 'meeting', true, '45 minutes', NULL, NULL),
    ('2026-02-11 15:30+00', 'call', false, '10 minutes', NULL, -0.7),
    ('2026-03-02 11:59:59.123456+00', 'email', true, NULL, '2 days 3 hours', 1)) AS v(ts, k, o, dur, lat, s),
    generate_series(1, 3) AS g
WHERE ts < timestamptz '2026-03-03' - g * interval '15 days'
GROUP BY g;

-- Text round-trip: out -> in -> out is the identity, and the value is equal.
SELECT id, h::text::health_state::text = h::text AS h_text, h::text::health_state = h AS h_eq,
       t::text::tie_state::text = t::text AS t_text, t::text::tie_state = t AS t_eq,
       w::text::trend_state::text = w::text AS w_text, w::text::trend_state = w AS w_eq
FROM io ORDER BY id;

-- The text form (times are Unix microseconds; a float that is a whole number below 2^53
-- prints as one, any other as a C99 hexadecimal float, exact).  id 3 holds the
-- two rows before 2026-01-16: an outbound email 2026-01-05 09:00 (1767603600 s) and
-- an inbound one 2026-01-05 17:40 (1767634800 s), its response after 8 h 40 min,
-- sentiment 0.3 (a real: 0.30000001192092896).  Sums are decayed to last = 17:40:
-- eo = 2^(-(8 h 40 min)/(21 d)) = 2^(-0.361111/21) = 0.9881515547034508 = 0x1.f9ef0025e2c0bp-1,
-- ei = rin = sn = 1, lin = 8.666667 h = 0x1.1555555555555p+3, s = 0.30000001192092896 = 0x1.333334p-2, week 2922 = floor((1767634800 - 345600)/604800),
-- email = [2, 0, ...]; the tie: eo = 2^(-0.361111/90) = 0.997223, ei = 1, nin = 1; the trend
-- (weight 3 * 0.1 per row): 0.3 + 0.3 = 0.6.
SELECT h, t, w FROM io WHERE id = 3;
-- Those hexadecimal floats are the decimals above.
SELECT '0x1.f9ef0025e2c0bp-1'::float8 AS eo, '0x1.1555555555555p+3'::float8 AS lin,
       '0x1.333334p-2'::float8 AS s, '0x1.fe93f9dec74a7p-1'::float8 AS tie_eo, '0x1.3333333333333p-1'::float8 AS trend_week;

-- The text form that relintel 0.1.0 printed (floats as shortest-exact decimals) is
-- still read, to the same bits as the states built from the same rows; so are
-- hexadecimal floats written another way, and a negative zero and subnormals
-- round-trip exactly.  (Strings printed by 0.1.0 for these rows.)
CREATE TEMP TABLE printed_by_0_1_0 (h health_state, t tie_state, w trend_state, r health_state);
INSERT INTO printed_by_0_1_0 VALUES (
 'v=1 hl=21 n=5 last=1775736000000000 engaged=1775549100000000 eo=1.284208151974174 ei=0.29716551773107874 mt=0.5153594008363985 cl=0.9310888440554314 rin=0.29716551773107874 lin=2.203977589838834 rout=1 lout=26 s=0.8126837828981063 sn=1.512462513760684 wk=2935 email=[1,0,0,0,0,2,0,0,0,0,0,0,0] meeting=[0,0,0,1,0,0,0,0,0,0,0,0,0] call=[1,0,0,0,0,0,0,0,0,0,0,0,0]',
 'v=1 hl=90 n=3 nin=1 nmc=1 last=1778513400000000 kind=meeting eo=0.5820958768446445 ei=0.5960363496825294 mt=1 cl=0',
 'v=1 n=3 wk=2935 weekly=[0.1,0,0,3,0,1,0,0,0,0,0,0,0]',
 'v=1 hl=21 n=0 last=1772559600000000 engaged=- eo=0 ei=0 mt=0 cl=0 rin=1 lin=3.1666666666666665 rout=0 lout=0 s=0 sn=0 wk=2930 email=[0,0,0,0,0,0,0,0,0,0,0,0,0] meeting=[0,0,0,0,0,0,0,0,0,0,0,0,0] call=[0,0,0,0,0,0,0,0,0,0,0,0,0]');
WITH built AS (
  SELECT (SELECT health_agg(t, k::interaction_kind, o, d, r, s) FROM (VALUES
            ('2026-03-02 09:15+00'::timestamptz, 'email', true, NULL::interval, NULL::interval, 0.5::real),
            ('2026-03-03 17:40+00', 'email', false, NULL, '7 hours 25 minutes', -0.25),
            ('2026-03-20 10:00+00', 'meeting', true, '45 minutes', NULL, NULL),
            ('2026-04-07 08:05+00', 'call', false, '12 minutes', NULL, 0.8),
            ('2026-04-09 12:00+00', 'email', true, NULL, '1 day 2 hours', NULL)) AS v(t, k, o, d, r, s)) AS h,
         (SELECT tie_agg(t, k::interaction_kind, o) FROM (VALUES
            ('2026-03-02 09:15+00'::timestamptz, 'email', true), ('2026-03-05 11:00+00', 'email', false),
            ('2026-05-11 15:30+00', 'meeting', true)) AS v(t, k, o)) AS t,
         (SELECT trend_agg(t, w) FROM (VALUES ('2026-03-02 09:15+00'::timestamptz, 1.0::float8),
            ('2026-03-20 10:00+00', 3.0), ('2026-04-07 08:05+00', 0.1)) AS v(t, w)) AS w,
         response_agg('2026-03-03 17:40+00'::timestamptz, false, '3 hours 10 minutes') AS r)
SELECT health_state_send(o.h) = health_state_send(b.h) AS health_same_bits,
       tie_state_send(o.t) = tie_state_send(b.t) AS tie_same_bits,
       trend_state_send(o.w) = trend_state_send(b.w) AS trend_same_bits,
       health_state_send(o.r) = health_state_send(b.r) AS response_same_bits,
       o.h::text = b.h::text AND o.t::text = b.t::text AND o.w::text = b.w::text AS prints_the_same,
       score(o.h, '2026-04-10') AS score, strength(o.t, '2026-05-12') AS strength
  FROM printed_by_0_1_0 AS o, built AS b;
SELECT w::text, trend_state_send(w::text::trend_state) = trend_state_send(w) AS exact
  FROM (VALUES ('v=1 n=7 wk=2935 weekly=[0x1.8p+1,0X1P+1,1e0,0x.8p1,-0,0x1.0000000000000p+0,0x1p-1074,0,0,0,0,0,0]'::trend_state),
               ('v=1 n=2 wk=2935 weekly=[-0x1.fffffffffffffp+995,2.2250738585072009e-308,0,0,0,0,0,0,0,0,0,0,0]')) AS v(w);

-- Binary COPY round-trip (server-side files; the regression runs as superuser).
CREATE TEMP TABLE io_copy (LIKE io);
COPY io TO '/tmp/relintel_regress_state_io.bin' (FORMAT binary);
COPY io_copy FROM '/tmp/relintel_regress_state_io.bin' (FORMAT binary);
SELECT count(*) AS rows, bool_and(a.h = b.h AND a.t = b.t AND a.w = b.w) AS equal,
       bool_and(a.h::text = b.h::text AND a.t::text = b.t::text AND a.w::text = b.w::text) AS same_text,
       bool_and(health_state_send(a.h) = health_state_send(b.h) AND tie_state_send(a.t) = tie_state_send(b.t)
                AND trend_state_send(a.w) = trend_state_send(b.w)) AS same_bytes
FROM io a JOIN io_copy b USING (id);

-- Text COPY round-trip.
TRUNCATE io_copy;
COPY io TO '/tmp/relintel_regress_state_io.txt';
COPY io_copy FROM '/tmp/relintel_regress_state_io.txt';
SELECT count(*) AS rows, bool_and(a.h = b.h AND a.t = b.t AND a.w = b.w) AS equal,
       bool_and(a.h::text = b.h::text AND a.t::text = b.t::text AND a.w::text = b.w::text) AS same_text
FROM io a JOIN io_copy b USING (id);

-- The = operator tells different states apart.
SELECT a.id, b.id, a.h = b.h AS h_eq, a.t = b.t AS t_eq, a.w = b.w AS w_eq
FROM io a, io b WHERE a.id < b.id ORDER BY 1, 2;

-- Bytes per state (the binary send form; the stored value adds a varlena header).
SELECT octet_length(health_state_send(h)) AS health_send, pg_column_size(h) AS health_stored,
       octet_length(tie_state_send(t)) AS tie_send, pg_column_size(t) AS tie_stored,
       octet_length(trend_state_send(w)) AS trend_send, pg_column_size(w) AS trend_stored
FROM io WHERE id = 1;

-- Malformed text: always 22P02.  Built from a valid state by small edits.
CREATE TEMP TABLE base (h text, t text, w text);
INSERT INTO base VALUES (
 'v=1 hl=21 n=2 last=1772452800000000 engaged=1771848000000000 eo=1 ei=0.7937005259840998 mt=0 cl=0 rin=0 lin=0 rout=0 lout=0 s=0 sn=0 wk=2930 email=[1,1,0,0,0,0,0,0,0,0,0,0,0] meeting=[0,0,0,0,0,0,0,0,0,0,0,0,0] call=[0,0,0,0,0,0,0,0,0,0,0,0,0]',
 'v=1 hl=90 n=1 nin=0 nmc=0 last=1772452800000000 kind=email eo=1 ei=0 mt=0 cl=0',
 'v=1 n=1 wk=2930 weekly=[1.5,0,0,0,0,0,0,0,0,0,0,0,0]');
SELECT pg_temp.state(format('SELECT %L::relintel.health_state', h)) AS valid_health,
       pg_temp.state(format('SELECT %L::relintel.tie_state', t)) AS valid_tie,
       pg_temp.state(format('SELECT %L::relintel.trend_state', w)) AS valid_trend FROM base;

SELECT i, label, pg_temp.state(format('SELECT %L::relintel.health_state', input)) AS outcome
FROM base, LATERAL (VALUES
    (1, 'wrong version', replace(h, 'v=1 ', 'v=2 ')),
    (2, 'version 257 (must not wrap to 1)', replace(h, 'v=1 ', 'v=257 ')),
    (3, 'missing field', replace(h, ' rin=0', '')),
    (4, 'fields swapped', replace(h, 'mt=0 cl=0', 'cl=0 mt=0')),
    (5, 'extra text', h || ' x=1'),
    (6, 'trailing space', h || ' '),
    (7, 'leading space', ' ' || h),
    (8, 'two spaces', replace(h, ' n=2', '  n=2')),
    (9, 'NaN', replace(h, 'eo=1', 'eo=NaN')),
    (10, 'inf', replace(h, 'eo=1', 'eo=inf')),
    (11, '-Infinity', replace(h, 'ei=0.7937005259840998', 'ei=-Infinity')),
    (12, 'overflowing float', replace(h, 'eo=1', 'eo=1e400')),
    (13, 'negative n', replace(h, 'n=2', 'n=-2')),
    (14, 'n = 0', replace(h, 'n=2', 'n=0')),
    (15, 'negative decayed count', replace(h, 'eo=1', 'eo=-1')),
    (16, 'negative weekly count', replace(h, 'email=[1,1,', 'email=[-1,1,')),
    (17, 'weekly counts above n', replace(h, 'email=[1,1,', 'email=[2,1,')),
    (18, 'week not matching last', replace(h, 'wk=2930', 'wk=2931')),
    (19, 'engaged after last', replace(h, 'engaged=1771848000000000', 'engaged=1772452800000001')),
    (20, 'twelve weekly values', replace(h, 'call=[0,0,0,0,0,0,0,0,0,0,0,0,0]', 'call=[0,0,0,0,0,0,0,0,0,0,0,0]')),
    (21, 'fourteen weekly values', replace(h, 'call=[0,', 'call=[0,0,')),
    (22, 'half-life 0', replace(h, 'hl=21', 'hl=0')),
    (23, 'sentiment sum beyond its count', replace(h, 's=0 sn=0', 's=1 sn=0.5')),
    (24, 'time out of range', replace(h, 'last=1772452800000000', 'last=9223372036854775807')),
    (25, 'integer overflow', replace(h, 'n=2', 'n=99999999999999999999')),
    (26, 'plus sign', replace(h, 'n=2', 'n=+2')),
    (27, 'hex float (accepted, like float8in)', replace(h, 'eo=1', 'eo=0x1p0')),
    (28, 'empty value', replace(h, 'eo=1', 'eo=')),
    (29, 'truncated', left(h, 100)),
    (30, 'empty string', ''),
    (31, 'a trend state', w),
    (32, 'weekly count above int32', replace(h, 'email=[1,1,', 'email=[2147483648,1,'))
) AS c(i, label, input)
ORDER BY i;

SELECT i, label, pg_temp.state(format('SELECT %L::relintel.tie_state', input)) AS outcome
FROM base, LATERAL (VALUES
    (1, 'wrong version', replace(t, 'v=1 ', 'v=0 ')),
    (2, 'unknown kind', replace(t, 'kind=email', 'kind=fax')),
    (3, 'kind prefix', replace(t, 'kind=email', 'kind=e')),
    (4, 'nin above n', replace(t, 'nin=0', 'nin=2')),
    (5, 'negative nmc', replace(t, 'nmc=0', 'nmc=-1')),
    (6, 'n = 0', replace(t, 'n=1 ', 'n=0 ')),
    (7, 'NaN sum', replace(t, 'mt=0', 'mt=nan')),
    (8, 'missing field', replace(t, ' cl=0', '')),
    (9, 'extra text', t || ' '),
    (10, 'half-life too large', replace(t, 'hl=90', 'hl=1e9')),
    (11, 'no last time', replace(t, 'last=1772452800000000', 'last=-'))
) AS c(i, label, input)
ORDER BY i;

SELECT i, label, pg_temp.state(format('SELECT %L::relintel.trend_state', input)) AS outcome
FROM base, LATERAL (VALUES
    (1, 'wrong version', replace(w, 'v=1 ', 'v=9 ')),
    (2, 'n = 0', replace(w, 'n=1', 'n=0')),
    (3, 'infinite weekly sum', replace(w, '[1.5,', '[Infinity,')),
    (4, 'missing bracket', replace(w, ',0]', ',0')),
    (5, 'week out of range', replace(w, 'wk=2930', 'wk=999999999999')),
    (6, 'empty list element', replace(w, '[1.5,0,', '[1.5,,')),
    (7, 'extra text', w || ']')
) AS c(i, label, input)
ORDER BY i;

-- Crafted binary input is refused too.  health_state_recv() takes `internal`
-- and cannot be called from SQL, so crafted bytes go through binary COPY: a
-- bytea column's binary COPY field is the raw bytes, read back into a
-- health_state column they reach health_state_recv() as they are.
-- Send layout: version (1 byte), half-life (8), n (8), ...
CREATE TEMP TABLE crafted (label text, bytes bytea);
INSERT INTO crafted
SELECT label, bytes FROM io, LATERAL (VALUES
    ('valid', health_state_send(h)),
    ('version 2', set_byte(health_state_send(h), 0, 2)),
    ('n = 0', overlay(health_state_send(h) placing '\x0000000000000000'::bytea from 10 for 8)),
    ('negative n', overlay(health_state_send(h) placing '\xffffffffffffffff'::bytea from 10 for 8)),
    ('NaN half-life', overlay(health_state_send(h) placing '\x7ff8000000000000'::bytea from 2 for 8)),
    ('one byte short', substr(health_state_send(h), 1, octet_length(health_state_send(h)) - 1)),
    ('one byte extra', health_state_send(h) || '\x00'::bytea),
    ('empty', ''::bytea)
) AS c(label, bytes) WHERE id = 1;
CREATE TEMP TABLE received (h health_state);
CREATE FUNCTION pg_temp.receive(which text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    EXECUTE format('COPY (SELECT bytes FROM crafted WHERE label = %L) TO %L (FORMAT binary)',
                   which, '/tmp/relintel_regress_state_io.crafted');
    TRUNCATE received;
    EXECUTE format('COPY received FROM %L (FORMAT binary)', '/tmp/relintel_regress_state_io.crafted');
    RETURN 'ok: ' || (SELECT (h = (SELECT h FROM io WHERE id = 1))::text FROM received);
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' | ' || nullif(detail, ''), '');
END $$;
SELECT label, pg_temp.receive(label) FROM crafted ORDER BY label;

-- Merging states of different half-lives is an error (22023).
SET relintel.health_half_life = 21;
CREATE TEMP TABLE hl AS SELECT health_agg(timestamptz '2026-03-02 12:00+00', 'email', true, NULL, NULL, NULL) AS a;
SET relintel.health_half_life = '30 days';
ALTER TABLE hl ADD COLUMN b health_state;
UPDATE hl SET b = (SELECT health_agg(timestamptz '2026-03-02 12:00+00', 'email', true, NULL, NULL, NULL));
RESET relintel.health_half_life;
SELECT pg_temp.try('SELECT relintel.merge(a, b)::text FROM hl');
SELECT pg_temp.try('SELECT relintel.score(relintel.health_agg(t, ''email'', true, NULL, NULL, NULL), ''2026-03-02'')::text
                    FROM (VALUES (timestamptz ''2026-03-01'')) v(t)') AS same_half_life_ok;
SET relintel.tie_half_life = 90;
CREATE TEMP TABLE thl AS SELECT tie_agg(timestamptz '2026-03-02 12:00+00', 'email', true) AS a;
SET relintel.tie_half_life = 91;
SELECT pg_temp.try('SELECT relintel.merge(a, (SELECT relintel.tie_agg(timestamptz ''2026-03-02 12:00+00'', ''email'', true)))::text FROM thl');
RESET relintel.tie_half_life;
-- A state keeps its half-life: reading it after the setting changed uses the state's.
SET relintel.health_half_life = 7;
SELECT (SELECT h FROM io WHERE id = 1)::text = (SELECT h::text FROM io WHERE id = 1) AS unchanged;
RESET relintel.health_half_life;

-- NULL arguments and empty groups.
SELECT health_agg(t, k, o, NULL, NULL, NULL) IS NULL AS empty_group
FROM (VALUES (timestamptz '2026-03-02', 'email'::interaction_kind, true)) v(t, k, o) WHERE false;
SELECT health_agg(t, k, o, NULL, NULL, NULL) IS NULL AS only_ignored_rows
FROM (VALUES (NULL::timestamptz, 'email'::interaction_kind, true), ('2026-03-02', NULL, true),
             ('2026-03-02', 'email', NULL)) v(t, k, o);
SELECT score(NULL::health_state, '2026-03-02') IS NULL AS score_null,
       status(NULL::health_state, '2026-03-02') IS NULL AS status_null,
       trend(NULL::health_state, '2026-03-02') IS NULL AS trend_null,
       trend_slope(NULL::health_state, '2026-03-02') IS NULL AS slope_null,
       strength(NULL::tie_state, '2026-03-02') IS NULL AS strength_null,
       score(h, NULL) IS NULL AS score_as_of_null
FROM io WHERE id = 1;
SELECT merge(NULL::health_state, h) = h AS h_left, merge(h, NULL) = h AS h_right,
       merge(NULL::tie_state, t) = t AS t_left, merge(t, NULL) = t AS t_right,
       merge(NULL::health_state, NULL) IS NULL AS h_both, merge(NULL::tie_state, NULL) IS NULL AS t_both
FROM io WHERE id = 1;
-- merge outside an aggregate does not change its arguments.
SELECT merge(a.h, b.h) = a.h AS merged_differs, a.h::text = c.h::text AS first_unchanged,
       merge(a.t, b.t) = a.t AS merged_t_differs, a.t::text = c.t::text AS first_t_unchanged
FROM io a, io b, io_copy c WHERE a.id = 1 AND b.id = 2 AND c.id = 1;

-- Invalid argument values: 22023 quoting the value; infinite times 22008.
SELECT label, pg_temp.try(q) FROM (VALUES
    ('negative duration', $$SELECT relintel.health_agg(timestamptz '2026-03-02', 'meeting', true, '-1 minute', NULL, NULL)::text$$),
    ('negative duration (mixed)', $$SELECT relintel.health_agg(timestamptz '2026-03-02', 'call', true, '1 day -25 hours', NULL, NULL)::text$$),
    ('negative reply_latency', $$SELECT relintel.health_agg(timestamptz '2026-03-02', 'email', false, NULL, '-2 hours', NULL)::text$$),
    ('sentiment 1.5', $$SELECT relintel.health_agg(timestamptz '2026-03-02', 'email', false, NULL, NULL, 1.5)::text$$),
    ('sentiment -1.01', $$SELECT relintel.health_agg(timestamptz '2026-03-02', 'email', false, NULL, NULL, -1.01)::text$$),
    ('sentiment NaN', $$SELECT relintel.health_agg(timestamptz '2026-03-02', 'email', false, NULL, NULL, 'NaN')::text$$),
    ('sentiment Infinity', $$SELECT relintel.health_agg(timestamptz '2026-03-02', 'email', false, NULL, NULL, 'Infinity')::text$$),
    ('sentiment -1 and 1 are fine', $$SELECT relintel.interactions(relintel.health_agg(t, 'email', false, NULL, NULL, s))::text FROM (VALUES (timestamptz '2026-03-02', -1::real), ('2026-03-03', 1)) v(t, s)$$),
    ('zero duration and latency are fine', $$SELECT relintel.interactions(relintel.health_agg(timestamptz '2026-03-02', 'call', false, '0', '0', NULL))::text$$),
    ('health occurred_at infinity', $$SELECT relintel.health_agg(timestamptz 'infinity', 'email', true, NULL, NULL, NULL)::text$$),
    ('health occurred_at -infinity', $$SELECT relintel.health_agg(timestamptz '-infinity', 'email', true, NULL, NULL, NULL)::text$$),
    ('tie occurred_at infinity', $$SELECT relintel.tie_agg(timestamptz 'infinity', 'email', true)::text$$),
    ('score as_of infinity', $$SELECT relintel.score(h, 'infinity')::text FROM io WHERE id = 1$$),
    ('status as_of -infinity', $$SELECT relintel.status(h, '-infinity')::text FROM io WHERE id = 1$$),
    ('trend as_of infinity', $$SELECT relintel.trend(h, 'infinity')::text FROM io WHERE id = 1$$),
    ('factors as_of infinity', $$SELECT (relintel.factors(h, 'infinity')).n::text FROM io WHERE id = 1$$),
    ('strength as_of infinity', $$SELECT relintel.strength(t, 'infinity')::text FROM io WHERE id = 1$$)
) AS v(label, q);

-- Fuzz: 10,200 mutated state strings (random replacement, insertion, deletion,
-- truncation, duplication) from valid outputs of all three types.  The only
-- error allowed is 22P02; a mutation that still parses must round-trip.
CREATE FUNCTION pg_temp.fuzz(iterations int) RETURNS TABLE (fact text, value bigint) LANGUAGE plpgsql AS $$
DECLARE
    bases text[];
    types text[] := ARRAY['health_state', 'tie_state', 'trend_state'];
    alphabet text := '0123456789-+.,[]= eExvnaifl_-';
    input text;
    output text;
    pos int;
    b int;
    total bigint := 0;
    parsed bigint := 0;
    rejected bigint := 0;
    other bigint := 0;
    not_round_trip bigint := 0;
    other_states text := '';
BEGIN
    PERFORM setseed(0.4242);
    SELECT array_agg(x ORDER BY id, k) INTO bases
    FROM io, LATERAL (VALUES (1, h::text), (2, t::text), (3, w::text)) AS v(k, x);
    FOR i IN 1 .. iterations LOOP
        b := 1 + (i % array_length(bases, 1));
        input := bases[b];
        FOR m IN 1 .. 1 + floor(random() * 3)::int LOOP
            pos := 1 + floor(random() * (length(input) + 1))::int;
            CASE floor(random() * 6)::int
                WHEN 0, 1 THEN  -- replace one character
                    input := overlay(input placing substr(alphabet, 1 + floor(random() * length(alphabet))::int, 1)
                                     from pos for 1);
                WHEN 2 THEN     -- insert one character
                    input := left(input, pos - 1) || substr(alphabet, 1 + floor(random() * length(alphabet))::int, 1)
                             || substr(input, pos);
                WHEN 3 THEN     -- delete one character
                    input := left(input, pos - 1) || substr(input, pos + 1);
                WHEN 4 THEN     -- truncate
                    input := left(input, pos - 1);
                ELSE            -- duplicate a few characters
                    input := left(input, pos - 1) || substr(input, pos, 1 + floor(random() * 8)::int) || substr(input, pos);
            END CASE;
        END LOOP;
        total := total + 1;
        BEGIN
            EXECUTE format('SELECT %L::relintel.%s::text', input, types[1 + (b - 1) % 3]) INTO output;
            parsed := parsed + 1;
            EXECUTE format('SELECT %L::relintel.%s::text = %L', output, types[1 + (b - 1) % 3], output) INTO STRICT output;
            IF output <> 'true' THEN
                not_round_trip := not_round_trip + 1;
            END IF;
        EXCEPTION
            WHEN invalid_text_representation THEN
                rejected := rejected + 1;
            WHEN OTHERS THEN
                other := other + 1;
                other_states := other_states || ' ' || SQLSTATE;
        END;
    END LOOP;
    RETURN QUERY VALUES ('total >= 10000', (total >= 10000)::int::bigint),
                        ('sqlstates other than 22P02', other),
                        ('rejected with 22P02 > 9000', (rejected > 9000)::int::bigint),
                        ('parsed and then not round-tripping', not_round_trip);
    IF other > 0 THEN
        RAISE NOTICE 'unexpected SQLSTATEs:%', other_states;
    END IF;
END $$;
SELECT * FROM pg_temp.fuzz(10200);

DROP TABLE io;
