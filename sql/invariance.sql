-- invariance: on the scenario data, internal-only and external-only
-- interactions change nothing, and a reply inserted before the mail it
-- answers gives the same results as the other order.
-- (no CONTEXT lines: they name line numbers of function bodies)
\set SHOW_CONTEXT never
SET timezone = 'UTC';
SET intervalstyle = 'postgres';
SET datestyle = 'ISO, YMD';
-- (the snapshots below are many small function calls: JIT only slows them)
SET jit = off;

-- Everything a reader sees at T = 2026-06-15 00:00: health of every entity
-- (floats to 10 decimals: sums may differ in the last bit with scan order),
-- KPIs of every entity (7 and 90 days), who_knows of every external
-- address (k = 10), the activity history of every entity in June.
CREATE TEMP VIEW everything AS
WITH entity AS (
    SELECT 'contact'::relintel.entity_type AS t, id FROM relintel.contact
    UNION ALL SELECT 'lead', id FROM relintel.lead
    UNION ALL SELECT 'account', id FROM relintel.account
    UNION ALL SELECT 'opportunity', id FROM relintel.opportunity
), address AS (
    SELECT DISTINCT a FROM relintel.interaction, unnest(array_prepend(sender, recipients)) AS a
     WHERE a NOT LIKE '%@contoso.com' AND a NOT LIKE '%@contoso-labs.net'
)
SELECT 'health' AS what, e.t::text AS key, e.id,
       format('%s %s %s %s %s %s %s %s %s %s %s %s %s', h.score, h.status, h.trend,
              round(h.trend_slope::numeric, 10), h.last_interaction_at, h.last_engaged_at,
              h.interactions, round(h.recency::numeric, 10), round(h.frequency::numeric, 10),
              round(h.reciprocity::numeric, 10), round(h.responsiveness::numeric, 10),
              round(h.momentum::numeric, 10), round(h.sentiment::numeric, 10)) AS value
  FROM entity AS e, relintel.health_at(e.t, e.id, '2026-06-15 00:00+00') AS h
UNION ALL
SELECT 'kpis ' || w, e.t::text, e.id, k::text
  FROM entity AS e, (VALUES (interval '7 days'), ('90 days')) AS v(w),
       relintel.kpis(e.t, e.id, v.w, '2026-06-15 00:00+00') AS k
UNION ALL
SELECT 'history', e.t::text, e.id, string_agg(a::text, ' ' ORDER BY a.bucket_start)
  FROM entity AS e,
       relintel.activity_history(e.t, e.id, '2026-06-01 00:00+00', '2026-07-01 00:00+00') AS a
 GROUP BY e.t, e.id
UNION ALL
SELECT 'who_knows', a.a, w.colleague_id, w::text
  FROM address AS a, relintel.who_knows(a.a, 10, '2026-06-15 00:00+00') AS w;

CREATE TEMP TABLE before AS SELECT * FROM everything;
-- 10 entities * (1 health + 2 kpis + 1 history) = 40 rows, and one row per
-- (address, colleague who knows it): ann 2, raj 2, zoe 2 = 6.
SELECT what, count(*) FROM before GROUP BY what ORDER BY what;

-- Internal-only interactions: between colleagues, with an internal-domain
-- address that is no colleague, with erin (colleague outside the internal
-- domain), regarding an opportunity, a lead and an account; external-only
-- ones: between customers, the lead and strangers, regarding the same.
INSERT INTO relintel.interaction
  (id, kind, occurred_at, duration, sender, recipients, message_id, in_reply_to, regarding_type, regarding_id) VALUES
  (70, 'email', '2026-06-10 09:00+00', NULL, 'alice@contoso.com', ARRAY['bob@contoso.com'], '<i70@mail>', NULL, 'opportunity', 1000),
  (71, 'email', '2026-06-10 10:00+00', NULL, 'bob@contoso.com', ARRAY['alice@contoso.com'], '<i71@mail>', '<i70@mail>', 'lead', 300),
  (72, 'meeting', '2026-06-11 09:00+00', '1 hour', 'carol@contoso.com', ARRAY['alice@contoso.com', 'dan@contoso.com', 'erin@contoso-labs.net'], NULL, NULL, 'account', 10),
  (73, 'call', '2026-06-12 09:00+00', '10 minutes', 'support@contoso.com', ARRAY['alice@contoso.com'], NULL, NULL, NULL, NULL),
  (74, 'email', '2026-06-13 09:00+00', NULL, 'alice@contoso.com', ARRAY['alice@contoso.com'], NULL, '<a9@mail>', NULL, NULL),
  (80, 'email', '2026-06-10 09:00+00', NULL, 'ann.lee@fabrikam.com', ARRAY['zoe@northwind.com', 'max.power@gmail.com'], '<e80@mail>', NULL, 'opportunity', 1000),
  (81, 'email', '2026-06-10 11:00+00', NULL, 'zoe@northwind.com', ARRAY['ann.lee@fabrikam.com'], '<e81@mail>', '<e80@mail>', 'lead', 300),
  (82, 'meeting', '2026-06-11 09:00+00', '1 hour', 'raj@fabrikam.com', ARRAY['ann.lee@fabrikam.com', 'zoe@northwind.com'], NULL, NULL, 'account', 20),
  (83, 'call', '2026-06-12 09:00+00', '5 minutes', 'max.power@gmail.com', ARRAY['stranger@example.org'], NULL, NULL, 'lead', 300),
  (84, 'email', '2026-06-13 09:00+00', NULL, 'raj@fabrikam.com', ARRAY['ann.lee@fabrikam.com'], NULL, '<a12@mail>', NULL, NULL),
  -- an internal-only reply to ann's 9 and an external-only reply to
  -- alice's 12: not responses (a reply must be a counted email)
  (75, 'email', '2026-06-08 16:00+00', NULL, 'bob@contoso.com', ARRAY['alice@contoso.com'], NULL, '<a9@mail>', NULL, NULL),
  (85, 'email', '2026-06-12 11:00+00', NULL, 'ann.lee@fabrikam.com', ARRAY['raj@fabrikam.com'], NULL, '<a12@mail>', NULL, NULL);
-- none of them counts
SELECT count(*) FILTER (WHERE counts) AS counted, count(*) AS added
  FROM relintel.interaction_class WHERE interaction_id BETWEEN 70 AND 89;
-- expected: no difference either way
SELECT * FROM (TABLE everything EXCEPT TABLE before) AS d
UNION ALL
SELECT * FROM (TABLE before EXCEPT TABLE everything) AS d;
DELETE FROM relintel.interaction WHERE id BETWEEN 70 AND 89;

-- Replies before the mails they answer: remove the pairs 4/5 (their
-- response, 4 h), 9/10 (our response, 24 h) and 20/21 (8 h) and insert
-- each reply first.  Between the two inserts the reply has nothing to
-- answer (no row in interaction_reply); afterwards everything is as before.
CREATE TEMP TABLE pairs AS
  SELECT * FROM relintel.interaction WHERE id IN (4, 5, 9, 10, 20, 21);
DELETE FROM relintel.interaction WHERE id IN (4, 5, 9, 10, 20, 21);
INSERT INTO relintel.interaction SELECT * FROM pairs WHERE id IN (5, 10, 21);
-- expected: the remaining replies 2 -> 1 and 8 -> 7 only
SELECT interaction_id, replied_to FROM relintel.interaction_reply ORDER BY 1;
INSERT INTO relintel.interaction SELECT * FROM pairs WHERE id IN (4, 9, 20);
-- expected: 2 -> 1, 5 -> 4, 8 -> 7, 10 -> 9, 21 -> 20
SELECT interaction_id, replied_to, latency FROM relintel.interaction_reply ORDER BY 1;
-- expected: no difference either way
SELECT * FROM (TABLE everything EXCEPT TABLE before) AS d
UNION ALL
SELECT * FROM (TABLE before EXCEPT TABLE everything) AS d;

-- The same through UPDATE: detaching reply 5 (in_reply_to NULL) changes
-- ann's 30-day KPIs (5 was the window's only response of theirs: rate
-- 1/6 -> 0/6 = 0, time NULL); attaching it again restores everything.
UPDATE relintel.interaction SET in_reply_to = NULL WHERE id = 5;
SELECT their_response_rate, their_response_time
  FROM relintel.kpis('contact', 100, '30 days', '2026-06-15 00:00+00');
UPDATE relintel.interaction SET in_reply_to = '<a4@mail>' WHERE id = 5;
SELECT * FROM (TABLE everything EXCEPT TABLE before) AS d
UNION ALL
SELECT * FROM (TABLE before EXCEPT TABLE everything) AS d;

-- A reply dated before the mail it names is no reply: 10 moved to June 8
-- 14:00, an hour before 9.
UPDATE relintel.interaction SET occurred_at = '2026-06-08 14:00+00' WHERE id = 10;
SELECT count(*) FROM relintel.interaction_reply WHERE interaction_id = 10;
UPDATE relintel.interaction SET occurred_at = '2026-06-09 15:00+00' WHERE id = 10;
SELECT count(*) FROM (SELECT * FROM (TABLE everything EXCEPT TABLE before) AS d
                      UNION ALL
                      SELECT * FROM (TABLE before EXCEPT TABLE everything) AS d) AS diff;

DROP VIEW everything;
DROP TABLE before, pairs;
