-- ===========================================================================
-- 25_maintained.sql: the tables that relintel maintains (SPEC section 3).
--
-- entity_health and tie hold one state per key, kept equal to a full
-- recomputation from the base tables by the triggers of 60_maintenance.sql;
-- the health views and who_knows read them.  pending_interaction lists the
-- interactions dated later than when they were written, and stale is the
-- work list of a running statement.  Nobody but the extension writes them.
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------

CREATE TABLE relintel.entity_health (
    entity_type relintel.entity_type NOT NULL,
    entity_id   bigint NOT NULL,
    state       relintel.health_state,
    PRIMARY KEY (entity_type, entity_id)
);
COMMENT ON TABLE relintel.entity_health IS
    'maintained health_state of every entity with settled interactions (written only by relintel''s triggers)';
COMMENT ON COLUMN relintel.entity_health.state IS
    'health_state over the entity''s settled interactions; NULL only inside a writing statement';

CREATE TABLE relintel.tie (
    colleague_id bigint NOT NULL,
    address      text NOT NULL,
    state        relintel.tie_state,
    PRIMARY KEY (colleague_id, address)
);
COMMENT ON TABLE relintel.tie IS
    'maintained tie_state of every colleague and external address that interacted (readable only through who_knows)';
COMMENT ON COLUMN relintel.tie.state IS
    'tie_state over their settled interactions; NULL only inside a writing statement';
CREATE INDEX tie_address_idx ON relintel.tie (address);
COMMENT ON INDEX relintel.tie_address_idx IS 'who_knows: the ties of one external address';

CREATE TABLE relintel.pending_interaction (
    interaction_id bigint PRIMARY KEY REFERENCES relintel.interaction (id) ON DELETE CASCADE,
    occurred_at    timestamptz NOT NULL
);
COMMENT ON TABLE relintel.pending_interaction IS
    'interactions dated later than when they were written, left out of the maintained states until catch_up()';
CREATE INDEX pending_interaction_due_idx ON relintel.pending_interaction (occurred_at);
COMMENT ON INDEX relintel.pending_interaction_due_idx IS 'catch_up: the pending interactions that are due';

CREATE TABLE relintel.stale (
    backend_pid    integer NOT NULL DEFAULT pg_catalog.pg_backend_pid(),
    interaction_id bigint,
    entity_type    relintel.entity_type,
    entity_id      bigint,
    colleague_id   bigint,
    address        text
);
COMMENT ON TABLE relintel.stale IS
    'work list of the running statement: interactions whose membership may change, and keys as they were before';
CREATE INDEX stale_backend_idx ON relintel.stale (backend_pid);
COMMENT ON INDEX relintel.stale_backend_idx IS 'the work list of one backend';

REVOKE ALL ON relintel.entity_health, relintel.tie, relintel.pending_interaction, relintel.stale FROM PUBLIC;


