-- bench/generate.sql: a seeded generator of realistic CRM data for relintel.
--
--   psql -d DB -v scale=100000 -v seed=1 -f bench/generate.sql
--
-- Variables (all optional):
--   scale          number of interactions (default 100000; 10 million works)
--   seed           any integer (default 1): same seed, same data (relative to now())
--   opportunities  number of opportunities (default scale / 200)
--   mode           fast (default) or triggers, see below
--   timing         set it to print the time of each statement
--   rebuild        0: in fast mode, leave entity_health and tie empty (call
--                  relintel.rebuild() later); default 1
--   crm_only       1: load colleagues, accounts, contacts, leads and
--                  opportunities but no interaction (default 0)
--
-- The database must have the extension and empty relintel tables.  Time is
-- relative to now(): a year of history up to now, plus a few meetings
-- scheduled in the next three weeks, so that scores are meaningful today.
--
-- What it makes, for scale S:
--   * a sales team of clamp(S / 5000, 10, 400) colleagues at contoso.com (an
--     internal domain), S / 200 accounts (at least 20) with a domain and four
--     contacts each, S / 100 leads at free-mail (gmail.com, outlook.com, ...)
--     and company (.io) addresses, open and closed opportunities with one to
--     three stakeholders;
--   * per external person a relationship profile: thriving (activity growing
--     to now), steady, cooling (activity shrinking), going dark (engagement
--     stopped 3 to 17 weeks ago, with our unanswered follow-ups since) and,
--     for leads, cold (our emails, never an answer); each person has an
--     owner colleague, their and our typical reply latency, a reply
--     probability and a sentiment;
--   * mail threads of 1 to 5 messages in alternating directions, each reply's
--     in_reply_to the previous message's message_id, latencies around the
--     person's and our typical latency; meetings (30-90 min) with several
--     attendees on both sides; calls both ways; sentiment on a quarter of
--     them; internal-only mail (colleague to colleague); mass mail to 12-25
--     people; some interactions regarding an opportunity or a lead.
--   All random choices come from hashint8extended(i, seed): deterministic
--   whatever the plan, and fast.
--
-- Two ways to load:
--   mode=fast (default; needs a superuser or the tables' owner): disables
--     the user triggers of the relintel tables (the normalization and
--     validation triggers included: every address is generated already
--     normalized, lower-case), inserts everything, records the future-dated
--     rows in relintel.pending_interaction as the insert trigger would,
--     re-enables the triggers and calls relintel.rebuild().  1 million
--     interactions load in about a minute on 2 cores.
--   mode=triggers: inserts the CRM rows and then the interactions through
--     the triggers (one INSERT per 20,000 interactions), exactly as an
--     application would; slower, for small scales or to exercise the triggers.
\set ON_ERROR_STOP on
\if :{?scale} \else \set scale 100000 \endif
\if :{?seed} \else \set seed 1 \endif
\if :{?opportunities} \else \set opportunities 0 \endif
\if :{?mode} \else \set mode fast \endif
\if :{?crm_only} \else \set crm_only 0 \endif
\if :{?timing} \timing on \endif
\if :{?rebuild} \else \set rebuild 1 \endif
SET client_min_messages = warning;
SET search_path = pg_catalog, public;

-- ---------------------------------------------------------------------------
-- Parameters and helpers (temporary: nothing is left behind)
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE gen_param AS
SELECT s.scale, s.seed, s.now,
       greatest(10, least(400, s.scale / 5000))::int AS n_col,
       greatest(20, s.scale / 200)::int AS n_acc,
       4 * greatest(20, s.scale / 200)::int AS n_con,
       greatest(20, s.scale / 100)::int AS n_lead,
       CASE WHEN :opportunities > 0 THEN :opportunities ELSE greatest(10, s.scale / 200) END::int AS n_opp
  FROM (SELECT (:scale)::bigint AS scale, (:seed)::bigint AS seed, now() AS now) AS s;

-- u(i, salt): a uniform number in [0, 1) determined by i, salt and the seed.
SELECT format($f$
CREATE FUNCTION pg_temp.u(i bigint, salt int) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (hashint8extended(i, %s::bigint * 1000003 + salt) & 2147483647)::float8 / 2147483648.0
$f$, seed) FROM gen_param \gexec
-- pick(a, i, salt): an element of a text array chosen by u(i, salt).
CREATE FUNCTION pg_temp.pick(a text[], i bigint, salt int) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN a[1 + floor(pg_temp.u(i, salt) * cardinality(a))::int];

CREATE TEMP TABLE gen_words AS
SELECT ARRAY['Anna','Ben','Carla','David','Elena','Felix','Grace','Hugo','Iris','Jonas','Kira','Leo',
             'Maria','Noah','Olivia','Paul','Quinn','Rosa','Sam','Tara','Umar','Vera','Will','Xenia',
             'Yusuf','Zoe','Aiko','Bruno','Chloe','Dmitri','Emma','Farid','Greta','Hana','Ivan','Julia',
             'Karim','Lena','Marco','Nina'] AS firsts,
       ARRAY['Schmidt','Garcia','Nguyen','Rossi','Kowalski','Dubois','Jensen','Silva','Tanaka','Murphy',
             'Novak','Lindqvist','Okafor','Weber','Moreau','Haddad','Costa','Fischer','Ivanova','Khan',
             'Larsen','Meyer','Petrov','Quinn','Romero','Sato','Torres','Varga','Walsh','Young','Adler',
             'Brandt','Conti','Duarte','Eriksen','Fontaine','Gallo','Horvat','Ilves','Jovanovic'] AS lasts,
       ARRAY['Fabrikam','Northwind','Adatum','Litware','Tailspin','Wingtip','Proseware','Woodgrove',
             'Alpine','Blue Yonder','Coho','Datum','Fourth Coffee','Graphic','Humongous','Lucerne',
             'Margie','Nod','Olympia','Relecloud','Southridge','Trey','VanArsdel','Wide World','Bellows',
             'Consolidated','Fineartschool','Lamna','Munson','Phone Company','Alpine Ski','City Power',
             'School of Fine Art','Liberty','Baldwin','Contemporary','Eastwood','Greenway','Harbor','Ironwood'] AS w1,
       ARRAY['Inc','Group','Holdings','Logistics','Systems','Health','Bank','Foods','Energy','Motors',
             'Pharma','Retail','Media','Insurance','Airlines','Labs','Partners','Works','Industries',
             'Consulting','Capital','Telecom','Software','Travel','Textiles'] AS w2,
       ARRAY['Robotics','Studio','Analytics','Cloud','Games','Bio','Mobility','Security','Design','AI'] AS w3,
       ARRAY['gmail.com','outlook.com','yahoo.com','gmx.net','web.de','icloud.com'] AS freemail,
       ARRAY['Platform licence','Renewal','Expansion','Pilot','Support upgrade','Analytics add-on',
             'Migration project','Enterprise agreement'] AS products,
       ARRAY['Pricing proposal','Renewal terms','Follow-up on our call','Integration questions',
             'Quarterly business review','Contract draft','Onboarding plan','Security questionnaire',
             'Demo next week','Invoice question','Roadmap update','Pilot results','Reference call',
             'Procurement process','Technical deep dive'] AS subjects,
       ARRAY['Discovery call','Quarterly business review','Product demo','Pricing workshop',
             'Kick-off','Steering committee','Technical workshop','Executive briefing'] AS meetings,
       ARRAY['Product newsletter','Webinar invitation','Release notes','Customer event'] AS newsletters;

-- ---------------------------------------------------------------------------
-- The CRM
-- ---------------------------------------------------------------------------
SELECT :'mode' = 'fast' AS fast \gset
\if :fast
ALTER TABLE relintel.colleague DISABLE TRIGGER USER;
ALTER TABLE relintel.internal_domain DISABLE TRIGGER USER;
ALTER TABLE relintel.account DISABLE TRIGGER USER;
ALTER TABLE relintel.contact DISABLE TRIGGER USER;
ALTER TABLE relintel.lead DISABLE TRIGGER USER;
ALTER TABLE relintel.opportunity DISABLE TRIGGER USER;
ALTER TABLE relintel.opportunity_contact DISABLE TRIGGER USER;
ALTER TABLE relintel.interaction DISABLE TRIGGER USER;
\endif

INSERT INTO relintel.internal_domain (domain) VALUES ('contoso.com');

-- Colleagues: distinct first/last name pairs; colleague 1 is the sales manager.
INSERT INTO relintel.colleague (id, email, display_name)
SELECT c, lower(f || '.' || l) || '@contoso.com', f || ' ' || l
  FROM gen_param, gen_words,
       generate_series(1, n_col) AS c,
       LATERAL (SELECT firsts[(c - 1) % 40 + 1] AS f,
                       lasts[((c - 1) / 40 + 13 * ((c - 1) % 40)) % 40 + 1] AS l) AS n;
SELECT setval(pg_get_serial_sequence('relintel.colleague', 'id'), (SELECT max(id) FROM relintel.colleague)) \g /dev/null

-- Accounts: unique names and domains; an owner colleague each (used below).
CREATE TEMP TABLE gen_account AS
SELECT a AS id,
       w1[(a - 1) % 40 + 1] || ' ' || w2[((a - 1) / 40) % 25 + 1]
         || CASE WHEN a > 1000 THEN ' ' || ((a - 1) / 1000 + 1) ELSE '' END AS name,
       regexp_replace(lower(w1[(a - 1) % 40 + 1] || w2[((a - 1) / 40) % 25 + 1]), '[^a-z]', '', 'g')
         || CASE WHEN a > 1000 THEN ((a - 1) / 1000 + 1)::text ELSE '' END || '.com' AS domain,
       1 + floor(pg_temp.u(a, 1) * n_col)::int AS owner_id
  FROM gen_param, gen_words, generate_series(1, n_acc) AS a;
INSERT INTO relintel.account (id, name, domain) SELECT id, name, domain FROM gen_account;

-- Contacts: four per account, distinct first names within an account.
INSERT INTO relintel.contact (id, account_id, email, full_name)
SELECT c, a.id, lower(f || '.' || l) || '@' || a.domain, f || ' ' || l
  FROM gen_param CROSS JOIN gen_words CROSS JOIN generate_series(1, n_con) AS c
  JOIN gen_account AS a ON a.id = (c - 1) / 4 + 1,
       LATERAL (SELECT firsts[(a.id * 11 + ((c - 1) % 4) * 7) % 40 + 1] AS f,
                       pg_temp.pick(lasts, c, 2) AS l) AS n;

-- Leads: 40 % at a free-mail address, the others at their company's domain.
INSERT INTO relintel.lead (id, email, full_name, company)
SELECT l, CASE WHEN free THEN lower(f || '.' || s) || '.' || l || '@' || pg_temp.pick(freemail, l, 4)
               ELSE lower(f || '.' || s) || '@' || regexp_replace(lower(co), '[^a-z0-9]', '', 'g') || '.io' END,
       f || ' ' || s, co
  FROM gen_param, gen_words, generate_series(1, n_lead) AS l,
       LATERAL (SELECT pg_temp.pick(firsts, l, 5) AS f, pg_temp.pick(lasts, l, 6) AS s,
                       pg_temp.u(l, 3) < 0.4 AS free,
                       w1[(l - 1) % 40 + 1] || ' ' || w3[((l - 1) / 40) % 10 + 1]
                         || CASE WHEN l > 400 THEN ' ' || ((l - 1) / 400 + 1) ELSE '' END AS co) AS n;

-- Opportunities: round-robin over accounts; 60 % open (created 2 to 30 weeks
-- ago), the others closed (created 4 to 13 months ago, open 4 to 16 weeks).
INSERT INTO relintel.opportunity (id, account_id, name, owner_id, created_at, closed_at)
SELECT o, a.id, a.name || ' – ' || pg_temp.pick(products, o, 7), a.owner_id, created,
       CASE WHEN NOT open THEN least(created + (28 + 84 * pg_temp.u(o, 9)) * interval '1 day',
                                     now - interval '3 days') END
  FROM gen_param CROSS JOIN gen_words CROSS JOIN generate_series(1, n_opp) AS o
  JOIN gen_account AS a ON a.id = (o - 1) % n_acc + 1,
       LATERAL (SELECT pg_temp.u(o, 8) < 0.6 AS open) AS k,
       LATERAL (SELECT now - CASE WHEN open THEN 14 + 196 * pg_temp.u(o, 10)
                                 ELSE 120 + 270 * pg_temp.u(o, 10) END * interval '1 day' AS created) AS t;

-- Stakeholders: one to three of the account's contacts.
INSERT INTO relintel.opportunity_contact (opportunity_id, contact_id)
SELECT DISTINCT o.id, (o.account_id - 1) * 4 + 1 + (o.id + j) % 4
  FROM relintel.opportunity AS o, generate_series(0, 2) AS j
 WHERE j = 0 OR pg_temp.u(o.id, 11 + j) < 0.5;

-- ---------------------------------------------------------------------------
-- External people and their relationship profiles
-- ---------------------------------------------------------------------------
-- person 1 .. n_con are the contacts, n_con + 1 .. n_con + n_lead the leads.
CREATE TEMP TABLE gen_person AS
SELECT p.id, p.address, p.account_id, p.contact, p.profile,
       p.start_at,
       CASE WHEN p.profile = 'dark' THEN now - (21 + 100 * pg_temp.u(p.id, 23)) * interval '1 day' END AS dark_at,
       1 + 47 * pg_temp.u(p.id, 24) ^ 2 AS their_hours,       -- typical latency of their replies
       0.5 + 20 * pg_temp.u(p.id, 25) ^ 2 AS our_hours,       -- and of ours
       CASE WHEN p.profile = 'cold' THEN 0 ELSE 0.35 + 0.6 * pg_temp.u(p.id, 26) END AS reply_p,
       CASE WHEN p.profile IN ('dark', 'cooling') THEN -0.5 ELSE -0.2 END + 0.9 * pg_temp.u(p.id, 27) AS mood,
       CASE WHEN p.contact AND pg_temp.u(p.id, 28) < 0.75 THEN a.owner_id
            ELSE 1 + floor(pg_temp.u(p.id, 29) * n_col)::int END AS owner_id,
       -- open opportunities of the account this person may talk about
       CASE WHEN p.contact AND p.account_id <= n_opp THEN (n_opp - p.account_id) / n_acc + 1 ELSE 0 END AS n_acc_opp
  FROM gen_param
  CROSS JOIN LATERAL (
        SELECT c.id, c.email AS address, c.account_id, true AS contact,
               CASE WHEN x < 0.28 THEN 'thriving' WHEN x < 0.52 THEN 'steady'
                    WHEN x < 0.80 THEN 'dark' ELSE 'cooling' END AS profile,
               now - (45 + 320 * pg_temp.u(c.id, 22)) * interval '1 day' AS start_at
          FROM relintel.contact AS c, LATERAL (SELECT pg_temp.u(c.id, 21) AS x) AS r
        UNION ALL
        SELECT n_con + l.id, l.email, NULL, false,
               CASE WHEN x < 0.30 THEN 'cold' WHEN x < 0.60 THEN 'thriving' WHEN x < 0.75 THEN 'steady'
                    WHEN x < 0.92 THEN 'dark' ELSE 'cooling' END,
               now - (30 + 300 * pg_temp.u(n_con + l.id, 22)) * interval '1 day'
          FROM relintel.lead AS l, LATERAL (SELECT pg_temp.u(n_con + l.id, 21) AS x) AS r
       ) AS p
  LEFT JOIN gen_account AS a ON a.id = p.account_id;
ALTER TABLE gen_person ADD PRIMARY KEY (id);
ANALYZE gen_person;

CREATE TEMP TABLE gen_colleague AS SELECT id, email FROM relintel.colleague;
ALTER TABLE gen_colleague ADD PRIMARY KEY (id);
ANALYZE gen_param, gen_words, gen_colleague;

-- ---------------------------------------------------------------------------
-- Interactions
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE gen_interaction (LIKE relintel.interaction INCLUDING DEFAULTS);
ALTER TABLE gen_interaction ALTER COLUMN id DROP IDENTITY IF EXISTS;
ALTER TABLE gen_interaction DROP COLUMN id;

SELECT :crm_only = 0 AS with_interactions \gset
\if :with_interactions
-- Hash joins to the people and colleagues: under the LIMIT the planner would
-- otherwise pick nested loops that scan every person for every thread.
SET enable_nestloop = off;

-- Threads: 97.3 % of the interactions.  A thread is an email thread (1 to 5
-- messages), a meeting or a call, with one person, started at a time shaped
-- by the person's profile.
INSERT INTO gen_interaction (kind, occurred_at, duration, sender, recipients, subject,
                             message_id, in_reply_to, regarding_type, regarding_id, sentiment)
SELECT m.kind, m.at,
       m.duration,
       CASE WHEN m.outbound THEN col.email ELSE per.address END,
       CASE WHEN m.outbound THEN ARRAY[per.address] ELSE ARRAY[col.email] END
         || CASE WHEN cc.address IS NOT NULL THEN ARRAY[cc.address] ELSE '{}' END
         || CASE WHEN col2.email IS NOT NULL AND col2.id <> col.id THEN ARRAY[col2.email] ELSE '{}' END,
       CASE WHEN m.kind = 'email' THEN CASE WHEN m.k > 0 THEN 'Re: ' ELSE '' END || pg_temp.pick(w.subjects, t, 40)
            WHEN m.kind = 'meeting' THEN pg_temp.pick(w.meetings, t, 40)
            ELSE 'Call' END,
       CASE WHEN m.kind = 'email' THEN format('%s.%s.%s@mail.contoso.com', t, m.k, g.seed)
            ELSE format('%s.%s@calendar.contoso.com', t, g.seed) END,
       CASE WHEN m.k > 0 THEN format('%s.%s.%s@mail.contoso.com', t, m.k - 1, g.seed) END,
       CASE WHEN m.regarding_opp > 0 THEN 'opportunity'::relintel.entity_type
            WHEN NOT per.contact AND pg_temp.u(t, 41) < 0.2 THEN 'lead' END,
       CASE WHEN m.regarding_opp > 0 THEN m.regarding_opp
            WHEN NOT per.contact AND pg_temp.u(t, 41) < 0.2 THEN per.id - g.n_con END,
       CASE WHEN pg_temp.u(t * 8 + m.k, 42) < CASE WHEN m.kind = 'email' AND m.outbound THEN 0.05 ELSE 0.4 END
            THEN round(greatest(-1, least(1, per.mood + 0.6 * (pg_temp.u(t * 8 + m.k, 43) - 0.5)))::numeric, 2)::real END
  FROM gen_param AS g
 CROSS JOIN gen_words AS w
 CROSS JOIN LATERAL generate_series(1, (g.scale * 0.973 / 1.5)::bigint + 10) AS t
  -- the person: big accounts (low ids) see more activity
  JOIN gen_person AS per ON per.id = 1 + floor((g.n_con + g.n_lead) * pg_temp.u(t, 30) ^ 1.25)::int
 CROSS JOIN LATERAL (
        SELECT CASE WHEN per.profile = 'cold' OR (per.profile = 'dark' AND pg_temp.u(t, 31) < 0.15) THEN 'chaser'
                    WHEN x < 0.70 THEN 'email' WHEN x < 0.86 THEN 'meeting' ELSE 'call' END AS shape,
               pg_temp.u(t, 33) AS y
          FROM (SELECT pg_temp.u(t, 32) AS x) AS r
       ) AS s
 CROSS JOIN LATERAL (
        SELECT CASE WHEN s.shape = 'chaser' THEN coalesce(per.dark_at, per.start_at)
                      + s.y * (g.now - interval '1 day' - coalesce(per.dark_at, per.start_at))
                    ELSE per.start_at + CASE per.profile WHEN 'thriving' THEN s.y ^ 0.6
                                                         WHEN 'cooling' THEN s.y ^ 1.8 ELSE s.y END
                                        * (coalesce(per.dark_at, g.now - interval '2 hours') - per.start_at)
               END AS t0,
               CASE WHEN s.shape = 'email' AND pg_temp.u(t, 34) < per.reply_p
                    THEN 2 + floor(4 * pg_temp.u(t, 35) ^ 2)::int ELSE 1 END AS len,
               s.shape IN ('chaser') OR pg_temp.u(t, 36) < CASE s.shape WHEN 'email' THEN 0.6
                                                                         WHEN 'meeting' THEN 0.85 ELSE 0.7 END AS first_out,
               CASE WHEN per.n_acc_opp > 0 AND pg_temp.u(t, 37) < 0.3
                    THEN per.account_id + g.n_acc * floor(pg_temp.u(t, 38) * per.n_acc_opp)::int ELSE 0 END AS regarding_opp
       ) AS th
 CROSS JOIN LATERAL (
        SELECT k,
               CASE s.shape WHEN 'meeting' THEN 'meeting' WHEN 'call' THEN 'call' ELSE 'email' END::relintel.interaction_kind AS kind,
               th.first_out = (k % 2 = 0) AS outbound,
               th.regarding_opp,
               CASE s.shape WHEN 'meeting' THEN interval '30 minutes' * (1 + floor(3 * pg_temp.u(t, 39)))
                            WHEN 'call' THEN interval '1 minute' * (2 + floor(40 * pg_temp.u(t, 39) ^ 2)) END AS duration,
               -- message k: after k alternating replies, each near its side's typical latency
               th.t0 + interval '1 hour' * (
                 CASE WHEN th.first_out THEN ceil(k / 2.0) * per.their_hours + floor(k / 2.0) * per.our_hours
                      ELSE ceil(k / 2.0) * per.our_hours + floor(k / 2.0) * per.their_hours END
                 - CASE WHEN k = 0 THEN 0
                        ELSE 0.9 * (1 - pg_temp.u(t * 8 + k, 44))
                             * CASE WHEN th.first_out = (k % 2 = 1) THEN per.their_hours ELSE per.our_hours END END) AS at
          FROM generate_series(0, th.len - 1) AS k
       ) AS m
  JOIN gen_colleague AS col ON col.id = per.owner_id
  -- a second contact of the account in copy, or a second colleague
  LEFT JOIN gen_person AS cc ON per.contact AND pg_temp.u(t, 45) < CASE s.shape WHEN 'meeting' THEN 0.7 ELSE 0.2 END
                            AND cc.id = (per.account_id - 1) * 4 + 1 + ((per.id - (per.account_id - 1) * 4) + floor(3 * pg_temp.u(t, 46))::int) % 4
  LEFT JOIN gen_colleague AS col2 ON s.shape <> 'call' AND pg_temp.u(t, 47) < CASE s.shape WHEN 'meeting' THEN 0.5 ELSE 0.15 END
                                 AND col2.id = 1 + floor(g.n_col * pg_temp.u(t, 48))::int
 WHERE m.at <= g.now
 LIMIT (SELECT (scale * 0.973)::bigint FROM gen_param);

-- Internal-only mail (2 %): colleague to colleague, no external participant.
INSERT INTO gen_interaction (kind, occurred_at, sender, recipients, subject, message_id)
SELECT 'email', g.now - (365 * pg_temp.u(i, 50)) * interval '1 day', a.email, ARRAY[b.email],
       'Internal: account planning', format('int.%s.%s@mail.contoso.com', i, g.seed)
  FROM gen_param AS g CROSS JOIN generate_series(1, (g.scale * 0.02)::bigint) AS i
  JOIN gen_colleague AS a ON a.id = 1 + floor(g.n_col * pg_temp.u(i, 51))::int
  JOIN gen_colleague AS b ON b.id = 1 + (a.id + floor((g.n_col - 1) * pg_temp.u(i, 52))::int) % g.n_col;

-- Mass mail (0.5 %): one colleague to 12-25 contacts of consecutive accounts.
INSERT INTO gen_interaction (kind, occurred_at, sender, recipients, subject, message_id)
SELECT 'email', g.now - (365 * pg_temp.u(i, 53)) * interval '1 day', c.email,
       ARRAY(SELECT p.address FROM gen_person AS p
              WHERE p.id BETWEEN first_id AND first_id + 11 + floor(14 * pg_temp.u(i, 55))::int
              ORDER BY p.id),
       pg_temp.pick(w.newsletters, i, 56), format('news.%s.%s@mail.contoso.com', i, g.seed)
  FROM gen_param AS g CROSS JOIN gen_words AS w CROSS JOIN generate_series(1, (g.scale * 0.005)::bigint + 1) AS i
  JOIN gen_colleague AS c ON c.id = 1 + floor(g.n_col * pg_temp.u(i, 57))::int
 CROSS JOIN LATERAL (SELECT 1 + floor((g.n_con - 30) * pg_temp.u(i, 54))::int AS first_id) AS f;

-- Scheduled meetings (0.2 %): in the next 1 to 21 days with contacts, about
-- an opportunity of their account when it has one.
INSERT INTO gen_interaction (kind, occurred_at, duration, sender, recipients, subject, message_id,
                             regarding_type, regarding_id)
SELECT 'meeting', date_trunc('hour', g.now) + (24 + 480 * pg_temp.u(i, 60)) * interval '1 hour',
       interval '30 minutes' * (1 + floor(3 * pg_temp.u(i, 61))), c.email,
       ARRAY[p.address], pg_temp.pick(w.meetings, i, 62), format('next.%s.%s@calendar.contoso.com', i, g.seed),
       CASE WHEN p.n_acc_opp > 0 THEN 'opportunity'::relintel.entity_type END,
       CASE WHEN p.n_acc_opp > 0 THEN p.account_id + g.n_acc * (p.n_acc_opp - 1) END
  FROM gen_param AS g CROSS JOIN gen_words AS w
 CROSS JOIN generate_series(1, (g.scale * 0.002)::bigint + 1) AS i
  JOIN gen_person AS p ON p.id = 1 + floor(g.n_con * pg_temp.u(i, 63))::int
  JOIN gen_colleague AS c ON c.id = p.owner_id;
RESET enable_nestloop;
\endif

-- ---------------------------------------------------------------------------
-- Load
-- ---------------------------------------------------------------------------
\if :fast
-- In time order, as mail arrives.  Future rows are pending, as the insert
-- trigger would record them.
INSERT INTO relintel.interaction (kind, occurred_at, duration, sender, recipients, subject, message_id,
                                  in_reply_to, regarding_type, regarding_id, sentiment)
SELECT kind, occurred_at, duration, sender, recipients, subject, message_id,
       in_reply_to, regarding_type, regarding_id, sentiment
  FROM gen_interaction ORDER BY occurred_at;
INSERT INTO relintel.pending_interaction (interaction_id, occurred_at)
SELECT id, occurred_at FROM relintel.interaction WHERE occurred_at > now();
ALTER TABLE relintel.colleague ENABLE TRIGGER USER;
ALTER TABLE relintel.internal_domain ENABLE TRIGGER USER;
ALTER TABLE relintel.account ENABLE TRIGGER USER;
ALTER TABLE relintel.contact ENABLE TRIGGER USER;
ALTER TABLE relintel.lead ENABLE TRIGGER USER;
ALTER TABLE relintel.opportunity ENABLE TRIGGER USER;
ALTER TABLE relintel.opportunity_contact ENABLE TRIGGER USER;
ALTER TABLE relintel.interaction ENABLE TRIGGER USER;
ANALYZE relintel.colleague, relintel.internal_domain, relintel.account, relintel.contact, relintel.lead,
        relintel.opportunity, relintel.opportunity_contact, relintel.interaction, relintel.pending_interaction;
-- rebuild(): classification, membership and states in set-based passes.
SELECT :rebuild = 1 AS do_rebuild \gset
\if :do_rebuild
SELECT relintel.rebuild() \g /dev/null
\endif
\else
-- Through the triggers, in batches of 20,000 in time order.
ALTER TABLE gen_interaction ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
CREATE TEMP TABLE gen_order AS SELECT row_number() OVER (ORDER BY occurred_at, seq) AS n, seq FROM gen_interaction;
SELECT format('INSERT INTO relintel.interaction (kind, occurred_at, duration, sender, recipients, subject, message_id,
                                  in_reply_to, regarding_type, regarding_id, sentiment)
               SELECT kind, occurred_at, duration, sender, recipients, subject, message_id,
                      in_reply_to, regarding_type, regarding_id, sentiment
                 FROM gen_interaction JOIN gen_order USING (seq) WHERE n > %s AND n <= %s ORDER BY n', b, b + 20000)
  FROM generate_series(0, (SELECT count(*) FROM gen_interaction), 20000) AS b \gexec
\endif
ANALYZE relintel.interaction, relintel.entity_health, relintel.tie, relintel.pending_interaction;
SELECT (SELECT count(*) FROM relintel.interaction) AS interactions,
       (SELECT count(*) FROM relintel.pending_interaction) AS scheduled,
       (SELECT count(*) FROM relintel.colleague) AS colleagues,
       (SELECT count(*) FROM relintel.account) AS accounts,
       (SELECT count(*) FROM relintel.contact) AS contacts,
       (SELECT count(*) FROM relintel.lead) AS leads,
       (SELECT count(*) FROM relintel.opportunity) AS opportunities;
