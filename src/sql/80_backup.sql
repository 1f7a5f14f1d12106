-- ===========================================================================
-- 80_backup.sql: the customer's rows survive pg_dump and DROP EXTENSION
--
-- The CRM tables are members of the extension: the rules and readers are
-- bound to them when they are created (BEGIN ATOMIC bodies, inlined into
-- the statements that use them), so they must exist when the extension
-- does.  Their rows are the customer's, so:
--   * every table whose rows are not derived from others is registered with
--     pg_extension_config_dump(): pg_dump writes CREATE EXTENSION and then
--     the rows of these tables, the sequences' positions with them.  The
--     maintained tables (25_maintained.sql) are left out: when the restore
--     writes the base tables, the triggers fill them, set-based, as any
--     load does;
--   * DROP EXTENSION relintel without CASCADE is refused while any of these
--     tables holds rows (event trigger, src/drop_guard.c).
-- ===========================================================================

-- (One statement per table: each call rewrites the extension's catalog row.)
SELECT pg_catalog.pg_extension_config_dump('relintel.colleague', '');
SELECT pg_catalog.pg_extension_config_dump('relintel.internal_domain', '');
SELECT pg_catalog.pg_extension_config_dump('relintel.account', '');
SELECT pg_catalog.pg_extension_config_dump('relintel.contact', '');
SELECT pg_catalog.pg_extension_config_dump('relintel.lead', '');
SELECT pg_catalog.pg_extension_config_dump('relintel.opportunity', '');
SELECT pg_catalog.pg_extension_config_dump('relintel.opportunity_contact', '');
SELECT pg_catalog.pg_extension_config_dump('relintel.interaction', '');
SELECT pg_catalog.pg_extension_config_dump('relintel.alert', '');
SELECT pg_catalog.pg_extension_config_dump('relintel.stored_setting', '');

-- The identity sequences of those tables: their positions, so that rows
-- inserted after a restore get new ids.
SELECT pg_catalog.pg_extension_config_dump('relintel.colleague_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('relintel.interaction_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('relintel.alert_id_seq', '');

-- relintel.tables_holding_rows: the tables that pg_dump backs up and that
-- hold rows, as a comma-separated list (NULL when all are empty).
CREATE FUNCTION relintel.tables_holding_rows()
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    backed_up record;
    has_rows boolean;
    holding text[] := '{}';
BEGIN
    FOR backed_up IN
        SELECT n.nspname, c.relname
          FROM pg_extension AS e
         CROSS JOIN LATERAL unnest(e.extconfig) AS x(table_oid)
          JOIN pg_class AS c ON c.oid = x.table_oid
          JOIN pg_namespace AS n ON n.oid = c.relnamespace
         WHERE e.extname = 'relintel' AND c.relkind = 'r'
         ORDER BY c.relname
    LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', backed_up.nspname, backed_up.relname)
           INTO has_rows;
        IF has_rows THEN
            holding := holding || format('%I.%I', backed_up.nspname, backed_up.relname);
        END IF;
    END LOOP;
    RETURN nullif(array_to_string(holding, ', '), '');
END;
$$;
COMMENT ON FUNCTION relintel.tables_holding_rows() IS
    'the tables backed up by pg_dump that hold rows (comma-separated, NULL when none): what DROP EXTENSION would delete';

-- relintel.guard_drop: event trigger refusing DROP EXTENSION relintel
-- (without CASCADE) while the customer's tables hold rows.
CREATE FUNCTION relintel.guard_drop()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'relintel_guard_drop'
LANGUAGE C;
COMMENT ON FUNCTION relintel.guard_drop() IS
    'event trigger: refuses DROP EXTENSION relintel without CASCADE while its tables hold rows (2BP01)';

CREATE EVENT TRIGGER relintel_guard_drop ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION')
    EXECUTE FUNCTION relintel.guard_drop();
COMMENT ON EVENT TRIGGER relintel_guard_drop IS
    'refuses DROP EXTENSION relintel without CASCADE while the CRM tables hold rows';

REVOKE ALL ON FUNCTION relintel.guard_drop(), relintel.tables_holding_rows() FROM PUBLIC;
