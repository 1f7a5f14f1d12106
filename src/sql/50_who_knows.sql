-- ===========================================================================
-- 50_who_knows.sql: who knows whom, introduction requests, privileges
--
-- Tie strengths come from the maintained tie table (60_maintenance.sql), or,
-- for a time in the past, from the stored tie membership (tie_member) with
-- tie_agg (who_knew).  Both are readable by no one but their owner: who_knows (SECURITY DEFINER,
-- fixed search_path, EXECUTE revoked from PUBLIC) is the door, showing only
-- the top k colleagues for the one address asked about, and intro_request
-- goes through it.
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- Who knows whom
-- ---------------------------------------------------------------------------

-- relintel.who_knew: who_knows for a past as_of (internal: who_knows calls
-- it, and is the only door): the ties of a normalized address as they were
-- at as_of, folded from the stored tie membership (tie_member, settled
-- interactions up to as_of) with tie_agg under the database's stored
-- settings (the SET clauses scope use_stored_settings() to this call).
-- Same columns, filter and order as who_knows; k is not checked here.
CREATE FUNCTION relintel.who_knew(target text, k integer, as_of timestamptz)
RETURNS TABLE (colleague_id bigint,
               email text,
               display_name text,
               strength integer,
               last_interaction_at timestamptz,
               last_interaction_kind relintel.interaction_kind)
LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED ROWS 5
SET search_path = pg_catalog, pg_temp
SET jit = off
SET relintel.health_half_life = '21'
SET relintel.tie_half_life = '90'
SET relintel.max_tie_participants = 10
AS $$
#variable_conflict use_column
BEGIN
    PERFORM relintel.use_stored_settings();   -- past ties folded as the stored ones
    RETURN QUERY
    SELECT c.id,
           c.email,
           c.display_name,
           r.strength,
           r.last_at,
           relintel.tie_last_kind(p.state)
      FROM (SELECT t.colleague_id,
                   relintel.tie_agg(t.occurred_at, t.kind, t.outbound) AS state
              FROM relintel.tie_member AS t
             WHERE t.address = who_knew.target
               AND t.occurred_at <= who_knew.as_of
             GROUP BY t.colleague_id) AS p
     CROSS JOIN LATERAL (SELECT relintel.strength(p.state, who_knew.as_of) AS strength,
                                relintel.tie_last_at(p.state) AS last_at) AS r
      JOIN relintel.colleague AS c ON c.id = p.colleague_id
     WHERE c.share_relationships
       AND r.strength >= relintel.setting('min_tie_strength')
     ORDER BY r.strength DESC, r.last_at DESC, c.email
     LIMIT who_knew.k;
END;
$$;

COMMENT ON FUNCTION relintel.who_knew(text, integer, timestamptz) IS
    'who_knows at a past as_of, from the stored tie membership under the stored settings (internal: called by who_knows; target normalized, k checked)';

-- relintel.who_knows: the colleagues who know an external address (tie
-- strength >= relintel.min_tie_strength at as_of) and share their
-- relationships, best first: strength descending, then latest interaction
-- of the tie (newer first), then email; at most k rows.  The address is
-- normalized first (22023 when invalid); an internal address has no ties
-- and gives no rows; a negative k is refused (22023).  Now or later: one
-- indexed join of the maintained tie rows of the address (tie_address_idx;
-- pending interactions are not in them) with colleague, planned once per
-- session like any statement; the stored states carry their half-life, so
-- no setting is applied.  In the past: relintel.who_knew.
CREATE FUNCTION relintel.who_knows(address text,
                                   k integer DEFAULT 5,
                                   as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (colleague_id bigint,
               email text,
               display_name text,
               strength integer,
               last_interaction_at timestamptz,
               last_interaction_kind relintel.interaction_kind)
LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER PARALLEL RESTRICTED ROWS 5
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    target text := relintel.normalize_address(who_knows.address);
BEGIN
    IF who_knows.k < 0 THEN
        RAISE EXCEPTION 'k must not be negative: "%"', who_knows.k
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF who_knows.as_of < pg_catalog.now() THEN
        RETURN QUERY SELECT * FROM relintel.who_knew(target, who_knows.k, who_knows.as_of);
        RETURN;
    END IF;

    RETURN QUERY
    SELECT c.id,
           c.email,
           c.display_name,
           r.strength,
           r.last_at,
           relintel.tie_last_kind(t.state)
      FROM relintel.tie AS t
     CROSS JOIN LATERAL (SELECT relintel.strength(t.state, who_knows.as_of) AS strength,
                                relintel.tie_last_at(t.state) AS last_at) AS r
      JOIN relintel.colleague AS c ON c.id = t.colleague_id
     WHERE t.address = target
       AND c.share_relationships
       AND r.strength >= relintel.setting('min_tie_strength')
     ORDER BY r.strength DESC, r.last_at DESC, c.email
     LIMIT who_knows.k;
END;
$$;

COMMENT ON FUNCTION relintel.who_knows(text, integer, timestamptz) IS
    'top k colleagues who know an external address (tie strength >= relintel.min_tie_strength), opted-out colleagues hidden; SECURITY DEFINER, grant EXECUTE to the roles that may ask';


-- ---------------------------------------------------------------------------
-- Introduction requests
-- ---------------------------------------------------------------------------

-- relintel.percent_encode: RFC 3986 / RFC 6068 percent-encoding of the UTF-8
-- bytes of a text: unreserved characters (A-Z a-z 0-9 - . _ ~) and the
-- ASCII characters listed in safe are kept, every other byte becomes %XX
-- (upper-case hex), so a space is %20, never '+'.
CREATE FUNCTION relintel.percent_encode(value text, safe text DEFAULT '')
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT COALESCE(string_agg(
               CASE WHEN b.byte BETWEEN 48 AND 57          -- 0-9
                      OR b.byte BETWEEN 65 AND 90          -- A-Z
                      OR b.byte BETWEEN 97 AND 122         -- a-z
                      OR b.byte IN (45, 46, 95, 126)       -- - . _ ~
                      OR (b.byte < 128 AND strpos($2, chr(b.byte)) > 0)
                    THEN chr(b.byte)
                    ELSE '%' || upper(lpad(to_hex(b.byte), 2, '0'))
               END, '' ORDER BY g.i), '')
      FROM (SELECT convert_to($1, 'UTF8') AS bytes) AS s
     CROSS JOIN LATERAL generate_series(0, octet_length(s.bytes) - 1) AS g(i)
     CROSS JOIN LATERAL (SELECT get_byte(s.bytes, g.i) AS byte) AS b
$$;

COMMENT ON FUNCTION relintel.percent_encode(text, text) IS
    'percent-encoding of the UTF-8 bytes of a text (RFC 3986 unreserved characters and those in safe kept, space = %20)';

-- relintel.intro_request: the email that asks a colleague to introduce the
-- requester to a target address, as to / subject / body and a mailto: URI
-- (RFC 6068: every field percent-encoded as UTF-8, line breaks CRLF, which
-- the body itself uses, so the URI decodes back to exactly these texts).
-- The target is named by full name and company when a contact or lead with
-- that email, or an account with its domain, tells them (contact first,
-- then lead, then account by domain).  The body says how the colleague
-- knows the target: tie strength and latest interaction (date in the
-- session's time zone), at as_of (default now()).  The colleague must be a colleague who knows the
-- target as who_knows says (an opted-out one does not): otherwise 22023,
-- with the same message either way.
CREATE FUNCTION relintel.intro_request(requester text, colleague text, target text,
                                       as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE ("to" text, subject text, body text, mailto text)
LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER PARALLEL SAFE ROWS 1
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    requester_address text := relintel.normalize_address(intro_request.requester);
    colleague_address text := relintel.normalize_address(intro_request.colleague);
    target_address    text := relintel.normalize_address(intro_request.target);
    requester_name    text;
    v_colleague_id    bigint;
    colleague_name    text;
    tie_strength      integer;
    tie_last_at       timestamptz;
    tie_last_kind     relintel.interaction_kind;
    target_name       text;
    target_company    text;
    target_label      text;
    crlf              constant text := E'\r\n';
    v_subject         text;
    v_body            text;
BEGIN
    SELECT c.id, COALESCE(c.display_name, c.email)
      INTO v_colleague_id, colleague_name
      FROM relintel.colleague AS c
     WHERE c.email = colleague_address;

    IF v_colleague_id IS NOT NULL THEN
        SELECT w.strength, w.last_interaction_at, w.last_interaction_kind
          INTO tie_strength, tie_last_at, tie_last_kind
          FROM relintel.who_knows(target_address, 2147483647, intro_request.as_of) AS w
         WHERE w.colleague_id = v_colleague_id;
    END IF;
    IF tie_strength IS NULL THEN
        RAISE EXCEPTION '"%" is not a colleague who knows "%"', colleague_address, target_address
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'relintel.who_knows() lists the colleagues who know an address.';
    END IF;

    SELECT COALESCE(c.display_name, c.email)
      INTO requester_name
      FROM relintel.colleague AS c
     WHERE c.email = requester_address;
    requester_name := COALESCE(requester_name, requester_address);

    -- Name and company: contact first, then lead, then account by domain.
    SELECT ct.full_name, a.name
      INTO target_name, target_company
      FROM relintel.contact AS ct
      LEFT JOIN relintel.account AS a ON a.id = ct.account_id
     WHERE ct.email = target_address
     ORDER BY ct.id
     LIMIT 1;
    SELECT COALESCE(target_name, l.full_name), COALESCE(target_company, l.company)
      INTO target_name, target_company
      FROM (SELECT 1) AS one
      LEFT JOIN LATERAL (SELECT ld.full_name, ld.company
                           FROM relintel.lead AS ld
                          WHERE ld.email = target_address
                          ORDER BY ld.id
                          LIMIT 1) AS l ON true;
    IF target_company IS NULL THEN
        SELECT a.name
          INTO target_company
          FROM relintel.account AS a
         WHERE a.domain = split_part(target_address, '@', 2)
         ORDER BY a.id
         LIMIT 1;
    END IF;

    target_label := COALESCE(target_name, target_address)
                    || COALESCE(' at ' || target_company, '');
    v_subject := 'Introduction to ' || target_label;
    v_body := 'Hi ' || colleague_name || ',' || crlf
           || crlf
           || 'Could you introduce me to '
           || COALESCE(target_name || ' <' || target_address || '>', target_address)
           || COALESCE(' at ' || target_company, '') || '?' || crlf
           || 'You know them: relationship strength ' || tie_strength
           || '/100, last interaction '
           || CASE tie_last_kind WHEN 'email' THEN 'an email'
                                 WHEN 'meeting' THEN 'a meeting'
                                 ELSE 'a call' END
           || ' on ' || to_char(tie_last_at, 'YYYY-MM-DD') || '.' || crlf
           || crlf
           || 'Thanks,' || crlf
           || requester_name;

    RETURN QUERY
    SELECT colleague_address,
           v_subject,
           v_body,
           'mailto:' || relintel.percent_encode(colleague_address, '@')
           || '?subject=' || relintel.percent_encode(v_subject)
           || '&body=' || relintel.percent_encode(v_body);
END;
$$;

COMMENT ON FUNCTION relintel.intro_request(text, text, text, timestamptz) IS
    'email (to, subject, body, RFC 6068 mailto: URI) asking a colleague who knows target to introduce requester; SECURITY DEFINER, grant EXECUTE to the roles that may ask';


-- ---------------------------------------------------------------------------
-- Privileges
-- ---------------------------------------------------------------------------

-- Every object is usable by name (USAGE on the schema), but no table or view
-- is readable by anyone but the owner until an administrator grants it.  The
-- tie data (tie_interaction, and any tie table) is never granted: who_knows
-- and intro_request are the doors, and EXECUTE on them is granted by an
-- administrator to the roles that may ask.
GRANT USAGE ON SCHEMA relintel TO PUBLIC;

REVOKE ALL ON FUNCTION relintel.who_knows(text, integer, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION relintel.who_knew(text, integer, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION relintel.intro_request(text, text, text, timestamptz) FROM PUBLIC;
