-- pgTAP: the shape of relintel's core (types, aggregates, labels of functions).
BEGIN;
SELECT plan(24);

SELECT has_schema('relintel');
SELECT has_type('relintel', 'health_state', 'health_state exists');
SELECT has_type('relintel', 'tie_state', 'tie_state exists');
SELECT has_type('relintel', 'trend_state', 'trend_state exists');
SELECT enum_has_labels('relintel', 'interaction_kind', ARRAY['email', 'meeting', 'call']);
SELECT enum_has_labels('relintel', 'entity_type', ARRAY['account', 'contact', 'lead', 'opportunity']);
SELECT enum_has_labels('relintel', 'health_status', ARRAY['good', 'fair', 'poor', 'insufficient']);
SELECT enum_has_labels('relintel', 'health_trend', ARRAY['improving', 'steady', 'declining']);

-- Aggregates: real SQL state types (not internal), a combine function, parallel safe.
SELECT is(
    (SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
      WHERE p.pronamespace = 'relintel'::regnamespace
        AND a.aggtranstype <> 'internal'::regtype
        AND a.aggcombinefn <> 0 AND p.proparallel = 's'),
    7, 'health_agg, response_agg, tie_agg, trend_agg and the three merge aggregates have SQL state types, combine functions and are parallel safe');
SELECT is(
    (SELECT array_agg(p.proname::text || ':' || a.aggtranstype::regtype::text ORDER BY p.proname, a.aggtranstype::regtype::text)
       FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
      WHERE p.pronamespace = 'relintel'::regnamespace),
    ARRAY['alert_summary_agg:internal',
          'health_agg:relintel.health_state',
          'merge:relintel.health_state', 'merge:relintel.tie_state', 'merge:relintel.trend_state',
          'response_agg:relintel.health_state',
          'tie_agg:relintel.tie_state', 'trend_agg:relintel.trend_state'],
    'each aggregate keeps its own state type (alert_summary_agg, used by alerts() alone, an internal one with serial/deserial)');

-- Labels: pure math immutable, anything reading settings stable.
SELECT volatility_is('relintel', 'normalize_address', ARRAY['text'], 'immutable');
SELECT volatility_is('relintel', 'score', ARRAY['relintel.health_state', 'timestamp with time zone'], 'stable');
SELECT volatility_is('relintel', 'strength', ARRAY['relintel.tie_state', 'timestamp with time zone'], 'stable');
SELECT volatility_is('relintel', 'slope', ARRAY['relintel.trend_state', 'timestamp with time zone'], 'immutable');
SELECT is_strict('relintel', 'score', ARRAY['relintel.health_state', 'timestamp with time zone']);
SELECT isnt_strict('relintel', 'merge', ARRAY['relintel.health_state', 'relintel.health_state']);
SELECT is(
    (SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'relintel'::regnamespace
        AND prolang = (SELECT oid FROM pg_language WHERE lanname = 'c') AND proparallel <> 's'
        AND prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)),
    0, 'every C function (but the triggers check_interaction and guard_drop) is parallel safe');

-- Every object of the core carries a comment.
SELECT is(
    (SELECT count(*)::int FROM pg_proc p WHERE p.pronamespace = 'relintel'::regnamespace
        AND obj_description(p.oid, 'pg_proc') IS NULL),
    0, 'every function and aggregate has a comment');
SELECT is(
    (SELECT count(*)::int FROM pg_type t WHERE t.typnamespace = 'relintel'::regnamespace
        AND t.typtype IN ('b', 'e') AND t.typcategory <> 'A' AND obj_description(t.oid, 'pg_type') IS NULL),
    0, 'every base and enum type has a comment');

-- Settings are defined with their defaults and refuse values out of range.
SELECT is(relintel.setting('health_half_life'), 21::float8, 'health half-life defaults to 21 days');
SELECT is(relintel.setting('max_tie_participants'), 10::float8, 'max_tie_participants defaults to 10');
SELECT throws_ok($$SET relintel.good_score = 101$$, '22023', NULL, 'good_score above 100 is refused');
SELECT throws_ok($$SET relintel.health_half_life = '-3 days'$$, '22023', NULL, 'a negative half-life is refused');
SELECT throws_ok($$SELECT relintel.setting('no_such_thing')$$, '22023', NULL, 'an unknown setting name is refused');

SELECT * FROM finish();
ROLLBACK;
