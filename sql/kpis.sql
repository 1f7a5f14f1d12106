-- kpis and activity_history on the scenario data, at T = 2026-06-15 00:00
-- UTC unless said otherwise.  Expected values worked out beside them.
-- (no CONTEXT lines: they name line numbers of function bodies)
\set SHOW_CONTEXT never
SET timezone = 'UTC';
SET intervalstyle = 'postgres';
SET datestyle = 'ISO, YMD';
\x on

-- Contact 100 (ann), window 30 days: (2026-05-16 00:00, 2026-06-15 00:00]
-- holds 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 42, 44 (3 and 13 are earlier;
-- 43 is after T).
--   emails_sent = out emails 4, 7, 10, 12, 42, 44          = 6
--   emails_received = in emails 5, 9, 15                   = 3
--   meetings = 6, 14 = 2; calls_made = 11 = 1; calls_received = 0
--   time_spent_by_us = 5 min * 6 out emails                = 30 min
--     + 2.5 min * internal recipients of in emails
--       (5: alice, bob; 9: alice; 15: carol = 4)           = 10 min
--     + meeting 6: 60 min * 3 internal (alice bob carol)   = 180 min
--     + meeting 14: 45 min * 1 (carol)                     = 45 min
--     + call 11: 30 min * 1 (alice)                        = 30 min
--     = 295 min = 04:55:00
--   time_spent_by_them = 5 min * 3 in emails               = 15 min
--     + 2.5 min * external recipients of out emails
--       (4: 1, 7: 2, 10: 1, 12: 2, 42: 12, 44: 1 = 19)     = 47.5 min
--     + meeting 6: 60 * 2 (ann, raj) + 14: 45 * 1 + 11: 30 * 1 = 195 min
--     = 257.5 min = 04:17:30
--   their responses in the window: 5 (4 h) -> rate 1/6 = 0.16666666666666666,
--     time 04:00:00
--   our responses: 10 (24 h) -> rate 1/3 = 0.3333333333333333, time 1 day
--   last interaction up to T: 44 (06-13 10:00, email, outbound, sender bob)
--   next: 43 (06-20 14:00, meeting)
--   top_colleagues: alice 8 (4 5 6 9 10 11 12 42), bob 4 (5 6 7 44),
--     carol 3 (6 14 15)
--   top_external: ann 12, raj 4 (6 7 12 42), then 1 each for zoe, max and
--     p1..p8 from 42: by address max.power@gmail.com comes first
SELECT * FROM relintel.kpis('contact', 100, '30 days', '2026-06-15 00:00+00');

-- Lead 300 (max), 30 days: 30 (out, alice), 31 (out, bob to the assistant,
-- regarding), 32 (in, max to support@contoso.com), 42 (out, mass mail).
--   emails_sent 3, emails_received 1, no meetings or calls
--   us: 5 * 3 + 2.5 * 1 (support@, internal by domain) = 17.5 min = 00:17:30
--   them: 5 * 1 + 2.5 * (1 + 1 + 12) = 40 min = 00:40:00
--   response rates 0/3 = 0 and 0/1 = 0; response times NULL
--   last: 32 (06-12 09:00, email, inbound): its first internal recipient is
--     support@contoso.com
--   next: none
--   top_colleagues: alice 2 (30, 42), then bob 1 and support@ 1 by address
--   top_external: max 3, then ann.lee@... and assistant@gmail.com (1 each,
--     first by address among ann, assistant, p1..p8, raj, zoe)
SELECT * FROM relintel.kpis('lead', 300, '30 days', '2026-06-15 00:00+00');

-- Opportunity 1001 (closed 2026-05-31), 30 days: only the inbound call 22
-- (05-20 11:00, 15 min, zoe -> dan).
--   calls_received 1, no emails: both rates NULL (divisor 0)
--   time spent 15 min each side
--   last: 22, call, inbound, colleague dan (first internal recipient)
--   next: none (no meeting or call of the opportunity after T)
--   top_colleagues {dan@contoso.com}, top_external {zoe@northwind.com}
SELECT * FROM relintel.kpis('opportunity', 1001, '30 days', '2026-06-15 00:00+00');

-- Default window (30 days), as_of 2026-06-01 12:00 for account 10: window
-- (05-02 12:00, 06-01 12:00] holds 3 (meeting 60 min, alice + ann, raj),
-- 13, 14 (meetings 45 min, carol + ann) and 15 (in email), 4 (out email).
--   emails_sent 1 (4), emails_received 1 (15), meetings 3
--   us: 5 + 2.5 * 1 (carol reads 15) + 60 * 1 + 45 + 45 = 157.5 min = 02:37:30
--   them: 5 (15) + 2.5 * 1 (ann reads 4) + 60 * 2 + 45 + 45 = 217.5 min = 03:37:30
--   responses: none in the window (5 answers 4 at 13:00, after as_of):
--     rates 0/1 = 0 and 0/1 = 0, times NULL
--   last: 4 (06-01 09:00, email, outbound, alice)
--   next: first meeting or call after 12:00 on June 1: 6 (06-03 10:00, meeting)
--   top_colleagues: carol 3 (13 14 15), alice 2 (3 4)
--   top_external: ann 5 (3 4 13 14 15), raj 1 (3)
SELECT * FROM relintel.kpis('account', 10, as_of => '2026-06-01 12:00+00');

-- An entity without interactions: zero counts and times, NULL rates,
-- empty top lists.
SELECT * FROM relintel.kpis('contact', 201, '30 days', '2026-06-15 00:00+00');
\x off

-- A window of 7 days for ann: (06-08 00:00, 06-15 00:00] holds 9, 10, 11,
-- 12, 42, 44: sent 4 (10 12 42 44), received 1 (9), calls_made 1 (11);
-- our response 10 -> rate 1/1 = 1.
SELECT emails_sent, emails_received, meetings, calls_made, our_response_rate
  FROM relintel.kpis('contact', 100, '7 days', '2026-06-15 00:00+00');

-- A non-positive window is refused.
\set VERBOSITY default
SELECT * FROM relintel.kpis('contact', 100, '0', '2026-06-15 00:00+00');
\set VERBOSITY sqlstate
SELECT * FROM relintel.kpis('contact', 100, '-1 day', '2026-06-15 00:00+00');

-- activity_history, ann, June 1 .. June 8 (exclusive), daily:
--   06-01: 4 out, 5 in                -> emails_out 1, emails_in 1
--   06-02: nothing (23 is zoe's)
--   06-03: meeting 6, 60 min          -> meetings 1, minutes 60
--   06-04: nothing (30 is max's)
--   06-05: 7 out                      -> emails_out 1
--   06-06: nothing (8 is raj to bob)
--   06-07: nothing
SELECT * FROM relintel.activity_history('contact', 100, '2026-06-01 00:00+00', '2026-06-08 00:00+00');

-- Weekly, 06-08 .. 06-22: week of 06-08: 9 in; 10, 12, 42, 44 out; call 11
-- out (30 min); week of 06-15: the scheduled meeting 43 (60 min) is shown.
SELECT * FROM relintel.activity_history('contact', 100, '2026-06-08 00:00+00', '2026-06-22 00:00+00', '1 week');

-- Buckets start at from + k * bucket while < to: 06-08 .. 06-10 12:00 by
-- day gives 06-08, 06-09, 06-10 (the last one whole: 11 at 16:00 counts).
--   06-08: 9 in; 06-09: 10 out (40 is internal only, 41 external only);
--   06-10: 42 out, call 11 out 30 min
SELECT * FROM relintel.activity_history('contact', 100, '2026-06-08 00:00+00', '2026-06-10 12:00+00');

-- from = to: no bucket.  A non-positive bucket or from > to is refused.
SELECT count(*) FROM relintel.activity_history('contact', 100, '2026-06-08 00:00+00', '2026-06-08 00:00+00');
\set VERBOSITY default
SELECT * FROM relintel.activity_history('contact', 100, '2026-06-08', '2026-06-09', '0');
SELECT * FROM relintel.activity_history('contact', 100, '2026-06-09', '2026-06-08');
\set VERBOSITY sqlstate
SELECT * FROM relintel.activity_history('contact', 100, '2026-06-08', '2026-06-09', '-1 hour');
-- Unbounded ranges are refused at once (22023), not enumerated: infinite
-- ends, and more than 100,000 buckets; exactly 100,000 buckets is fine.
\set VERBOSITY default
SELECT * FROM relintel.activity_history('account', 1, '-infinity', '2026-06-15', '1 day');
SELECT * FROM relintel.activity_history('account', 1, '2026-01-01', 'infinity', '1 day');
SELECT * FROM relintel.activity_history('account', 1, '2026-01-01', '2026-01-01'::timestamptz + interval '100001 seconds', '1 second');
\set VERBOSITY sqlstate
SELECT * FROM relintel.activity_history('account', 1, '-infinity', '2026-06-15', '1 day');
SELECT * FROM relintel.activity_history('account', 1, '2026-01-01', '2026-01-01'::timestamptz + interval '100001 seconds', '1 second');
SELECT count(*) AS buckets
  FROM relintel.activity_history('account', 1, '2026-01-01', '2026-01-01'::timestamptz + interval '100000 seconds', '1 second');
