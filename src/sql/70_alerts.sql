-- ===========================================================================
-- 70_alerts.sql: alerts, what a sales manager must act on (SPEC section 4)
--
--   alerts(as_of)      the alerts of every entity at any time T, computed
--                      from the base tables through entity_interaction (the
--                      one definition of membership) in one pass
--   alert              the alerts stored by the last refresh_alerts(), with
--                      first_seen
--   refresh_alerts()   stores alerts(now()) in alert and sends one
--                      NOTIFY relintel_alert (JSON payload) per new alert
--
-- Decisions where the spec is silent:
--   * time is measured in days of 86400 seconds, as in the scoring (section
--     2): every window and wait is a number of seconds, never a calendar day
--     (the functions run with TimeZone = UTC);
--   * "in the N days before T" is the window T - N days < occurred_at <= T,
--     as for the KPIs; interactions later than T are pending and left out,
--     except as the scheduled meetings and calls of no_next_meeting;
--   * an opportunity is closed at T when closed_at <= T: it gets no alert
--     of any kind; one closed later was still open at T;
--   * unanswered counts the outbound emails strictly later than
--     last_engaged (the latest inbound interaction, meeting or call up to T);
--   * no_next_meeting: "no meeting or call in the 21 days before T" means
--     none in T - 21 days < occurred_at <= T, so that a meeting exactly 21
--     days ago gives the alert with since = T; the date in its detail is
--     that of the last meeting or call, or of created_at when there was none
--     ("no meeting since <created_at>": none since the opportunity exists);
--   * details: day counts are whole days, rounded down (23.9 days of silence
--     is "23 days"; a usual gap of half a day is "0 days"), "1 day" in the
--     singular; dates are YYYY-MM-DD in UTC; addresses as stored;
--   * the typical gap is the median of the gaps between consecutive engaged
--     interactions (equal times give gaps of 0), computed in seconds with
--     percentile_cont(0.5): the mean of the middle two for an even count.
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Membership of every interaction at once
-- ---------------------------------------------------------------------------

-- relintel.all_entity_interaction: entity_interaction (30_membership.sql)
-- computed set-based, for passes over every entity at once.  The rules are
-- those of interaction_class, interaction_reply and entity_interaction,
-- word for word; only the plan differs.  entity_interaction is built
-- interaction by interaction with index probes (about 60 µs each: a minute
-- for a million interactions), which is what the triggers need.  Here
-- everything that depends only on the participants (classification,
-- direction, the contacts, leads, accounts and stakeholders they bring) is
-- computed once per distinct (sender, recipients) pair, a few per cent of
-- the interactions in mail and calendar data, with hash joins; each
-- interaction then takes the keys of its pair, plus the record it regards,
-- and an opportunity only within its created_at ... closed_at.  The alerts
-- test checks that both views give the same rows.  Columns: those of
-- entity_interaction that alerts() reads, with the lowest and highest
-- external participant instead of the array.
CREATE VIEW relintel.all_entity_interaction AS
WITH pair AS (
    -- per distinct (sender, recipients): interaction_class's counts (an
    -- internal and an external participant) and outbound (the sender is
    -- internal), with the lowest and highest external participant
    SELECT p.pair_id, p.sender, p.recipients, c.outbound, c.external_lowest, c.external_highest,
           c.has_internal AND c.external_lowest IS NOT NULL AS counts
      FROM (SELECT i.sender, i.recipients, pg_catalog.row_number() OVER () AS pair_id
              FROM relintel.interaction AS i
             GROUP BY i.sender, i.recipients) AS p
     CROSS JOIN LATERAL (
            SELECT COALESCE(pg_catalog.bool_or(a.address OPERATOR(pg_catalog.=) p.sender AND a.internal), false) AS outbound,
                   pg_catalog.min(a.address) FILTER (WHERE NOT a.internal) AS external_lowest,
                   pg_catalog.max(a.address) FILTER (WHERE NOT a.internal) AS external_highest,
                   COALESCE(pg_catalog.bool_or(a.internal), false) AS has_internal
              FROM (SELECT a.address,
                           (a.address IN (SELECT c.email FROM relintel.colleague AS c)
                            OR pg_catalog.split_part(a.address, '@', 2)
                                   IN (SELECT d.domain FROM relintel.internal_domain AS d)) AS internal
                      FROM (SELECT DISTINCT x AS address
                              FROM pg_catalog.unnest(pg_catalog.array_prepend(p.sender, p.recipients)) AS x) AS a) AS a) AS c
), participant AS (
    SELECT DISTINCT p.pair_id, x AS address
      FROM pair AS p
     CROSS JOIN LATERAL pg_catalog.unnest(pg_catalog.array_prepend(p.sender, p.recipients)) AS x
     WHERE p.counts
), pair_member AS (
    -- the entities a pair's participants bring, each once, with the time
    -- bounds of an opportunity (created_at ... closed_at)
    SELECT DISTINCT k.pair_id, k.entity_type, k.entity_id, k.valid_from, k.valid_to
      FROM (SELECT pa.pair_id, 'contact'::relintel.entity_type AS entity_type, c.id AS entity_id,
                   '-infinity'::timestamptz AS valid_from, 'infinity'::timestamptz AS valid_to
              FROM participant AS pa JOIN relintel.contact AS c ON c.email OPERATOR(pg_catalog.=) pa.address
            UNION ALL
            SELECT pa.pair_id, 'lead', l.id, '-infinity', 'infinity'
              FROM participant AS pa JOIN relintel.lead AS l ON l.email OPERATOR(pg_catalog.=) pa.address
            UNION ALL
            SELECT pa.pair_id, 'account', c.account_id, '-infinity', 'infinity'
              FROM participant AS pa JOIN relintel.contact AS c ON c.email OPERATOR(pg_catalog.=) pa.address
             WHERE c.account_id IS NOT NULL
            UNION ALL
            SELECT pa.pair_id, 'account', a.id, '-infinity', 'infinity'
              FROM participant AS pa JOIN relintel.account AS a
                ON a.domain OPERATOR(pg_catalog.=) pg_catalog.split_part(pa.address, '@', 2)
            UNION ALL
            SELECT pa.pair_id, 'opportunity', o.id, o.created_at, COALESCE(o.closed_at, 'infinity')
              FROM participant AS pa
              JOIN relintel.contact AS c ON c.email OPERATOR(pg_catalog.=) pa.address
              JOIN relintel.opportunity_contact AS oc ON oc.contact_id OPERATOR(pg_catalog.=) c.id
              JOIN relintel.opportunity AS o ON o.id OPERATOR(pg_catalog.=) oc.opportunity_id) AS k
), counted AS (
    -- the counted interactions with their pair's classification
    SELECT i.id AS interaction_id, i.kind, i.occurred_at, i.duration, i.sentiment, i.message_id,
           i.in_reply_to, i.regarding_type, i.regarding_id,
           p.pair_id, p.outbound, p.external_lowest, p.external_highest
      FROM relintel.interaction AS i
      JOIN pair AS p ON p.sender OPERATOR(pg_catalog.=) i.sender AND p.recipients OPERATOR(pg_catalog.=) i.recipients
     WHERE p.counts
), fact AS (
    -- interaction_fact: with the latency of a reply (interaction_reply)
    SELECT r.*, r.occurred_at OPERATOR(pg_catalog.-) p.occurred_at AS reply_latency
      FROM counted AS r
      LEFT JOIN (SELECT c.message_id, c.occurred_at, c.outbound FROM counted AS c
                  WHERE c.kind OPERATOR(pg_catalog.=) 'email') AS p
             ON p.message_id OPERATOR(pg_catalog.=) r.in_reply_to
            AND r.kind OPERATOR(pg_catalog.=) 'email'
            AND r.outbound OPERATOR(pg_catalog.<>) p.outbound
            AND r.occurred_at OPERATOR(pg_catalog.>=) p.occurred_at
)
-- entity_interaction: the entities of the pair (opportunities within their
-- time bounds) ...
SELECT pm.entity_type, pm.entity_id, f.interaction_id, f.kind, f.occurred_at, f.outbound,
       f.duration, f.reply_latency, f.sentiment, f.external_lowest, f.external_highest
  FROM fact AS f
  JOIN pair_member AS pm ON pm.pair_id OPERATOR(pg_catalog.=) f.pair_id
 WHERE f.occurred_at OPERATOR(pg_catalog.>=) pm.valid_from
   AND f.occurred_at OPERATOR(pg_catalog.<=) pm.valid_to
UNION ALL
-- ... and the record it regards, unless the participants brought it
SELECT r.entity_type, r.entity_id, f.interaction_id, f.kind, f.occurred_at, f.outbound,
       f.duration, f.reply_latency, f.sentiment, f.external_lowest, f.external_highest
  FROM fact AS f
 CROSS JOIN LATERAL (
        SELECT f.regarding_type AS entity_type, x.id AS entity_id
          FROM relintel.lead AS x
         WHERE f.regarding_type OPERATOR(pg_catalog.=) 'lead' AND x.id OPERATOR(pg_catalog.=) f.regarding_id
        UNION ALL
        SELECT f.regarding_type, x.id
          FROM relintel.account AS x
         WHERE f.regarding_type OPERATOR(pg_catalog.=) 'account' AND x.id OPERATOR(pg_catalog.=) f.regarding_id
        UNION ALL
        SELECT f.regarding_type, x.id
          FROM relintel.opportunity AS x
         WHERE f.regarding_type OPERATOR(pg_catalog.=) 'opportunity' AND x.id OPERATOR(pg_catalog.=) f.regarding_id
           AND f.occurred_at OPERATOR(pg_catalog.>=) x.created_at
           AND f.occurred_at OPERATOR(pg_catalog.<=) COALESCE(x.closed_at, 'infinity')) AS r
 WHERE f.regarding_type IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM pair_member AS pm
                    WHERE pm.pair_id OPERATOR(pg_catalog.=) f.pair_id
                      AND pm.entity_type OPERATOR(pg_catalog.=) r.entity_type
                      AND pm.entity_id OPERATOR(pg_catalog.=) r.entity_id
                      AND f.occurred_at OPERATOR(pg_catalog.>=) pm.valid_from
                      AND f.occurred_at OPERATOR(pg_catalog.<=) pm.valid_to);

COMMENT ON VIEW relintel.all_entity_interaction IS
    'entity_interaction computed set-based (hash joins) for passes over every entity; external_lowest/highest instead of the participant arrays';
REVOKE ALL ON relintel.all_entity_interaction FROM PUBLIC;


-- ---------------------------------------------------------------------------
-- alerts(as_of)
-- ---------------------------------------------------------------------------

-- relintel.median_gap: the median, in seconds, of the gaps between the
-- consecutive (sorted) timestamps of an array; mean of the middle two for
-- an even count; NULL with fewer than two.
CREATE FUNCTION relintel.median_gap(times timestamptz[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'relintel_median_gap'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.median_gap(timestamptz[]) IS
    'median of the gaps between consecutive sorted timestamps, in seconds (mean of the middle two for an even count); NULL with fewer than two';

-- relintel.alert_days: a duration in seconds as whole days, rounded down,
-- for the details ("23 days", "1 day").
CREATE FUNCTION relintel.alert_days(seconds double precision)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN floor(seconds / 86400)::bigint::text
       || CASE WHEN floor(seconds / 86400) = 1 THEN ' day' ELSE ' days' END;
COMMENT ON FUNCTION relintel.alert_days(double precision) IS
    'a duration in seconds as whole days rounded down, for alert details: "23 days", "1 day"';

-- relintel.alerts: every alert at T = as_of.  One grouped pass over the
-- membership of every entity (all_entity_interaction) reduces each entity
-- to the summaries of the five rules: its last engagement, the times of its
-- engaged interactions of the year (for the median gap) and of its outbound
-- emails, the count, first time and external participants of the last 30
-- days, its last and scheduled meetings and calls, and its health states
-- now and 30 days ago; the rules are then comparisons.  Open opportunities
-- without any interaction are read from opportunity (no_next_meeting).
-- PL/pgSQL so that RETURN QUERY may use a parallel plan.
CREATE FUNCTION relintel.alerts(as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (entity_type relintel.entity_type,
               entity_id bigint,
               alert text,
               since timestamptz,
               detail text)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 10000
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
SET work_mem = '256MB'
SET jit = off
SET enable_nestloop = off
SET enable_mergejoin = off
AS $$
DECLARE
    t constant timestamptz := as_of;
    min_silence constant double precision := relintel.setting('min_silence') * 86400;  -- seconds
    dark_factor constant double precision := relintel.setting('dark_factor');
    answer_wait constant interval := make_interval(secs => relintel.setting('answer_wait') * 86400);
    year_ago constant timestamptz := as_of - interval '365 days';
    month_ago constant timestamptz := as_of - interval '30 days';
    weeks_ago constant timestamptz := as_of - interval '21 days';
BEGIN
    RETURN QUERY
    WITH s AS MATERIALIZED (
        SELECT m.entity_type, m.entity_id,
               max(m.occurred_at) FILTER (WHERE m.engaged AND m.occurred_at <= t) AS last_engaged,
               -- going_dark: the engaged interactions of the year
               array_agg(m.occurred_at) FILTER (WHERE m.engaged AND m.occurred_at <= t
                                                  AND m.occurred_at > year_ago) AS engaged_year,
               -- unanswered: the outbound emails (those after last_engaged below)
               array_agg(m.occurred_at) FILTER (WHERE m.kind = 'email' AND m.outbound
                                                  AND m.occurred_at <= t) AS sent,
               -- single_threaded: the last 30 days' interactions and external
               -- participants (one address in all iff lowest = highest)
               count(*) FILTER (WHERE m.occurred_at <= t AND m.occurred_at > month_ago) AS month_n,
               min(m.occurred_at) FILTER (WHERE m.occurred_at <= t AND m.occurred_at > month_ago) AS month_first,
               min(m.external_lowest) FILTER (WHERE m.occurred_at <= t AND m.occurred_at > month_ago) AS month_lowest,
               max(m.external_highest) FILTER (WHERE m.occurred_at <= t AND m.occurred_at > month_ago) AS month_highest,
               -- no_next_meeting: the last meeting or call, and any scheduled
               max(m.occurred_at) FILTER (WHERE m.kind <> 'email' AND m.occurred_at <= t) AS last_meeting,
               count(*) FILTER (WHERE m.kind <> 'email' AND m.occurred_at > t) AS scheduled,
               -- health_drop: the states now and 30 days ago
               relintel.health_agg(m.occurred_at, m.kind, m.outbound, m.duration, m.reply_latency, m.sentiment)
                   FILTER (WHERE m.occurred_at <= t) AS state_now,
               relintel.health_agg(m.occurred_at, m.kind, m.outbound, m.duration, m.reply_latency, m.sentiment)
                   FILTER (WHERE m.occurred_at <= month_ago) AS state_then
          FROM (SELECT ei.*, (NOT ei.outbound OR ei.kind <> 'email') AS engaged
                  FROM relintel.all_entity_interaction AS ei) AS m
         GROUP BY m.entity_type, m.entity_id
    ), open_s AS (
        -- opportunities closed at T get no alert
        SELECT s.*
          FROM s
          LEFT JOIN relintel.opportunity AS o
                 ON s.entity_type = 'opportunity' AND o.id = s.entity_id
         WHERE o.closed_at IS NULL OR o.closed_at > t
    ), found AS (
        SELECT d.entity_type, d.entity_id, 'going_dark'::text AS alert, d.dark_since AS since,
               'no answer or meeting for ' || relintel.alert_days(extract(epoch FROM t - d.last_engaged)::float8)
               || '; usual gap ' || relintel.alert_days(d.typical_gap) AS detail
          FROM (SELECT g.*, g.last_engaged
                       + make_interval(secs => greatest(min_silence, dark_factor * g.typical_gap)) AS dark_since
                  FROM (SELECT os.entity_type, os.entity_id, os.last_engaged,
                               relintel.median_gap(os.engaged_year) AS typical_gap
                          FROM open_s AS os
                         WHERE cardinality(os.engaged_year) >= 3) AS g) AS d
         WHERE d.dark_since < t
        UNION ALL
        SELECT os.entity_type, os.entity_id, 'unanswered', u.first_sent + answer_wait,
               u.sent_count || ' emails since ' || to_char(u.first_sent, 'YYYY-MM-DD') || ' without an answer'
          FROM open_s AS os
         CROSS JOIN LATERAL (SELECT count(*) AS sent_count, min(x) AS first_sent
                               FROM unnest(os.sent) AS x
                              WHERE x > coalesce(os.last_engaged, '-infinity')) AS u
         WHERE cardinality(os.sent) >= 2
           AND u.sent_count >= 2
           AND u.first_sent + answer_wait <= t
        UNION ALL
        SELECT os.entity_type, os.entity_id, 'single_threaded', os.month_first,
               'all ' || os.month_n || ' interactions in 30 days with ' || os.month_lowest
          FROM open_s AS os
         WHERE os.entity_type IN ('opportunity', 'account')
           AND os.month_n >= 3
           AND os.month_lowest = os.month_highest
        UNION ALL
        SELECT 'opportunity', o.id, 'no_next_meeting', coalesce(os.last_meeting, o.created_at) + interval '21 days',
               'no meeting since ' || to_char(coalesce(os.last_meeting, o.created_at), 'YYYY-MM-DD')
               || ' and none scheduled'
          FROM relintel.opportunity AS o
          LEFT JOIN open_s AS os
                 ON os.entity_type = 'opportunity' AND os.entity_id = o.id
         WHERE (o.closed_at IS NULL OR o.closed_at > t)
           AND o.created_at <= weeks_ago
           AND coalesce(os.last_meeting <= weeks_ago, true)
           AND coalesce(os.scheduled, 0) = 0
        UNION ALL
        SELECT h.entity_type, h.entity_id, 'health_drop', t,
               'score ' || h.score_then || ' → ' || h.score_now || ' in 30 days'
          FROM (SELECT os.entity_type, os.entity_id,
                       relintel.score(os.state_now, t) AS score_now,
                       relintel.score(os.state_then, month_ago) AS score_then
                  FROM open_s AS os
                 WHERE os.state_then IS NOT NULL) AS h
         WHERE h.score_now - h.score_then <= -15
    )
    SELECT f.entity_type, f.entity_id, f.alert, f.since, f.detail
      FROM found AS f
     ORDER BY f.entity_type, f.entity_id, f.alert;
END;
$$;
COMMENT ON FUNCTION relintel.alerts(timestamptz) IS
    'alerts of every entity at as_of (going_dark, unanswered, single_threaded, no_next_meeting, health_drop) with since and detail, over interactions up to as_of; closed opportunities get none';


-- ---------------------------------------------------------------------------
-- The alert table, refresh_alerts() and the notifications
-- ---------------------------------------------------------------------------

CREATE TABLE relintel.alert (
    entity_type relintel.entity_type NOT NULL,
    entity_id   bigint NOT NULL,
    alert       text NOT NULL,
    since       timestamptz NOT NULL,
    detail      text NOT NULL,
    first_seen  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (entity_type, entity_id, alert)
);
COMMENT ON TABLE relintel.alert IS
    'the alerts found by the last refresh_alerts() (written only by it); first_seen = the refresh that first found each';
COMMENT ON COLUMN relintel.alert.since IS 'when the condition became true (see alerts())';
COMMENT ON COLUMN relintel.alert.first_seen IS 'time of the refresh_alerts() that first found this alert; kept while it persists';

-- relintel.refresh_alerts: store alerts(now()) in alert: insert the new ones
-- (first_seen = now()), update since and detail of those that persist
-- (first_seen kept), delete those that ended, and send one
-- NOTIFY relintel_alert per new alert with the JSON payload {entity_type,
-- entity_id, alert, since, detail, first_seen}.  Notifications are delivered
-- when the transaction commits, and not at all if it rolls back.  Refreshes
-- are serialized (a lock on alert), so that each new alert is notified once.
-- Returns the number of new alerts.
CREATE FUNCTION relintel.refresh_alerts()
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
SET enable_nestloop = off
AS $$
DECLARE
    new_alerts integer;
BEGIN
    LOCK TABLE relintel.alert IN SHARE ROW EXCLUSIVE MODE;
    -- One statement: the DELETE and the INSERT touch disjoint rows (ended
    -- alerts, current alerts).
    WITH current_alert AS MATERIALIZED (
        SELECT * FROM relintel.alerts(now())
    ), ended AS (
        DELETE FROM relintel.alert AS a
         WHERE NOT EXISTS (SELECT 1 FROM current_alert AS c
                            WHERE c.entity_type = a.entity_type AND c.entity_id = a.entity_id
                              AND c.alert = a.alert)
    ), upserted AS (
        INSERT INTO relintel.alert AS a (entity_type, entity_id, alert, since, detail, first_seen)
        SELECT c.entity_type, c.entity_id, c.alert, c.since, c.detail, now()
          FROM current_alert AS c
         ORDER BY c.entity_type, c.entity_id, c.alert
        ON CONFLICT (entity_type, entity_id, alert) DO UPDATE
           SET since = EXCLUDED.since, detail = EXCLUDED.detail
         WHERE (a.since, a.detail) IS DISTINCT FROM (EXCLUDED.since, EXCLUDED.detail)
        RETURNING a.entity_type, a.entity_id, a.alert, a.since, a.detail, a.first_seen,
                  a.xmax = 0 AS inserted
    )
    SELECT count(pg_notify('relintel_alert',
                           json_build_object('entity_type', u.entity_type, 'entity_id', u.entity_id,
                                             'alert', u.alert, 'since', u.since, 'detail', u.detail,
                                             'first_seen', u.first_seen)::text))
      INTO new_alerts
      FROM (SELECT * FROM upserted AS n WHERE n.inserted
             ORDER BY n.entity_type, n.entity_id, n.alert) AS u;
    RETURN new_alerts;
END;
$$;
COMMENT ON FUNCTION relintel.refresh_alerts() IS
    'stores alerts(now()) in relintel.alert (first_seen kept, ended alerts removed) and sends NOTIFY relintel_alert with a JSON payload per new alert; returns how many are new';

REVOKE ALL ON relintel.alert FROM PUBLIC;
REVOKE ALL ON FUNCTION relintel.alerts(timestamptz), relintel.refresh_alerts() FROM PUBLIC;
