-- copy: COPY of 100,000 interactions into a CRM of a few hundred entities
-- keeps every maintained state correct (SPEC section 3: "COPY included").
--
-- 2,000 interactions are inserted first; then 100,000 are generated into a
-- file and loaded with one COPY: emails (half of them replies, to mails
-- loaded earlier in the file, later in the file, or inserted before),
-- meetings and calls, internal-only, external-only and mass mail, regarding
-- accounts, leads and opportunities, and a few dated in the future
-- (pending).  Afterwards verify() is empty.
--
-- The test runs in a database of its own.
\set regress_db :DBNAME
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_relintel_copy;
CREATE DATABASE regress_relintel_copy;
\c regress_relintel_copy
SET client_min_messages = warning;
CREATE EXTENSION relintel;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

-- The CRM: 20 colleagues at contoso.com, 50 accounts (domain aN.com), 300
-- contacts (6 per account, one of them at a free-mail address), 20 leads,
-- 60 opportunities (every third closed) with two stakeholders each.
INSERT INTO relintel.internal_domain VALUES ('contoso.com');
INSERT INTO relintel.colleague (id, email)
SELECT g, format('u%s@contoso.com', g) FROM generate_series(1, 20) AS g;
INSERT INTO relintel.account
SELECT g, format('Account %s', g), format('a%s.com', g) FROM generate_series(1, 50) AS g;
INSERT INTO relintel.contact
SELECT 1000 + g, 1 + (g - 1) / 6,
       CASE WHEN g % 6 = 0 THEN format('c%s@freemail.net', g) ELSE format('c%s@a%s.com', g, 1 + (g - 1) / 6) END,
       NULL
  FROM generate_series(1, 300) AS g;
INSERT INTO relintel.lead
SELECT 5000 + g, format('lead%s@startup%s.io', g, g), NULL, NULL FROM generate_series(1, 20) AS g;
INSERT INTO relintel.opportunity
SELECT 7000 + g, 1 + (g - 1) % 50, format('Deal %s', g), 1 + g % 20,
       timestamptz '2024-01-01 00:00+00' + (g % 90) * interval '1 day',
       CASE WHEN g % 3 = 0 THEN timestamptz '2024-06-01 00:00+00' + (g % 60) * interval '1 day' END
  FROM generate_series(1, 60) AS g;
INSERT INTO relintel.opportunity_contact
SELECT 7000 + g, 1000 + ((g - 1) % 50) * 6 + 1 + s FROM generate_series(1, 60) AS g, generate_series(0, 1) AS s;

-- One generated interaction (number g) as the columns loaded below; the
-- external participants are contacts, leads and strangers; Message-IDs
-- <gN@c>; replies point to <gM@c> with M up to 2,000 after N.
CREATE FUNCTION pg_temp.gen(first int, last int)
RETURNS TABLE (kind relintel.interaction_kind, occurred_at timestamptz, duration interval, sender text,
               recipients text[], message_id text, in_reply_to text,
               regarding_type relintel.entity_type, regarding_id bigint, sentiment real)
LANGUAGE sql AS $$
WITH r AS (
    SELECT g, random() AS shape, random() AS k, random() AS rep, random() AS reg, random() AS sen,
           1 + floor(random() * 20)::int AS u, 1 + floor(random() * 20)::int AS u2,
           1 + floor(random() * 300)::int AS c, 1 + floor(random() * 300)::int AS c2,
           1 + floor(random() * 20)::int AS l, floor(random() * 400 * 1440)::int AS minute,
           random() AS fut
      FROM generate_series(first, last) AS g
), a AS (
    SELECT r.*,
           format('u%s@contoso.com', u) AS us,
           format('u%s@contoso.com', u2) AS us2,
           CASE WHEN c % 6 = 0 THEN format('c%s@freemail.net', c) ELSE format('c%s@a%s.com', c, 1 + (c - 1) / 6) END AS them,
           CASE WHEN c2 % 10 = 0 THEN format('lead%s@startup%s.io', l, l)
                WHEN c2 % 10 = 1 THEN format('x%s@stranger.org', c2)
                WHEN c2 % 6 = 0 THEN format('c%s@freemail.net', c2)
                ELSE format('c%s@a%s.com', c2, 1 + (c2 - 1) / 6) END AS them2
      FROM r
)
SELECT CASE WHEN k < 0.75 THEN 'email' WHEN k < 0.92 THEN 'meeting' ELSE 'call' END::relintel.interaction_kind,
       CASE WHEN fut < 0.001 THEN now() + (1 + minute % 30) * interval '1 day'
            ELSE timestamptz '2024-01-01 00:00+00' + minute * interval '1 minute' END,
       CASE WHEN k >= 0.75 THEN (15 * (1 + minute % 6)) * interval '1 minute' END,
       CASE WHEN shape < 0.45 THEN us          -- outbound
            WHEN shape < 0.90 THEN them        -- inbound
            WHEN shape < 0.94 THEN us          -- internal only
            WHEN shape < 0.97 THEN them        -- external only
            ELSE us END,                       -- mass mail
       CASE WHEN shape < 0.45 THEN ARRAY[them] || CASE WHEN u % 3 = 0 THEN ARRAY[them2] ELSE '{}' END
            WHEN shape < 0.90 THEN ARRAY[us] || CASE WHEN u % 4 = 0 AND us2 <> us THEN ARRAY[us2] ELSE '{}' END
            WHEN shape < 0.94 THEN ARRAY[CASE WHEN us2 <> us THEN us2 ELSE 'ops@contoso.com' END]
            WHEN shape < 0.97 THEN ARRAY[CASE WHEN them2 <> them THEN them2 ELSE 'nobody@stranger.org' END]
            ELSE ARRAY(SELECT format('c%s@a%s.com', 6 * m + 1, m + 1) FROM generate_series(0, 11) AS m) END,
       CASE WHEN k < 0.75 OR k > 0.97 THEN format('<g%s@c>', g) END,
       CASE WHEN k < 0.75 AND rep < 0.5 THEN format('<g%s@c>', greatest(1, g - 3000 + floor(rep * 10000)::int)) END,
       CASE WHEN reg < 0.03 THEN 'account' WHEN reg < 0.05 THEN 'lead' WHEN reg < 0.10 THEN 'opportunity' END::relintel.entity_type,
       CASE WHEN reg < 0.03 THEN 1 + c % 50 WHEN reg < 0.05 THEN 5000 + l WHEN reg < 0.10 THEN 7001 + c % 60 END,
       CASE WHEN sen < 0.2 THEN round((sen * 10 - 1)::numeric, 2)::real END
  FROM a;
$$;

-- Before the COPY: 2,000 interactions (numbers 100,001 .. 102,000 in the
-- generator, so that replies in the file point to them and some of them
-- answer mails of the file).
SELECT setseed(0.5);
INSERT INTO relintel.interaction (kind, occurred_at, duration, sender, recipients, message_id, in_reply_to,
                                  regarding_type, regarding_id, sentiment)
SELECT * FROM pg_temp.gen(100001, 102000);
SELECT count(*) AS mismatches FROM relintel.verify();

-- The file, then the COPY.
SELECT format('/tmp/regress_relintel_copy_%s.csv', pg_backend_pid()) AS copy_file \gset
SELECT setseed(0.25);
COPY (SELECT * FROM pg_temp.gen(1, 100000)) TO :'copy_file' (FORMAT csv);
COPY relintel.interaction (kind, occurred_at, duration, sender, recipients, message_id, in_reply_to,
                           regarding_type, regarding_id, sentiment)
  FROM :'copy_file' (FORMAT csv);
SELECT format('rm -f %s', :'copy_file') AS rm_command \gset
COPY (SELECT 1 WHERE false) TO PROGRAM :'rm_command';   -- no row: rm reads no input, no broken pipe

SELECT count(*) AS interactions,
       count(*) FILTER (WHERE in_reply_to IS NOT NULL) AS with_in_reply_to,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM relintel.interaction AS p
                                       WHERE p.message_id = i.in_reply_to AND p.id > i.id)) AS replies_before_their_mail
  FROM relintel.interaction AS i;
SELECT count(*) AS pending FROM relintel.pending_interaction;
SELECT count(*) AS mismatches FROM relintel.verify();
SELECT (SELECT count(*) FROM relintel.entity_health) AS entities, (SELECT count(*) FROM relintel.tie) AS ties;

-- rebuild() and verify() go through the interactions a chunk at a time
-- (relintel.interaction_ids_after: 1,000,000); here, in this database of
-- its own, chunks of 30,000, so that 102,000 interactions make four.
-- rebuild() gives back exactly the states the triggers kept.
CREATE OR REPLACE FUNCTION relintel.interaction_ids_after(after bigint)
RETURNS bigint[] LANGUAGE sql STABLE
RETURN ARRAY(SELECT i.id FROM relintel.interaction AS i WHERE after IS NULL OR i.id > after
              ORDER BY i.id LIMIT 30000);
CREATE TEMP TABLE kept_entities AS SELECT entity_type, entity_id, state FROM relintel.entity_health;
CREATE TEMP TABLE kept_ties AS SELECT colleague_id, address, state FROM relintel.tie;
SELECT relintel.rebuild();
SELECT count(*) AS entities_differing_after_rebuild
  FROM kept_entities AS k FULL JOIN relintel.entity_health AS h USING (entity_type, entity_id)
 WHERE k.state IS NULL OR h.state IS NULL OR NOT (k.state OPERATOR(relintel.=) h.state);
SELECT count(*) AS ties_differing_after_rebuild
  FROM kept_ties AS k FULL JOIN relintel.tie AS t USING (colleague_id, address)
 WHERE k.state IS NULL OR t.state IS NULL OR NOT (k.state OPERATOR(relintel.=) t.state);
SELECT count(*) AS mismatches FROM relintel.verify();
-- verify() finds a change in the last chunk (the classification of the
-- last interaction that counts for no one), and a stored membership of an
-- interaction that does not exist, past the last one.
SELECT max(f.interaction_id) AS uncounted_id FROM relintel.interaction_fact AS f WHERE NOT f.counts \gset
SELECT count(*) > 90000 AS in_last_chunk FROM relintel.interaction WHERE id < :uncounted_id;
UPDATE relintel.interaction_fact SET sentiment = 0.5 WHERE interaction_id = :uncounted_id;
INSERT INTO relintel.entity_member
SELECT m.entity_type, m.entity_id, (SELECT max(id) + 1000 FROM relintel.interaction), m.occurred_at, m.kind,
       m.outbound, m.duration, m.reply_latency, m.sentiment
  FROM relintel.entity_member AS m
 WHERE m.occurred_at < now()
 ORDER BY m.entity_type, m.entity_id, m.interaction_id LIMIT 1;
SELECT kind, count(*) FROM relintel.verify() GROUP BY kind ORDER BY kind;

\c :regress_db
SET client_min_messages = warning;
DROP DATABASE regress_relintel_copy;
