-- alerts(as_of) (SPEC section 4): one scenario per alert that just meets its
-- condition and one that just misses it, with since and detail worked out
-- beside them.  Default settings: min_silence 14 days, dark_factor 8,
-- answer_wait 5 days.  Details: whole days rounded down, dates in UTC.
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
-- Other tests share this database: work on empty tables inside a
-- transaction that is rolled back at the end.
BEGIN;
TRUNCATE relintel.interaction, relintel.pending_interaction, relintel.opportunity_contact,
         relintel.opportunity, relintel.contact, relintel.lead, relintel.account,
         relintel.colleague, relintel.internal_domain, relintel.alert RESTART IDENTITY;
INSERT INTO relintel.internal_domain VALUES ('contoso.com');
INSERT INTO relintel.colleague (email) VALUES ('alice@contoso.com');
INSERT INTO relintel.account (id, name) VALUES (10, 'Fabrikam'), (11, 'Tailspin');
INSERT INTO relintel.contact (id, account_id, email) VALUES
  (1, NULL, 'g1@x.com'), (2, NULL, 'g2@x.com'), (3, NULL, 'u1@x.com'), (4, NULL, 'u2@x.com'),
  (5, 10, 's1@fabrikam.com'), (6, 10, 's2@fabrikam.com'), (7, 11, 't1@tailspin.com'), (8, 11, 't2@tailspin.com'),
  (9, NULL, 'h@x.com');
INSERT INTO relintel.opportunity (id, account_id, name, created_at, closed_at) VALUES
  (100, 10, 'Fabrikam deal', '2026-01-01', NULL),
  (200, NULL, 'N meets', '2026-03-01', NULL),
  (201, NULL, 'N scheduled', '2026-03-01', NULL),
  (202, NULL, 'N young', '2026-05-26', NULL),
  (203, NULL, 'N closed', '2026-01-01', '2026-06-01');
INSERT INTO relintel.opportunity_contact VALUES (100, 5);

-- going_dark, g1 (contact 1): inbound emails on 05-01, 05-03, 05-05 00:00:
-- gaps 2, 2 days, median 2; limit = max(14, 8 * 2) = 16 days; last engaged
-- 05-05 00:00, so since = 05-21 00:00.
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients) VALUES
  ('email', '2026-05-01 00:00+00', 'g1@x.com', '{alice@contoso.com}'),
  ('email', '2026-05-03 00:00+00', 'g1@x.com', '{alice@contoso.com}'),
  ('email', '2026-05-05 00:00+00', 'g1@x.com', '{alice@contoso.com}');
-- One minute past the limit: silence 16 days 00:01 -> "16 days", gap "2 days".
SELECT * FROM relintel.alerts('2026-05-21 00:01+00') WHERE entity_type = 'contact' AND entity_id = 1;
-- One minute under the limit: nothing.
SELECT * FROM relintel.alerts('2026-05-20 23:59+00') WHERE entity_type = 'contact' AND entity_id = 1;

-- going_dark, g2 (contact 2), an even number of gaps: engaged on 05-01
-- (inbound email), 05-03 (meeting organized by us: engaged all the same),
-- 05-06 (call by us), 05-11 and 05-12 (inbound emails); the outbound email
-- of 05-05 is not engaged.  Gaps 2, 3, 5, 1 -> sorted 1 2 3 5, median
-- (2 + 3) / 2 = 2.5 days; limit max(14, 20) = 20 days; since = 05-12 + 20
-- = 06-01 00:00.  (The lower middle, 2, would give 05-28; the mean of all,
-- 2.75, 06-03.)  Detail: silence 20 days 00:01 -> "20 days", gap 2.5 ->
-- "2 days".
INSERT INTO relintel.interaction (kind, occurred_at, duration, sender, recipients) VALUES
  ('email', '2026-05-01 00:00+00', NULL, 'g2@x.com', '{alice@contoso.com}'),
  ('meeting', '2026-05-03 00:00+00', '1 hour', 'alice@contoso.com', '{g2@x.com}'),
  ('email', '2026-05-05 00:00+00', NULL, 'alice@contoso.com', '{g2@x.com}'),
  ('call', '2026-05-06 00:00+00', '10 minutes', 'alice@contoso.com', '{g2@x.com}'),
  ('email', '2026-05-11 00:00+00', NULL, 'g2@x.com', '{alice@contoso.com}'),
  ('email', '2026-05-12 00:00+00', NULL, 'g2@x.com', '{alice@contoso.com}');
SELECT * FROM relintel.alerts('2026-06-01 00:01+00') WHERE entity_type = 'contact' AND entity_id = 2;
SELECT * FROM relintel.alerts('2026-05-31 23:59+00') WHERE entity_type = 'contact' AND entity_id = 2;
-- With min_silence 25 days the floor wins: since = 05-12 + 25 = 06-06 00:00.
SET relintel.min_silence = '25';
SELECT * FROM relintel.alerts('2026-06-06 00:01+00') WHERE entity_type = 'contact' AND entity_id = 2;
RESET relintel.min_silence;

-- unanswered, u1 (contact 3): inbound 05-01 09:00 (last engaged), then
-- outbound 05-02 10:00, 05-04 10:00, 05-06 10:00.  The first plus 5 days:
-- since = 05-07 10:00; detail "3 emails since 2026-05-02 without an answer".
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients) VALUES
  ('email', '2026-05-01 09:00+00', 'u1@x.com', '{alice@contoso.com}'),
  ('email', '2026-05-02 10:00+00', 'alice@contoso.com', '{u1@x.com}'),
  ('email', '2026-05-04 10:00+00', 'alice@contoso.com', '{u1@x.com}'),
  ('email', '2026-05-06 10:00+00', 'alice@contoso.com', '{u1@x.com}');
-- Exactly 5 days after the first: the condition holds ("at least 5 days").
SELECT * FROM relintel.alerts('2026-05-07 10:00+00') WHERE entity_type = 'contact' AND entity_id = 3;
-- One minute earlier: nothing.
SELECT * FROM relintel.alerts('2026-05-07 09:59+00') WHERE entity_type = 'contact' AND entity_id = 3;
-- At 05-05 12:00 only two emails are sent and the first is 3 days old: nothing.
SELECT * FROM relintel.alerts('2026-05-05 12:00+00') WHERE entity_type = 'contact' AND entity_id = 3;

-- unanswered, u2 (contact 4): two outbound emails 05-02 and 05-03 10:00,
-- nothing engaged before ("or ever"), then an answer on 05-10 08:00.
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients) VALUES
  ('email', '2026-05-02 10:00+00', 'alice@contoso.com', '{u2@x.com}'),
  ('email', '2026-05-03 10:00+00', 'alice@contoso.com', '{u2@x.com}'),
  ('email', '2026-05-10 08:00+00', 'u2@x.com', '{alice@contoso.com}');
-- Before the answer (which is pending at that time and left out): since
-- 05-07 10:00, "2 emails since 2026-05-02 without an answer".
SELECT * FROM relintel.alerts('2026-05-10 07:59+00') WHERE entity_type = 'contact' AND entity_id = 4;
-- Once the answer arrives: nothing.
SELECT * FROM relintel.alerts('2026-05-10 08:00+00') WHERE entity_type = 'contact' AND entity_id = 4;

-- single_threaded: account 10 (contacts s1, s2) and opportunity 100
-- (stakeholder s1) at T = 06-15 00:00; window (05-16 00:00, 06-15 00:00].
-- Interactions with s1 only: 05-16 00:00 (outside: not after T - 30 days),
-- 05-20 09:00 outbound, 05-25 09:00 inbound, 06-01 09:00 meeting.
-- Both get since = 05-20 09:00, "all 3 interactions in 30 days with
-- s1@fabrikam.com"; contact 5 gets none (not an account or opportunity).
INSERT INTO relintel.interaction (kind, occurred_at, duration, sender, recipients) VALUES
  ('email', '2026-05-16 00:00+00', NULL, 's1@fabrikam.com', '{alice@contoso.com}'),
  ('email', '2026-05-20 09:00+00', NULL, 'alice@contoso.com', '{s1@fabrikam.com}'),
  ('email', '2026-05-25 09:00+00', NULL, 's1@fabrikam.com', '{alice@contoso.com}'),
  ('meeting', '2026-06-01 09:00+00', '30 minutes', 'alice@contoso.com', '{s1@fabrikam.com}');
SELECT * FROM relintel.alerts('2026-06-15 00:00+00')
 WHERE (entity_type, entity_id) IN (('account', 10), ('opportunity', 100), ('contact', 5));
-- Account 11: three interactions with t1 in the window, but one of them
-- has t2 in copy: two external participants, nothing.
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients) VALUES
  ('email', '2026-05-20 09:00+00', 'alice@contoso.com', '{t1@tailspin.com}'),
  ('email', '2026-05-25 09:00+00', 't1@tailspin.com', '{alice@contoso.com,t2@tailspin.com}'),
  ('email', '2026-06-01 09:00+00', 'alice@contoso.com', '{t1@tailspin.com}');
SELECT * FROM relintel.alerts('2026-06-15 00:00+00') WHERE entity_type = 'account' AND entity_id = 11;
-- Without the copy to t2 (the same three with t1 alone) it would alert:
UPDATE relintel.interaction SET recipients = '{alice@contoso.com}'
 WHERE sender = 't1@tailspin.com' AND occurred_at = '2026-05-25 09:00+00';
SELECT * FROM relintel.alerts('2026-06-15 00:00+00') WHERE entity_type = 'account' AND entity_id = 11;

-- no_next_meeting at T = 06-15 00:00 (T - 21 days = 05-25 00:00):
--   200: meeting 05-20 10:00 regarding it: since 05-20 10:00 + 21 days =
--        06-10 10:00, "no meeting since 2026-05-20 and none scheduled";
--   201: the same meeting, and one scheduled on 06-20 (pending): nothing;
--   202: created 05-26 00:00, 20 days before T: nothing; at 06-16 00:01 it
--        is 21 days old without any meeting: since created_at + 21 days =
--        06-16 00:00, "no meeting since 2026-05-26 and none scheduled";
--   203: closed 06-01: nothing at T, although it has unanswered emails;
--        at 05-31 00:00, still open, it has both alerts.
INSERT INTO relintel.interaction (kind, occurred_at, duration, sender, recipients, regarding_type, regarding_id) VALUES
  ('meeting', '2026-05-20 10:00+00', '1 hour', 'alice@contoso.com', '{n1@northwind.com}', 'opportunity', 200),
  ('meeting', '2026-05-20 10:00+00', '1 hour', 'alice@contoso.com', '{n2@northwind.com}', 'opportunity', 201),
  ('meeting', '2026-06-20 10:00+00', '1 hour', 'alice@contoso.com', '{n2@northwind.com}', 'opportunity', 201),
  ('email', '2026-05-02 10:00+00', NULL, 'alice@contoso.com', '{n3@northwind.com}', 'opportunity', 203),
  ('email', '2026-05-04 10:00+00', NULL, 'alice@contoso.com', '{n3@northwind.com}', 'opportunity', 203);
SELECT * FROM relintel.alerts('2026-06-15 00:00+00') WHERE entity_type = 'opportunity' AND entity_id >= 200;
SELECT * FROM relintel.alerts('2026-06-16 00:01+00') WHERE entity_type = 'opportunity' AND entity_id = 202;
-- 203 at 05-31 00:00: no meeting ever, created 01-01: since 01-22 00:00,
-- "no meeting since 2026-01-01 ..."; unanswered since 05-02 10:00 + 5 days.
SELECT * FROM relintel.alerts('2026-05-31 00:00+00') WHERE entity_type = 'opportunity' AND entity_id = 203;

-- health_drop, h (contact 9): two-way email every week from 01-05 to
-- 04-06, then silence.  The scores come from health_at (the views' path);
-- the alert needs a drop of at least 15 points:
--   05-31: score 41 on 05-01 -> 26 now: drop 15, alert since T,
--          "score 41 → 26 in 30 days";
--   06-02: 40 -> 26: drop 14, nothing.
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients)
SELECT 'email', d, CASE WHEN k = 0 THEN 'alice@contoso.com' ELSE 'h@x.com' END,
       ARRAY[CASE WHEN k = 0 THEN 'h@x.com' ELSE 'alice@contoso.com' END]
  FROM generate_series('2026-01-05 00:00+00'::timestamptz, '2026-04-10', '7 days') AS d, generate_series(0, 1) AS k;
SELECT a AS as_of,
       (SELECT score FROM relintel.health_at('contact', 9, a - interval '30 days')) AS score_then,
       (SELECT score FROM relintel.health_at('contact', 9, a)) AS score_now
  FROM unnest(ARRAY['2026-05-31 00:00+00', '2026-06-02 00:00+00']::timestamptz[]) AS a;
SELECT * FROM relintel.alerts('2026-05-31 00:00+00') WHERE entity_type = 'contact' AND entity_id = 9 AND alert = 'health_drop';
SELECT * FROM relintel.alerts('2026-06-02 00:00+00') WHERE entity_type = 'contact' AND entity_id = 9 AND alert = 'health_drop';

-- alerts() reads the stored membership: it equals the rules applied anew
-- (verify() compares classification, membership and states link by link).
SELECT kind, count(*) FROM relintel.verify() GROUP BY kind;
SELECT count(*) AS memberships FROM relintel.entity_member;

-- alert_summary_agg, the grouped pass, on rows given in no particular order,
-- at T = 2026-06-01 (month_ago 05-02, year_ago 2025-06-01):
--   2026-03-01 outbound email: later answered by the 03-05 meeting, so not unanswered
--   2026-05-25, 05-20 outbound emails: unanswered, the first on 05-20
--   2026-01-10 inbound email, 03-05 meeting: engaged in the year, gap 54 days
--   2025-03-01 inbound email: engaged, before the year
--   2026-06-10 call: scheduled; 2026-06-11 outbound email: pending, ignored
--   a row without kind: ignored
CREATE TEMP TABLE summary_rows (t timestamptz, k relintel.interaction_kind, o boolean);
INSERT INTO summary_rows VALUES
    ('2026-03-01 09:00+00', 'email', true), ('2026-05-25 09:00+00', 'email', true),
    ('2026-01-10 09:00+00', 'email', false), ('2026-06-10 09:00+00', 'call', true),
    ('2026-03-05 09:00+00', 'meeting', true), ('2025-03-01 09:00+00', 'email', false),
    ('2026-05-20 09:00+00', 'email', true), ('2026-06-11 09:00+00', 'email', true),
    ('2026-04-01 09:00+00', NULL, true);
SELECT (a).last_engaged, (a).engaged_year, (a).typical_gap / 86400 AS typical_gap_days,
       (a).unanswered, (a).first_unanswered, (a).last_meeting, (a).scheduled,
       (a).state_now OPERATOR(relintel.=) h_now AS state_now_is_health_agg,
       (a).state_then OPERATOR(relintel.=) h_then AS state_then_is_health_agg,
       relintel.interactions((a).state_now) AS n_now, relintel.interactions((a).state_then) AS n_then
  FROM (SELECT relintel.alert_summary_agg(t, k, o, NULL, NULL, NULL,
                                          '2026-06-01', '2026-05-02', '2025-06-01') AS a,
               relintel.health_agg(t, k, o, NULL, NULL, NULL) FILTER (WHERE t <= '2026-06-01') AS h_now,
               relintel.health_agg(t, k, o, NULL, NULL, NULL) FILTER (WHERE t <= '2026-05-02') AS h_then
          FROM summary_rows) AS s;
-- Only pending rows (T = 2025-01-01): no engagement, no state; the call and the
-- meeting are scheduled.
SELECT (relintel.alert_summary_agg(t, k, o, NULL, NULL, NULL, '2025-01-01', '2024-12-02', '2024-01-01')).*
  FROM summary_rows;
-- T, month_ago and year_ago must be given and finite.
SAVEPOINT bad_time;
SELECT relintel.alert_summary_agg(t, k, o, NULL, NULL, NULL, NULL, '2026-05-02', '2025-06-01') FROM summary_rows;
ROLLBACK TO SAVEPOINT bad_time;
SELECT relintel.alert_summary_agg(t, k, o, NULL, NULL, NULL, '2026-06-01', 'infinity', '2025-06-01') FROM summary_rows;
ROLLBACK TO SAVEPOINT bad_time;

-- median_gap: odd and even counts, ties, NULLs, too few.
SELECT relintel.median_gap('{2026-01-01, 2026-01-03, 2026-01-04}') / 86400 AS odd,       -- gaps 2 1 -> 1.5
       relintel.median_gap('{2026-01-04, 2026-01-01, 2026-01-03, 2026-01-10}') / 86400 AS even,  -- 2 1 6 -> 2
       relintel.median_gap('{2026-01-01, 2026-01-01, 2026-01-02}') / 86400 AS ties,      -- 0 1 -> 0.5
       relintel.median_gap('{2026-01-01, NULL}') AS too_few;
SELECT relintel.median_gap('{2026-01-01, infinity}');
ROLLBACK;
