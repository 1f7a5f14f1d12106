-- ===========================================================================
-- 30_membership.sql: classification, replies and membership (SPEC section 1)
--
-- One definition of each rule, used by the health views, the KPIs, the
-- activity history and who_knows (and by the triggers of the maintained
-- tables):
--
--   interaction_participant   one row per distinct participant, internal or not
--   interaction_class         per interaction: participants, counts?, outbound?
--   interaction_reply         R replies to P, with its latency
--   interaction_fact          per counted interaction: the aggregates' inputs
--   entity_interaction        which counted interaction belongs to which entity
--   tie_interaction           which interaction links colleague u and address x
--
-- They are plain views built interaction by interaction (LATERAL), so that
-- a caller interested in a few interactions writes "WHERE interaction_id =
-- ANY(...)" and every lookup behind it is an index probe: the triggers of
-- the maintained tables read them that way.  None of them is granted to anyone: they show who wrote to
-- whom, which only the extension's functions may read.
--
-- Nothing here looks at the clock: leaving pending (future) interactions out
-- is the reader's business (views, kpis, who_knows filter on occurred_at).
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Participants and internal/external classification
-- ---------------------------------------------------------------------------

-- An address is internal when it is a colleague's email or its domain is in
-- internal_domain (two index probes per participant).
CREATE VIEW relintel.interaction_participant AS
SELECT i.id AS interaction_id,
       p.address,
       p.address OPERATOR(pg_catalog.=) i.sender AS is_sender,
       (EXISTS (SELECT 1 FROM relintel.colleague AS c
                 WHERE c.email OPERATOR(pg_catalog.=) p.address)
        OR EXISTS (SELECT 1 FROM relintel.internal_domain AS d
                    WHERE d.domain OPERATOR(pg_catalog.=) pg_catalog.split_part(p.address, '@', 2))) AS internal
  FROM relintel.interaction AS i
 CROSS JOIN LATERAL (
        SELECT DISTINCT a.address
          FROM pg_catalog.unnest(pg_catalog.array_prepend(i.sender, i.recipients)) AS a(address)
       ) AS p;

COMMENT ON VIEW relintel.interaction_participant IS
    'one row per distinct participant (sender + recipients) of each interaction, with internal = colleague email or internal domain';

-- Per interaction: its participants split by side, whether it counts (at
-- least one internal and one external participant) and its direction
-- (outbound when the sender is internal).
CREATE VIEW relintel.interaction_class AS
SELECT i.id AS interaction_id,
       i.kind,
       i.occurred_at,
       i.duration,
       i.sentiment,
       i.sender,
       i.recipients,
       i.message_id,
       i.in_reply_to,
       i.regarding_type,
       i.regarding_id,
       p.participants,
       p.internal_participants,
       p.external_participants,
       (pg_catalog.cardinality(p.internal_participants) > 0
        AND pg_catalog.cardinality(p.external_participants) > 0) AS counts,
       p.sender_internal AS outbound
  FROM relintel.interaction AS i
 CROSS JOIN LATERAL (
        SELECT pg_catalog.array_agg(ip.address ORDER BY ip.address) AS participants,
               COALESCE(pg_catalog.array_agg(ip.address ORDER BY ip.address)
                          FILTER (WHERE ip.internal), '{}') AS internal_participants,
               COALESCE(pg_catalog.array_agg(ip.address ORDER BY ip.address)
                          FILTER (WHERE NOT ip.internal), '{}') AS external_participants,
               COALESCE(pg_catalog.bool_or(ip.is_sender AND ip.internal), false) AS sender_internal
          FROM (SELECT ip.address, ip.is_sender, ip.internal
                  FROM relintel.interaction_participant AS ip
                 WHERE ip.interaction_id OPERATOR(pg_catalog.=) i.id
                OFFSET 0) AS ip     -- a fence: classify each participant once
       ) AS p;

COMMENT ON VIEW relintel.interaction_class IS
    'each interaction with its participants (sorted, by side), counts = has both an internal and an external participant, outbound = sender is internal';


-- ---------------------------------------------------------------------------
-- Replies
-- ---------------------------------------------------------------------------

-- Everything the aggregates and KPIs need about a counted interaction,
-- with the reply rule: R replies to P when R.in_reply_to = P.message_id,
-- both are emails that count, their directions differ and R is not earlier
-- than P; its latency is R.occurred_at - P.occurred_at.  message_id is
-- unique, so an interaction replies to at most one other.  Computed from
-- both rows as they are now, the answer does not depend on which was
-- inserted first.
CREATE VIEW relintel.interaction_fact AS
SELECT k.interaction_id,
       k.kind,
       k.occurred_at,
       k.outbound,
       k.duration,
       r.latency AS reply_latency,
       k.sentiment,
       k.sender,
       k.recipients,
       k.participants,
       k.internal_participants,
       k.external_participants,
       k.regarding_type,
       k.regarding_id,
       r.replied_to
  FROM relintel.interaction_class AS k
  LEFT JOIN LATERAL (
        SELECT p.interaction_id AS replied_to,
               k.occurred_at OPERATOR(pg_catalog.-) p.occurred_at AS latency
          FROM relintel.interaction_class AS p
         WHERE p.message_id OPERATOR(pg_catalog.=) k.in_reply_to
           AND k.kind OPERATOR(pg_catalog.=) 'email'
           AND p.kind OPERATOR(pg_catalog.=) 'email'
           AND p.counts
           AND p.outbound OPERATOR(pg_catalog.<>) k.outbound
           AND k.occurred_at OPERATOR(pg_catalog.>=) p.occurred_at
       ) AS r ON true
 WHERE k.counts;

COMMENT ON VIEW relintel.interaction_fact IS
    'the interactions that count (an internal and an external participant), with direction and reply latency (non-null only for a reply)';


-- The replies alone: interaction_id answers replied_to; outbound = our
-- response, else their response.
CREATE VIEW relintel.interaction_reply AS
SELECT f.interaction_id, f.replied_to, f.outbound, f.reply_latency AS latency
  FROM relintel.interaction_fact AS f
 WHERE f.replied_to IS NOT NULL;

COMMENT ON VIEW relintel.interaction_reply IS
    'replies: interaction_id answers replied_to (both counted emails, opposite directions, not earlier); outbound = our response, else their response';


-- ---------------------------------------------------------------------------
-- Entity membership
-- ---------------------------------------------------------------------------

-- The distinct email domains of an interaction's participants (also indexed,
-- to find an account's or an internal domain's interactions).
CREATE FUNCTION relintel.participant_domains(sender text, recipients text[]) RETURNS text[]
    AS 'MODULE_PATHNAME', 'relintel_participant_domains'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.participant_domains(text, text[]) IS
    'distinct email domains of an interaction''s participants';

-- Which counted interactions belong to which entity, each pair once:
--   contact      its email is a participant;
--   lead         its email is a participant, or the interaction regards it;
--   account      a participant is one of its contacts' emails, or has the
--                account's domain, or the interaction regards it;
--   opportunity  the interaction regards it, or a participant is one of its
--                stakeholder contacts; and created_at <= occurred_at <=
--                coalesce(closed_at, 'infinity').
-- A "regarding" pointing to a row that does not exist matches nothing.
CREATE VIEW relintel.entity_interaction AS
SELECT m.entity_type,
       m.entity_id,
       f.interaction_id,
       f.kind,
       f.occurred_at,
       f.outbound,
       f.duration,
       f.reply_latency,
       f.sentiment,
       f.sender,
       f.recipients,
       f.internal_participants,
       f.external_participants
  FROM relintel.interaction_fact AS f
 CROSS JOIN LATERAL (
        SELECT 'contact'::relintel.entity_type AS entity_type, c.id AS entity_id
          FROM relintel.contact AS c
         WHERE c.email OPERATOR(pg_catalog.=) ANY (f.participants)
        UNION
        SELECT 'lead'::relintel.entity_type, l.id
          FROM relintel.lead AS l
         WHERE l.email OPERATOR(pg_catalog.=) ANY (f.participants)
        UNION
        SELECT 'lead'::relintel.entity_type, l.id
          FROM relintel.lead AS l
         WHERE f.regarding_type OPERATOR(pg_catalog.=) 'lead'
           AND l.id OPERATOR(pg_catalog.=) f.regarding_id
        UNION
        SELECT 'account'::relintel.entity_type, c.account_id
          FROM relintel.contact AS c
         WHERE c.email OPERATOR(pg_catalog.=) ANY (f.participants)
           AND c.account_id IS NOT NULL
        UNION
        SELECT 'account'::relintel.entity_type, a.id
          FROM relintel.account AS a
         WHERE a.domain OPERATOR(pg_catalog.=) ANY (relintel.participant_domains(f.sender, f.recipients))
        UNION
        SELECT 'account'::relintel.entity_type, a.id
          FROM relintel.account AS a
         WHERE f.regarding_type OPERATOR(pg_catalog.=) 'account'
           AND a.id OPERATOR(pg_catalog.=) f.regarding_id
        UNION
        SELECT 'opportunity'::relintel.entity_type, o.id
          FROM relintel.opportunity AS o
         WHERE f.regarding_type OPERATOR(pg_catalog.=) 'opportunity'
           AND o.id OPERATOR(pg_catalog.=) f.regarding_id
           AND f.occurred_at OPERATOR(pg_catalog.>=) o.created_at
           AND f.occurred_at OPERATOR(pg_catalog.<=) COALESCE(o.closed_at, 'infinity')
        UNION
        SELECT 'opportunity'::relintel.entity_type, o.id
          FROM relintel.contact AS c
          JOIN relintel.opportunity_contact AS oc
            ON oc.contact_id OPERATOR(pg_catalog.=) c.id
          JOIN relintel.opportunity AS o
            ON o.id OPERATOR(pg_catalog.=) oc.opportunity_id
         WHERE c.email OPERATOR(pg_catalog.=) ANY (f.participants)
           AND f.occurred_at OPERATOR(pg_catalog.>=) o.created_at
           AND f.occurred_at OPERATOR(pg_catalog.<=) COALESCE(o.closed_at, 'infinity')
       ) AS m;

COMMENT ON VIEW relintel.entity_interaction IS
    'which counted interaction belongs to which account, contact, lead or opportunity (each pair once), with the inputs of health_agg and the KPIs';


-- ---------------------------------------------------------------------------
-- The index path to membership
-- ---------------------------------------------------------------------------

-- Finding the interactions of an email domain (account and internal domain
-- changes) without reading the whole table.
CREATE INDEX interaction_domains_idx ON relintel.interaction
    USING gin (relintel.participant_domains(sender, recipients));
COMMENT ON INDEX relintel.interaction_domains_idx IS 'the interactions of an email domain (accounts, internal domains)';

-- relintel.interactions_of: the interactions a row of a CRM or directory
-- table can bring into or take out of a key: those with a participant among
-- addresses, a participant at one of domains, or regarding (type, one of ids).
CREATE FUNCTION relintel.interactions_of(addresses text[], domains text[],
                                         regarding relintel.entity_type, regarding_ids bigint[])
RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT ARRAY(
        SELECT i.id FROM relintel.interaction AS i WHERE i.sender = ANY (addresses)
        UNION SELECT i.id FROM relintel.interaction AS i WHERE i.recipients && addresses
        UNION SELECT i.id FROM relintel.interaction AS i
               WHERE relintel.participant_domains(i.sender, i.recipients) && domains
        UNION SELECT i.id FROM relintel.interaction AS i
               WHERE i.regarding_type = regarding AND i.regarding_id = ANY (regarding_ids));
END;
COMMENT ON FUNCTION relintel.interactions_of(text[], text[], relintel.entity_type, bigint[]) IS
    'interactions with a participant among addresses or at one of domains, or regarding one of the given records';

-- relintel.entity_candidates: the interactions that may belong to an
-- entity, found through indexes (a superset: entity_interaction decides).
-- The index path of each membership rule of 30_membership.sql: a contact's
-- or lead's email, an account's contacts and domain, an opportunity's
-- stakeholders, and regarding.
CREATE FUNCTION relintel.entity_candidates(entity_type relintel.entity_type, entity_id bigint)
RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT CASE entity_type
        WHEN 'contact' THEN relintel.interactions_of(
            ARRAY(SELECT c.email FROM relintel.contact AS c WHERE c.id = entity_id), NULL, NULL, NULL)
        WHEN 'lead' THEN relintel.interactions_of(
            ARRAY(SELECT l.email FROM relintel.lead AS l WHERE l.id = entity_id), NULL, 'lead', ARRAY[entity_id])
        WHEN 'account' THEN relintel.interactions_of(
            ARRAY(SELECT c.email FROM relintel.contact AS c WHERE c.account_id = entity_id),
            ARRAY(SELECT a.domain FROM relintel.account AS a WHERE a.id = entity_id),
            'account', ARRAY[entity_id])
        WHEN 'opportunity' THEN relintel.interactions_of(
            ARRAY(SELECT c.email FROM relintel.opportunity_contact AS oc
                    JOIN relintel.contact AS c ON c.id = oc.contact_id
                   WHERE oc.opportunity_id = entity_id),
            NULL, 'opportunity', ARRAY[entity_id])
    END;
END;
COMMENT ON FUNCTION relintel.entity_candidates(relintel.entity_type, bigint) IS
    'interactions that may belong to an entity, found through indexes (a superset of its membership)';

REVOKE ALL ON FUNCTION relintel.interactions_of(text[], text[], relintel.entity_type, bigint[]),
                       relintel.entity_candidates(relintel.entity_type, bigint)
    FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Tie membership
-- ---------------------------------------------------------------------------

-- The interactions between colleague u (a row of colleague) and external
-- address x: emails whose sender is one of them and whose recipients include
-- the other, and meetings and calls in which both take part; an interaction
-- with more than relintel.max_tie_participants distinct participants (mass
-- mail, town halls) is left out.  outbound is relative to the colleague
-- (u is the sender, organizer or caller).  Opted-out colleagues are kept
-- here: who_knows hides them, so that opting out or back in acts at once.
-- Since u is internal and x external, both are participants and distinct,
-- so for an email "the sender is one of them" already implies that the
-- other is among the recipients.
CREATE VIEW relintel.tie_interaction AS
SELECT c.id AS colleague_id,
       x.address,
       f.interaction_id,
       f.kind,
       f.occurred_at,
       f.sender OPERATOR(pg_catalog.=) c.email AS outbound
  FROM relintel.interaction_fact AS f
  JOIN relintel.colleague AS c
    ON c.email OPERATOR(pg_catalog.=) ANY (f.internal_participants)
 CROSS JOIN LATERAL pg_catalog.unnest(f.external_participants) AS x(address)
 WHERE pg_catalog.cardinality(f.participants) OPERATOR(pg_catalog.<=)
           relintel.setting('max_tie_participants')
   AND (f.kind OPERATOR(pg_catalog.<>) 'email'
        OR f.sender OPERATOR(pg_catalog.=) c.email
        OR f.sender OPERATOR(pg_catalog.=) x.address);

COMMENT ON VIEW relintel.tie_interaction IS
    'which interaction links colleague_id and external address (emails between them, meetings and calls with both, mass mail excluded); readable only by the owner and who_knows';

REVOKE ALL ON relintel.interaction_participant, relintel.interaction_class,
              relintel.interaction_reply, relintel.interaction_fact,
              relintel.entity_interaction, relintel.tie_interaction
  FROM PUBLIC;
