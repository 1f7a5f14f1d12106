-- schema: normalization on insert and update, validation with SQLSTATE
-- 22023 quoting the value, and a failed statement keeping nothing.
-- Leaves every table empty for the scenario test.
-- (no CONTEXT lines: they name line numbers of function bodies)
\set SHOW_CONTEXT never
SET timezone = 'UTC';
SET intervalstyle = 'postgres';
SET datestyle = 'ISO, YMD';
\set VERBOSITY sqlstate

-- Normalization of every stored address and domain.
INSERT INTO relintel.internal_domain VALUES ('  Example-Corp.COM ');
INSERT INTO relintel.colleague (email) VALUES ('"Pat Doe" <Pat.Doe@Example-Corp.COM>');
INSERT INTO relintel.account VALUES (1, 'Acme', ' ACME.io ');
INSERT INTO relintel.contact VALUES (1, 1, ' <Kim@ACME.io> ', 'Kim');
INSERT INTO relintel.lead VALUES (1, 'LEE@Free-Mail.ORG', NULL, NULL);
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients) VALUES
  ('email', '2026-01-05 10:00+00', 'Pat Doe <pat.doe@example-corp.com>',
   ARRAY['KIM@acme.io', ' "Lee" <lee@free-mail.org>']);
-- expected: example-corp.com / pat.doe@example-corp.com / acme.io /
-- kim@acme.io / lee@free-mail.org / sender pat.doe@..., recipients
-- {kim@acme.io,lee@free-mail.org}
SELECT domain FROM relintel.internal_domain;
SELECT email, share_relationships FROM relintel.colleague;
SELECT domain FROM relintel.account;
SELECT email FROM relintel.contact;
SELECT email FROM relintel.lead;
SELECT sender, recipients FROM relintel.interaction;

-- Updates are normalized too: expected kim.new@acme.io and gmbh.de.
UPDATE relintel.contact SET email = 'Kim.New@ACME.IO';
UPDATE relintel.account SET domain = 'GmbH.DE';
SELECT email FROM relintel.contact;
SELECT domain FROM relintel.account;
-- Letters at either end are kept, 'v' included (0.1.0 trimmed it, reading
-- E'\v' as 'v'), and a vertical tab is trimmed: expected vanarsdel.tv.
UPDATE relintel.account SET domain = E'\x0B VanArsdel.TV\t';
SELECT domain FROM relintel.account;
-- A blank account domain means unknown (NULL); a blank internal domain,
-- or one with '@' or white space inside, is refused.
UPDATE relintel.account SET domain = '   ';
SELECT domain IS NULL AS no_domain FROM relintel.account;
INSERT INTO relintel.internal_domain VALUES ('  ');
INSERT INTO relintel.internal_domain VALUES ('@contoso.com');
INSERT INTO relintel.internal_domain VALUES ('con toso.com');

-- Bad input: each fails with 22023 and quotes the value (messages shown
-- once with full verbosity), and the table is unchanged (1 interaction).
\set VERBOSITY default
-- invalid address: no @, two @, empty local part, empty domain, blank inside
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients)
  VALUES ('email', now(), 'not-an-address', ARRAY['kim@acme.io']);
\set VERBOSITY sqlstate
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients)
  VALUES ('email', now(), 'pat.doe@example-corp.com', ARRAY['kim@acme.io', 'a@b@c']);
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients)
  VALUES ('email', now(), '@acme.io', ARRAY['kim@acme.io']);
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients)
  VALUES ('email', now(), 'kim@', ARRAY['pat.doe@example-corp.com']);
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients)
  VALUES ('email', now(), 'kim @acme.io', ARRAY['pat.doe@example-corp.com']);
INSERT INTO relintel.colleague (email) VALUES ('nobody');
INSERT INTO relintel.contact VALUES (2, NULL, 'x@y z', NULL);
INSERT INTO relintel.lead VALUES (2, '', NULL, NULL);
\set VERBOSITY default
-- negative duration
INSERT INTO relintel.interaction (kind, occurred_at, duration, sender, recipients)
  VALUES ('meeting', now(), '-30 minutes', 'pat.doe@example-corp.com', ARRAY['kim@acme.io']);
-- sentiment out of range (above 1, below -1, NaN)
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, sentiment)
  VALUES ('email', now(), 'pat.doe@example-corp.com', ARRAY['kim@acme.io'], 1.5);
\set VERBOSITY sqlstate
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, sentiment)
  VALUES ('email', now(), 'pat.doe@example-corp.com', ARRAY['kim@acme.io'], -1.01);
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, sentiment)
  VALUES ('email', now(), 'pat.doe@example-corp.com', ARRAY['kim@acme.io'], 'NaN');
\set VERBOSITY default
-- empty recipients (and a NULL recipient)
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients)
  VALUES ('email', now(), 'pat.doe@example-corp.com', '{}');
\set VERBOSITY sqlstate
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients)
  VALUES ('email', now(), 'pat.doe@example-corp.com', ARRAY['kim@acme.io', NULL]);
\set VERBOSITY default
-- a two-dimensional recipient list (22023, not 0A000)
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients)
  VALUES ('email', now(), 'pat.doe@example-corp.com', '{{kim@acme.io,lee@acme.io},{a@b.io,c@d.io}}');
-- regarding: a type without an id (or the reverse) is refused with 22023;
-- a label that is not an entity_type is refused by the enum itself, before
-- any trigger can run, with 22P02 (invalid_text_representation), also
-- quoting the value.
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, regarding_type)
  VALUES ('email', now(), 'pat.doe@example-corp.com', ARRAY['kim@acme.io'], 'lead');
\set VERBOSITY sqlstate
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, regarding_id)
  VALUES ('email', now(), 'pat.doe@example-corp.com', ARRAY['kim@acme.io'], 1);
\set VERBOSITY default
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, regarding_type, regarding_id)
  VALUES ('email', now(), 'pat.doe@example-corp.com', ARRAY['kim@acme.io'], 'invoice', 1);
\set VERBOSITY sqlstate
-- Edge values that are valid: sentiment -1 and 1, zero duration, NULLs.
-- A failed row in a multi-row statement keeps nothing of the statement,
-- and an UPDATE is validated like an INSERT.
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, sentiment)
  VALUES ('email', '2026-01-06 10:00+00', 'pat.doe@example-corp.com', ARRAY['kim@acme.io'], 1),
         ('email', '2026-01-07 10:00+00', 'pat.doe@example-corp.com', ARRAY['kim@acme.io'], 2);
UPDATE relintel.interaction SET duration = '-1 second';
UPDATE relintel.interaction SET recipients = '{}';
UPDATE relintel.interaction SET sender = 'bad';
-- expected: 1 row, unchanged (sender pat.doe@..., two recipients, no
-- duration, no sentiment)
SELECT count(*), min(sender), min(recipients::text), min(duration), min(sentiment)
  FROM relintel.interaction;
INSERT INTO relintel.interaction (kind, occurred_at, duration, sender, recipients, sentiment)
  VALUES ('call', '2026-01-06 10:00+00', '0', 'pat.doe@example-corp.com', ARRAY['kim@acme.io'], -1),
         ('call', '2026-01-06 11:00+00', NULL, 'pat.doe@example-corp.com', ARRAY['kim@acme.io'], 1);
-- expected 3
SELECT count(*) FROM relintel.interaction;

-- Constraints of the data model: colleague email unique (after
-- normalization), message_id unique.
INSERT INTO relintel.colleague (email) VALUES ('PAT.DOE@example-corp.com');
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, message_id)
  VALUES ('email', now(), 'pat.doe@example-corp.com', ARRAY['kim@acme.io'], '<m@x>'),
         ('email', now(), 'pat.doe@example-corp.com', ARRAY['kim@acme.io'], '<m@x>');

-- The maintained states leave room on their pages, so that the updates of
-- every writing statement are HOT (25_maintained.sql).
SELECT c.relname, c.reloptions FROM pg_class AS c
 WHERE c.relnamespace = 'relintel'::regnamespace AND c.relname IN ('entity_health', 'tie')
 ORDER BY 1;

-- The writing functions run without JIT, whatever the session says
-- (60_maintenance.sql gives the measurements); the others keep the session's.
SELECT p.proname, 'jit=off' = ANY (p.proconfig) AS jit_off
  FROM pg_proc AS p
 WHERE p.pronamespace = 'relintel'::regnamespace
   AND p.proname IN ('maintain', 'interaction_inserted', 'interaction_changed', 'directory_changed',
                     'catch_up', 'rebuild', 'verify', 'recompute_entities')
 ORDER BY 1;

-- Clean up for the next tests.
DELETE FROM relintel.interaction;
DELETE FROM relintel.contact;
DELETE FROM relintel.lead;
DELETE FROM relintel.account;
DELETE FROM relintel.colleague;
DELETE FROM relintel.internal_domain;
