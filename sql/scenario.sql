-- scenario: the hand-built data set shared by the views, kpis, who_knows and
-- intro tests (pg_regress runs them in one database, in REGRESS order).
--
-- A sales team at contoso.com (alice, bob, dan; carol has opted out of
-- who-knows-whom; erin is a colleague at contoso-labs.net, internal because
-- she is a colleague), two customer accounts (Fabrikam: ann and raj;
-- Northwind: zoe), a lead at a free-mail address (max.power@gmail.com) and
-- a few dozen interactions with replies, a multi-attendee meeting,
-- internal-only mail, external-only mail, mass mail and a scheduled
-- meeting.  The evaluation time of the expected values is
-- 2026-06-15 00:00 UTC (a Monday), called T below.
-- (no CONTEXT lines: they name line numbers of function bodies)
\set SHOW_CONTEXT never
SET timezone = 'UTC';
SET intervalstyle = 'postgres';
SET datestyle = 'ISO, YMD';

INSERT INTO relintel.internal_domain VALUES (' Contoso.COM ');
INSERT INTO relintel.colleague (id, email, display_name, share_relationships) VALUES
  (1, 'Alice Archer <Alice@Contoso.com>', 'Alice Archer', true),
  (2, 'bob@contoso.com', 'Bob Baker', true),
  (3, 'carol@contoso.com', 'Carol Chen', false),
  (4, 'dan@contoso.com', 'Dan Diaz', true),
  (5, 'erin@contoso-labs.net', NULL, true);
INSERT INTO relintel.account VALUES
  (10, 'Fabrikam', ' Fabrikam.COM'),
  (20, 'Northwind Traders', 'northwind.com'),
  (30, 'Empty Co', '  ');
INSERT INTO relintel.contact VALUES
  (100, 10, '"Ann Lee" <Ann.Lee@Fabrikam.COM>', 'Ann Lee'),
  (101, 10, 'raj@fabrikam.com', 'Raj Patel'),
  (200, 20, 'zoe@northwind.com', 'Zoë O''Brien'),
  (201, NULL, 'ghost@nowhere.org', NULL);
INSERT INTO relintel.lead VALUES
  (300, 'max.power@gmail.com', 'Max Power', 'Power & Sons');
INSERT INTO relintel.opportunity VALUES
  (1000, 10, 'Fabrikam renewal', 1, '2026-05-01 00:00+00', NULL),
  (1001, 20, 'Northwind pilot', 4, '2026-03-01 00:00+00', '2026-05-31 23:59:59+00');
INSERT INTO relintel.opportunity_contact VALUES (1000, 100), (1001, 200);

-- (id, kind, occurred_at, duration, sender, recipients, subject, message_id,
--  in_reply_to, regarding_type, regarding_id, sentiment)
INSERT INTO relintel.interaction
  (id, kind, occurred_at, duration, sender, recipients, subject, message_id,
   in_reply_to, regarding_type, regarding_id, sentiment) VALUES
  -- 1: out; Apr 6 Mon
  (1, 'email', '2026-04-06 10:00+00', NULL, 'alice@contoso.com', ARRAY['ann.lee@fabrikam.com'], 'Renewal', '<a1@mail>', NULL, NULL, NULL, NULL),
  -- 2: in; their response to 1, 24 h
  (2, 'email', '2026-04-07 10:00+00', NULL, 'ann.lee@fabrikam.com', ARRAY['alice@contoso.com'], NULL, '<a2@mail>', '<a1@mail>', NULL, NULL, NULL),
  -- 3: meeting 1 h, alice+ann+raj
  (3, 'meeting', '2026-05-04 15:00+00', '60 minutes', 'alice@contoso.com', ARRAY['ann.lee@fabrikam.com', 'raj@fabrikam.com'], NULL, '<a3@mail>', NULL, NULL, NULL, NULL),
  -- 4: out
  (4, 'email', '2026-06-01 09:00+00', NULL, 'alice@contoso.com', ARRAY['ann.lee@fabrikam.com'], NULL, '<a4@mail>', NULL, NULL, NULL, NULL),
  -- 5: in; their response to 4, 4 h; to alice and bob
  (5, 'email', '2026-06-01 13:00+00', NULL, 'ann.lee@fabrikam.com', ARRAY['alice@contoso.com', 'bob@contoso.com'], NULL, '<a5@mail>', '<a4@mail>', NULL, NULL, 0.6),
  -- 6: kick-off: 5 participants, 3 internal (alice bob carol), 2 external
  (6, 'meeting', '2026-06-03 10:00+00', '60 minutes', 'alice@contoso.com', ARRAY['ann.lee@fabrikam.com', 'raj@fabrikam.com', 'bob@contoso.com', 'carol@contoso.com'], 'Kick-off', '<a6@mail>', NULL, NULL, NULL, NULL),
  -- 7: out, bob to raj and ann
  (7, 'email', '2026-06-05 09:00+00', NULL, 'bob@contoso.com', ARRAY['raj@fabrikam.com', 'ann.lee@fabrikam.com'], NULL, '<a7@mail>', NULL, NULL, NULL, NULL),
  -- 8: in; raj answers 7 after 24 h (their response); not ann's
  (8, 'email', '2026-06-06 09:00+00', NULL, 'raj@fabrikam.com', ARRAY['bob@contoso.com'], NULL, '<a8@mail>', '<a7@mail>', NULL, NULL, -0.2),
  -- 9: in; regarding opportunity 1000
  (9, 'email', '2026-06-08 15:00+00', NULL, 'ann.lee@fabrikam.com', ARRAY['alice@contoso.com'], NULL, '<a9@mail>', NULL, 'opportunity', 1000, NULL),
  -- 10: out; our response to 9, 24 h
  (10, 'email', '2026-06-09 15:00+00', NULL, 'alice@contoso.com', ARRAY['ann.lee@fabrikam.com'], NULL, '<a10@mail>', '<a9@mail>', NULL, NULL, NULL),
  -- 11: call out, 30 min
  (11, 'call', '2026-06-10 16:00+00', '30 minutes', 'alice@contoso.com', ARRAY['ann.lee@fabrikam.com'], 'Pricing call', NULL, NULL, NULL, NULL, NULL),
  -- 12: out, never answered
  (12, 'email', '2026-06-12 10:00+00', NULL, 'alice@contoso.com', ARRAY['ann.lee@fabrikam.com', 'raj@fabrikam.com'], NULL, '<a12@mail>', NULL, NULL, NULL, NULL),
  -- 13: carol (opted out) 1:1 with ann
  (13, 'meeting', '2026-05-12 10:00+00', '45 minutes', 'carol@contoso.com', ARRAY['ann.lee@fabrikam.com'], NULL, NULL, NULL, NULL, NULL, NULL),
  -- 14: carol 1:1 with ann
  (14, 'meeting', '2026-05-26 10:00+00', '45 minutes', 'carol@contoso.com', ARRAY['ann.lee@fabrikam.com'], NULL, NULL, NULL, NULL, NULL, NULL),
  -- 15: ann writes to carol
  (15, 'email', '2026-05-27 10:00+00', NULL, 'ann.lee@fabrikam.com', ARRAY['carol@contoso.com'], NULL, NULL, NULL, NULL, NULL, NULL),
  -- 20: out; regarding opportunity 1001
  (20, 'email', '2026-03-10 09:00+00', NULL, 'dan@contoso.com', ARRAY['zoe@northwind.com'], NULL, '<n20@mail>', NULL, 'opportunity', 1001, NULL),
  -- 21: in; their response to 20, 8 h
  (21, 'email', '2026-03-10 17:00+00', NULL, 'zoe@northwind.com', ARRAY['dan@contoso.com'], NULL, '<n21@mail>', '<n20@mail>', NULL, NULL, 0.9),
  -- 22: inbound call (zoe called dan), 15 min
  (22, 'call', '2026-05-20 11:00+00', '15 minutes', 'zoe@northwind.com', ARRAY['dan@contoso.com'], NULL, NULL, NULL, NULL, NULL, NULL),
  -- 23: out; after opportunity 1001 closed
  (23, 'email', '2026-06-02 09:00+00', NULL, 'dan@contoso.com', ARRAY['zoe@northwind.com'], NULL, '<n23@mail>', NULL, NULL, NULL, NULL),
  -- 24: out from erin: a colleague outside contoso.com is internal
  (24, 'email', '2026-04-15 09:00+00', NULL, 'erin@contoso-labs.net', ARRAY['zoe@northwind.com'], NULL, NULL, NULL, NULL, NULL, NULL),
  -- 25: in, zoe to erin
  (25, 'email', '2026-04-16 09:00+00', NULL, 'zoe@northwind.com', ARRAY['erin@contoso-labs.net'], NULL, NULL, NULL, NULL, NULL, NULL),
  -- 30: cold email to the lead, never answered
  (30, 'email', '2026-06-04 09:00+00', NULL, 'alice@contoso.com', ARRAY['max.power@gmail.com'], NULL, NULL, NULL, NULL, NULL, NULL),
  -- 31: to the lead's assistant, regarding lead 300
  (31, 'email', '2026-06-11 09:00+00', NULL, 'bob@contoso.com', ARRAY['assistant@gmail.com'], NULL, NULL, NULL, 'lead', 300, NULL),
  -- 32: lead writes to support@ (internal by domain, not a colleague)
  (32, 'email', '2026-06-12 09:00+00', NULL, 'max.power@gmail.com', ARRAY['support@contoso.com'], NULL, NULL, NULL, NULL, NULL, NULL),
  -- 40: internal-only: counts for nothing (though regarding 1000)
  (40, 'email', '2026-06-09 09:00+00', NULL, 'alice@contoso.com', ARRAY['bob@contoso.com', 'dan@contoso.com'], NULL, NULL, NULL, 'opportunity', 1000, NULL),
  -- 41: external-only: counts for nothing
  (41, 'email', '2026-06-09 10:00+00', NULL, 'ann.lee@fabrikam.com', ARRAY['zoe@northwind.com'], NULL, NULL, NULL, NULL, NULL, NULL),
  -- 42: mass mail: 13 participants; counts for health, not for ties
  (42, 'email', '2026-06-10 08:00+00', NULL, 'alice@contoso.com', ARRAY['ann.lee@fabrikam.com', 'raj@fabrikam.com', 'zoe@northwind.com', 'max.power@gmail.com', 'p1@example.org', 'p2@example.org', 'p3@example.org', 'p4@example.org', 'p5@example.org', 'p6@example.org', 'p7@example.org', 'p8@example.org'], 'Contoso newsletter', '<news@mail>', NULL, NULL, NULL, NULL),
  -- 43: pending at 2026-06-15 (scheduled QBR)
  (43, 'meeting', '2026-06-20 14:00+00', '60 minutes', 'alice@contoso.com', ARRAY['ann.lee@fabrikam.com'], 'QBR', NULL, NULL, NULL, NULL, NULL),
  -- 44: display name, case, blanks, duplicate and sender among recipients
  (44, 'email', '2026-06-13 10:00+00', NULL, '"Bob Baker" <BOB@Contoso.com>', ARRAY[' Ann.Lee@fabrikam.com ', 'ann.lee@fabrikam.com', 'bob@contoso.com'], NULL, NULL, NULL, NULL, NULL, NULL);

-- Normalized addresses and domains: lower-cased, display names and angle
-- brackets removed, trimmed; a blank account domain is NULL.
SELECT id, email FROM relintel.colleague ORDER BY id;
SELECT domain FROM relintel.internal_domain;
SELECT id, domain FROM relintel.account ORDER BY id;
SELECT id, email FROM relintel.contact ORDER BY id;
-- 44: '"Bob Baker" <BOB@Contoso.com>' -> bob@contoso.com; recipients keep
-- their order and duplicates, each normalized.
SELECT sender, recipients FROM relintel.interaction WHERE id = 44;

-- Classification: 40 (internal only) and 41 (external only) do not count;
-- outbound iff the sender is internal (24: erin is a colleague; 32: max
-- writes to support@contoso.com, internal by domain, so it counts, inbound).
-- Replies (in_reply_to = message_id, both counted emails, directions
-- differ, not earlier): 2 -> 1 (24 h), 5 -> 4 (4 h), 8 -> 7 (24 h),
-- 10 -> 9 (24 h, ours), 21 -> 20 (8 h).
SELECT interaction_id, counts, outbound, participants
  FROM relintel.interaction_class
 WHERE interaction_id IN (6, 24, 32, 40, 41, 44)
 ORDER BY interaction_id;
SELECT interaction_id, replied_to, outbound, latency
  FROM relintel.interaction_reply ORDER BY interaction_id;

-- Membership (counted interactions only, pending 43 included: the readers
-- filter on time):
--   contact 100 ann: every interaction with ann.lee@fabrikam.com:
--     1-7, 9-15, 42, 43, 44 (not 8: raj to bob; not 41: external only)
--   contact 101 raj: 3, 6, 7, 8, 12, 42
--   contact 200 zoe: 20-25, 42 (not 41)
--   contact 201: none
--   lead 300 max: 30, 32, 42 by address, 31 by regarding
--   account 10 Fabrikam: ann's and raj's = 1-15, 42, 43, 44 (no other
--     fabrikam.com address appears)
--   account 20 Northwind: zoe's = 20-25, 42
--   account 30: none (no domain, no contacts)
--   opportunity 1000 (from 2026-05-01, open; stakeholder ann): ann's from
--     May 1 on = 3-7, 9-15, 42, 43, 44 (9 also regards it; 40 regards it
--     but is internal only)
--   opportunity 1001 (2026-03-01 .. 2026-05-31 23:59:59; stakeholder zoe):
--     20, 21, 22, 24, 25 (23 and 42 are in June)
SELECT entity_type, entity_id, array_agg(interaction_id ORDER BY interaction_id) AS interactions
  FROM relintel.entity_interaction
 GROUP BY entity_type, entity_id
 ORDER BY entity_type, entity_id;
