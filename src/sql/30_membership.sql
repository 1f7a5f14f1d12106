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
-- They are plain views, so that a caller interested in a few interactions or
-- entities writes "WHERE interaction_id = ANY(...)" or "WHERE entity_type =
-- ... AND entity_id = ANY(...)" and the planner pushes the condition into
-- every branch (through the joins, the GROUP BY on interaction_id and the
-- UNION legs).  None of them is granted to anyone: they show who wrote to
-- whom, which only the extension's functions may read.
--
-- Nothing here looks at the clock: leaving pending (future) interactions out
-- is the reader's business (views, kpis, who_knows filter on occurred_at).
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Participants and internal/external classification
-- ---------------------------------------------------------------------------

-- An address is internal when it is a colleague's email or its domain is in
-- internal_domain (colleague.email is unique and internal_domain.domain a
-- primary key, so the outer joins never duplicate a row).
CREATE VIEW relintel.interaction_participant AS
SELECT i.id AS interaction_id,
       p.address,
       p.address OPERATOR(pg_catalog.=) i.sender AS is_sender,
       (c.id IS NOT NULL OR d.domain IS NOT NULL) AS internal
  FROM relintel.interaction AS i
 CROSS JOIN LATERAL (
        SELECT DISTINCT a.address
          FROM pg_catalog.unnest(pg_catalog.array_prepend(i.sender, i.recipients)) AS a(address)
       ) AS p
  LEFT JOIN relintel.colleague AS c
         ON c.email OPERATOR(pg_catalog.=) p.address
  LEFT JOIN relintel.internal_domain AS d
         ON d.domain OPERATOR(pg_catalog.=) pg_catalog.split_part(p.address, '@', 2);

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
  JOIN (SELECT ip.interaction_id,
               pg_catalog.array_agg(ip.address ORDER BY ip.address) AS participants,
               COALESCE(pg_catalog.array_agg(ip.address ORDER BY ip.address)
                          FILTER (WHERE ip.internal), '{}') AS internal_participants,
               COALESCE(pg_catalog.array_agg(ip.address ORDER BY ip.address)
                          FILTER (WHERE NOT ip.internal), '{}') AS external_participants,
               pg_catalog.bool_or(ip.is_sender AND ip.internal) AS sender_internal
          FROM relintel.interaction_participant AS ip
         GROUP BY ip.interaction_id) AS p
    ON p.interaction_id OPERATOR(pg_catalog.=) i.id;

COMMENT ON VIEW relintel.interaction_class IS
    'each interaction with its participants (sorted, by side), counts = has both an internal and an external participant, outbound = sender is internal';


-- ---------------------------------------------------------------------------
-- Replies
-- ---------------------------------------------------------------------------

-- R replies to P when R.in_reply_to = P.message_id, both are emails that
-- count, their directions differ and R is not earlier than P.  message_id is
-- unique, so an interaction replies to at most one other.  Computed from both
-- rows as they are now, the answer does not depend on which was inserted
-- first.
CREATE VIEW relintel.interaction_reply AS
SELECT r.interaction_id,
       p.interaction_id AS replied_to,
       r.outbound,
       r.occurred_at OPERATOR(pg_catalog.-) p.occurred_at AS latency
  FROM relintel.interaction_class AS r
  JOIN relintel.interaction_class AS p
    ON p.message_id OPERATOR(pg_catalog.=) r.in_reply_to
 WHERE r.kind OPERATOR(pg_catalog.=) 'email'
   AND p.kind OPERATOR(pg_catalog.=) 'email'
   AND r.counts
   AND p.counts
   AND r.outbound OPERATOR(pg_catalog.<>) p.outbound
   AND r.occurred_at OPERATOR(pg_catalog.>=) p.occurred_at;

COMMENT ON VIEW relintel.interaction_reply IS
    'replies: interaction_id answers replied_to (both counted emails, opposite directions, not earlier); outbound = our response, else their response';

-- Everything the aggregates and KPIs need about a counted interaction.
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
       k.regarding_id
  FROM relintel.interaction_class AS k
  LEFT JOIN relintel.interaction_reply AS r
         ON r.interaction_id OPERATOR(pg_catalog.=) k.interaction_id
 WHERE k.counts;

COMMENT ON VIEW relintel.interaction_fact IS
    'the interactions that count (an internal and an external participant), with direction and reply latency (non-null only for a reply)';


-- ---------------------------------------------------------------------------
-- Entity membership
-- ---------------------------------------------------------------------------

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
  FROM (
        SELECT 'contact'::relintel.entity_type AS entity_type, c.id AS entity_id, p.interaction_id
          FROM relintel.contact AS c
          JOIN relintel.interaction_participant AS p
            ON p.address OPERATOR(pg_catalog.=) c.email
        UNION
        SELECT 'lead'::relintel.entity_type, l.id, p.interaction_id
          FROM relintel.lead AS l
          JOIN relintel.interaction_participant AS p
            ON p.address OPERATOR(pg_catalog.=) l.email
        UNION
        SELECT 'lead'::relintel.entity_type, l.id, i.id
          FROM relintel.lead AS l
          JOIN relintel.interaction AS i
            ON i.regarding_type OPERATOR(pg_catalog.=) 'lead'
           AND i.regarding_id OPERATOR(pg_catalog.=) l.id
        UNION
        SELECT 'account'::relintel.entity_type, c.account_id, p.interaction_id
          FROM relintel.contact AS c
          JOIN relintel.interaction_participant AS p
            ON p.address OPERATOR(pg_catalog.=) c.email
         WHERE c.account_id IS NOT NULL
        UNION
        SELECT 'account'::relintel.entity_type, a.id, p.interaction_id
          FROM relintel.account AS a
          JOIN relintel.interaction_participant AS p
            ON pg_catalog.split_part(p.address, '@', 2) OPERATOR(pg_catalog.=) a.domain
        UNION
        SELECT 'account'::relintel.entity_type, a.id, i.id
          FROM relintel.account AS a
          JOIN relintel.interaction AS i
            ON i.regarding_type OPERATOR(pg_catalog.=) 'account'
           AND i.regarding_id OPERATOR(pg_catalog.=) a.id
        UNION
        SELECT 'opportunity'::relintel.entity_type, o.id, i.id
          FROM relintel.opportunity AS o
          JOIN relintel.interaction AS i
            ON i.regarding_type OPERATOR(pg_catalog.=) 'opportunity'
           AND i.regarding_id OPERATOR(pg_catalog.=) o.id
         WHERE i.occurred_at OPERATOR(pg_catalog.>=) o.created_at
           AND i.occurred_at OPERATOR(pg_catalog.<=) COALESCE(o.closed_at, 'infinity')
        UNION
        SELECT 'opportunity'::relintel.entity_type, o.id, i.id
          FROM relintel.opportunity AS o
          JOIN relintel.opportunity_contact AS oc
            ON oc.opportunity_id OPERATOR(pg_catalog.=) o.id
          JOIN relintel.contact AS c
            ON c.id OPERATOR(pg_catalog.=) oc.contact_id
          JOIN relintel.interaction_participant AS p
            ON p.address OPERATOR(pg_catalog.=) c.email
          JOIN relintel.interaction AS i
            ON i.id OPERATOR(pg_catalog.=) p.interaction_id
         WHERE i.occurred_at OPERATOR(pg_catalog.>=) o.created_at
           AND i.occurred_at OPERATOR(pg_catalog.<=) COALESCE(o.closed_at, 'infinity')
       ) AS m
  JOIN relintel.interaction_fact AS f
    ON f.interaction_id OPERATOR(pg_catalog.=) m.interaction_id;

COMMENT ON VIEW relintel.entity_interaction IS
    'which counted interaction belongs to which account, contact, lead or opportunity (each pair once), with the inputs of health_agg and the KPIs';


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
  JOIN relintel.interaction_participant AS u
    ON u.interaction_id OPERATOR(pg_catalog.=) f.interaction_id
  JOIN relintel.colleague AS c
    ON c.email OPERATOR(pg_catalog.=) u.address
  JOIN relintel.interaction_participant AS x
    ON x.interaction_id OPERATOR(pg_catalog.=) f.interaction_id
   AND NOT x.internal
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
