-- ===========================================================================
-- 70_alerts.sql: alerts, what a sales manager must act on (SPEC section 4)
--
--   alerts(as_of)      the alerts of every entity at any time T, computed
--                      from the stored membership (entity_member, with the
--                      stored classification) in one pass
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

-- relintel.median_gap: the median, in seconds, of the gaps between the
-- consecutive (sorted) timestamps of an array; mean of the middle two for
-- an even count; NULL with fewer than two.
CREATE FUNCTION relintel.median_gap(times timestamptz[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'relintel_median_gap'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.median_gap(timestamptz[]) IS
    'median of the gaps between consecutive sorted timestamps, in seconds (mean of the middle two for an even count); NULL with fewer than two';

-- relintel.alert_summary: what one entity's rows say about its alerts at T,
-- the result of alert_summary_agg (see src/alerts.c).
CREATE TYPE relintel.alert_summary AS (
    last_engaged     timestamptz,              -- latest engaged interaction up to T (inbound, or a meeting or call)
    engaged_year     integer,                  -- engaged interactions in the 365 days before T
    typical_gap      double precision,         -- median of their gaps, in seconds (NULL with fewer than two)
    unanswered       bigint,                   -- outbound emails up to T later than last_engaged (all of them without one)
    first_unanswered timestamptz,              -- the first of those
    last_meeting     timestamptz,              -- latest meeting or call up to T
    scheduled        bigint,                   -- meetings and calls after T
    state_now        relintel.health_state,    -- health_agg of the interactions up to T
    state_then       relintel.health_state     -- health_agg of the interactions up to month_ago
);
COMMENT ON TYPE relintel.alert_summary IS
    'what one entity''s interactions say about its alerts at a time T: the result of alert_summary_agg';

CREATE FUNCTION relintel.alert_summary_transfn(internal, timestamptz, relintel.interaction_kind, boolean,
                                               interval, interval, real,
                                               timestamptz, timestamptz, timestamptz)
RETURNS internal
    AS 'MODULE_PATHNAME', 'alert_summary_transfn'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION relintel.alert_summary_combinefn(internal, internal)
RETURNS internal
    AS 'MODULE_PATHNAME', 'alert_summary_combinefn'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION relintel.alert_summary_serialfn(internal)
RETURNS bytea
    AS 'MODULE_PATHNAME', 'alert_summary_serialfn'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION relintel.alert_summary_deserialfn(bytea, internal)
RETURNS internal
    AS 'MODULE_PATHNAME', 'alert_summary_deserialfn'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION relintel.alert_summary_finalfn(internal, timestamptz, relintel.interaction_kind, boolean,
                                               interval, interval, real,
                                               timestamptz, timestamptz, timestamptz)
RETURNS relintel.alert_summary
    AS 'MODULE_PATHNAME', 'alert_summary_finalfn'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION relintel.alert_summary_transfn(internal, timestamptz, relintel.interaction_kind, boolean,
                                                   interval, interval, real,
                                                   timestamptz, timestamptz, timestamptz) IS
    'Transition function of alert_summary_agg: folds one interaction into the entity''s summary';
COMMENT ON FUNCTION relintel.alert_summary_combinefn(internal, internal) IS
    'Combine function of alert_summary_agg: merges two partial summaries (parallel workers)';
COMMENT ON FUNCTION relintel.alert_summary_serialfn(internal) IS
    'Serialization function of alert_summary_agg: a partial summary as bytes, for a parallel worker to send';
COMMENT ON FUNCTION relintel.alert_summary_deserialfn(bytea, internal) IS
    'Deserialization function of alert_summary_agg: a partial summary from the bytes of serialfn';
COMMENT ON FUNCTION relintel.alert_summary_finalfn(internal, timestamptz, relintel.interaction_kind, boolean,
                                                   interval, interval, real,
                                                   timestamptz, timestamptz, timestamptz) IS
    'Final function of alert_summary_agg: the summary at as_of (the two health states, the median gap, the unanswered mail)';

-- relintel.alert_summary_agg(occurred_at, kind, outbound, duration,
-- reply_latency, sentiment, as_of, month_ago, year_ago): one entity's
-- interactions (the arguments of health_agg) reduced to its alert_summary
-- at T = as_of in one transition per row: the health states at T and at
-- month_ago are folded as health_agg folds them (at the session's
-- relintel.health_half_life), the rest are maxima, counts and the two time
-- lists behind the median gap and the unanswered mail.  as_of, month_ago and
-- year_ago are the same for every row (the first row's are used).  Partial
-- summaries combine (parallel workers): the states merge as merge() does,
-- the lists are concatenated.
CREATE AGGREGATE relintel.alert_summary_agg(timestamptz, relintel.interaction_kind, boolean,
                                            interval, interval, real,
                                            timestamptz, timestamptz, timestamptz) (
    SFUNC = relintel.alert_summary_transfn,
    STYPE = internal,
    FINALFUNC = relintel.alert_summary_finalfn,
    FINALFUNC_EXTRA,
    FINALFUNC_MODIFY = READ_ONLY,
    -- the planner's estimate of a summary's memory: measured 1.5 kB per
    -- entity with its hash entry (bench/alerts.sh: 109,585 kB for 73,341
    -- entities); without it the planner assumes 8 kB, and the hash table
    -- spilled to disk after a fifth of the entities (17 batches, 80 MB)
    SSPACE = 1500,
    COMBINEFUNC = relintel.alert_summary_combinefn,
    SERIALFUNC = relintel.alert_summary_serialfn,
    DESERIALFUNC = relintel.alert_summary_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE relintel.alert_summary_agg(timestamptz, relintel.interaction_kind, boolean,
                                                interval, interval, real,
                                                timestamptz, timestamptz, timestamptz) IS
    'one entity''s interactions (occurred_at, kind, outbound, duration, reply_latency, sentiment) reduced to its alert_summary at as_of (with month_ago and year_ago): the alerts'' one grouped pass';

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
-- stored membership of every entity (entity_member) reduces each entity
-- to its alert_summary (alert_summary_agg: its last engagement, the usual
-- gap of the year's engaged interactions, its unanswered outbound emails,
-- its last and scheduled meetings and calls, and its health states now and
-- 30 days ago); a second pass counts the last 30 days' external
-- participants of opportunities and accounts; the rules are then
-- comparisons.  Open opportunities without any interaction are read from
-- opportunity (no_next_meeting).
-- PL/pgSQL so that RETURN QUERY may use a parallel plan.
CREATE FUNCTION relintel.alerts(as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (entity_type relintel.entity_type,
               entity_id bigint,
               alert text,
               since timestamptz,
               detail text)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED ROWS 10000   -- sets the stored settings; its queries run in parallel
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
-- The grouped pass reads all of entity_member.  Its index by entity
-- (entity_member_entity_idx; its primary key until 2026-12-07, when the
-- measurements below were made) is in entity order, its rows in interaction
-- order (they are written as interactions arrive), so a GroupAggregate over
-- that index visits the heap at random; the
-- planner, which estimates the index's correlation from its first column,
-- prefers it.  A hash aggregate over a sequential scan: 7.5 s -> 4.2 s for
-- 1,000,000 interactions (bench/alerts.sh, 2026-12-02, load 3); with
-- alert_summary_agg, 4.0-4.2 s -> 2.55-2.59 s (parallel partial hash
-- aggregates; 2026-12-07, load about 1).
SET enable_indexscan = off
SET relintel.health_half_life = '21'
SET relintel.tie_half_life = '90'
SET relintel.max_tie_participants = 10
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
    PERFORM relintel.use_stored_settings();   -- health 30 days ago folded as the stored states
    RETURN QUERY
    WITH s AS MATERIALIZED (
        SELECT m.entity_type, m.entity_id,
               relintel.alert_summary_agg(m.occurred_at, m.kind, m.outbound, m.duration, m.reply_latency,
                                          m.sentiment, t, month_ago, year_ago) AS summary
          FROM relintel.entity_member AS m
         GROUP BY m.entity_type, m.entity_id
    ), last_month AS (
        -- single_threaded: the last 30 days' interactions of opportunities
        -- and accounts, with their external participants (sorted: one
        -- address in all iff the lowest first equals the highest last)
        SELECT m.entity_type, m.entity_id, count(*) AS month_n, min(m.occurred_at) AS month_first,
               min(f.external_participants[1]) AS month_lowest,
               max(f.external_participants[cardinality(f.external_participants)]) AS month_highest
          FROM relintel.entity_member AS m
          JOIN relintel.interaction_fact AS f ON f.interaction_id = m.interaction_id
         WHERE m.entity_type IN ('opportunity', 'account')
           AND m.occurred_at <= t AND m.occurred_at > month_ago
         GROUP BY m.entity_type, m.entity_id
    ), open_s AS (
        -- opportunities closed at T get no alert
        SELECT s.entity_type, s.entity_id, (s.summary).*
          FROM s
          LEFT JOIN relintel.opportunity AS o
                 ON s.entity_type = 'opportunity' AND o.id = s.entity_id
         WHERE o.closed_at IS NULL OR o.closed_at > t
    ), found AS (
        SELECT d.entity_type, d.entity_id, 'going_dark'::text AS alert, d.dark_since AS since,
               'no answer or meeting for ' || relintel.alert_days(extract(epoch FROM t - d.last_engaged)::float8)
               || '; usual gap ' || relintel.alert_days(d.typical_gap) AS detail
          FROM (SELECT os.entity_type, os.entity_id, os.last_engaged, os.typical_gap,
                       os.last_engaged
                       + make_interval(secs => greatest(min_silence, dark_factor * os.typical_gap)) AS dark_since
                  FROM open_s AS os
                 WHERE os.engaged_year >= 3) AS d
         WHERE d.dark_since < t
        UNION ALL
        SELECT os.entity_type, os.entity_id, 'unanswered', os.first_unanswered + answer_wait,
               os.unanswered || ' emails since ' || to_char(os.first_unanswered, 'YYYY-MM-DD') || ' without an answer'
          FROM open_s AS os
         WHERE os.unanswered >= 2
           AND os.first_unanswered + answer_wait <= t
        UNION ALL
        SELECT os.entity_type, os.entity_id, 'single_threaded', mo.month_first,
               'all ' || mo.month_n || ' interactions in 30 days with ' || mo.month_lowest
          FROM open_s AS os
          JOIN last_month AS mo ON mo.entity_type = os.entity_type AND mo.entity_id = os.entity_id
         WHERE mo.month_n >= 3
           AND mo.month_lowest = mo.month_highest
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


-- The table alert is created with the customer's tables (20_schema.sql).
COMMENT ON COLUMN relintel.alert.id IS
    'the alert''s number, the only thing its notification carries (NOTIFY relintel_alert)';

-- relintel.refresh_alerts: store alerts(now()) in alert: insert the new ones
-- (first_seen = now()), update since and detail of those that persist
-- (first_seen kept), delete those that ended, and send one
-- NOTIFY relintel_alert per new alert with the JSON payload {"alert_id": id},
-- its id in relintel.alert and nothing else: any role may LISTEN, so the
-- payload carries no CRM data; a listener allowed to read relintel.alert
-- looks the alert up by id.  Notifications are delivered
-- when the transaction commits, and not at all if it rolls back.  Refreshes
-- are serialized (a lock on alert), so that each new alert is notified once.
-- Returns the number of new alerts.
-- Planner setting, measured (bench/alerts.sh, 1,000,000 interactions, 37,061
-- alerts): the second refresh, right after the first stored them (alert's
-- statistics still say empty), took 139 s with the nested-loop anti-join the
-- planner then picks for the DELETE, 9 s with hash joins.
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
        RETURNING a.entity_type, a.entity_id, a.alert, a.id, a.xmax = 0 AS inserted
    )
    SELECT count(pg_notify('relintel_alert', json_build_object('alert_id', u.id)::text))
      INTO new_alerts
      FROM (SELECT * FROM upserted AS n WHERE n.inserted
             ORDER BY n.entity_type, n.entity_id, n.alert) AS u;
    RETURN new_alerts;
END;
$$;
COMMENT ON FUNCTION relintel.refresh_alerts() IS
    'stores alerts(now()) in relintel.alert (first_seen kept, ended alerts removed) and sends NOTIFY relintel_alert with the payload {"alert_id": id} per new alert; returns how many are new';

REVOKE ALL ON relintel.alert FROM PUBLIC;
REVOKE ALL ON FUNCTION relintel.alerts(timestamptz), relintel.refresh_alerts() FROM PUBLIC;
