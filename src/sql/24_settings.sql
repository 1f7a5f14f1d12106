-- ===========================================================================
-- 24_settings.sql: the database's settings that shape stored states
--
-- relintel.health_half_life, relintel.tie_half_life and
-- relintel.max_tie_participants decide what the maintained tables hold, so
-- their values are the database's, not the writer's session's: maintenance
-- starts every call from the built-in defaults (the SET clauses of
-- 60_maintenance.sql) and applies the values stored here on top.  A row is
-- stored only for a setting changed with relintel.configure(); any change of
-- this table rebuilds the maintained tables (trigger of 60_maintenance.sql),
-- so that a restore of it (pg_dump backs it up, 80_backup.sql) or a direct
-- change is applied as configure() would.  Kind weights and score bands are
-- not here: they are applied when states are read, per session.
-- ===========================================================================

CREATE TABLE relintel.stored_setting (
    name  text PRIMARY KEY
          CHECK (name IN ('relintel.health_half_life', 'relintel.tie_half_life',
                          'relintel.max_tie_participants')),
    value text NOT NULL
);
COMMENT ON TABLE relintel.stored_setting IS
    'the database''s values of the settings that shape stored states, where they differ from the built-in default (change them with relintel.configure())';

-- Read by maintenance and by the readers that fold states themselves
-- (health_at, alerts: a role allowed to call them needs SELECT on it, as on
-- entity_member); written by its owner and through configure().
REVOKE ALL ON relintel.stored_setting FROM PUBLIC;
