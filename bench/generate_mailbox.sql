-- bench/generate_mailbox.sql: a seeded generator of mail shaped like a real
-- company's mailbox, for the maintenance benchmark (issue 11).
--
--   psql -d DB -v scale=1000000 -v seed=1 -f bench/generate_mailbox.sql
--
-- Variables: scale (number of emails, default 100000), seed (default 1),
-- crm_only (1: the colleagues and CRM records only), triggers (1: insert the
-- emails through relintel's triggers instead of with them disabled and a
-- rebuild()), rebuild (0: skip that rebuild()).
--
-- What it makes, for scale S:
--   * 5,000 colleagues at contoso.com (an internal domain);
--   * few CRM records: 200 accounts with a domain and 4 contacts each, 100
--     leads, 100 open opportunities with one or two stakeholders;
--   * an outside world of 50,000 people at 2,000 domains, 200 of which are
--     the accounts' (so most external mail belongs to no CRM record);
--   * S emails over the last year: a quarter internal-only, the rest between
--     colleagues and outsiders, sent by either side; 5 recipients on average
--     (92 % have 1 to 4, 8 % a tail of 20 to 50); 40 % answer an earlier
--     email (in_reply_to), so replies, threads and mass mail all occur.
--   All random choices come from hashint8extended(i, seed): the same seed
--   gives the same data (relative to now()).
\set ON_ERROR_STOP on
\if :{?scale} \else \set scale 100000 \endif
\if :{?seed} \else \set seed 1 \endif
\if :{?crm_only} \else \set crm_only 0 \endif
\if :{?triggers} \else \set triggers 0 \endif
\if :{?rebuild} \else \set rebuild 1 \endif
SET client_min_messages = warning;
SET search_path = pg_catalog, public;

CREATE TEMP TABLE gen_param AS SELECT (:scale)::bigint AS scale, (:seed)::bigint AS seed, now() AS now;
-- u(i, salt): a uniform number in [0, 1) determined by i, salt and the seed.
SELECT format($f$
CREATE FUNCTION pg_temp.u(i bigint, salt int) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (hashint8extended(i, %s::bigint * 1000003 + salt) & 2147483647)::float8 / 2147483648.0
$f$, seed) FROM gen_param \gexec
-- n(i, salt, k): an integer in 1 .. k determined by i and salt.
CREATE FUNCTION pg_temp.n(i bigint, salt int, k int) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN 1 + floor(pg_temp.u(i, salt) * k)::int;
-- colleague and outsider addresses by number
CREATE FUNCTION pg_temp.colleague(k int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN 'employee' || k || '@contoso.com';
CREATE FUNCTION pg_temp.outsider(k int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN 'person' || k || '@company' || (1 + k % 2000) || '.example';

-- The directory and the CRM, through the triggers (they are small).
INSERT INTO relintel.internal_domain (domain) VALUES ('contoso.com');
INSERT INTO relintel.colleague (id, email, display_name)
SELECT k, pg_temp.colleague(k), 'Employee ' || k FROM generate_series(1, 5000) AS k;
INSERT INTO relintel.account (id, name, domain)
SELECT a, 'Company ' || a, 'company' || a || '.example' FROM generate_series(1, 200) AS a;
-- contacts: 4 outsiders at each account's domain (person k is at company 1 + k % 2000)
INSERT INTO relintel.contact (id, account_id, email, full_name)
SELECT 4 * (a - 1) + j, a, pg_temp.outsider((a - 1) + 2000 * j), 'Contact ' || (4 * (a - 1) + j)
  FROM generate_series(1, 200) AS a, generate_series(1, 4) AS j;
INSERT INTO relintel.lead (id, email, full_name, company)
SELECT l, pg_temp.outsider(20000 + 7 * l), 'Lead ' || l, 'Prospect ' || l FROM generate_series(1, 100) AS l;
INSERT INTO relintel.opportunity (id, account_id, name, owner_id, created_at)
SELECT o, o * 2, 'Deal ' || o, pg_temp.n(o, 1, 5000), now() - interval '300 days' FROM generate_series(1, 100) AS o;
INSERT INTO relintel.opportunity_contact (opportunity_id, contact_id)
SELECT DISTINCT o, 4 * (o * 2 - 1) + pg_temp.n(o, 2 + j, 4) FROM generate_series(1, 100) AS o, generate_series(0, 1) AS j;

SELECT :crm_only = 0 AS with_mail \gset
\if :with_mail
-- The emails.  Participants: the sender, then the recipients; an internal
-- email has colleagues only, an external one a colleague and outsiders on
-- either side (the sender is the outsider in 40 % of them).  People are
-- drawn with a skew (a few correspond a lot).
CREATE TEMP TABLE gen_mail AS
SELECT i,
       'email'::relintel.interaction_kind AS kind,
       now - (365 * pg_temp.u(i, 10)) * interval '1 day' AS occurred_at,
       CASE WHEN internal OR NOT inbound THEN pg_temp.colleague(pg_temp.n(i, 11, 5000))
            ELSE pg_temp.outsider(floor(50000 * pg_temp.u(i, 12) ^ 2)::int) END AS sender,
       ARRAY(SELECT CASE WHEN internal OR (inbound AND r = 1) OR (NOT inbound AND r > 1 AND pg_temp.u(i * 64 + r, 14) < 0.5)
                         THEN pg_temp.colleague(pg_temp.n(i * 64 + r, 15, 5000))
                         ELSE pg_temp.outsider(floor(50000 * pg_temp.u(i * 64 + r, 16) ^ 2)::int) END
               FROM generate_series(1, recipients) AS r) AS recipients,
       'Message ' || i AS subject,
       'm' || i || '@mail.example' AS message_id,
       CASE WHEN i > 10 AND pg_temp.u(i, 17) < 0.4
            THEN 'm' || (i - pg_temp.n(i, 18, least(i - 1, 1000)::int)) || '@mail.example' END AS in_reply_to
  FROM gen_param, generate_series(1, (SELECT scale FROM gen_param)) AS i,
       LATERAL (SELECT pg_temp.u(i, 1) < 0.25 AS internal,
                       pg_temp.u(i, 2) < 0.4 AS inbound,
                       CASE WHEN pg_temp.u(i, 3) < 0.92 THEN pg_temp.n(i, 4, 4)
                            ELSE 19 + pg_temp.n(i, 5, 31) END AS recipients) AS shape;

SELECT :triggers = 1 AS through_triggers \gset
\if :through_triggers
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, subject, message_id, in_reply_to)
SELECT kind, occurred_at, sender, recipients, subject, message_id, in_reply_to FROM gen_mail ORDER BY i;
\else
ALTER TABLE relintel.interaction DISABLE TRIGGER USER;
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, subject, message_id, in_reply_to)
SELECT kind, occurred_at, sender, recipients, subject, message_id, in_reply_to FROM gen_mail ORDER BY i;
ALTER TABLE relintel.interaction ENABLE TRIGGER USER;
ANALYZE relintel.interaction;
SELECT :rebuild = 1 AS do_rebuild \gset
\if :do_rebuild
SELECT relintel.rebuild() \g /dev/null
\endif
\endif
\endif
