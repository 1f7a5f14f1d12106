-- ===========================================================================
-- 40_views.sql: health views, KPIs and activity history (SPEC section 3)
--
-- The four health views read the maintained states (entity_health, kept
-- fresh by the triggers of 60_maintenance.sql, pending interactions left
-- out); health_at() folds the same from the stored membership
-- (entity_member) for any time.  KPIs and the activity history read the
-- stored membership and classification for their windows; pending
-- interactions (occurred_at later than as_of) are left out of them, except
-- as the KPIs' next interaction.
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Health states evaluated now
-- ---------------------------------------------------------------------------

-- relintel.health_report: the columns shared by the four health views, for
-- a state (NULL: no interactions) evaluated at as_of, computed in one pass
-- in C (src/health.c).  An entity with fewer than 3 interactions is
-- "insufficient", with score, trend and trend slope NULL; its factors are
-- still shown.
CREATE FUNCTION relintel.health_report(state relintel.health_state, as_of timestamptz,
    OUT score integer,
    OUT status relintel.health_status,
    OUT trend relintel.health_trend,
    OUT trend_slope double precision,
    OUT last_interaction_at timestamptz,
    OUT last_engaged_at timestamptz,
    OUT interactions bigint,
    OUT recency double precision,
    OUT frequency double precision,
    OUT reciprocity double precision,
    OUT responsiveness double precision,
    OUT momentum double precision,
    OUT sentiment double precision)
    AS 'MODULE_PATHNAME', 'health_report'
    LANGUAGE C STABLE PARALLEL SAFE
    COST 100;   -- the planner computes it after a sort with a LIMIT (health views)

COMMENT ON FUNCTION relintel.health_report(relintel.health_state, timestamptz) IS
    'score, status, trend, trend slope, last interaction, last engagement, n and factors of a health state at as_of (NULL state: insufficient, 0 interactions)';


-- relintel.health_at: the health of one entity at any time as_of, from its
-- counted interactions up to as_of (what the views show at now()), folded
-- from the stored membership with the database's half-life, as the stored
-- states are.
CREATE FUNCTION relintel.health_at(entity_type relintel.entity_type,
                                   entity_id bigint,
                                   as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (score integer,
               status relintel.health_status,
               trend relintel.health_trend,
               trend_slope double precision,
               last_interaction_at timestamptz,
               last_engaged_at timestamptz,
               interactions bigint,
               recency double precision,
               frequency double precision,
               reciprocity double precision,
               responsiveness double precision,
               momentum double precision,
               sentiment double precision)
LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED ROWS 1   -- sets the stored settings
SET search_path = pg_catalog, pg_temp
SET relintel.health_half_life = '21'
SET relintel.tie_half_life = '90'
SET relintel.max_tie_participants = 10
AS $$
    SELECT relintel.use_stored_settings();
    SELECT h.*
      FROM (SELECT relintel.health_agg(ei.occurred_at, ei.kind, ei.outbound, ei.duration,
                                       ei.reply_latency, ei.sentiment) AS state
              FROM relintel.entity_member AS ei
             WHERE ei.entity_type = $1
               AND ei.entity_id = $2
               AND ei.occurred_at <= $3) AS s
     CROSS JOIN LATERAL relintel.health_report(s.state, $3) AS h
$$;

COMMENT ON FUNCTION relintel.health_at(relintel.entity_type, bigint, timestamptz) IS
    'health of one entity at as_of (score, status, trend, factors) from its counted interactions up to as_of';


-- ---------------------------------------------------------------------------
-- Health views
-- ---------------------------------------------------------------------------

-- Each view reads the maintained state of every entity of its table (none:
-- insufficient).  The score is its own call of score(), which the planner
-- evaluates below a sort; every other column is read from one
-- health_report() call (COST 100) column by column, so that the at-risk
-- list, ORDER BY score LIMIT n, computes the score alone for every row and
-- the other columns only for the n rows it keeps (the planner evaluates a
-- costly column after the sort when a LIMIT follows it).  Reading a whole
-- row still computes its report once: score() and health_report() keep the
-- report of the row being read (src/health.c).  Taking the score out of the
-- report saves forming and reading a 13-column record per row: the at-risk
-- list over 100,000 opportunities went from 181 to 142 ms serially.

CREATE VIEW relintel.contact_health AS
SELECT e.id,
       COALESCE(e.full_name, e.email) AS name,
       relintel.score(s.state, pg_catalog.now()) AS score,
       (h.report).status, (h.report).trend, (h.report).trend_slope,
       (h.report).last_interaction_at, (h.report).last_engaged_at, (h.report).interactions,
       (h.report).recency, (h.report).frequency, (h.report).reciprocity,
       (h.report).responsiveness, (h.report).momentum, (h.report).sentiment,
       e.account_id,
       e.email
  FROM relintel.contact AS e
  LEFT JOIN relintel.entity_health AS s
         ON s.entity_type OPERATOR(pg_catalog.=) 'contact'
        AND s.entity_id OPERATOR(pg_catalog.=) e.id
 CROSS JOIN LATERAL (SELECT relintel.health_report(s.state, pg_catalog.now()) AS report) AS h;

COMMENT ON VIEW relintel.contact_health IS
    'health of every contact now: score 0-100, status, trend, last interaction and factors (name = full name, else email), with its account and email';

CREATE VIEW relintel.lead_health AS
SELECT e.id,
       COALESCE(e.full_name, e.email) AS name,
       relintel.score(s.state, pg_catalog.now()) AS score,
       (h.report).status, (h.report).trend, (h.report).trend_slope,
       (h.report).last_interaction_at, (h.report).last_engaged_at, (h.report).interactions,
       (h.report).recency, (h.report).frequency, (h.report).reciprocity,
       (h.report).responsiveness, (h.report).momentum, (h.report).sentiment,
       e.email,
       e.company
  FROM relintel.lead AS e
  LEFT JOIN relintel.entity_health AS s
         ON s.entity_type OPERATOR(pg_catalog.=) 'lead'
        AND s.entity_id OPERATOR(pg_catalog.=) e.id
 CROSS JOIN LATERAL (SELECT relintel.health_report(s.state, pg_catalog.now()) AS report) AS h;

COMMENT ON VIEW relintel.lead_health IS
    'health of every lead now: score 0-100, status, trend, last interaction and factors (name = full name, else email), with its email and company';

CREATE VIEW relintel.account_health AS
SELECT e.id,
       e.name AS name,
       relintel.score(s.state, pg_catalog.now()) AS score,
       (h.report).status, (h.report).trend, (h.report).trend_slope,
       (h.report).last_interaction_at, (h.report).last_engaged_at, (h.report).interactions,
       (h.report).recency, (h.report).frequency, (h.report).reciprocity,
       (h.report).responsiveness, (h.report).momentum, (h.report).sentiment,
       e.domain
  FROM relintel.account AS e
  LEFT JOIN relintel.entity_health AS s
         ON s.entity_type OPERATOR(pg_catalog.=) 'account'
        AND s.entity_id OPERATOR(pg_catalog.=) e.id
 CROSS JOIN LATERAL (SELECT relintel.health_report(s.state, pg_catalog.now()) AS report) AS h;

COMMENT ON VIEW relintel.account_health IS
    'health of every account now: score 0-100, status, trend, last interaction and factors, with its domain';

CREATE VIEW relintel.opportunity_health AS
SELECT e.id,
       e.name AS name,
       relintel.score(s.state, pg_catalog.now()) AS score,
       (h.report).status, (h.report).trend, (h.report).trend_slope,
       (h.report).last_interaction_at, (h.report).last_engaged_at, (h.report).interactions,
       (h.report).recency, (h.report).frequency, (h.report).reciprocity,
       (h.report).responsiveness, (h.report).momentum, (h.report).sentiment,
       e.account_id,
       e.owner_id,
       e.created_at,
       e.closed_at
  FROM relintel.opportunity AS e
  LEFT JOIN relintel.entity_health AS s
         ON s.entity_type OPERATOR(pg_catalog.=) 'opportunity'
        AND s.entity_id OPERATOR(pg_catalog.=) e.id
 CROSS JOIN LATERAL (SELECT relintel.health_report(s.state, pg_catalog.now()) AS report) AS h;

COMMENT ON VIEW relintel.opportunity_health IS
    'health of every opportunity now: score 0-100, status, trend, last interaction and factors, with its account, owner and open period';


-- ---------------------------------------------------------------------------
-- KPIs
-- ---------------------------------------------------------------------------

-- relintel.kpis: the windowed KPIs of one entity over its counted
-- interactions with as_of - window < occurred_at <= as_of (SPEC section 3).
-- Time spent: an email costs its writer 5 minutes and each reader on the
-- other side 2.5 (for an inbound email the internal participants are its
-- internal recipients, for an outbound one the external participants are its
-- external recipients); a meeting or call costs its duration (NULL: 0) times
-- the number of participants on that side.  Responses are the window's
-- replies (the mail they answer may be older).  The last interaction is
-- taken up to as_of regardless of the window, the next one among the
-- entity's meetings and calls after as_of; a later id wins a tie in time.
-- top_colleagues / top_external: up to 3 addresses by number of the
-- window's interactions they take part in, ties by address; empty when none.
CREATE FUNCTION relintel.kpis(entity_type relintel.entity_type,
                              entity_id bigint,
                              "window" interval DEFAULT '30 days',
                              as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (emails_sent bigint,
               emails_received bigint,
               meetings bigint,
               calls_made bigint,
               calls_received bigint,
               time_spent_by_us interval,
               time_spent_by_them interval,
               their_response_rate double precision,
               our_response_rate double precision,
               their_response_time interval,
               our_response_time interval,
               last_interaction_at timestamptz,
               last_interaction_kind relintel.interaction_kind,
               last_interaction_direction text,
               last_interaction_colleague text,
               next_interaction_at timestamptz,
               next_interaction_kind relintel.interaction_kind,
               top_colleagues text[],
               top_external text[])
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 1
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
    IF kpis."window" <= interval '0' THEN
        RAISE EXCEPTION 'window must be positive: "%"', kpis."window"
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    RETURN QUERY
    WITH member AS (
        SELECT m.interaction_id, m.kind, m.occurred_at, m.outbound, m.duration, m.reply_latency,
               f.sender, f.internal_participants, f.external_participants
          FROM relintel.entity_member AS m
          JOIN relintel.interaction_fact AS f ON f.interaction_id = m.interaction_id
         WHERE m.entity_type = kpis.entity_type
           AND m.entity_id = kpis.entity_id
    ), win AS (
        SELECT m.*
          FROM member AS m
         WHERE m.occurred_at > kpis.as_of - kpis."window"
           AND m.occurred_at <= kpis.as_of
    ), counts AS (
        SELECT count(*) FILTER (WHERE w.kind = 'email' AND w.outbound) AS emails_sent,
               count(*) FILTER (WHERE w.kind = 'email' AND NOT w.outbound) AS emails_received,
               count(*) FILTER (WHERE w.kind = 'meeting') AS meetings,
               count(*) FILTER (WHERE w.kind = 'call' AND w.outbound) AS calls_made,
               count(*) FILTER (WHERE w.kind = 'call' AND NOT w.outbound) AS calls_received,
               COALESCE(sum(cardinality(w.internal_participants))
                            FILTER (WHERE w.kind = 'email' AND NOT w.outbound), 0) AS our_reads,
               COALESCE(sum(cardinality(w.external_participants))
                            FILTER (WHERE w.kind = 'email' AND w.outbound), 0) AS their_reads,
               COALESCE(sum(COALESCE(w.duration, interval '0') * cardinality(w.internal_participants))
                            FILTER (WHERE w.kind <> 'email'), interval '0') AS our_time_together,
               COALESCE(sum(COALESCE(w.duration, interval '0') * cardinality(w.external_participants))
                            FILTER (WHERE w.kind <> 'email'), interval '0') AS their_time_together,
               count(*) FILTER (WHERE w.reply_latency IS NOT NULL AND NOT w.outbound) AS their_responses,
               count(*) FILTER (WHERE w.reply_latency IS NOT NULL AND w.outbound) AS our_responses,
               avg(w.reply_latency) FILTER (WHERE NOT w.outbound) AS their_response_time,
               avg(w.reply_latency) FILTER (WHERE w.outbound) AS our_response_time
          FROM win AS w
    ), last_one AS (
        SELECT m.occurred_at, m.kind, m.outbound,
               CASE WHEN m.outbound THEN m.sender
                    ELSE (SELECT r.address
                            FROM relintel.interaction AS i
                           CROSS JOIN LATERAL unnest(i.recipients) WITH ORDINALITY AS r(address, ord)
                           WHERE i.id = m.interaction_id
                             AND r.address = ANY (m.internal_participants)
                           ORDER BY r.ord
                           LIMIT 1)
               END AS colleague
          FROM member AS m
         WHERE m.occurred_at <= kpis.as_of
         ORDER BY m.occurred_at DESC, m.interaction_id DESC
         LIMIT 1
    ), next_one AS (
        SELECT m.occurred_at, m.kind
          FROM member AS m
         WHERE m.occurred_at > kpis.as_of
           AND m.kind IN ('meeting', 'call')
         ORDER BY m.occurred_at, m.interaction_id
         LIMIT 1
    ), side AS (
        SELECT p.address, p.internal, count(*) AS n
          FROM win AS w
         CROSS JOIN LATERAL (
                SELECT a, true AS internal FROM unnest(w.internal_participants) AS a
                UNION ALL
                SELECT a, false FROM unnest(w.external_participants) AS a
               ) AS p(address, internal)
         GROUP BY p.address, p.internal
    )
    SELECT c.emails_sent,
           c.emails_received,
           c.meetings,
           c.calls_made,
           c.calls_received,
           interval '5 minutes' * c.emails_sent
             + interval '150 seconds' * c.our_reads
             + c.our_time_together,
           interval '5 minutes' * c.emails_received
             + interval '150 seconds' * c.their_reads
             + c.their_time_together,
           CASE WHEN c.emails_sent > 0
                THEN c.their_responses::double precision / c.emails_sent END,
           CASE WHEN c.emails_received > 0
                THEN c.our_responses::double precision / c.emails_received END,
           c.their_response_time,
           c.our_response_time,
           l.occurred_at,
           l.kind,
           CASE WHEN l.outbound THEN 'outbound' WHEN NOT l.outbound THEN 'inbound' END,
           l.colleague,
           x.occurred_at,
           x.kind,
           COALESCE((SELECT array_agg(t.address ORDER BY t.n DESC, t.address)
                       FROM (SELECT s.address, s.n FROM side AS s WHERE s.internal
                              ORDER BY s.n DESC, s.address LIMIT 3) AS t), '{}'),
           COALESCE((SELECT array_agg(t.address ORDER BY t.n DESC, t.address)
                       FROM (SELECT s.address, s.n FROM side AS s WHERE NOT s.internal
                              ORDER BY s.n DESC, s.address LIMIT 3) AS t), '{}')
      FROM counts AS c
      LEFT JOIN last_one AS l ON true
      LEFT JOIN next_one AS x ON true;
END;
$$;

COMMENT ON FUNCTION relintel.kpis(relintel.entity_type, bigint, interval, timestamptz) IS
    'windowed KPIs of one entity (as_of - window < occurred_at <= as_of): email, meeting and call counts, time spent, response rates and times, last and next interaction, top participants';


-- ---------------------------------------------------------------------------
-- Activity history
-- ---------------------------------------------------------------------------

-- relintel.activity_history: one row per bucket [from + k*bucket,
-- from + (k+1)*bucket) while its start is before "to" (the last bucket is
-- whole even when it ends after "to"), empty buckets
-- included, counting the entity's counted interactions by kind and
-- direction and the minutes of its meetings and calls.  The range is the
-- caller's choice, so scheduled (future) meetings and calls in it are shown;
-- it must be finite and hold at most 100,000 buckets (22023 otherwise).
CREATE FUNCTION relintel.activity_history(entity_type relintel.entity_type,
                                          entity_id bigint,
                                          "from" timestamptz,
                                          "to" timestamptz,
                                          bucket interval DEFAULT '1 day')
RETURNS TABLE (bucket_start timestamptz,
               emails_out bigint,
               emails_in bigint,
               meetings bigint,
               calls_out bigint,
               calls_in bigint,
               minutes double precision)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
    IF activity_history.bucket <= interval '0' THEN
        RAISE EXCEPTION 'bucket must be positive: "%"', activity_history.bucket
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF activity_history."from" > activity_history."to" THEN
        RAISE EXCEPTION 'from must not be later than to: "%" > "%"',
                        activity_history."from", activity_history."to"
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT (isfinite(activity_history."from") AND isfinite(activity_history."to")) THEN
        RAISE EXCEPTION 'from and to must be finite: "%", "%"', activity_history."from", activity_history."to"
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- at most 100,000 buckets (months counted as 30 days for this bound)
    IF extract(epoch FROM activity_history."to" - activity_history."from")
       > 100000 * extract(epoch FROM activity_history.bucket) THEN
        RAISE EXCEPTION 'more than 100000 buckets of "%" from "%" to "%"',
                        activity_history.bucket, activity_history."from", activity_history."to"
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    RETURN QUERY
    WITH RECURSIVE b(k, lo, hi) AS (
        SELECT 0::bigint, activity_history."from", activity_history."from" + activity_history.bucket
         WHERE activity_history."from" < activity_history."to"
        UNION ALL
        SELECT b.k + 1, b.hi, activity_history."from" + (b.k + 2) * activity_history.bucket
          FROM b
         WHERE b.hi < activity_history."to"
    ), member AS (
        SELECT ei.kind, ei.outbound, ei.occurred_at, ei.duration
          FROM relintel.entity_member AS ei
         WHERE ei.entity_type = activity_history.entity_type
           AND ei.entity_id = activity_history.entity_id
           AND ei.occurred_at >= activity_history."from"
    )
    SELECT b.lo,
           count(m.kind) FILTER (WHERE m.kind = 'email' AND m.outbound),
           count(m.kind) FILTER (WHERE m.kind = 'email' AND NOT m.outbound),
           count(m.kind) FILTER (WHERE m.kind = 'meeting'),
           count(m.kind) FILTER (WHERE m.kind = 'call' AND m.outbound),
           count(m.kind) FILTER (WHERE m.kind = 'call' AND NOT m.outbound),
           COALESCE(sum(extract(epoch FROM m.duration)::double precision / 60)
                        FILTER (WHERE m.kind <> 'email'), 0)
      FROM b
      LEFT JOIN member AS m
             ON m.occurred_at >= b.lo
            AND m.occurred_at < b.hi
     GROUP BY b.k, b.lo
     ORDER BY b.k;
END;
$$;

COMMENT ON FUNCTION relintel.activity_history(relintel.entity_type, bigint, timestamptz, timestamptz, interval) IS
    'per bucket from + k*bucket (< to, empty ones included): emails and calls out and in, meetings, minutes of meetings and calls of one entity';
