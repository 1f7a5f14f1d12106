-- ===========================================================================
-- 26_stored_settings.sql: applying the database's settings
--
-- The functions that write or fold states (maintenance, health_at, who_knows
-- in the past, alerts) start from the built-in defaults of
-- relintel.health_half_life, relintel.tie_half_life and
-- relintel.max_tie_participants (SET clauses) and apply the values stored in
-- relintel.stored_setting (24_settings.sql) on top, so that what they
-- compute never depends on the caller's session.
-- ===========================================================================

-- relintel.use_stored_settings: make the database's stored values of the
-- settings that shape stored states the current ones, until the calling
-- function returns (each caller has a SET clause for the three names, which
-- scopes a local change to the call).  Maintenance and the readers that fold
-- states themselves (health_at, who_knows in the past, alerts) call it.
CREATE FUNCTION relintel.use_stored_settings()
RETURNS void
LANGUAGE sql
BEGIN ATOMIC
    SELECT pg_catalog.set_config(s.name, s.value, true) FROM relintel.stored_setting AS s;
END;
COMMENT ON FUNCTION relintel.use_stored_settings() IS
    'applies the stored half-lives and max_tie_participants for the rest of the calling function';
