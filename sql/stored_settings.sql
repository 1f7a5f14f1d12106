-- Settings that shape stored states are the database's (issues 11 and 12):
-- a writer's session value of relintel.health_half_life, tie_half_life or
-- max_tie_participants changes nothing that is stored, for a superuser and
-- for a plain writer; relintel.configure() changes them and rebuilds.
SET client_min_messages = warning;
\set regress_db :DBNAME
CREATE DATABASE regress_relintel_settings;
\c regress_relintel_settings
SET client_min_messages = warning;
CREATE EXTENSION relintel;
SET search_path = relintel, public;
INSERT INTO colleague (email) VALUES ('alice@contoso.com'), ('bob@contoso.com');
INSERT INTO account VALUES (1, 'Fabrikam', 'fabrikam.com');
INSERT INTO contact VALUES (10, 1, 'ann@fabrikam.com', 'Ann');
SELECT name, value FROM stored_setting ORDER BY name;

-- A superuser writer with other session values: a three-person meeting
-- (more than max_tie_participants = 2), a change of a contact's email.
SET relintel.health_half_life = 7;
SET relintel.tie_half_life = 7;
SET relintel.max_tie_participants = 2;
INSERT INTO interaction (kind, occurred_at, sender, recipients)
VALUES ('meeting', '2026-06-01 10:00+00', 'alice@contoso.com', ARRAY['ann@fabrikam.com', 'bob@contoso.com']);
UPDATE contact SET email = 'ann2@fabrikam.com' WHERE id = 10;
UPDATE contact SET email = 'ann@fabrikam.com' WHERE id = 10;
DELETE FROM interaction WHERE false;
RESET relintel.health_half_life;
RESET relintel.tie_half_life;
RESET relintel.max_tie_participants;
SELECT count(*) AS verify_rows FROM verify();
SELECT entity_type, substring(state::text FROM 'hl=[0-9.]+') AS half_life FROM entity_health ORDER BY 1;
SELECT colleague_id, address, substring(state::text FROM 'hl=[0-9.]+') AS half_life FROM tie ORDER BY 1;

-- A plain writer with other session values: every later ordinary write
-- works and verify() stays empty.
CREATE ROLE regress_relintel_writer;
GRANT USAGE ON SCHEMA relintel TO regress_relintel_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON interaction, contact TO regress_relintel_writer;
SET ROLE regress_relintel_writer;
SET relintel.health_half_life = 7;
SET relintel.max_tie_participants = 2;
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients)
VALUES ('email', '2026-06-02 10:00+00', 'ann@fabrikam.com', ARRAY['alice@contoso.com', 'bob@contoso.com']);
UPDATE relintel.contact SET email = 'ann3@fabrikam.com' WHERE id = 10;
DELETE FROM relintel.interaction WHERE kind = 'meeting';
RESET ROLE;
RESET relintel.health_half_life;
RESET relintel.max_tie_participants;
INSERT INTO interaction (kind, occurred_at, sender, recipients)
VALUES ('email', '2026-06-03 10:00+00', 'alice@contoso.com', ARRAY['ann3@fabrikam.com']);
SELECT count(*) AS verify_rows FROM verify();
SELECT entity_type, relintel.interactions(state) AS n FROM entity_health ORDER BY 1;

-- configure(): checked like the setting itself, stored, and everything
-- rebuilt with it; the writers' values still change nothing.
SELECT configure('relintel.tie_half_life', '60');
SELECT substring(state::text FROM 'hl=[0-9.]+') AS tie_half_life FROM tie GROUP BY 1;
SELECT count(*) AS verify_rows FROM verify();
SELECT configure('relintel.tie_half_life', '0');
SELECT configure('relintel.weight_email', '2');
-- the 3-person email (ann to alice and bob) links no one at 2, both at 3
SELECT configure('relintel.max_tie_participants', '2');
SELECT colleague_id, address, interaction_id FROM tie_member ORDER BY 1, 2, 3;
SELECT configure('relintel.max_tie_participants', '3');
SELECT colleague_id, address, interaction_id FROM tie_member ORDER BY 1, 2, 3;
SELECT configure('relintel.max_tie_participants', '10');
SELECT configure('relintel.tie_half_life', '90');
SELECT name, value FROM stored_setting ORDER BY name;
SELECT count(*) AS verify_rows FROM verify();

-- The readers that fold states themselves use the database's half-lives
-- too: a session's value changes neither health_at nor a past who_knows.
SELECT round(h.frequency::numeric, 6) AS frequency_at FROM health_at('contact', 10, '2026-06-10') AS h;
SELECT strength FROM who_knows('ann@fabrikam.com', 5, '2026-06-10') ORDER BY 1;
SET relintel.health_half_life = 2;
SET relintel.tie_half_life = 2;
SELECT round(h.frequency::numeric, 6) AS frequency_at FROM health_at('contact', 10, '2026-06-10') AS h;
SELECT strength FROM who_knows('ann@fabrikam.com', 5, '2026-06-10') ORDER BY 1;
RESET relintel.health_half_life;
RESET relintel.tie_half_life;

-- A restore (pg_dump backs stored_setting up) or a direct change writes the
-- table itself: the change rebuilds as configure() would, back to the
-- default when the row goes, and an invalid stored value is refused.
INSERT INTO stored_setting VALUES ('relintel.health_half_life', '45');
SELECT substring(state::text FROM 'hl=[0-9.]+') AS health_half_life FROM entity_health GROUP BY 1;
SELECT count(*) AS verify_rows FROM verify();
DELETE FROM stored_setting WHERE name = 'relintel.health_half_life';
SELECT substring(state::text FROM 'hl=[0-9.]+') AS health_half_life FROM entity_health GROUP BY 1;
UPDATE stored_setting SET value = 'soon' WHERE name = 'relintel.tie_half_life';
INSERT INTO stored_setting VALUES ('relintel.weight_email', '2');
SELECT name, value FROM stored_setting ORDER BY name;
SELECT count(*) AS verify_rows FROM verify();

\c :regress_db
SET client_min_messages = warning;
DROP DATABASE regress_relintel_settings;
DROP ROLE regress_relintel_writer;
