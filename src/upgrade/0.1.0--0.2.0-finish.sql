
-- relintel 0.1.0 -> 0.2.0, last part: the settings that shaped 0.1.0's
-- stored states were the session's; the values the upgrading session has
-- (ALTER DATABASE ... SET, ALTER ROLE ... SET or SET) become the database's
-- where they differ from the built-in default.  The pending interactions are
-- put back; then the maintained tables are filled from the customer's tables.
SELECT relintel.setting('health_half_life');   -- loads the module: its settings are defined
INSERT INTO relintel.stored_setting (name, value)
SELECT s.name, s.setting
  FROM pg_catalog.pg_settings AS s
 WHERE s.name IN ('relintel.health_half_life', 'relintel.tie_half_life', 'relintel.max_tie_participants')
   AND s.setting IS DISTINCT FROM s.boot_val;
INSERT INTO relintel.pending_interaction (interaction_id, occurred_at)
SELECT interaction_id, occurred_at FROM pg_temp.pending_kept;
DROP TABLE pg_temp.pending_kept;
SELECT relintel.rebuild();
