-- intro_request on the scenario data, at T = 2026-06-15 00:00 UTC, and the
-- RFC 6068 mailto: URI decoding back to the very subject and body.
-- (no CONTEXT lines: they name line numbers of function bodies)
\set SHOW_CONTEXT never
SET timezone = 'UTC';
SET intervalstyle = 'postgres';
SET datestyle = 'ISO, YMD';

-- Percent-decoding of the test: %XX -> that byte, anything else -> its
-- UTF-8 bytes; the byte string is then read as UTF-8.
CREATE FUNCTION pg_temp.pct_decode(s text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_from(COALESCE(string_agg(
               CASE WHEN t.m[1] IS NOT NULL THEN decode(substr(t.m[1], 2), 'hex')
                    ELSE convert_to(t.m[2], 'UTF8') END, ''::bytea ORDER BY t.o), ''::bytea), 'UTF8')
      FROM regexp_matches(s, '(%[0-9A-Fa-f]{2})|([^%])', 'g') WITH ORDINALITY AS t(m, o)
$$;
-- The parts of a mailto: URI: address, subject, body.
CREATE FUNCTION pg_temp.mailto_parts(uri text, OUT address text, OUT subject text, OUT body text)
LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.pct_decode(substring(uri FROM '^mailto:([^?]*)')),
           pg_temp.pct_decode(substring(uri FROM '[?&]subject=([^&]*)')),
           pg_temp.pct_decode(substring(uri FROM '[?&]body=([^&]*)'))
$$;

-- percent_encode: unreserved kept, everything else as %XX of its UTF-8
-- bytes: space %20 (never '+'), '+' %2B, 'ë' %C3%AB, '€' %E2%82%AC.
SELECT relintel.percent_encode('a b+c&d?e#f%g''h"i~j.k_l-m ë €/=') AS encoded;
SELECT relintel.percent_encode('') AS empty, relintel.percent_encode('x@y.z', '@') AS address;

-- alice asks dan for an introduction to zoe (contact 200, account 20
-- Northwind Traders).  dan knows zoe with strength 49 (see who_knows),
-- last interaction 23, an email of 2026-06-02.
\x on
SELECT "to", subject, replace(body, E'\r\n', E'\n') AS body, mailto
  FROM relintel.intro_request('alice@contoso.com', 'Dan Diaz <DAN@contoso.com>',
                              'zoe@northwind.com', '2026-06-15 00:00+00');
\x off

-- Names and companies with spaces, quotes, &, ?, #, %, + and non-ASCII
-- letters: the URI carries only unreserved characters and %XX, and decodes
-- back to exactly "to", subject and body (line breaks are CRLF in both).
UPDATE relintel.contact SET full_name = 'Zoë "Zee" O''Brien-Ñúñez & Co? #1 100% +' WHERE id = 200;
UPDATE relintel.account SET name = 'Nörthwind & Söhne "AG" ? # % 東京' WHERE id = 20;
UPDATE relintel.colleague SET display_name = 'Dan & Dänny #2' WHERE id = 4;
UPDATE relintel.colleague SET display_name = 'Ålice ''A'' 100%' WHERE id = 1;
SELECT subject,
       mailto ~ '^mailto:[A-Za-z0-9._~@%-]+\?subject=[A-Za-z0-9._~%-]*&body=[A-Za-z0-9._~%-]*$' AS well_formed,
       position('%0D%0A' IN mailto) > 0 AS crlf_encoded,
       (pg_temp.mailto_parts(mailto)).address = "to" AS same_to,
       (pg_temp.mailto_parts(mailto)).subject = subject AS same_subject,
       (pg_temp.mailto_parts(mailto)).body = body AS same_body
  FROM relintel.intro_request('alice@contoso.com', 'dan@contoso.com',
                              'zoe@northwind.com', '2026-06-15 00:00+00');
SELECT replace(body, E'\r\n', E'\n') AS body
  FROM relintel.intro_request('alice@contoso.com', 'dan@contoso.com',
                              'zoe@northwind.com', '2026-06-15 00:00+00');
UPDATE relintel.contact SET full_name = 'Zoë O''Brien' WHERE id = 200;
UPDATE relintel.account SET name = 'Northwind Traders' WHERE id = 20;
UPDATE relintel.colleague SET display_name = 'Dan Diaz' WHERE id = 4;
UPDATE relintel.colleague SET display_name = 'Alice Archer' WHERE id = 1;

-- A target known from a lead only: name and company from the lead.  Nobody
-- knows max, so for the test bob answers max's mail once (bob -> max, in
-- reply to nothing: outbound, and max -> bob: inbound) on June 12-13:
-- subject names "Max Power at Power & Sons"; then the rows are removed.
INSERT INTO relintel.interaction (id, kind, occurred_at, sender, recipients) VALUES
  (60, 'email', '2026-06-12 12:00+00', 'max.power@gmail.com', ARRAY['bob@contoso.com']),
  (61, 'email', '2026-06-13 12:00+00', 'bob@contoso.com', ARRAY['max.power@gmail.com']);
SELECT "to", subject FROM relintel.intro_request('alice@contoso.com', 'bob@contoso.com',
                                                 'max.power@gmail.com', '2026-06-15 00:00+00');
DELETE FROM relintel.interaction WHERE id IN (60, 61);

-- An address known from nothing but its account's domain: company only.
-- raj is a contact; pretend an unknown fabrikam.com address: newbie met
-- alice on June 14 (one meeting: strength 52, see who_knows).
INSERT INTO relintel.interaction (id, kind, occurred_at, duration, sender, recipients) VALUES
  (62, 'meeting', '2026-06-14 00:00+00', '30 minutes', 'alice@contoso.com', ARRAY['newbie@fabrikam.com']);
SELECT "to", subject FROM relintel.intro_request('bob@contoso.com', 'alice@contoso.com',
                                                 'newbie@fabrikam.com', '2026-06-15 00:00+00');
DELETE FROM relintel.interaction WHERE id = 62;

-- Refused with 22023 (same message whatever the reason): a colleague who
-- does not know the target (alice and max: one-way mail only), an opted-out
-- colleague (carol knows ann with 88), an address that is not a colleague;
-- an invalid address.
\set VERBOSITY default
SELECT * FROM relintel.intro_request('bob@contoso.com', 'alice@contoso.com', 'max.power@gmail.com', '2026-06-15 00:00+00');
\set VERBOSITY sqlstate
SELECT * FROM relintel.intro_request('bob@contoso.com', 'carol@contoso.com', 'ann.lee@fabrikam.com', '2026-06-15 00:00+00');
SELECT * FROM relintel.intro_request('bob@contoso.com', 'support@contoso.com', 'max.power@gmail.com', '2026-06-15 00:00+00');
SELECT * FROM relintel.intro_request('bob@contoso.com', 'alice@contoso.com', 'not an address', '2026-06-15 00:00+00');

-- Like who_knows: SECURITY DEFINER, fixed search_path, no EXECUTE for PUBLIC.
SELECT p.prosecdef, p.proconfig,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
  FROM pg_proc AS p
 WHERE p.oid = 'relintel.intro_request(text, text, text, timestamptz)'::regprocedure;
