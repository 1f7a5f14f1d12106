-- ===========================================================================
-- 21_row_checks.sql: the rules a single row of the customer's tables follows
--
-- Every stored email address goes through relintel.normalize_address() in a
-- BEFORE INSERT OR UPDATE row trigger, and every other rule of the spec that
-- a single row can break (negative duration, sentiment outside -1 ... 1,
-- empty recipient list, half-set or unknown "regarding") is checked there
-- too, raising SQLSTATE 22023 with the offending value quoted.  Because
-- PostgreSQL statements are atomic, a refused row leaves nothing of its
-- statement behind.
-- ===========================================================================

-- ---------------------------------------------------------------------------
-- Domain names (internal_domain.domain, account.domain)
-- ---------------------------------------------------------------------------

-- relintel.normalize_domain: trim and lower-case a domain name, refusing one
-- that is empty or contains '@' or white space (SQLSTATE 22023).
CREATE FUNCTION relintel.normalize_domain(domain text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d text := lower(btrim(domain, E' \t\r\n\f\x0B'));
BEGIN
    IF d = '' OR d ~ '[[:space:]@]' THEN
        RAISE EXCEPTION 'invalid domain name "%"', domain
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A domain name must be non-empty and contain neither "@" nor white space.';
    END IF;
    RETURN d;
END;
$$;

COMMENT ON FUNCTION relintel.normalize_domain(text) IS
    'trimmed, lower-cased domain name; raises 22023 for an empty one or one containing "@" or white space';


-- ---------------------------------------------------------------------------
-- Normalization and validation triggers
-- ---------------------------------------------------------------------------

-- relintel.normalize_email_column: BEFORE INSERT OR UPDATE trigger of the
-- colleague, contact and lead tables, normalizing NEW.email.
CREATE FUNCTION relintel.normalize_email_column()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.email := relintel.normalize_address(NEW.email);
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION relintel.normalize_email_column() IS
    'trigger: normalizes NEW.email with relintel.normalize_address (22023 when invalid)';

CREATE TRIGGER normalize BEFORE INSERT OR UPDATE ON relintel.colleague
    FOR EACH ROW EXECUTE FUNCTION relintel.normalize_email_column();
CREATE TRIGGER normalize BEFORE INSERT OR UPDATE ON relintel.contact
    FOR EACH ROW EXECUTE FUNCTION relintel.normalize_email_column();
CREATE TRIGGER normalize BEFORE INSERT OR UPDATE ON relintel.lead
    FOR EACH ROW EXECUTE FUNCTION relintel.normalize_email_column();

COMMENT ON TRIGGER normalize ON relintel.colleague IS 'normalizes email';
COMMENT ON TRIGGER normalize ON relintel.contact IS 'normalizes email';
COMMENT ON TRIGGER normalize ON relintel.lead IS 'normalizes email';

-- relintel.normalize_domain_column: BEFORE INSERT OR UPDATE trigger of the
-- internal_domain and account tables, normalizing NEW.domain.  A blank
-- account domain means "unknown" and is stored as NULL; a blank internal
-- domain is refused.
CREATE FUNCTION relintel.normalize_domain_column()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_NAME = 'account' AND btrim(NEW.domain, E' \t\r\n\f\x0B') = '' THEN
        NEW.domain := NULL;
    ELSE
        NEW.domain := relintel.normalize_domain(NEW.domain);
    END IF;
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION relintel.normalize_domain_column() IS
    'trigger: normalizes NEW.domain with relintel.normalize_domain (22023 when invalid)';

CREATE TRIGGER normalize BEFORE INSERT OR UPDATE ON relintel.internal_domain
    FOR EACH ROW EXECUTE FUNCTION relintel.normalize_domain_column();
CREATE TRIGGER normalize BEFORE INSERT OR UPDATE ON relintel.account
    FOR EACH ROW EXECUTE FUNCTION relintel.normalize_domain_column();

COMMENT ON TRIGGER normalize ON relintel.internal_domain IS 'normalizes domain';
COMMENT ON TRIGGER normalize ON relintel.account IS 'normalizes domain';

-- relintel.check_interaction: BEFORE INSERT OR UPDATE trigger of the
-- interaction table, in C (src/interaction_check.c: COPY runs it once per
-- row).  Normalizes the sender and every recipient (keeping
-- the recipients' order and any duplicates: participants are taken as a set
-- where they are used) and refuses, with SQLSTATE 22023:
--   * an invalid address (raised by normalize_address),
--   * an empty or multi-dimensional recipient list or a NULL recipient,
--   * a negative duration,
--   * a sentiment outside -1 ... 1 (NaN included),
--   * a regarding_type without regarding_id or the reverse.
-- A regarding_type that is not one of relintel.entity_type cannot reach
-- this trigger: the enum's input function refuses it first.  A regarding_id
-- naming no row is accepted (regarding is a loose reference, like
-- Dynamics 365's; the CRM rows may be loaded after the interactions): it
-- simply makes the interaction belong to no entity through regarding.
CREATE FUNCTION relintel.check_interaction()
RETURNS trigger
AS 'MODULE_PATHNAME', 'relintel_check_interaction'
LANGUAGE C;

COMMENT ON FUNCTION relintel.check_interaction() IS
    'trigger: normalizes sender and recipients and validates an interaction (22023 when invalid)';

CREATE TRIGGER check_row BEFORE INSERT OR UPDATE ON relintel.interaction
    FOR EACH ROW EXECUTE FUNCTION relintel.check_interaction();

COMMENT ON TRIGGER check_row ON relintel.interaction IS
    'normalizes addresses and validates duration, sentiment, recipients and regarding';
