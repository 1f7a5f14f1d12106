-- demo/report.sql: what a sales manager reads on Monday morning, from
-- relintel's views and functions.  psql -f demo/report.sql on a database
-- loaded by demo/load.sh (any data set with open opportunities, accounts and
-- leads works).  Output is UTF-8 (sparklines).
\set ON_ERROR_STOP on
\pset footer off
\pset null '–'
SET search_path = relintel, public;

-- spark(values): one block character per value, scaled to the largest.
CREATE FUNCTION pg_temp.spark(v float8[]) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN (SELECT string_agg(CASE WHEN x = 0 OR m = 0 THEN '▁'
                               ELSE substr('▂▃▄▅▆▇█', 1 + least(6, floor(7 * x / m))::int, 1) END,
                          '' ORDER BY i)
          FROM unnest(v) WITH ORDINALITY AS a(x, i),
               (SELECT max(y) AS m FROM unnest(v) AS y) AS mx);

-- weekly(type, id): the entity's activity (emails, meetings, calls) in each
-- of the last 12 weeks, oldest first.
CREATE FUNCTION pg_temp.weekly(t relintel.entity_type, id bigint, weeks int DEFAULT 12) RETURNS float8[]
LANGUAGE sql STABLE
RETURN (SELECT array_agg((h.emails_out + h.emails_in + h.meetings + h.calls_out + h.calls_in)::float8
                         ORDER BY h.bucket_start)
          FROM relintel.activity_history(t, id, date_trunc('week', now()) - (weeks - 1) * interval '1 week',
                                         now(), '1 week') AS h);

-- why(...): the factors that pull a score down, in words.
CREATE FUNCTION pg_temp.why(last_engaged timestamptz, recency float8, frequency float8, reciprocity float8,
                            responsiveness float8, momentum float8, sentiment float8) RETURNS text
LANGUAGE sql STABLE
RETURN concat_ws('; ',
    CASE WHEN last_engaged IS NULL THEN 'never answered'
         WHEN recency < 0.5 THEN 'silent ' || extract(day FROM now() - last_engaged) || ' days' END,
    CASE WHEN responsiveness < 0.4 THEN 'rarely answers' END,
    CASE WHEN reciprocity < 0.6 THEN 'one-sided' END,
    CASE WHEN frequency < 0.4 THEN 'little contact' END,
    CASE WHEN momentum < 0.35 THEN 'activity falling' END,
    CASE WHEN sentiment < 0.45 THEN 'negative tone' END);

SELECT to_char(now(), 'Dy DD Mon YYYY HH24:MI TZ') AS today,
       (SELECT count(*) FROM relintel.interaction) AS interactions,
       (SELECT count(*) FROM relintel.opportunity WHERE closed_at IS NULL) AS open_opportunities,
       (SELECT count(*) FROM relintel.account) AS accounts,
       (SELECT count(*) FROM relintel.lead) AS leads,
       (SELECT count(*) FROM relintel.colleague) AS colleagues \gset

\echo '╔══════════════════════════════════════════════════════════════════════════════╗'
\echo '║  relintel · relationship report'
\echo '║ ' :today '·' :interactions 'emails, meetings and calls ·' :open_opportunities 'open deals ·' :colleagues 'sellers'
\echo '╚══════════════════════════════════════════════════════════════════════════════╝'
\echo

-- ---------------------------------------------------------------------------
\echo '━━ Pipeline health: open opportunities by status and trend'
SELECT h.status,
       count(*) FILTER (WHERE h.trend = 'improving') AS improving,
       count(*) FILTER (WHERE h.trend = 'steady') AS steady,
       count(*) FILTER (WHERE h.trend = 'declining') AS declining,
       count(*) AS total
  FROM relintel.opportunity_health AS h
  JOIN relintel.opportunity AS o ON o.id = h.id
 WHERE o.closed_at IS NULL
 GROUP BY h.status
 ORDER BY h.status;

-- ---------------------------------------------------------------------------
\echo '━━ Opportunities most at risk (open deals, lowest health first)'
\echo '   factors 0…1: rec = recency of their last answer or meeting, freq = frequency,'
\echo '   recip = reciprocity (they write back as much as we do), resp = how fast and often they answer,'
\echo '   mom = momentum of weekly activity, sent = sentiment; activity = last 12 weeks'
CREATE TEMP TABLE at_risk AS
SELECT h.id, h.name, h.score, h.status, h.trend, h.last_engaged_at,
       h.recency, h.frequency, h.reciprocity, h.responsiveness, h.momentum, h.sentiment,
       c.display_name AS owner
  FROM relintel.opportunity_health AS h
  JOIN relintel.opportunity AS o ON o.id = h.id
  LEFT JOIN relintel.colleague AS c ON c.id = o.owner_id
 WHERE o.closed_at IS NULL AND h.score IS NOT NULL
 ORDER BY h.score, h.id
 LIMIT 10;

SELECT r.name AS opportunity, r.owner, r.score, r.status, r.trend,
       pg_temp.spark(pg_temp.weekly('opportunity', r.id)) AS activity,
       round(r.recency::numeric, 2) AS rec, round(r.frequency::numeric, 2) AS freq,
       round(r.reciprocity::numeric, 2) AS recip, round(r.responsiveness::numeric, 2) AS resp,
       round(r.momentum::numeric, 2) AS mom, round(r.sentiment::numeric, 2) AS sent,
       pg_temp.why(r.last_engaged_at, r.recency, r.frequency, r.reciprocity, r.responsiveness,
                   r.momentum, r.sentiment) AS why
  FROM at_risk AS r
 ORDER BY r.score, r.id;

-- ---------------------------------------------------------------------------
-- Act now: the alerts of SPEC section 4, stored by refresh_alerts() (which
-- also notifies every new one on the channel relintel_alert).
SELECT relintel.refresh_alerts() AS new_alerts \gset
\echo
\echo '━━ Act now (' :new_alerts 'new alerts; open deals first, silences and unanswered mail before score drops)'
WITH named AS (
    SELECT 'opportunity'::relintel.entity_type AS entity_type, h.id, h.name, h.owner_id
      FROM relintel.opportunity_health AS h WHERE h.closed_at IS NULL
    UNION ALL
    SELECT 'account', h.id, h.name, NULL FROM relintel.account_health AS h
)
SELECT n.entity_type AS record, n.name, c.display_name AS owner,
       replace(a.alert, '_', ' ') AS alert, a.detail,
       to_char(a.since, 'DD Mon') AS since
  FROM relintel.alert AS a
  JOIN named AS n ON n.entity_type = a.entity_type AND n.id = a.entity_id
  LEFT JOIN relintel.colleague AS c ON c.id = n.owner_id
 ORDER BY n.entity_type DESC,   -- opportunities first, then accounts
          array_position(ARRAY['going_dark', 'unanswered', 'single_threaded', 'no_next_meeting', 'health_drop'],
                         a.alert),
          a.since DESC, n.name
 LIMIT 12;
SELECT a.alert, count(*) FILTER (WHERE a.entity_type = 'opportunity') AS opportunities,
       count(*) FILTER (WHERE a.entity_type = 'account') AS accounts,
       count(*) FILTER (WHERE a.entity_type = 'contact') AS contacts,
       count(*) FILTER (WHERE a.entity_type = 'lead') AS leads
  FROM relintel.alert AS a
 GROUP BY a.alert ORDER BY count(*) DESC;

-- hm(interval): hours and minutes.
CREATE FUNCTION pg_temp.hm(i interval) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN floor(extract(epoch FROM i) / 3600) || 'h ' || lpad((floor(extract(epoch FROM i) / 60)::bigint % 60)::text, 2, '0') || 'm';

-- ---------------------------------------------------------------------------
-- The account: the most active one in the last 30 days among those with a
-- meeting scheduled.
SELECT a.id AS account_id, a.name AS account_name, a.domain AS account_domain
  FROM relintel.account AS a
 CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE i.occurred_at <= now()) AS n,
                            count(*) FILTER (WHERE i.occurred_at > now()) AS scheduled
                       FROM relintel.interaction AS i
                      WHERE i.occurred_at > now() - interval '30 days'
                        AND relintel.participant_domains(i.sender, i.recipients) @> ARRAY[a.domain]) AS x
 ORDER BY x.scheduled > 0 DESC, x.n DESC, a.id
 LIMIT 1 \gset

SELECT h.score, h.status, h.trend FROM relintel.account_health AS h WHERE h.id = :account_id \gset
\echo
\echo '━━ Account' :account_name '·' :account_domain '· health' :score :status :trend
\echo '   Last 30 days, us vs them:'
SELECT m.metric AS " ", m.us AS "us (contoso.com)", m.them AS "them"
  FROM relintel.kpis('account', :account_id) AS k
 CROSS JOIN LATERAL (VALUES
        (1, 'emails written', k.emails_sent::text, k.emails_received::text),
        (2, 'calls placed', k.calls_made::text, k.calls_received::text),
        (3, 'meetings (together)', k.meetings::text, k.meetings::text),
        (4, 'time spent', pg_temp.hm(k.time_spent_by_us), pg_temp.hm(k.time_spent_by_them)),
        (5, 'response rate', to_char(100 * k.our_response_rate, 'FM990"%"'), to_char(100 * k.their_response_rate, 'FM990"%"')),
        (6, 'response time', pg_temp.hm(k.our_response_time), pg_temp.hm(k.their_response_time)),
        (7, 'most involved', array_to_string(k.top_colleagues[1:2], ', '), array_to_string(k.top_external[1:2], ', '))
       ) AS m(ord, metric, us, them)
 ORDER BY m.ord;

SELECT to_char(k.last_interaction_at, 'Dy DD Mon HH24:MI') || ' · ' || k.last_interaction_kind || ' '
         || k.last_interaction_direction || ' · ' || coalesce(k.last_interaction_colleague, '') AS last_one,
       coalesce(to_char(k.next_interaction_at, 'Dy DD Mon HH24:MI') || ' · ' || k.next_interaction_kind,
                'nothing scheduled') AS next_one
  FROM relintel.kpis('account', :account_id) AS k \gset
\echo '   Last interaction:' :last_one
\echo '   Next interaction:' :next_one
\echo

\echo '   Weekly activity, last 26 weeks (emails + meetings + calls):'
SELECT '   ' || pg_temp.spark(w) || '  ' || coalesce(w[cardinality(w)]::int, 0) || ' this week, peak '
         || (SELECT max(x)::int FROM unnest(w) AS x) AS sparkline
  FROM (SELECT pg_temp.weekly('account', :account_id, 26) AS w) AS s \gset
\echo :sparkline
\echo

-- ---------------------------------------------------------------------------
-- The lead: a prospect at a company that several colleagues know.
SELECT l.id AS lead_id, l.email AS lead_email, l.full_name AS lead_name, l.company AS lead_company
  FROM relintel.lead AS l
 CROSS JOIN LATERAL (SELECT count(*) AS n, max(relintel.strength(t.state)) AS best
                       FROM relintel.tie AS t
                      WHERE t.address = l.email AND relintel.strength(t.state) >= 5) AS k
 WHERE l.company IS NOT NULL AND l.email LIKE '%.io'
 ORDER BY k.n DESC, k.best DESC, l.id
 LIMIT 1 \gset
\echo '━━ Who knows' :lead_name 'at' :lead_company '· lead' :lead_email
SELECT w.display_name AS colleague, w.email, w.strength AS "strength 0-100",
       to_char(w.last_interaction_at, 'DD Mon YYYY') AS last_contact, w.last_interaction_kind AS "by"
  FROM relintel.who_knows(:'lead_email') AS w;

SELECT w.email AS intro_colleague
  FROM relintel.who_knows(:'lead_email', 1) AS w \gset
-- The requester: the first colleague who does not know the lead.
SELECT c.email AS requester
  FROM relintel.colleague AS c
 WHERE c.email NOT IN (SELECT w.email FROM relintel.who_knows(:'lead_email', 100) AS w)
 ORDER BY c.id
 LIMIT 1 \gset
\echo '   The introduction email' :requester 'can send (relintel.intro_request):'
\pset format unaligned
\pset tuples_only on
SELECT '   To:      ' || r."to" || E'\n'
    || '   Subject: ' || r.subject || E'\n'
    || E'\n'
    || regexp_replace(replace(r.body, E'\r', ''), '^', '   │ ', 'gn') || E'\n'
    || E'\n'
    || '   ' || left(r.mailto, 100) || '…'
  FROM relintel.intro_request(:'requester', :'intro_colleague', :'lead_email') AS r;
\pset tuples_only off
\pset format aligned
