-- ===========================================================================
-- 25_maintained.sql: what relintel stores besides the CRM (SPEC section 3)
--
-- Data flows one way: base tables -> classification -> stored membership ->
-- fold -> states -> readers.
--
--   interaction_fact     one row per interaction: its participants split by
--                        side, whether it counts, its direction and, for a
--                        reply, which interaction it answers and how late
--   entity_member        which counted interaction belongs to which entity,
--                        with the inputs of health_agg
--   tie_member           which counted interaction links colleague and
--                        external address, with the inputs of tie_agg
--   entity_health, tie   the folded states, one per key
--   pending_interaction  interactions dated later than when they were written
--
-- The rules that fill the first three live in 30_membership.sql (and only
-- there); the triggers of 60_maintenance.sql keep all of them equal to a
-- recomputation from the base tables.  Nobody but the extension writes them,
-- and nobody but their owner reads them: the views and functions are the
-- doors.  They hold nothing that the base tables do not: pg_dump leaves them
-- out, and an upgrade drops and refills them.
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Stored classification and membership
-- ---------------------------------------------------------------------------

CREATE TABLE relintel.interaction_fact (
    interaction_id        bigint PRIMARY KEY,
    kind                  relintel.interaction_kind NOT NULL,
    occurred_at           timestamptz NOT NULL,
    duration              interval,
    sentiment             real,
    regarding_type        relintel.entity_type,
    regarding_id          bigint,
    sender                text NOT NULL,
    counts                boolean NOT NULL,
    outbound              boolean NOT NULL,
    internal_participants text[] NOT NULL,
    external_participants text[] NOT NULL,
    replied_to            bigint,
    reply_latency         interval
);
COMMENT ON TABLE relintel.interaction_fact IS
    'each interaction classified: participants by side (sorted), counts (an internal and an external participant), outbound (sender internal), and the interaction it replies to with the latency';

-- Each membership table has a primary key led by interaction_id (the rows of
-- a statement arrive in interaction order, so its entries are appended at
-- the right edge, and a changed interaction's rows are found by it) and a
-- non-unique index by key (entity, tie), whose equal keys B-tree
-- deduplication stores once.  Measured against the key-first primary key
-- plus an index by interaction, on the data of bench/run.sh maintenance
-- 1000000: the 2.2 million entity memberships' indexes take 106 MB instead
-- of 151 MB, inserting the rows in interaction order 14.3-15.4 s instead
-- of 16.0-16.6 s (heap included, alternately), and the first load of the
-- million interactions 120.1 s instead of 123.2 s (one run each; runs
-- spread by about 3 s).  Where nearly every key has one interaction (ties
-- on the mailbox shape) nothing deduplicates and both indexes carry the
-- address: 675 bytes of stored membership per interaction there, against
-- 645 before (811 against 872 on the CRM shape).
CREATE TABLE relintel.entity_member (
    entity_type    relintel.entity_type NOT NULL,
    entity_id      bigint NOT NULL,
    interaction_id bigint NOT NULL,
    occurred_at    timestamptz NOT NULL,
    kind           relintel.interaction_kind NOT NULL,
    outbound       boolean NOT NULL,
    duration       interval,
    reply_latency  interval,
    sentiment      real,
    PRIMARY KEY (interaction_id, entity_type, entity_id)
);
COMMENT ON TABLE relintel.entity_member IS
    'which counted interaction belongs to which account, contact, lead or opportunity, with the inputs of health_agg';
CREATE INDEX entity_member_entity_idx ON relintel.entity_member (entity_type, entity_id);
COMMENT ON INDEX relintel.entity_member_entity_idx IS 'the interactions of an entity';

CREATE TABLE relintel.tie_member (
    address        text NOT NULL,
    colleague_id   bigint NOT NULL,
    interaction_id bigint NOT NULL,
    occurred_at    timestamptz NOT NULL,
    kind           relintel.interaction_kind NOT NULL,
    outbound       boolean NOT NULL,
    PRIMARY KEY (interaction_id, colleague_id, address)
);
COMMENT ON TABLE relintel.tie_member IS
    'which counted interaction links a colleague and an external address, with the inputs of tie_agg (outbound: the colleague sent it)';
CREATE INDEX tie_member_tie_idx ON relintel.tie_member (address, colleague_id);
COMMENT ON INDEX relintel.tie_member_tie_idx IS 'the interactions of a tie, and of an external address';


-- ---------------------------------------------------------------------------
-- Folded states
-- ---------------------------------------------------------------------------

-- Every writing statement rewrites the states of the keys it touches (their
-- state merged with the new rows'), so each table leaves room on its pages
-- (fillfactor) for a row's new version to stay on the row's page: the update
-- is then HOT (no new index entry; the old version is pruned on the page).
-- Measured with the batches of bench/run.sh maintenance's step 5 (three
-- COPYs of 10,000 new interactions into the loaded 1M CRM database), timed
-- on fresh copies of that database with and without the fillfactors,
-- alternately, three rounds (2026-12-07): with full pages 0.1 % of entity_health's
-- updates and 0.6 % of tie's were HOT, with these fillfactors 100 % and
-- 66 %, and the batches took 12 % less (1,445-1,730 ms each against
-- 1,212-1,579 ms).  entity_health is small and its keys are updated often
-- (50); tie has a row per colleague and address, each updated less often
-- (70; at 50: 100 % HOT, about the same time, the table twice its size).
CREATE TABLE relintel.entity_health (
    entity_type relintel.entity_type NOT NULL,
    entity_id   bigint NOT NULL,
    state       relintel.health_state,
    PRIMARY KEY (entity_type, entity_id)
) WITH (fillfactor = 50);
COMMENT ON TABLE relintel.entity_health IS
    'maintained health_state of every entity with settled interactions (written only by relintel''s triggers)';
COMMENT ON COLUMN relintel.entity_health.state IS
    'health_state over the entity''s settled interactions; NULL only inside a writing statement';

CREATE TABLE relintel.tie (
    colleague_id bigint NOT NULL,
    address      text NOT NULL,
    state        relintel.tie_state,
    PRIMARY KEY (colleague_id, address)
) WITH (fillfactor = 70);
COMMENT ON TABLE relintel.tie IS
    'maintained tie_state of every colleague and external address that interacted (readable only through who_knows)';
COMMENT ON COLUMN relintel.tie.state IS
    'tie_state over their settled interactions; NULL only inside a writing statement';
CREATE INDEX tie_address_idx ON relintel.tie (address);
COMMENT ON INDEX relintel.tie_address_idx IS 'who_knows: the ties of one external address';

CREATE TABLE relintel.pending_interaction (
    interaction_id bigint PRIMARY KEY,
    occurred_at    timestamptz NOT NULL
);
COMMENT ON TABLE relintel.pending_interaction IS
    'interactions dated later than when they were written, left out of the maintained states until catch_up()';
CREATE INDEX pending_interaction_due_idx ON relintel.pending_interaction (occurred_at);
COMMENT ON INDEX relintel.pending_interaction_due_idx IS 'catch_up: the pending interactions that are due';

REVOKE ALL ON relintel.interaction_fact, relintel.entity_member,
              relintel.tie_member, relintel.entity_health, relintel.tie,
              relintel.pending_interaction
  FROM PUBLIC;
