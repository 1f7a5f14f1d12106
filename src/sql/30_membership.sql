-- ===========================================================================
-- 30_membership.sql: the rules of classification, replies and membership
-- (SPEC section 1), stated once, for a set of interactions
--
--   classify(ids)            interaction -> interaction_fact rows: the
--                            participants by side, counts, direction, and
--                            the reply rule
--   entity_membership(ids)   interaction_fact -> entity_member rows: which
--                            counted interaction belongs to which entity
--   tie_membership(ids)      interaction_fact -> tie_member rows: which
--                            counted interaction links colleague and address
--   interactions_touching()  the other direction: which interactions a
--                            changed row of a CRM or directory table may
--                            move (found through indexes)
--
-- ids is a set of interaction ids (rebuild() and verify() go through all of
-- them in chunks).  Each function is one query of hash-joinable set
-- operations: the triggers and rebuild() write what they return
-- (60_maintenance.sql), verify() compares it with what is stored, and every
-- reader reads what is stored.  The functions are SQL with a BEGIN ATOMIC
-- body: their names are bound when they are created (no search_path can
-- redirect them) and, having no SET clause, the planner inlines them into
-- the calling statement, so a set of one interaction is planned as index
-- probes and a set of a million as hash joins.  A plan made for no
-- particular set (a generic plan, which maintain() keeps for small sets)
-- assumes a few ids: the set is never "everything", which such a plan could
-- not rule out.
--
-- Nothing here looks at the clock: leaving pending (future) interactions out
-- is the fold's and the readers' business.  None of it is granted to anyone:
-- it shows who wrote to whom.
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Domains of participants (also indexed, for account and internal domains)
-- ---------------------------------------------------------------------------

-- The distinct email domains of an interaction's participants.
CREATE FUNCTION relintel.participant_domains(sender text, recipients text[]) RETURNS text[]
    AS 'MODULE_PATHNAME', 'relintel_participant_domains'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.participant_domains(text, text[]) IS
    'distinct email domains of an interaction''s participants';

CREATE INDEX interaction_domains_idx ON relintel.interaction
    USING gin (relintel.participant_domains(sender, recipients));
COMMENT ON INDEX relintel.interaction_domains_idx IS 'the interactions of an email domain (accounts, internal domains)';


-- ---------------------------------------------------------------------------
-- Classification and replies
-- ---------------------------------------------------------------------------

-- relintel.id_set: the interaction ids of a set (distinct), as rows, as
-- unnest: a join with it is planned as index probes for a few ids and as a
-- hash join for many, its size known from the array's length (unlike "=
-- ANY" of a long array, or a semi-join, whose distinct count the planner
-- would guess).  A plan made for no particular array (a generic plan)
-- assumes one id (src/id_set.c), so that it probes by index.
CREATE FUNCTION relintel.id_set_rows(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'relintel_id_set_support'
    LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.id_set_rows(internal) IS
    'planner support of id_set: its rows are the length of a constant array, else one';
CREATE FUNCTION relintel.id_set(ids bigint[])
RETURNS TABLE (id bigint)
    AS 'MODULE_PATHNAME', 'relintel_id_set'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE SUPPORT relintel.id_set_rows;
COMMENT ON FUNCTION relintel.id_set(bigint[]) IS
    'the given interaction ids as rows';

-- relintel.sorted_addresses: the distinct elements of an array, sorted (as
-- array_agg(DISTINCT a ORDER BY a) gives them, without a sort per group).
CREATE FUNCTION relintel.sorted_addresses(addresses text[]) RETURNS text[]
    AS 'MODULE_PATHNAME', 'relintel_sorted_addresses'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.sorted_addresses(text[]) IS
    'the distinct elements of a text array, sorted in its collation (one NULL last)';

-- relintel.classify: one interaction_fact row per interaction of ids.
-- Participants = sender + recipients as a set, sorted; a participant is
-- internal when it is a colleague's email or its domain is in
-- internal_domain.  An interaction counts when it has an internal and an
-- external participant, and is outbound when its sender is internal.
-- R replies to P when R.in_reply_to = P.message_id, both are emails that
-- count, their directions differ and R is not earlier than P; the latency is
-- R.occurred_at - P.occurred_at.  The mail P that an interaction R answers
-- is classified in the same pass, from the base tables as they are now (its
-- participants are R's group's rows with own = false), so the answer does
-- not depend on the order in which R and P were written, nor on whether P
-- is in ids.
CREATE FUNCTION relintel.classify(ids bigint[])
RETURNS SETOF relintel.interaction_fact
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT s.id, s.kind, s.occurred_at, s.duration, s.sentiment, s.regarding_type, s.regarding_id,
           s.sender, s.counts, s.outbound, s.internal_participants, s.external_participants,
           CASE WHEN s.replies THEN s.parent_id END,
           CASE WHEN s.replies THEN s.occurred_at OPERATOR(pg_catalog.-) s.parent_occurred_at END
      FROM (SELECT k.*,
                   k.counts AND k.parent_counts
                   AND k.parent_outbound OPERATOR(pg_catalog.<>) k.outbound
                   AND k.occurred_at OPERATOR(pg_catalog.>=) k.parent_occurred_at AS replies
              FROM (SELECT g.*,
                           (pg_catalog.cardinality(g.internal_participants) OPERATOR(pg_catalog.>) 0
                            AND pg_catalog.cardinality(g.external_participants) OPERATOR(pg_catalog.>) 0) AS counts
                      FROM (
        -- each participant of the interaction (own) and of the mail it
        -- answers (not own; no row when it answers none) once per row,
        -- internal when a colleague's email or at an internal domain
        -- (without "p.id IS NOT NULL" below, an interaction answering none
        -- got one NULL row: 10 % more time for 500,000 interactions)
        SELECT i.id, i.kind, i.occurred_at, i.duration, i.sentiment, i.regarding_type,
               i.regarding_id, i.sender, p.id AS parent_id, p.occurred_at AS parent_occurred_at,
               COALESCE(relintel.sorted_addresses(pg_catalog.array_agg(a.address)
                            FILTER (WHERE a.own AND (c.email IS NOT NULL OR d.domain IS NOT NULL))), '{}') AS internal_participants,
               COALESCE(relintel.sorted_addresses(pg_catalog.array_agg(a.address)
                            FILTER (WHERE a.own AND c.email IS NULL AND d.domain IS NULL)), '{}') AS external_participants,
               COALESCE(pg_catalog.bool_or(a.address OPERATOR(pg_catalog.=) i.sender
                                           AND (c.email IS NOT NULL OR d.domain IS NOT NULL))
                            FILTER (WHERE a.own), false) AS outbound,
               COALESCE(pg_catalog.bool_or(c.email IS NOT NULL OR d.domain IS NOT NULL)
                            FILTER (WHERE NOT a.own), false)
               AND COALESCE(pg_catalog.bool_or(c.email IS NULL AND d.domain IS NULL)
                                FILTER (WHERE NOT a.own), false) AS parent_counts,
               COALESCE(pg_catalog.bool_or(a.address OPERATOR(pg_catalog.=) p.sender
                                           AND (c.email IS NOT NULL OR d.domain IS NOT NULL))
                            FILTER (WHERE NOT a.own), false) AS parent_outbound
          FROM relintel.id_set(ids) AS t
          JOIN relintel.interaction AS i ON i.id OPERATOR(pg_catalog.=) t.id
          LEFT JOIN relintel.interaction AS p
                 ON p.message_id OPERATOR(pg_catalog.=) i.in_reply_to
                AND p.kind OPERATOR(pg_catalog.=) 'email'
                AND i.kind OPERATOR(pg_catalog.=) 'email'
         CROSS JOIN LATERAL (SELECT x, true
                               FROM pg_catalog.unnest(pg_catalog.array_prepend(i.sender, i.recipients)) AS x
                             UNION ALL
                             SELECT x, false
                               FROM pg_catalog.unnest(pg_catalog.array_prepend(p.sender, p.recipients)) AS x
                              WHERE p.id IS NOT NULL)
               AS a(address, own)
          LEFT JOIN relintel.colleague AS c ON c.email OPERATOR(pg_catalog.=) a.address
          LEFT JOIN relintel.internal_domain AS d
                 ON d.domain OPERATOR(pg_catalog.=) pg_catalog.split_part(a.address, '@', 2)
         GROUP BY i.id, p.id) AS g) AS k) AS s;
END;
COMMENT ON FUNCTION relintel.classify(bigint[]) IS
    'the classification rule: interaction_fact rows (participants by side, counts, outbound, reply and latency) of the interactions ids, from the base tables';


-- ---------------------------------------------------------------------------
-- Entity membership
-- ---------------------------------------------------------------------------

-- relintel.entity_membership: which counted interactions of ids
-- belong to which entity, each pair once, read from their stored
-- interaction_fact rows:
--   contact      its email is a participant;
--   lead         its email is a participant, or the interaction regards it;
--   account      a participant is one of its contacts' emails, or has the
--                account's domain, or the interaction regards it;
--   opportunity  the interaction regards it, or a participant is one of its
--                stakeholder contacts; and created_at <= occurred_at <=
--                coalesce(closed_at, 'infinity').
-- A "regarding" pointing to a row that does not exist matches nothing.
CREATE FUNCTION relintel.entity_membership(ids bigint[])
RETURNS SETOF relintel.entity_member
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH fact AS (
        SELECT f.interaction_id, f.occurred_at, f.kind, f.outbound, f.duration, f.reply_latency,
               f.sentiment, f.regarding_type, f.regarding_id, f.internal_participants,
               f.external_participants
          FROM relintel.id_set(ids) AS s
          JOIN relintel.interaction_fact AS f ON f.interaction_id OPERATOR(pg_catalog.=) s.id
         WHERE f.counts
    ), participant AS (
        -- (unnest in the select list: no function scan per interaction,
        -- 5 % less time for 500,000 interactions)
        SELECT f.interaction_id, f.occurred_at,
               pg_catalog.unnest(f.internal_participants OPERATOR(pg_catalog.||)
                                 f.external_participants) AS address
          FROM fact AS f
    ), contact_participant AS (
        -- the participants that are contacts (each contact brings itself,
        -- its account and the opportunities it is a stakeholder of)
        SELECT p.interaction_id, p.occurred_at, c.id AS contact_id, c.account_id
          FROM participant AS p JOIN relintel.contact AS c ON c.email OPERATOR(pg_catalog.=) p.address
    ), member AS (
        SELECT cp.interaction_id, 'contact'::relintel.entity_type AS entity_type, cp.contact_id AS entity_id
          FROM contact_participant AS cp
        UNION
        SELECT cp.interaction_id, 'account', cp.account_id
          FROM contact_participant AS cp
         WHERE cp.account_id IS NOT NULL
        UNION
        SELECT cp.interaction_id, 'opportunity', o.id
          FROM contact_participant AS cp
          JOIN relintel.opportunity_contact AS oc ON oc.contact_id OPERATOR(pg_catalog.=) cp.contact_id
          JOIN relintel.opportunity AS o ON o.id OPERATOR(pg_catalog.=) oc.opportunity_id
         WHERE cp.occurred_at OPERATOR(pg_catalog.>=) o.created_at
           AND cp.occurred_at OPERATOR(pg_catalog.<=) COALESCE(o.closed_at, 'infinity')
        UNION
        SELECT p.interaction_id, 'lead', l.id
          FROM participant AS p JOIN relintel.lead AS l ON l.email OPERATOR(pg_catalog.=) p.address
        UNION
        SELECT p.interaction_id, 'account', a.id
          FROM participant AS p JOIN relintel.account AS a
            ON a.domain OPERATOR(pg_catalog.=) pg_catalog.split_part(p.address, '@', 2)
        UNION
        SELECT f.interaction_id, 'lead', l.id
          FROM fact AS f JOIN relintel.lead AS l ON l.id OPERATOR(pg_catalog.=) f.regarding_id
         WHERE f.regarding_type OPERATOR(pg_catalog.=) 'lead'
        UNION
        SELECT f.interaction_id, 'account', a.id
          FROM fact AS f JOIN relintel.account AS a ON a.id OPERATOR(pg_catalog.=) f.regarding_id
         WHERE f.regarding_type OPERATOR(pg_catalog.=) 'account'
        UNION
        SELECT f.interaction_id, 'opportunity', o.id
          FROM fact AS f JOIN relintel.opportunity AS o ON o.id OPERATOR(pg_catalog.=) f.regarding_id
         WHERE f.regarding_type OPERATOR(pg_catalog.=) 'opportunity'
           AND f.occurred_at OPERATOR(pg_catalog.>=) o.created_at
           AND f.occurred_at OPERATOR(pg_catalog.<=) COALESCE(o.closed_at, 'infinity')
    )
    SELECT m.entity_type, m.entity_id, f.interaction_id, f.occurred_at, f.kind, f.outbound,
           f.duration, f.reply_latency, f.sentiment
      FROM member AS m
      JOIN fact AS f ON f.interaction_id OPERATOR(pg_catalog.=) m.interaction_id;
END;
COMMENT ON FUNCTION relintel.entity_membership(bigint[]) IS
    'the membership rule: entity_member rows (which counted interaction belongs to which entity) of the interactions ids, from their interaction_fact rows';


-- ---------------------------------------------------------------------------
-- Tie membership
-- ---------------------------------------------------------------------------

-- relintel.tie_membership: the ties of the counted interactions of ids,
-- from their interaction_fact rows.  An interaction links
-- colleague u (a row of colleague) and external address x when it is an
-- email whose sender is one of them and whose recipients include the other,
-- or a meeting or call in which both take part; one with more than
-- max_tie_participants distinct participants (mass mail, town halls) links
-- no one (its current value: every caller applies the database's first,
-- relintel.use_stored_settings()).  outbound: u is the sender, organizer or caller.
-- Opted-out colleagues are kept: who_knows hides them, so that opting out or
-- back in acts at once.  Since u is internal and x external, both are
-- participants and distinct, so for an email "the sender is one of them"
-- already implies that the other is among the recipients.
CREATE FUNCTION relintel.tie_membership(ids bigint[])
RETURNS SETOF relintel.tie_member
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT x.address, c.id, f.interaction_id, f.occurred_at, f.kind,
           f.sender OPERATOR(pg_catalog.=) c.email
      FROM relintel.id_set(ids) AS s
      JOIN relintel.interaction_fact AS f ON f.interaction_id OPERATOR(pg_catalog.=) s.id
     CROSS JOIN LATERAL pg_catalog.unnest(f.internal_participants) AS u(address)
      JOIN relintel.colleague AS c ON c.email OPERATOR(pg_catalog.=) u.address
     CROSS JOIN LATERAL pg_catalog.unnest(f.external_participants) AS x(address)
     WHERE f.counts
       AND pg_catalog.cardinality(f.internal_participants) OPERATOR(pg_catalog.+)
           pg_catalog.cardinality(f.external_participants) OPERATOR(pg_catalog.<=)
           pg_catalog.current_setting('relintel.max_tie_participants')::integer
       AND (f.kind OPERATOR(pg_catalog.<>) 'email'
            OR f.sender OPERATOR(pg_catalog.=) c.email
            OR f.sender OPERATOR(pg_catalog.=) x.address);
END;
COMMENT ON FUNCTION relintel.tie_membership(bigint[]) IS
    'the tie rule: tie_member rows (which counted interaction links colleague and external address) of the interactions ids, from their interaction_fact rows';


-- ---------------------------------------------------------------------------
-- From a changed CRM or directory row to its interactions
-- ---------------------------------------------------------------------------

-- relintel.interactions_touching: the interactions whose classification or
-- membership a change of rows of the table table_name may move;
-- changed_rows are the changed rows (old and new versions) as jsonb.  The one place that
-- knows which column of which table plays which part in the rules above:
-- the email of a colleague, contact or lead and the contacts of a
-- stakeholder row or of an opportunity are participant addresses; the
-- domain of an internal domain or an account is a participant domain; a
-- lead, account or opportunity is what an interaction may regard; and what
-- a row's entity or colleague holds now is in the stored membership.  Each
-- is found through an index (participant address, domain, regarding, stored
-- membership).
CREATE FUNCTION relintel.interactions_touching(table_name text, changed_rows jsonb[])
RETURNS TABLE (interaction_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH changed AS (
        SELECT r.j FROM pg_catalog.unnest(changed_rows) AS r(j)
    ), address AS (
        SELECT c.j OPERATOR(pg_catalog.->>) 'email' AS address
          FROM changed AS c
         WHERE table_name IN ('colleague', 'contact', 'lead')
        UNION
        SELECT ct.email
          FROM changed AS c
          JOIN relintel.contact AS ct
            ON ct.id OPERATOR(pg_catalog.=) (c.j OPERATOR(pg_catalog.->>) 'contact_id')::bigint
         WHERE table_name OPERATOR(pg_catalog.=) 'opportunity_contact'
        UNION
        SELECT ct.email
          FROM changed AS c
          JOIN relintel.opportunity_contact AS oc
            ON oc.opportunity_id OPERATOR(pg_catalog.=) (c.j OPERATOR(pg_catalog.->>) 'id')::bigint
          JOIN relintel.contact AS ct ON ct.id OPERATOR(pg_catalog.=) oc.contact_id
         WHERE table_name OPERATOR(pg_catalog.=) 'opportunity'
    ), domain AS (
        SELECT c.j OPERATOR(pg_catalog.->>) 'domain' AS domain
          FROM changed AS c
         WHERE table_name IN ('internal_domain', 'account')
           AND c.j OPERATOR(pg_catalog.->>) 'domain' IS NOT NULL
    ), record AS (
        -- the entity a row is (or, for a stakeholder row, the opportunity)
        SELECT CASE WHEN table_name OPERATOR(pg_catalog.=) 'opportunity_contact' THEN 'opportunity'
                    ELSE table_name END::relintel.entity_type AS entity_type,
               (c.j OPERATOR(pg_catalog.->>)
                CASE WHEN table_name OPERATOR(pg_catalog.=) 'opportunity_contact' THEN 'opportunity_id'
                     ELSE 'id' END)::bigint AS entity_id
          FROM changed AS c
         WHERE table_name IN ('account', 'contact', 'lead', 'opportunity', 'opportunity_contact')
    )
    SELECT i.id FROM relintel.interaction AS i
     WHERE i.sender IN (SELECT a.address FROM address AS a)
    UNION
    SELECT i.id FROM relintel.interaction AS i
     WHERE i.recipients OPERATOR(pg_catalog.&&) ARRAY(SELECT a.address FROM address AS a)
    UNION
    SELECT i.id FROM relintel.interaction AS i
     WHERE relintel.participant_domains(i.sender, i.recipients)
           OPERATOR(pg_catalog.&&) ARRAY(SELECT d.domain FROM domain AS d)
    UNION
    SELECT i.id FROM relintel.interaction AS i
      JOIN record AS r
        ON i.regarding_type OPERATOR(pg_catalog.=) r.entity_type
       AND i.regarding_id OPERATOR(pg_catalog.=) r.entity_id
    UNION
    SELECT m.interaction_id FROM relintel.entity_member AS m
      JOIN record AS r
        ON m.entity_type OPERATOR(pg_catalog.=) r.entity_type
       AND m.entity_id OPERATOR(pg_catalog.=) r.entity_id
    UNION
    SELECT t.interaction_id FROM relintel.tie_member AS t
      JOIN changed AS c
        ON table_name OPERATOR(pg_catalog.=) 'colleague'
       AND t.colleague_id OPERATOR(pg_catalog.=) (c.j OPERATOR(pg_catalog.->>) 'id')::bigint;
END;
COMMENT ON FUNCTION relintel.interactions_touching(text, jsonb[]) IS
    'interactions whose classification or membership a change of the given rows (jsonb, old and new versions) of a CRM or directory table may move';

REVOKE ALL ON FUNCTION relintel.id_set(bigint[]), relintel.id_set_rows(internal), relintel.classify(bigint[]),
                       relintel.sorted_addresses(text[]), relintel.entity_membership(bigint[]),
                       relintel.tie_membership(bigint[]), relintel.interactions_touching(text, jsonb[])
    FROM PUBLIC;


-- ---------------------------------------------------------------------------
-- Views over the stored membership (for tests, reports and the curious
-- owner; readable by no one else)
-- ---------------------------------------------------------------------------

-- Each interaction with its participants (sorted, by side), counts and
-- direction, as classified.
CREATE VIEW relintel.interaction_class AS
SELECT f.interaction_id, f.kind, f.occurred_at, f.duration, f.sentiment, f.sender,
       i.recipients, i.message_id, i.in_reply_to, f.regarding_type, f.regarding_id,
       ARRAY(SELECT x FROM pg_catalog.unnest(f.internal_participants OPERATOR(pg_catalog.||)
                                             f.external_participants) AS x ORDER BY 1) AS participants,
       f.internal_participants, f.external_participants, f.counts, f.outbound
  FROM relintel.interaction_fact AS f
  JOIN relintel.interaction AS i ON i.id OPERATOR(pg_catalog.=) f.interaction_id;
COMMENT ON VIEW relintel.interaction_class IS
    'each interaction with its participants (sorted, by side), counts = has both an internal and an external participant, outbound = sender is internal (stored classification)';

-- One row per distinct participant of each interaction.
CREATE VIEW relintel.interaction_participant AS
SELECT f.interaction_id, x.address, x.address OPERATOR(pg_catalog.=) f.sender AS is_sender, x.internal
  FROM relintel.interaction_fact AS f
 CROSS JOIN LATERAL (SELECT a, true FROM pg_catalog.unnest(f.internal_participants) AS a
                     UNION ALL
                     SELECT a, false FROM pg_catalog.unnest(f.external_participants) AS a) AS x(address, internal);
COMMENT ON VIEW relintel.interaction_participant IS
    'one row per distinct participant (sender + recipients) of each interaction, internal = colleague email or internal domain (stored classification)';

-- The replies: interaction_id answers replied_to; outbound = our response.
CREATE VIEW relintel.interaction_reply AS
SELECT f.interaction_id, f.replied_to, f.outbound, f.reply_latency AS latency
  FROM relintel.interaction_fact AS f
 WHERE f.replied_to IS NOT NULL;
COMMENT ON VIEW relintel.interaction_reply IS
    'replies: interaction_id answers replied_to (both counted emails, opposite directions, not earlier); outbound = our response, else their response';

-- Which counted interaction belongs to which entity, with the interaction's
-- participants.
CREATE VIEW relintel.entity_interaction AS
SELECT m.entity_type, m.entity_id, m.interaction_id, m.kind, m.occurred_at, m.outbound,
       m.duration, m.reply_latency, m.sentiment, f.sender, i.recipients,
       f.internal_participants, f.external_participants
  FROM relintel.entity_member AS m
  JOIN relintel.interaction_fact AS f ON f.interaction_id OPERATOR(pg_catalog.=) m.interaction_id
  JOIN relintel.interaction AS i ON i.id OPERATOR(pg_catalog.=) m.interaction_id;
COMMENT ON VIEW relintel.entity_interaction IS
    'which counted interaction belongs to which account, contact, lead or opportunity, with its participants (stored membership)';

-- Which interaction links colleague_id and an external address.
CREATE VIEW relintel.tie_interaction AS
SELECT t.colleague_id, t.address, t.interaction_id, t.kind, t.occurred_at, t.outbound
  FROM relintel.tie_member AS t;
COMMENT ON VIEW relintel.tie_interaction IS
    'which interaction links colleague_id and external address (stored tie membership); readable only by the owner and who_knows';

REVOKE ALL ON relintel.interaction_participant, relintel.interaction_class,
              relintel.interaction_reply, relintel.entity_interaction, relintel.tie_interaction
  FROM PUBLIC;
