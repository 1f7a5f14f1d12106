-- pgTAP: who_knows and the tie data under real roles, in one transaction
-- (roles, grants and data are rolled back at the end).
--
-- pgTAP's own bookkeeping lives in temporary tables of the session user, so
-- each probe runs under SET ROLE in a DO block that records its outcome
-- (the rows it saw, or its SQLSTATE) in a table every role may write, and
-- the assertions are made afterwards as the session user.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS relintel;
RESET client_min_messages;
BEGIN;
SELECT plan(15);

CREATE ROLE tap_relintel_nobody;
CREATE ROLE tap_relintel_asker;
CREATE ROLE tap_relintel_evil;
GRANT EXECUTE ON FUNCTION relintel.who_knows(text, integer, timestamptz) TO tap_relintel_asker, tap_relintel_evil;

CREATE TABLE public.tap_probe (probe text, outcome text);
GRANT INSERT ON public.tap_probe TO PUBLIC;

-- A small world: u1 and u2 at tap-corp.example know x@customer.example,
-- u1 better (a meeting and a reply) than u2 (one email each way, older);
-- u3 knows x best but has opted out.
INSERT INTO relintel.internal_domain VALUES ('tap-corp.example');
INSERT INTO relintel.colleague (id, email, display_name, share_relationships) VALUES
  (9001, 'u1@tap-corp.example', 'U One', true),
  (9002, 'u2@tap-corp.example', 'U Two', true),
  (9003, 'u3@tap-corp.example', 'U Three', false);
INSERT INTO relintel.interaction (id, kind, occurred_at, duration, sender, recipients) VALUES
  (9101, 'meeting', '2026-06-10 10:00+00', '1 hour', 'u1@tap-corp.example', ARRAY['x@customer.example']),
  (9102, 'email', '2026-06-11 10:00+00', NULL, 'x@customer.example', ARRAY['u1@tap-corp.example']),
  (9103, 'email', '2026-05-01 10:00+00', NULL, 'u2@tap-corp.example', ARRAY['x@customer.example']),
  (9104, 'email', '2026-05-02 10:00+00', NULL, 'x@customer.example', ARRAY['u2@tap-corp.example']),
  (9105, 'meeting', '2026-06-12 10:00+00', '2 hours', 'u3@tap-corp.example', ARRAY['x@customer.example']),
  (9106, 'meeting', '2026-06-13 10:00+00', '2 hours', 'u3@tap-corp.example', ARRAY['x@customer.example']);

-- The probe: run a query as a role (with a search_path of its choice),
-- record "rows: <its rows>" or the SQLSTATE; the search_path is restored.
CREATE FUNCTION pg_temp.probe(role_name text, probe text, query text, path text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    saved_path text := current_setting('search_path');
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', role_name);
    IF path IS NOT NULL THEN
        PERFORM set_config('search_path', path, true);
    END IF;
    BEGIN
        EXECUTE format('INSERT INTO public.tap_probe SELECT %L, ''rows: '' || coalesce(string_agg(q::text, '' '' ORDER BY q::text), '''') FROM (%s) AS q',
                       probe, query);
    EXCEPTION WHEN OTHERS THEN
        INSERT INTO public.tap_probe VALUES (probe, SQLSTATE);
    END;
    RESET ROLE;
    PERFORM set_config('search_path', saved_path, true);
END;
$$;
CREATE FUNCTION pg_temp.outcome(probe text) RETURNS text
LANGUAGE sql AS $$ SELECT outcome FROM public.tap_probe WHERE tap_probe.probe = $1 $$;

SELECT pg_temp.probe('tap_relintel_nobody', 'nobody who_knows',
    $$SELECT colleague_id FROM relintel.who_knows('x@customer.example', 5, '2026-06-15 00:00+00')$$);
SELECT pg_temp.probe('tap_relintel_nobody', 'nobody tie data', $$SELECT * FROM relintel.tie_interaction$$);
SELECT pg_temp.probe('tap_relintel_nobody', 'nobody interactions', $$SELECT * FROM relintel.interaction$$);
SELECT pg_temp.probe('tap_relintel_nobody', 'nobody health view', $$SELECT * FROM relintel.contact_health$$);
SELECT pg_temp.probe('tap_relintel_nobody', 'nobody intro',
    $$SELECT "to" FROM relintel.intro_request('u2@tap-corp.example', 'u1@tap-corp.example', 'x@customer.example')$$);
SELECT pg_temp.probe('tap_relintel_asker', 'asker top 1',
    $$SELECT colleague_id FROM relintel.who_knows('x@customer.example', 1, '2026-06-15 00:00+00')$$);
SELECT pg_temp.probe('tap_relintel_asker', 'asker top 5',
    $$SELECT colleague_id FROM relintel.who_knows('X@Customer.Example', 5, '2026-06-15 00:00+00')$$);
SELECT pg_temp.probe('tap_relintel_asker', 'asker tie data', $$SELECT * FROM relintel.tie_interaction$$);
SELECT pg_temp.probe('tap_relintel_asker', 'asker membership', $$SELECT * FROM relintel.entity_interaction$$);
SELECT pg_temp.probe('tap_relintel_asker', 'asker colleagues', $$SELECT * FROM relintel.colleague$$);

SELECT is(pg_temp.outcome('nobody who_knows'), '42501', 'without the grant who_knows is refused');
SELECT is(pg_temp.outcome('nobody tie data'), '42501', 'without the grant the tie data is unreadable');
SELECT is(pg_temp.outcome('nobody interactions'), '42501', 'without the grant interactions are unreadable');
SELECT is(pg_temp.outcome('nobody health view'), '42501', 'without the grant the health views are unreadable');
SELECT is(pg_temp.outcome('nobody intro'), '42501', 'without the grant intro_request is refused');
SELECT is(pg_temp.outcome('asker top 1'), 'rows: (9001)', 'a granted role sees the top 1 it asked for');
SELECT is(pg_temp.outcome('asker top 5'), 'rows: (9001) (9002)', 'a granted role sees who knows x, opted-out u3 hidden');
SELECT is(pg_temp.outcome('asker tie data'), '42501', 'a granted role still cannot read the tie data');
SELECT is(pg_temp.outcome('asker membership'), '42501', 'a granted role cannot read the membership views');
SELECT is(pg_temp.outcome('asker colleagues'), '42501', 'a granted role cannot read the colleague table');

-- Ranking as the session user, for reference: u1 before u2.
SELECT results_eq(
    $$SELECT colleague_id FROM relintel.who_knows('x@customer.example', 5, '2026-06-15 00:00+00')$$,
    $$VALUES (9001::bigint), (9002::bigint)$$,
    'who_knows ranks u1 before u2 and hides u3');

-- Schema shadowing by an unprivileged role in its own schema.
CREATE SCHEMA tap_evil AUTHORIZATION tap_relintel_evil;
SET LOCAL ROLE tap_relintel_evil;
CREATE TABLE tap_evil.colleague (id bigint, email text, display_name text, share_relationships boolean);
INSERT INTO tap_evil.colleague VALUES (666, 'mallory@evil.example', 'Mallory', true);
CREATE FUNCTION tap_evil.split_part(text, text, integer) RETURNS text
LANGUAGE sql AS $$ SELECT 'customer.example' $$;
CREATE FUNCTION tap_evil.text_eq(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR tap_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = tap_evil.text_eq);
RESET ROLE;
SELECT pg_temp.probe('tap_relintel_evil', 'evil shadowed',
    $$SELECT colleague_id FROM relintel.who_knows('x@customer.example', 5, '2026-06-15 00:00+00')$$,
    'tap_evil, pg_catalog');
SELECT pg_temp.probe('tap_relintel_evil', 'evil control',
    $$SELECT split_part('a@b', '@', 2) AS d$$, 'tap_evil, pg_catalog');
SELECT is(pg_temp.outcome('evil shadowed'), 'rows: (9001) (9002)', 'objects shadowing pg_catalog do not change who_knows');
SELECT is(pg_temp.outcome('evil control'), 'rows: (customer.example)', '(the shadowing objects do shadow in the role''s own queries)');

-- Opting out takes effect at once.
UPDATE relintel.colleague SET share_relationships = false WHERE id = 9001;
SELECT pg_temp.probe('tap_relintel_asker', 'asker after opt-out',
    $$SELECT colleague_id FROM relintel.who_knows('x@customer.example', 5, '2026-06-15 00:00+00')$$);
SELECT is(pg_temp.outcome('asker after opt-out'), 'rows: (9002)', 'an opted-out colleague disappears at once');

-- Revoking closes the door.
REVOKE EXECUTE ON FUNCTION relintel.who_knows(text, integer, timestamptz) FROM tap_relintel_asker;
SELECT pg_temp.probe('tap_relintel_asker', 'asker revoked',
    $$SELECT colleague_id FROM relintel.who_knows('x@customer.example', 5, '2026-06-15 00:00+00')$$);
SELECT is(pg_temp.outcome('asker revoked'), '42501', 'after REVOKE who_knows is refused again');

SELECT * FROM finish();
ROLLBACK;
