-- normalize_address() and address_domain() (SPEC section 1, "normalized").
SET search_path = relintel, public;

-- Runs a statement and shows its outcome: "ok: <result>" or "<SQLSTATE>: <message>",
-- so that the SQLSTATE of every rejection is part of the expected output.
CREATE FUNCTION pg_temp.try(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE query INTO result;
    RETURN 'ok: ' || coalesce(result, '<NULL>');
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- Shows a value with every character outside printable ASCII as <U+XXXX>:
-- psql versions disagree on the display width of invisible characters (a
-- zero-width space, a byte order mark), which would move the columns.
CREATE FUNCTION pg_temp.visible(value text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN value IS NOT NULL THEN
           coalesce(string_agg(CASE WHEN c.ch ~ '^[ -~]$' THEN c.ch
                                    ELSE format('<U+%s>', upper(lpad(to_hex(ascii(c.ch)), 4, '0'))) END,
                               '' ORDER BY c.n), '') END
    FROM regexp_split_to_table(value, '') WITH ORDINALITY AS c(ch, n)
$$;

-- Accepted forms: display name and angle brackets removed, surrounding white
-- space trimmed, lower-cased.  Values are shown as JSON so that tabs and
-- newlines are visible, and through pg_temp.visible().
SELECT i, pg_temp.visible(to_json(given)::text) AS given, pg_temp.visible(to_json(normalize_address(given))::text) AS normalized
FROM unnest(ARRAY[
    '"Ann Lee" <Ann.Lee@Fabrikam.COM>',      -- 1 the SPEC's example
    'Ann Lee <Ann.Lee@Fabrikam.COM>',        -- 2 unquoted display name
    '"Lee, Ann" <ann@fabrikam.com>',         -- 3 comma inside the quoted name
    '"ann@old.example" <Ann@New.Example>',   -- 4 an @ inside the display name
    '<Bob@Contoso.com>',                     -- 5 brackets only
    '< bob@contoso.com >',                   -- 6 white space inside the brackets is trimmed
    '   Carol@Example.ORG   ',               -- 7 surrounding spaces
    E'\t dave@example.org \n',               -- 8 surrounding tab and newline
    '  "Eve" <EVE@X.IO>  ',                  -- 9 spaces around the whole form
    'already@normal.com',                    -- 10 nothing to do
    'o''brien+tag@sub.example.co.uk',        -- 11 apostrophe and plus are fine
    E'\u00A0ann@fabrikam.com',              -- 12 a leading no-break space is trimmed
    E'ann@fabrikam.com\u3000\u2003',        -- 13 trailing ideographic and em spaces too
    E'\u2028 "Ann" <ann@fabrikam.com>\u00A0', -- 14 around the whole form
    '"Ann <at> Lee" <ann@fabrikam.com>'      -- 15 brackets inside a quoted name
]) WITH ORDINALITY AS t(given, i)
ORDER BY i;

-- Every rejection: SQLSTATE 22023 and the value quoted in the message.
SELECT i, pg_temp.visible(to_json(given)::text) AS given,
       pg_temp.visible(pg_temp.try(format('SELECT relintel.normalize_address(%L)', given))) AS outcome
FROM unnest(ARRAY[
    'ann.fabrikam.com',              -- 1 no @
    'ann@lee@fabrikam.com',          -- 2 two @
    '@fabrikam.com',                 -- 3 empty local part
    'ann@',                          -- 4 empty domain
    '@',                             -- 5 both empty
    'ann lee@fabrikam.com',          -- 6 white space inside
    E'ann@fab\trikam.com',           -- 7 a tab inside
    '"Ann" <ann @fabrikam.com>',     -- 8 white space inside the brackets
    '<>',                            -- 9 bare brackets
    'Ann <>',                        -- 10 name and bare brackets
    'ann@fabrikam.com>',             -- 11 closing bracket without an opening one
    'Ann <ann@fabrikam.com',         -- 12 opening bracket never closed
    '<ann@fabrikam.com> trailing',   -- 13 text after the brackets
    '',                              -- 14 empty
    '   ',                           -- 15 white space only
    '<@fabrikam.com>',               -- 16 empty local part inside brackets
    'Ann <ann@>',                    -- 17 empty domain inside brackets
    'Ann <ann@fabrikam.com> <cat@contoso.com>',  -- 18 two addresses in brackets
    'ann@fabrikam.com <cat@contoso.com>',        -- 19 accepted: an address as display name (common)
    E'ann\u00A0lee@fabrikam.com',   -- 20 no-break space inside
    E'ann@fab\u2003rikam.com',      -- 21 em space inside
    E'ann@fabrikam\u3000.com',      -- 22 ideographic space inside
    E'ann@fabrikam.com\u2028x',     -- 23 line separator inside
    E'ann\u200B@fabrikam.com',      -- 24 zero-width space inside
    E'ann\u0001@fabrikam.com',      -- 25 a control character
    E'ann\u007F@fabrikam.com',      -- 26 DEL
    E'ann\u0085@fabrikam.com',      -- 27 next line (C1)
    E'\uFEFFann@fabrikam.com'       -- 28 a byte order mark
]) WITH ORDINALITY AS t(given, i)
ORDER BY i;

-- NULL in, NULL out (STRICT).
SELECT normalize_address(NULL) IS NULL AS null_is_null;

-- address_domain: the part after the last @; NULL without @ or for NULL.
-- 'ann@' has an empty domain (not NULL): address_domain() does not validate.
SELECT i, to_json(given) AS given, to_json(address_domain(given)) AS domain
FROM unnest(ARRAY['ann.lee@fabrikam.com', 'a@b@c.example', 'no-at-sign', 'ann@', NULL]) WITH ORDINALITY AS t(given, i)
ORDER BY i;

-- address_domain of a normalized address (the usual way it is used).
SELECT address_domain(normalize_address('"Ann Lee" <Ann.Lee@Fabrikam.COM>')) AS domain;

-- address_or_null(): the same rule on the same code path, NULL where
-- normalize_address() raises 22023 (one value for each rejection reason).
SELECT i, pg_temp.visible(to_json(given)::text) AS given, to_json(address_or_null(given)) AS or_null,
       pg_temp.visible(pg_temp.try(format('SELECT relintel.normalize_address(%L)', given))) AS normalize_address
FROM unnest(ARRAY[
    '"Ann Lee" <Ann.Lee@Fabrikam.COM>',      -- 1 accepted
    E'\u00A0<Bob@Contoso.com> ',             -- 2 accepted, trimmed
    'already@normal.com',                    -- 3 accepted, the ASCII fast path
    'ann.fabrikam.com',                      -- 4 no @
    'ann@lee@fabrikam.com',                  -- 5 two @
    '@fabrikam.com',                         -- 6 empty local part
    'ann@',                                  -- 7 empty domain
    'ann lee@fabrikam.com',                  -- 8 white space inside
    E'ann\u200B@fabrikam.com',              -- 9 an invisible character
    'ann@fabrikam.com>',                     -- 10 closing bracket without an opening one
    'Ann <ann@fabrikam.com',                 -- 11 opening bracket never closed
    'Ann <ann@fabrikam.com> <cat@contoso.com>', -- 12 two addresses in brackets
    ''                                       -- 13 empty
]) WITH ORDINALITY AS t(given, i)
ORDER BY i;

-- NULL in, NULL out; declared like normalize_address().
SELECT address_or_null(NULL) IS NULL AS null_is_null;
SELECT proname, provolatile, proisstrict, proparallel
FROM pg_proc
WHERE proname IN ('normalize_address', 'address_or_null') AND pronamespace = 'relintel'::regnamespace
ORDER BY proname;

-- sorted_addresses(): what array_agg(DISTINCT a ORDER BY a) gives (classify()
-- sorts each side of an interaction's participants with it), NULL last and
-- once, in the argument's collation; one-dimensional arrays only (2202E).
SELECT relintel.sorted_addresses(ARRAY['b@x.com', 'a@x.com', 'b@x.com', NULL, 'c@x.com', NULL]) AS with_nulls,
       relintel.sorted_addresses('{}'::text[]) AS empty,
       relintel.sorted_addresses(NULL) IS NULL AS null_is_null,
       relintel.sorted_addresses(ARRAY['b', 'B', 'a'] COLLATE "C") AS in_c;
SELECT count(*) AS arrays,
       count(*) FILTER (WHERE relintel.sorted_addresses(given) IS NOT DISTINCT FROM expected) AS equal
FROM (SELECT g, array_agg(CASE WHEN random() < 0.05 THEN NULL
                               ELSE chr(97 + (random() * 5)::int) || '@' || chr(97 + (random() * 2)::int) END) AS given
        FROM generate_series(1, 2000) AS g, generate_series(0, g % 9) AS n
       GROUP BY g) AS t
CROSS JOIN LATERAL (SELECT array_agg(DISTINCT x ORDER BY x) AS expected FROM unnest(t.given) AS x) AS e;
SELECT pg_temp.try('SELECT relintel.sorted_addresses(''{{a,b},{c,d}}''::text[])') AS two_dimensions;
