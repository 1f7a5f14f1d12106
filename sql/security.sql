-- security: privileges tested with real roles, on the scenario data.
--   regress_relintel_nobody  no grant at all
--   regress_relintel_asker   EXECUTE on who_knows only
--   regress_relintel_evil    EXECUTE on who_knows, owns a schema full of
--                            objects shadowing what who_knows uses
-- (no CONTEXT lines: they name line numbers of function bodies)
\set SHOW_CONTEXT never
SET timezone = 'UTC';
SET intervalstyle = 'postgres';
SET datestyle = 'ISO, YMD';
\set VERBOSITY sqlstate

DROP SCHEMA IF EXISTS regress_evil CASCADE;
DROP ROLE IF EXISTS regress_relintel_nobody;
DROP ROLE IF EXISTS regress_relintel_asker;
DROP ROLE IF EXISTS regress_relintel_evil;
CREATE ROLE regress_relintel_nobody;
CREATE ROLE regress_relintel_asker;
CREATE ROLE regress_relintel_evil;
GRANT EXECUTE ON FUNCTION relintel.who_knows(text, integer, timestamptz)
  TO regress_relintel_asker, regress_relintel_evil;

-- The shape of the privileges: no relation of the extension is readable by
-- PUBLIC; no SECURITY DEFINER function is executable by PUBLIC; every SQL
-- and PL/pgSQL function has a fixed search_path.  (All expected empty.)
SELECT c.relname
  FROM pg_class AS c
 WHERE c.relnamespace = 'relintel'::regnamespace
   AND c.relkind IN ('r', 'v', 'm', 'S', 'p', 'f')
   AND (has_table_privilege('public', c.oid, 'SELECT')
        OR has_table_privilege('regress_relintel_asker', c.oid, 'SELECT'));
SELECT p.oid::regprocedure
  FROM pg_proc AS p
 WHERE p.pronamespace = 'relintel'::regnamespace
   AND p.prosecdef
   AND has_function_privilege('public', p.oid, 'EXECUTE');
SELECT p.oid::regprocedure
  FROM pg_proc AS p
  JOIN pg_language AS l ON l.oid = p.prolang
 WHERE p.pronamespace = 'relintel'::regnamespace
   AND l.lanname IN ('sql', 'plpgsql')
   AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)
   -- a BEGIN ATOMIC body binds its names when it is created: no search_path
   -- reaches it (and without a SET clause the planner can inline it)
   AND NOT (p.prosqlbody IS NOT NULL AND p.proconfig IS NULL);
-- who_knows and intro_request are SECURITY DEFINER.
SELECT p.proname, p.prosecdef
  FROM pg_proc AS p
 WHERE p.oid IN ('relintel.who_knows(text, integer, timestamptz)'::regprocedure,
                 'relintel.intro_request(text, text, text, timestamptz)'::regprocedure)
 ORDER BY p.proname;

-- Without the grant: who_knows, intro_request, the tie data, the base
-- tables, the membership and health views and the functions reading them
-- are all refused (42501).
SET ROLE regress_relintel_nobody;
SELECT * FROM relintel.who_knows('ann.lee@fabrikam.com', 5, '2026-06-15 00:00+00');
SELECT * FROM relintel.intro_request('bob@contoso.com', 'alice@contoso.com', 'ann.lee@fabrikam.com');
SELECT * FROM relintel.tie_interaction;
SELECT * FROM relintel.interaction;
SELECT * FROM relintel.colleague;
SELECT * FROM relintel.interaction_participant;
SELECT * FROM relintel.entity_interaction;
SELECT * FROM relintel.contact_health;
SELECT * FROM relintel.kpis('contact', 100, '30 days', '2026-06-15 00:00+00');
SELECT * FROM relintel.health_at('contact', 100, '2026-06-15 00:00+00');
-- Pure functions stay usable by everyone.
SELECT relintel.normalize_address('Ann <ANN@X.ORG>');
RESET ROLE;

-- With the grant: the top k for the one address asked, opted-out carol
-- hidden, and still nothing else.
SET ROLE regress_relintel_asker;
SELECT colleague_id, email, strength
  FROM relintel.who_knows('ann.lee@fabrikam.com', 1, '2026-06-15 00:00+00');
SELECT colleague_id, email, strength
  FROM relintel.who_knows('ann.lee@fabrikam.com', 5, '2026-06-15 00:00+00');
SELECT * FROM relintel.tie_interaction;
SELECT * FROM relintel.interaction;
SELECT * FROM relintel.account_health;
SELECT * FROM relintel.intro_request('bob@contoso.com', 'alice@contoso.com', 'ann.lee@fabrikam.com');
CREATE TABLE relintel.mine (x int);
RESET ROLE;

-- Schema shadowing: an unprivileged role fills its own schema with objects
-- named like those who_knows uses (tables, views, functions, an operator
-- =(text, text) that is always true), each logging its use, and puts that
-- schema first in its search_path, before pg_catalog.  who_knows gives the
-- same answer as above and nothing of the schema is ever called.
CREATE SCHEMA regress_evil AUTHORIZATION regress_relintel_evil;
SET ROLE regress_relintel_evil;
CREATE TABLE regress_evil.log (what text);
CREATE FUNCTION regress_evil.trap(what text) RETURNS boolean
LANGUAGE sql VOLATILE AS $$ INSERT INTO regress_evil.log VALUES (what) RETURNING true $$;
CREATE TABLE regress_evil.colleague (id bigint, email text, display_name text, share_relationships boolean);
INSERT INTO regress_evil.colleague VALUES (666, 'mallory@evil.example', 'Mallory', true);
CREATE VIEW regress_evil.tie_interaction AS
  SELECT 666::bigint AS colleague_id, 'ann.lee@fabrikam.com'::text AS address, 1::bigint AS interaction_id,
         'meeting'::relintel.interaction_kind AS kind, now() AS occurred_at, true AS outbound;
CREATE FUNCTION regress_evil.split_part(text, text, integer) RETURNS text
LANGUAGE sql AS $$ SELECT CASE WHEN regress_evil.trap('split_part') THEN 'contoso.com' END $$;
CREATE FUNCTION regress_evil.lower(text) RETURNS text
LANGUAGE sql AS $$ SELECT CASE WHEN regress_evil.trap('lower') THEN $1 END $$;
CREATE FUNCTION regress_evil.now() RETURNS timestamptz
LANGUAGE sql AS $$ SELECT CASE WHEN regress_evil.trap('now') THEN '2000-01-01'::timestamptz END $$;
CREATE FUNCTION regress_evil.array_prepend(text, text[]) RETURNS text[]
LANGUAGE sql AS $$ SELECT CASE WHEN regress_evil.trap('array_prepend') THEN ARRAY['mallory@evil.example'] END $$;
CREATE FUNCTION regress_evil.cardinality(text[]) RETURNS integer
LANGUAGE sql AS $$ SELECT CASE WHEN regress_evil.trap('cardinality') THEN 1 END $$;
CREATE FUNCTION regress_evil.text_eq(text, text) RETURNS boolean
LANGUAGE sql AS $$ SELECT regress_evil.trap('=') $$;
CREATE OPERATOR regress_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_evil.text_eq);
SET search_path = regress_evil, pg_catalog, public;
SELECT colleague_id, email, strength
  FROM relintel.who_knows('ann.lee@fabrikam.com', 5, '2026-06-15 00:00+00');
SELECT colleague_id, strength
  FROM relintel.who_knows('zoe@northwind.com', 5, '2026-06-15 00:00+00');
-- The same with temporary objects (pg_temp is searched last, and only for
-- relations, by who_knows).
CREATE TEMP TABLE colleague (id bigint, email text, display_name text, share_relationships boolean);
CREATE TEMP VIEW tie_interaction AS SELECT * FROM regress_evil.tie_interaction;
SELECT colleague_id, strength
  FROM relintel.who_knows('ann.lee@fabrikam.com', 5, '2026-06-15 00:00+00');
DROP VIEW pg_temp.tie_interaction;
DROP TABLE pg_temp.colleague;
-- nothing was called
SELECT count(*) AS trapped FROM regress_evil.log;
-- (while the same names in the role's own queries do reach the traps:
-- expected contoso.com, then 1 call logged)
SELECT split_part('ann@fabrikam.com', '@', 2) AS shadowed;
SELECT count(*) AS trapped FROM regress_evil.log;
RESET search_path;
RESET ROLE;

-- Revoking the grant closes the door again.
REVOKE EXECUTE ON FUNCTION relintel.who_knows(text, integer, timestamptz) FROM regress_relintel_asker;
SET ROLE regress_relintel_asker;
SELECT * FROM relintel.who_knows('ann.lee@fabrikam.com', 5, '2026-06-15 00:00+00');
RESET ROLE;

-- Clean up.
SET client_min_messages = warning;
DROP SCHEMA regress_evil CASCADE;
RESET client_min_messages;
REVOKE EXECUTE ON FUNCTION relintel.who_knows(text, integer, timestamptz) FROM regress_relintel_evil;
DROP ROLE regress_relintel_nobody;
DROP ROLE regress_relintel_asker;
DROP ROLE regress_relintel_evil;
