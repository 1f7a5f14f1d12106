
-- relintel 0.1.0 -> 0.2.0, last part.  The pending interactions are put
-- back first (any rebuild below keeps them).  The settings that shaped
-- 0.1.0's stored states were the session's: the values the upgrading session
-- has (ALTER DATABASE ... SET, ALTER ROLE ... SET or SET) become the
-- database's where they differ from the built-in default (a row stored
-- rebuilds, trigger of stored_setting).  Then the maintained tables are
-- filled from the customer's tables.
INSERT INTO relintel.pending_interaction (interaction_id, occurred_at)
SELECT interaction_id, occurred_at FROM pg_temp.pending_kept
ON CONFLICT (interaction_id) DO NOTHING;
DROP TABLE pg_temp.pending_kept;
SELECT relintel.setting('health_half_life');   -- loads the module: its settings are defined
INSERT INTO relintel.stored_setting (name, value)
SELECT s.name, s.setting
  FROM pg_catalog.pg_settings AS s
 WHERE s.name IN ('relintel.health_half_life', 'relintel.tie_half_life', 'relintel.max_tie_participants')
   AND s.setting IS DISTINCT FROM s.boot_val;
SELECT relintel.rebuild();
