-------------------------------------------------------------------------------
-- Addresses for readers that must not fail on a bad one (relintel-load).
-- Implemented in C (src/address.c) on the code path of normalize_address(),
-- so that every program that stores addresses applies the one rule, with
-- this database's lower().
-------------------------------------------------------------------------------

-- The normalized form of an address, NULL where normalize_address() raises 22023.
CREATE FUNCTION relintel.address_or_null(address text) RETURNS text
    AS 'MODULE_PATHNAME', 'relintel_address_or_null'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION relintel.address_or_null(text) IS
    'Normalized email address as normalize_address() gives it, NULL for an invalid address instead of 22023';
