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
-- alerts(as_of)
-- ---------------------------------------------------------------------------

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

-- relintel.alerts: every alert at T = as_of.  One scan of entity_interaction
-- (every entity at once), one sort by entity and time, one window pass (the
-- entity's last engagement, and for each engaged interaction of the last
-- 365 days the previous one, whose difference is a gap) and one grouped
-- pass that reduces each entity to the summaries of the five rules; the
-- rules themselves are then simple comparisons.  Open opportunities without
-- any interaction are read from opportunity (no_next_meeting).
-- PL/pgSQL so that RETURN QUERY may use a parallel plan.
CREATE FUNCTION relintel.alerts(as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (entity_type relintel.entity_type,
               entity_id bigint,
               alert text,
               since timestamptz,
               detail text)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
SET work_mem = '256MB'
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
    WITH m AS (
        SELECT ei.entity_type, ei.entity_id, ei.kind, ei.occurred_at, ei.outbound, ei.duration,
               ei.reply_latency, ei.sentiment, ei.external_participants,
               (NOT ei.outbound OR ei.kind <> 'email') AS engaged,
               ei.occurred_at <= t AS settled
          FROM relintel.entity_interaction AS ei
    ), w AS (
        -- last_engaged: the entity's latest engaged interaction up to T;
        -- previous_engaged: for each row, the latest engaged interaction of
        -- the 365 days before T that precedes it (ROWS: an equal time counts).
        SELECT m.*,
               max(m.occurred_at) FILTER (WHERE m.engaged AND m.settled) OVER e AS last_engaged,
               max(m.occurred_at) FILTER (WHERE m.engaged AND m.settled AND m.occurred_at > year_ago)
                   OVER (e ORDER BY m.occurred_at ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                   AS previous_engaged
          FROM m
        WINDOW e AS (PARTITION BY m.entity_type, m.entity_id)
    ), s AS MATERIALIZED (
        SELECT w.entity_type, w.entity_id,
               max(w.last_engaged) AS last_engaged,
               -- going_dark: engaged interactions of the year and their gaps
               count(*) FILTER (WHERE w.engaged AND w.settled AND w.occurred_at > year_ago) AS engaged_year,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM w.occurred_at - w.previous_engaged)::float8)
                   FILTER (WHERE w.engaged AND w.settled AND w.occurred_at > year_ago) AS typical_gap,
               -- unanswered: outbound emails after the last engagement
               count(*) FILTER (WHERE w.kind = 'email' AND w.outbound AND w.settled
                                  AND w.occurred_at > coalesce(w.last_engaged, '-infinity')) AS unanswered,
               min(w.occurred_at) FILTER (WHERE w.kind = 'email' AND w.outbound AND w.settled
                                  AND w.occurred_at > coalesce(w.last_engaged, '-infinity')) AS first_unanswered,
               -- single_threaded: the window's interactions and external participants
               -- (each array is sorted: one address in all iff lowest first = highest last)
               count(*) FILTER (WHERE w.settled AND w.occurred_at > month_ago) AS month_n,
               min(w.occurred_at) FILTER (WHERE w.settled AND w.occurred_at > month_ago) AS month_first,
               min(w.external_participants[1]) FILTER (WHERE w.settled AND w.occurred_at > month_ago) AS month_lowest,
               max(w.external_participants[cardinality(w.external_participants)])
                   FILTER (WHERE w.settled AND w.occurred_at > month_ago) AS month_highest,
               -- no_next_meeting: last meeting or call, and any scheduled one
               max(w.occurred_at) FILTER (WHERE w.kind <> 'email' AND w.settled) AS last_meeting,
               count(*) FILTER (WHERE w.kind <> 'email' AND NOT w.settled) AS scheduled,
               -- health_drop: the states now and 30 days ago
               relintel.health_agg(w.occurred_at, w.kind, w.outbound, w.duration, w.reply_latency, w.sentiment)
                   FILTER (WHERE w.settled) AS state_now,
               relintel.health_agg(w.occurred_at, w.kind, w.outbound, w.duration, w.reply_latency, w.sentiment)
                   FILTER (WHERE w.occurred_at <= month_ago) AS state_then
          FROM w
         GROUP BY w.entity_type, w.entity_id
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
          FROM (SELECT os.*, os.last_engaged
                       + make_interval(secs => greatest(min_silence, dark_factor * os.typical_gap)) AS dark_since
                  FROM open_s AS os
                 WHERE os.engaged_year >= 3) AS d
         WHERE d.dark_since < t
        UNION ALL
        SELECT os.entity_type, os.entity_id, 'unanswered', os.first_unanswered + answer_wait,
               os.unanswered || ' emails since ' || to_char(os.first_unanswered, 'YYYY-MM-DD')
               || ' without an answer'
          FROM open_s AS os
         WHERE os.unanswered >= 2
           AND os.first_unanswered + answer_wait <= t
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
