-- The health views and who_knows read the maintained tables (entity_health,
-- tie); they must give the answers of the on-the-fly computation from the
-- base tables (health_at(), and who_knows for a past time) on the same data.
-- Other tests share this database: work on empty tables inside a
-- transaction that is rolled back at the end.
SET search_path = relintel, public;
BEGIN;
TRUNCATE interaction, pending_interaction, opportunity_contact, opportunity, contact, lead, account,
         colleague, internal_domain
    RESTART IDENTITY;
SELECT setseed(0.4242);

INSERT INTO internal_domain VALUES ('contoso.example');
INSERT INTO colleague (email, display_name)
SELECT 'rep' || g || '@contoso.example', 'Rep ' || g FROM generate_series(1, 6) AS g;
INSERT INTO account (id, name, domain)
SELECT g, 'Account ' || g, 'customer' || g || '.example' FROM generate_series(1, 4) AS g;
INSERT INTO contact (id, account_id, email, full_name)
SELECT g, 1 + g % 4, 'person' || g || '@customer' || (1 + g % 4) || '.example', 'Person ' || g
  FROM generate_series(1, 16) AS g;
INSERT INTO lead (id, email, full_name, company)
SELECT g, 'lead' || g || '@freemail.example', 'Lead ' || g, NULL FROM generate_series(1, 3) AS g;
INSERT INTO opportunity (id, account_id, name, owner_id, created_at, closed_at)
SELECT g, 1 + g % 4, 'Deal ' || g, 1 + g % 6, now() - interval '200 days',
       CASE WHEN g = 5 THEN now() - interval '20 days' END
  FROM generate_series(1, 6) AS g;
INSERT INTO opportunity_contact SELECT 1 + g % 6, g FROM generate_series(1, 16) AS g;

-- 1,500 interactions over the last 300 days, replies to earlier mails,
-- meetings with several attendees, sentiment on some; all in the past so
-- that nothing is pending.
INSERT INTO interaction (kind, occurred_at, duration, sender, recipients, message_id, in_reply_to,
                         regarding_type, regarding_id, sentiment)
SELECT CASE WHEN x.k < 0.75 THEN 'email' WHEN x.k < 0.9 THEN 'meeting' ELSE 'call' END::interaction_kind,
       now() - interval '1 hour' - (x.t * 300) * interval '1 day',
       CASE WHEN x.k >= 0.75 THEN (15 + floor(x.d * 60)) * interval '1 minute' END,
       CASE WHEN x.s < 0.5 THEN 'rep' || (1 + floor(x.s * 12)) || '@contoso.example'
            WHEN x.s < 0.8 THEN 'person' || (1 + floor(x.p * 16)) || '@customer' || (1 + (1 + floor(x.p * 16))::int % 4) || '.example'
            ELSE 'lead' || (1 + floor(x.p * 3)) || '@freemail.example' END,
       CASE WHEN x.s < 0.5
            THEN ARRAY['person' || (1 + floor(x.p * 16)) || '@customer' || (1 + (1 + floor(x.p * 16))::int % 4) || '.example']
                 || CASE WHEN x.k >= 0.75 THEN ARRAY['rep' || (1 + floor(x.d * 6)) || '@contoso.example'] ELSE '{}' END
            ELSE ARRAY['rep' || (1 + floor(x.d * 6)) || '@contoso.example'] END,
       'msg' || g,
       CASE WHEN g > 1 AND x.r < 0.4 THEN 'msg' || (1 + floor(x.r * 2.5 * (g - 1))) END,
       CASE WHEN x.g2 < 0.1 THEN 'opportunity'::entity_type END,
       CASE WHEN x.g2 < 0.1 THEN 1 + floor(x.g2 * 60) END,
       CASE WHEN x.m < 0.3 THEN round((x.m * 6.6 - 1)::numeric, 2) END
  FROM generate_series(1, 1500) AS g,
       LATERAL (SELECT random() + 0 * g AS k, random() AS t, random() AS d, random() AS s, random() AS p,
                       random() AS r, random() AS g2, random() AS m) AS x;

SELECT count(*) AS pending FROM pending_interaction;
SELECT count(*) AS verify_rows FROM verify();

-- Every row of every view equals the on-the-fly health of its entity.
WITH compared AS (
    SELECT 'contact' AS view, v.id, (v.score, v.status, v.trend, v.trend_slope, v.interactions,
                                     v.last_interaction_at, v.last_engaged_at)::text AS maintained,
           (h.score, h.status, h.trend, h.trend_slope, h.interactions,
            h.last_interaction_at, h.last_engaged_at)::text AS recomputed
      FROM contact_health AS v CROSS JOIN LATERAL health_at('contact', v.id, now()) AS h
    UNION ALL
    SELECT 'lead', v.id, (v.score, v.status, v.trend, v.trend_slope, v.interactions,
                          v.last_interaction_at, v.last_engaged_at)::text,
           (h.score, h.status, h.trend, h.trend_slope, h.interactions,
            h.last_interaction_at, h.last_engaged_at)::text
      FROM lead_health AS v CROSS JOIN LATERAL health_at('lead', v.id, now()) AS h
    UNION ALL
    SELECT 'account', v.id, (v.score, v.status, v.trend, v.trend_slope, v.interactions,
                             v.last_interaction_at, v.last_engaged_at)::text,
           (h.score, h.status, h.trend, h.trend_slope, h.interactions,
            h.last_interaction_at, h.last_engaged_at)::text
      FROM account_health AS v CROSS JOIN LATERAL health_at('account', v.id, now()) AS h
    UNION ALL
    SELECT 'opportunity', v.id, (v.score, v.status, v.trend, v.trend_slope, v.interactions,
                                 v.last_interaction_at, v.last_engaged_at)::text,
           (h.score, h.status, h.trend, h.trend_slope, h.interactions,
            h.last_interaction_at, h.last_engaged_at)::text
      FROM opportunity_health AS v CROSS JOIN LATERAL health_at('opportunity', v.id, now()) AS h
)
SELECT view, count(*) AS rows, count(*) FILTER (WHERE maintained IS DISTINCT FROM recomputed) AS mismatches,
       count(*) FILTER (WHERE maintained LIKE '(,insufficient%') AS insufficient
  FROM compared GROUP BY view ORDER BY view;

-- who_knows now (maintained ties) equals who_knows a microsecond ago (on the
-- fly from the interactions), for every external address.
WITH address AS (
    SELECT DISTINCT x.address FROM tie AS x
), compared AS (
    SELECT a.address,
           (SELECT array_agg((w.colleague_id, w.strength, w.last_interaction_at, w.last_interaction_kind)::text
                             ORDER BY w.strength DESC, w.last_interaction_at DESC, w.email)
              FROM who_knows(a.address, 10) AS w) AS maintained,
           (SELECT array_agg((w.colleague_id, w.strength, w.last_interaction_at, w.last_interaction_kind)::text
                             ORDER BY w.strength DESC, w.last_interaction_at DESC, w.email)
              FROM who_knows(a.address, 10, now() - interval '1 microsecond') AS w) AS recomputed
      FROM address AS a
)
SELECT count(*) >= 15 AS enough_addresses,
       count(*) FILTER (WHERE maintained IS NOT NULL) >= 10 AS enough_known,
       count(*) FILTER (WHERE maintained IS DISTINCT FROM recomputed) AS mismatches
  FROM compared;

-- An opted-out colleague disappears at once from the maintained answer too.
SELECT count(*) AS rep1_known_before FROM tie AS t
 WHERE t.colleague_id = 1 AND strength(t.state) >= 5 AND t.address IN (SELECT address FROM tie);
UPDATE colleague SET share_relationships = false WHERE id = 1;
SELECT count(*) AS rep1_answers_after
  FROM (SELECT DISTINCT address FROM tie) AS a, LATERAL who_knows(a.address, 10) AS w
 WHERE w.colleague_id = 1;
SELECT count(*) AS verify_rows FROM verify();
ROLLBACK;
