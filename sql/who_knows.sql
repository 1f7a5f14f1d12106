-- who_knows on the scenario data, at T = 2026-06-15 00:00 UTC.
-- Tie half-life 90 days; d(t) = 2^(-(T - t)/90 days); T_out = d(1 per email
-- u -> x), T_in = d(1 per email x -> u), T_mc = d(3 per meeting, 2 per call);
-- E = T_out + T_in + T_mc, I = T_in + T_mc/2, O = T_out + T_mc/2,
-- b = min(1, 2I/(I + O)); strength = round(100 (1 - exp(-E/4)) (0.4 + 0.6 b))
-- when the tie is two-way (an email x -> u, or a meeting or call), else 0.
-- Mass mail 42 (13 participants > 10) and pending 43 are left out.
-- (no CONTEXT lines: they name line numbers of function bodies)
\set SHOW_CONTEXT never
SET timezone = 'UTC';
SET intervalstyle = 'postgres';
SET datestyle = 'ISO, YMD';

-- ann.lee@fabrikam.com:
--   alice: emails out 1 4 10 12, in 2 5 9; meetings 3 6; call 11
--     T_out = 3.4253, T_in = 2.4433, T_mc = 6.8597: E = 12.7283,
--     I = 5.8731, O = 6.8551, b = 0.9229:
--     100 * 0.9585 * (0.4 + 0.6 * 0.9229) = 91.4 -> 91; last 06-12 10:00 email (12)
--   bob: out 7 44, in 5 (ann wrote to alice and bob), meeting 6 (attendee)
--     T_out = 1.9164, T_in = 0.9015, T_mc = 2.7440: E = 5.5619, b = 0.8175:
--     100 * 0.7510 * 0.8905 = 66.9 -> 67; last 06-13 10:00 email (44)
--   carol: meetings 6 13 14, in 15: 88, but she opted out: hidden
--   dan, erin: nothing with ann
SELECT * FROM relintel.who_knows('ann.lee@fabrikam.com', 5, '2026-06-15 00:00+00');

-- raj@fabrikam.com:
--   alice: meetings 3 6, out 12: T_out = 0.9803, T_mc = 4.9253, E = 5.9056,
--     b = 2*2.4627/(2.4627+3.4430) = 0.8340: 100 * 0.7715 * 0.9004 = 69.5 -> 69
--     (69.46); last 06-12 10:00 email
--   bob: meeting 6, out 7, in 8: E = 4.6082, b = 1 (I 2.3077 > O 2.3005):
--     100 * 0.6840 = 68.4 -> 68; last 06-06 09:00 email
--   carol (meeting 6, 50): hidden
SELECT * FROM relintel.who_knows('raj@fabrikam.com', 5, '2026-06-15 00:00+00');

-- zoe@northwind.com:
--   dan: out 20 23, in 21, inbound call 22 (counts, whoever called):
--     E = 3.5017, b = 0.7412: 100 * 0.5833 * 0.8447 = 49.3 -> 49; last 06-02 email
--   erin (colleague at contoso-labs.net, no display name): out 24, in 25:
--     E = 1.2587, b = 1: 100 * 0.2700 = 27.0 -> 27; last 04-16 email
SELECT * FROM relintel.who_knows('zoe@northwind.com', 5, '2026-06-15 00:00+00');

-- max.power@gmail.com: alice's cold email 30 was never answered (one-way:
-- strength 0); max's mail 32 went to support@contoso.com, internal but not
-- a colleague; 42 is mass mail.  Nobody knows him.
SELECT * FROM relintel.who_knows('max.power@gmail.com', 5, '2026-06-15 00:00+00');

-- The address is normalized first; an internal address has no ties.
SELECT colleague_id, strength FROM relintel.who_knows(' "Ann" <ANN.LEE@Fabrikam.com> ', 5, '2026-06-15 00:00+00');
SELECT count(*) FROM relintel.who_knows('bob@contoso.com', 5, '2026-06-15 00:00+00');

-- k: top 1 only; 0 gives nothing; negative or an invalid address is 22023.
SELECT colleague_id, strength FROM relintel.who_knows('ann.lee@fabrikam.com', 1, '2026-06-15 00:00+00');
SELECT count(*) FROM relintel.who_knows('ann.lee@fabrikam.com', 0, '2026-06-15 00:00+00');
\set VERBOSITY default
SELECT * FROM relintel.who_knows('ann.lee@fabrikam.com', -1, '2026-06-15 00:00+00');
\set VERBOSITY sqlstate
SELECT * FROM relintel.who_knows('ann.lee-at-fabrikam.com', 5, '2026-06-15 00:00+00');

-- as_of in the past: on 2026-04-08 alice had written 1 (04-06 10:00) and
-- ann answered 2 (04-07 10:00): T_out = 2^(-1.5833/90) = 0.9879,
-- T_in = 2^(-0.5833/90) = 0.9955, E = 1.9834, b = 1:
-- 100 * (1 - exp(-0.4958)) = 39.1 -> 39.
SELECT colleague_id, strength, last_interaction_at, last_interaction_kind
  FROM relintel.who_knows('ann.lee@fabrikam.com', 5, '2026-04-08 00:00+00');

-- Opting back in shows carol at once: ann: alice 91, carol 88
-- (T_in = 0.8666, T_mc = 7.6402, E = 8.5069, b = 1: 100 * 0.8808 = 88.1),
-- bob 67; with k = 2 only alice and carol.
UPDATE relintel.colleague SET share_relationships = true WHERE id = 3;
SELECT colleague_id, email, strength FROM relintel.who_knows('ann.lee@fabrikam.com', 5, '2026-06-15 00:00+00');
SELECT colleague_id, strength FROM relintel.who_knows('ann.lee@fabrikam.com', 2, '2026-06-15 00:00+00');
-- relintel.min_tie_strength = 50: raj: alice 69, bob 68, carol exactly 50
-- (meeting 6 alone: T_mc = 3 * 2^(-11.5833/90) = 2.7440, b = 1:
-- 100 * (1 - exp(-0.6860)) = 49.6... -> 50) is kept; zoe: dan 49 is not.
SET relintel.min_tie_strength = 50;
SELECT colleague_id, strength FROM relintel.who_knows('raj@fabrikam.com', 5, '2026-06-15 00:00+00');
SELECT count(*) FROM relintel.who_knows('zoe@northwind.com', 5, '2026-06-15 00:00+00');
RESET relintel.min_tie_strength;
UPDATE relintel.colleague SET share_relationships = false WHERE id = 3;

-- Mass mail: with relintel.max_tie_participants = 20 the newsletter 42
-- (alice -> 12 recipients, 06-10 08:00) counts as one more email
-- alice -> ann: T_out = 3.4253 + 2^(-4.6667/90) = 4.3900, E = 13.6930,
-- O = 7.8198, b = 2*5.8731/13.6929 = 0.8578:
-- 100 * 0.9674 * 0.9147 = 88.5 -> 88: one-way mail lowers the tie.
-- The setting shapes the stored ties: it is the database's, changed by
-- configure() (which rebuilds); a session's SET changes nothing.
SET relintel.max_tie_participants = 20;
SELECT colleague_id, strength FROM relintel.who_knows('ann.lee@fabrikam.com', 5, '2026-06-15 00:00+00');
RESET relintel.max_tie_participants;
SELECT relintel.configure('relintel.max_tie_participants', '20');
SELECT colleague_id, strength FROM relintel.who_knows('ann.lee@fabrikam.com', 5, '2026-06-15 00:00+00');
SELECT relintel.configure('relintel.max_tie_participants', '10');

-- Ranking ties: newbie@startup.io met alice and dan together on
-- 2026-06-14 00:00 and bob alone on 2026-06-13 12:00.
--   alice, dan: T_mc = 3 * 2^(-1/90) = 2.9770, b = 1: 100 * (1 - exp(-0.7442)) = 52.49 -> 52
--   bob: T_mc = 3 * 2^(-1.5/90) = 2.9655: 100 * (1 - exp(-0.7414)) = 52.35 -> 52
-- Same strength: newer last interaction first (alice, dan before bob), then
-- email (alice before dan).
INSERT INTO relintel.interaction (id, kind, occurred_at, duration, sender, recipients) VALUES
  (50, 'meeting', '2026-06-14 00:00+00', '30 minutes', 'alice@contoso.com', ARRAY['dan@contoso.com', 'newbie@startup.io']),
  (51, 'meeting', '2026-06-13 12:00+00', '30 minutes', 'bob@contoso.com', ARRAY['newbie@startup.io']);
SELECT colleague_id, email, strength, last_interaction_at
  FROM relintel.who_knows('newbie@startup.io', 5, '2026-06-15 00:00+00');
DELETE FROM relintel.interaction WHERE id IN (50, 51);

-- who_knows is SECURITY DEFINER with a fixed search_path (and no other SET
-- clause: the present reads stored states), not executable by PUBLIC; nor
-- is who_knew, its past half (which runs as its caller: who_knows); the
-- tie data behind them is readable by no one but its owner.
SELECT p.proname, p.prosecdef, p.proconfig,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
  FROM pg_proc AS p
 WHERE p.oid IN ('relintel.who_knows(text, integer, timestamptz)'::regprocedure,
                 'relintel.who_knew(text, integer, timestamptz)'::regprocedure)
 ORDER BY p.proname;
SELECT c.relname,
       has_table_privilege('public', c.oid, 'SELECT') AS public_select,
       array_length(c.relacl, 1) AS acl_entries  -- NULL: default (owner only), 1: owner only
  FROM pg_class AS c
 WHERE c.relname IN ('tie_interaction', 'interaction', 'colleague', 'interaction_participant')
   AND c.relnamespace = 'relintel'::regnamespace
 ORDER BY c.relname;
