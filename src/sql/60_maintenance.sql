-- ===========================================================================
-- 60_maintenance.sql: the maintained tables entity_health and tie, kept
-- equal to a full recomputation by triggers (SPEC section 3).
--
-- A key is an entity (entity_type, entity_id) or a tie (colleague_id,
-- address).  Every writing statement ends in relintel.apply_changes(), the
-- one place that writes the maintained tables, with two kinds of keys:
--
--   merged keys     keys of newly settled interactions: their states get the
--                   aggregate of the new rows merged in (the combine
--                   function), without reading anything else;
--   recomputed keys keys whose membership or inputs changed in any other
--                   way (deletes, updates, a reply arriving after the mail
--                   it answers, changes of colleagues, domains, accounts,
--                   contacts, leads, opportunities and stakeholders): their
--                   states are recomputed from the base tables.
--
-- Which keys an interaction belongs to is never written here: it is always
-- read from the membership views of 30_membership.sql (entity_interaction,
-- tie_interaction), restricted to interaction ids.  When a change would
-- alter membership, a BEFORE ROW trigger records the interactions it
-- touches and their keys as they were (relintel.stale), and the statement's
-- AFTER trigger adds their keys as they are now.
--
-- Pending: an interaction whose occurred_at is later than the time it is
-- written is listed in relintel.pending_interaction and left out of the
-- maintained states until relintel.catch_up() folds it in.
--
-- Concurrency (READ COMMITTED writers):
--   * keys are locked in one sorted pass (an upsert ordered by key, entity
--     keys before tie keys), so two writers never wait on each other in
--     opposite orders;
--   * a recomputation reads the base tables in a statement that starts after
--     its keys are locked, so it sees every writer that held them;
--   * replies: writers lock (transaction advisory locks, sorted) buckets of
--     the Message-IDs they write and answer, so a reply and the mail it
--     answers, written concurrently, are seen by one of the two;
--   * changes of colleagues, domains and CRM records take a SHARE ROW
--     EXCLUSIVE lock on the maintained tables: they wait for interaction
--     writers (ROW EXCLUSIVE) and those wait for them.
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- The settled interactions: what the maintained states are made of
-- ---------------------------------------------------------------------------

CREATE VIEW relintel.settled_entity_interaction AS
SELECT ei.*
  FROM relintel.entity_interaction AS ei
 WHERE NOT EXISTS (SELECT 1 FROM relintel.pending_interaction AS p
                    WHERE p.interaction_id OPERATOR(pg_catalog.=) ei.interaction_id);
COMMENT ON VIEW relintel.settled_entity_interaction IS
    'entity_interaction without pending interactions: the input of entity_health';

CREATE VIEW relintel.settled_tie_interaction AS
SELECT ti.*
  FROM relintel.tie_interaction AS ti
 WHERE NOT EXISTS (SELECT 1 FROM relintel.pending_interaction AS p
                    WHERE p.interaction_id OPERATOR(pg_catalog.=) ti.interaction_id);
COMMENT ON VIEW relintel.settled_tie_interaction IS
    'tie_interaction without pending interactions: the input of tie';

REVOKE ALL ON relintel.settled_entity_interaction, relintel.settled_tie_interaction FROM PUBLIC;


-- ---------------------------------------------------------------------------
-- Writing the maintained tables
-- ---------------------------------------------------------------------------

-- relintel.apply_changes: fold the settled interactions merged_ids into their
-- keys' states; fold in the responses of the settled replies answered_ids
-- (already in the states, whose answered mail just arrived); and recompute
-- from the base tables the keys of recomputed_ids plus the keys listed in
-- relintel.stale for this backend.  The one writer of entity_health and tie.
-- The queries here touch few rows through many index probes: JIT compilation
-- would cost more than it saves, hash joins over whole CRM tables are what a
-- misestimated ANY(array) would otherwise pick, and planning these queries
-- anew for each statement (custom plans) costs more than running them.  The
-- one generic plan must not depend on statistics (a plan made while the
-- tables looked empty would scan them per row), hence no sequential scans.
CREATE FUNCTION relintel.apply_changes(merged_ids bigint[], recomputed_ids bigint[],
                                       answered_ids bigint[] DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
SET enable_seqscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    stale_ids bigint[];                       -- interactions whose keys are recomputed
    entity_types relintel.entity_type[];      -- entity keys to recompute, with entity_ids
    entity_ids bigint[];
    colleague_ids bigint[];                   -- tie keys to recompute, with addresses
    addresses text[];
BEGIN
    -- Keys to recompute: those recorded before the change, and those of the
    -- changed interactions now.
    WITH recorded AS (
        DELETE FROM relintel.stale WHERE backend_pid = pg_backend_pid()
        RETURNING interaction_id, entity_type, entity_id, colleague_id, address
    )
    SELECT array_agg(interaction_id) FILTER (WHERE interaction_id IS NOT NULL),
           array_agg(entity_type) FILTER (WHERE entity_type IS NOT NULL),
           array_agg(entity_id) FILTER (WHERE entity_type IS NOT NULL),
           array_agg(colleague_id) FILTER (WHERE colleague_id IS NOT NULL),
           array_agg(address) FILTER (WHERE colleague_id IS NOT NULL)
      INTO stale_ids, entity_types, entity_ids, colleague_ids, addresses
      FROM recorded;
    stale_ids := coalesce(stale_ids, '{}') || coalesce(recomputed_ids, '{}');
    SELECT array_agg(k.entity_type), array_agg(k.entity_id) INTO entity_types, entity_ids
      FROM (SELECT u.entity_type, u.entity_id FROM unnest(entity_types, entity_ids) AS u(entity_type, entity_id)
            UNION
            SELECT ei.entity_type, ei.entity_id FROM relintel.entity_interaction AS ei
             WHERE ei.interaction_id = ANY (stale_ids)) AS k;
    SELECT array_agg(k.colleague_id), array_agg(k.address) INTO colleague_ids, addresses
      FROM (SELECT u.colleague_id, u.address FROM unnest(colleague_ids, addresses) AS u(colleague_id, address)
            UNION
            SELECT ti.colleague_id, ti.address FROM relintel.tie_interaction AS ti
             WHERE ti.interaction_id = ANY (stale_ids)) AS k;

    -- One sorted pass over all keys: merge the new rows' states into theirs,
    -- and create (state NULL) or lock the keys to recompute; merge(s, NULL) = s.
    INSERT INTO relintel.entity_health AS h (entity_type, entity_id, state)
    SELECT coalesce(d.entity_type, r.entity_type), coalesce(d.entity_id, r.entity_id),
           CASE WHEN r.entity_id IS NULL THEN d.state END
      FROM (SELECT coalesce(n.entity_type, a.entity_type) AS entity_type,
                   coalesce(n.entity_id, a.entity_id) AS entity_id,
                   relintel.merge(n.state, a.state) AS state
              FROM (SELECT ei.entity_type, ei.entity_id,
                           relintel.health_agg(ei.occurred_at, ei.kind, ei.outbound, ei.duration,
                                               ei.reply_latency, ei.sentiment) AS state
                      FROM relintel.entity_interaction AS ei
                     WHERE ei.interaction_id = ANY (merged_ids)
                     GROUP BY ei.entity_type, ei.entity_id) AS n
              FULL JOIN
                   (SELECT ei.entity_type, ei.entity_id,
                           relintel.response_agg(ei.occurred_at, ei.outbound, ei.reply_latency) AS state
                      FROM relintel.settled_entity_interaction AS ei
                     WHERE ei.interaction_id = ANY (answered_ids)
                       AND ei.reply_latency IS NOT NULL
                     GROUP BY ei.entity_type, ei.entity_id) AS a
                ON a.entity_type = n.entity_type AND a.entity_id = n.entity_id) AS d
      FULL JOIN unnest(entity_types, entity_ids) AS r(entity_type, entity_id)
        ON r.entity_type = d.entity_type AND r.entity_id = d.entity_id
     ORDER BY 1, 2
    ON CONFLICT (entity_type, entity_id) DO UPDATE
       SET state = relintel.merge(h.state, EXCLUDED.state);

    -- A response folded into a key whose state did not hold the reply (it
    -- had none): recompute that key too (its row is locked: we created it).
    SELECT array_agg(h.entity_type) || coalesce(entity_types, '{}'),
           array_agg(h.entity_id) || coalesce(entity_ids, '{}')
      INTO entity_types, entity_ids
      FROM relintel.entity_health AS h
     WHERE answered_ids IS NOT NULL
       AND relintel.interactions(h.state) = 0
       AND (h.entity_type, h.entity_id) IN (SELECT ei.entity_type, ei.entity_id
                                              FROM relintel.entity_interaction AS ei
                                             WHERE ei.interaction_id = ANY (answered_ids));

    INSERT INTO relintel.tie AS t (colleague_id, address, state)
    SELECT coalesce(d.colleague_id, r.colleague_id), coalesce(d.address, r.address),
           CASE WHEN r.colleague_id IS NULL THEN d.state END
      FROM (SELECT ti.colleague_id, ti.address,
                   relintel.tie_agg(ti.occurred_at, ti.kind, ti.outbound) AS state
              FROM relintel.tie_interaction AS ti
             WHERE ti.interaction_id = ANY (merged_ids)
             GROUP BY ti.colleague_id, ti.address) AS d
      FULL JOIN unnest(colleague_ids, addresses) AS r(colleague_id, address)
        ON r.colleague_id = d.colleague_id AND r.address = d.address
     ORDER BY 1, 2
    ON CONFLICT (colleague_id, address) DO UPDATE
       SET state = relintel.merge(t.state, EXCLUDED.state);

    -- Recompute the locked keys, in statements that start after the locks.
    IF entity_ids IS NOT NULL THEN
        UPDATE relintel.entity_health AS h
           SET state = f.state
          FROM unnest(entity_types, entity_ids) AS r(entity_type, entity_id)
          LEFT JOIN LATERAL (
                SELECT relintel.health_agg(ei.occurred_at, ei.kind, ei.outbound, ei.duration,
                                           ei.reply_latency, ei.sentiment) AS state
                  FROM relintel.settled_entity_interaction AS ei
                 WHERE ei.interaction_id = ANY (relintel.entity_candidates(r.entity_type, r.entity_id))
                   AND ei.entity_type = r.entity_type AND ei.entity_id = r.entity_id) AS f ON true
         WHERE h.entity_type = r.entity_type AND h.entity_id = r.entity_id;
        DELETE FROM relintel.entity_health AS h
         USING unnest(entity_types, entity_ids) AS r(entity_type, entity_id)
         WHERE h.entity_type = r.entity_type AND h.entity_id = r.entity_id AND h.state IS NULL;
    END IF;
    IF colleague_ids IS NOT NULL THEN
        UPDATE relintel.tie AS t
           SET state = f.state
          FROM unnest(colleague_ids, addresses) AS r(colleague_id, address)
          LEFT JOIN LATERAL (
                SELECT relintel.tie_agg(ti.occurred_at, ti.kind, ti.outbound) AS state
                  FROM relintel.settled_tie_interaction AS ti
                 WHERE ti.interaction_id = ANY (relintel.interactions_of(ARRAY[r.address], NULL, NULL, NULL))
                   AND ti.colleague_id = r.colleague_id AND ti.address = r.address) AS f ON true
         WHERE t.colleague_id = r.colleague_id AND t.address = r.address;
        DELETE FROM relintel.tie AS t
         USING unnest(colleague_ids, addresses) AS r(colleague_id, address)
         WHERE t.colleague_id = r.colleague_id AND t.address = r.address AND t.state IS NULL;
    END IF;
END;
$$;
COMMENT ON FUNCTION relintel.apply_changes(bigint[], bigint[], bigint[]) IS
    'the one writer of entity_health and tie: merges new settled interactions, recomputes changed keys';

-- relintel.lock_reply_buckets: lock (sorted) the buckets of the Message-IDs
-- given, so that a reply and the mail it answers are never written
-- concurrently unseen by each other.  256 buckets bound the locks a
-- transaction holds however large its batch.  UPDATE and DELETE lock all
-- buckets before their first row (they learn the Message-IDs row by row,
-- and taking buckets in row order could deadlock).
CREATE FUNCTION relintel.lock_reply_buckets(message_ids text[])
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT pg_advisory_xact_lock(1919249516, b)
      FROM (SELECT DISTINCT hashtext(m) & 255 AS b FROM unnest(message_ids) AS m
             WHERE m IS NOT NULL
            UNION
            SELECT b FROM generate_series(0, 255) AS b WHERE message_ids IS NULL
             ORDER BY 1) AS buckets;
END;
COMMENT ON FUNCTION relintel.lock_reply_buckets(text[]) IS
    'locks, in sorted order, the advisory-lock buckets of the given Message-IDs (all buckets for NULL)';


-- ---------------------------------------------------------------------------
-- Triggers on interaction
-- ---------------------------------------------------------------------------

-- After INSERT (and COPY): record the future-dated rows as pending, merge the
-- others; fold in the responses of existing replies to the new mails (their
-- latency just appeared).
CREATE FUNCTION relintel.interaction_inserted()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    settled_ids bigint[];
    answered_ids bigint[];
    written_ids text[];
BEGIN
    LOCK TABLE relintel.entity_health, relintel.tie IN ROW EXCLUSIVE MODE;
    SELECT array_agg(n.message_id) || array_agg(n.in_reply_to) INTO written_ids FROM new_rows AS n;
    PERFORM relintel.lock_reply_buckets(written_ids);

    INSERT INTO relintel.pending_interaction (interaction_id, occurred_at)
    SELECT n.id, n.occurred_at FROM new_rows AS n WHERE n.occurred_at > now();
    SELECT array_agg(n.id) INTO settled_ids FROM new_rows AS n WHERE n.occurred_at <= now();
    SELECT array_agg(i.id) INTO answered_ids
      FROM relintel.interaction AS i
     WHERE i.in_reply_to IN (SELECT n.message_id FROM new_rows AS n)
       AND i.id NOT IN (SELECT n.id FROM new_rows AS n);

    PERFORM relintel.apply_changes(settled_ids, NULL, answered_ids);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.interaction_inserted() IS
    'statement trigger: folds inserted interactions into the maintained states';

-- Before an UPDATE or DELETE statement: wait for directory changes, and lock
-- every reply bucket (sorted) before any row is touched.
CREATE FUNCTION relintel.interaction_changes_starting()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    LOCK TABLE relintel.entity_health, relintel.tie IN ROW EXCLUSIVE MODE;
    PERFORM relintel.lock_reply_buckets(NULL);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.interaction_changes_starting() IS
    'statement trigger: takes the locks of an UPDATE or DELETE of interactions before its first row';

-- Before UPDATE or DELETE of a row: record its keys and those of its replies
-- as they are now.
CREATE FUNCTION relintel.interaction_changing()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    PERFORM relintel.record_stale(ARRAY(
        SELECT OLD.id
        UNION ALL
        SELECT i.id FROM relintel.interaction AS i
         WHERE i.in_reply_to IN (OLD.message_id, CASE WHEN TG_OP = 'UPDATE' THEN NEW.message_id END)));
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION relintel.interaction_changing() IS
    'row trigger: records the keys an updated or deleted interaction and its replies belong to';

-- After UPDATE or DELETE: pending status of updated rows, then recompute.
CREATE FUNCTION relintel.interaction_changed()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    changed_ids bigint[];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM relintel.pending_interaction AS p
         USING new_rows AS n WHERE p.interaction_id = n.id;
        INSERT INTO relintel.pending_interaction (interaction_id, occurred_at)
        SELECT n.id, n.occurred_at FROM new_rows AS n WHERE n.occurred_at > now();
        SELECT array_agg(n.id) INTO changed_ids FROM new_rows AS n;
        -- replies to the new Message-IDs
        changed_ids := changed_ids || ARRAY(
            SELECT i.id FROM relintel.interaction AS i
             WHERE i.in_reply_to IN (SELECT n.message_id FROM new_rows AS n));
    END IF;
    PERFORM relintel.apply_changes(NULL, changed_ids);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.interaction_changed() IS
    'statement trigger: recomputes the keys of updated or deleted interactions';

-- After TRUNCATE: nothing is left to maintain.
CREATE FUNCTION relintel.interaction_truncated()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    -- DELETE, not TRUNCATE: the statement that fired may be truncating them too
    DELETE FROM relintel.entity_health;
    DELETE FROM relintel.tie;
    DELETE FROM relintel.pending_interaction;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.interaction_truncated() IS
    'statement trigger: empties the maintained tables when interaction is truncated';

CREATE TRIGGER maintain_insert AFTER INSERT ON relintel.interaction
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.interaction_inserted();
CREATE TRIGGER maintain_starting BEFORE UPDATE OR DELETE ON relintel.interaction
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.interaction_changes_starting();
CREATE TRIGGER maintain_changing BEFORE UPDATE OR DELETE ON relintel.interaction
    FOR EACH ROW EXECUTE FUNCTION relintel.interaction_changing();
CREATE TRIGGER maintain_update AFTER UPDATE ON relintel.interaction
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.interaction_changed();
CREATE TRIGGER maintain_delete AFTER DELETE ON relintel.interaction
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.interaction_changed();
CREATE TRIGGER maintain_truncate AFTER TRUNCATE ON relintel.interaction
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.interaction_truncated();
COMMENT ON TRIGGER maintain_insert ON relintel.interaction IS 'keeps entity_health and tie fresh on INSERT and COPY';
COMMENT ON TRIGGER maintain_starting ON relintel.interaction IS 'locks before an UPDATE or DELETE touches a row';
COMMENT ON TRIGGER maintain_changing ON relintel.interaction IS 'records the keys of rows about to change';
COMMENT ON TRIGGER maintain_update ON relintel.interaction IS 'keeps entity_health and tie fresh on UPDATE';
COMMENT ON TRIGGER maintain_delete ON relintel.interaction IS 'keeps entity_health and tie fresh on DELETE';
COMMENT ON TRIGGER maintain_truncate ON relintel.interaction IS 'empties entity_health and tie on TRUNCATE';


-- ---------------------------------------------------------------------------
-- Triggers on colleagues, domains and CRM records
-- ---------------------------------------------------------------------------

-- relintel.record_stale: note interactions whose membership or inputs may
-- change, and the replies to them (a reclassified mail changes its replies'
-- latency), with their entity and tie keys as they are now.
CREATE FUNCTION relintel.record_stale(interaction_ids bigint[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
SET enable_seqscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    touched bigint[];   -- the interactions, and the replies to them (their latency may change)
BEGIN
    touched := ARRAY(SELECT unnest(interaction_ids)
                     UNION
                     SELECT r.id FROM relintel.interaction AS p
                       JOIN relintel.interaction AS r ON r.in_reply_to = p.message_id
                      WHERE p.id = ANY (interaction_ids));
    INSERT INTO relintel.stale (interaction_id) SELECT unnest(touched);
    INSERT INTO relintel.stale (entity_type, entity_id)
    SELECT DISTINCT ei.entity_type, ei.entity_id FROM relintel.entity_interaction AS ei
     WHERE ei.interaction_id = ANY (touched);
    INSERT INTO relintel.stale (colleague_id, address)
    SELECT DISTINCT ti.colleague_id, ti.address FROM relintel.tie_interaction AS ti
     WHERE ti.interaction_id = ANY (touched);
END;
$$;
COMMENT ON FUNCTION relintel.record_stale(bigint[]) IS
    'records interactions whose membership may change, with their current entity and tie keys';

-- Before a row of colleague, internal_domain, account, contact, lead,
-- opportunity or opportunity_contact changes: wait for interaction writers,
-- then record the interactions it concerns (old and new values) and their keys.
CREATE FUNCTION relintel.directory_changing()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    ignored_columns constant text[] := ARRAY['name', 'display_name', 'full_name', 'company',
                                             'owner_id', 'share_relationships'];
    ids bigint[];
BEGIN
    IF TG_OP = 'UPDATE' AND old_row - ignored_columns = new_row - ignored_columns THEN
        RETURN NEW;     -- names, owners and opt-outs change no state
    END IF;
    LOCK TABLE relintel.entity_health, relintel.tie IN SHARE ROW EXCLUSIVE MODE;
    IF TG_TABLE_NAME IN ('colleague', 'contact', 'lead') THEN
        ids := relintel.interactions_of(ARRAY[old_row ->> 'email', new_row ->> 'email'], NULL,
                                        CASE WHEN TG_TABLE_NAME = 'lead' THEN 'lead'::relintel.entity_type END,
                                        ARRAY[(old_row ->> 'id')::bigint, (new_row ->> 'id')::bigint]);
    ELSIF TG_TABLE_NAME = 'internal_domain' THEN
        ids := relintel.interactions_of(NULL, ARRAY[old_row ->> 'domain', new_row ->> 'domain'], NULL, NULL);
    ELSIF TG_TABLE_NAME = 'account' THEN
        ids := relintel.interactions_of(NULL, ARRAY[old_row ->> 'domain', new_row ->> 'domain'], 'account',
                                        ARRAY[(old_row ->> 'id')::bigint, (new_row ->> 'id')::bigint]);
    ELSIF TG_TABLE_NAME = 'opportunity' THEN
        ids := relintel.interactions_of(
                   ARRAY(SELECT c.email FROM relintel.opportunity_contact AS oc
                           JOIN relintel.contact AS c ON c.id = oc.contact_id
                          WHERE oc.opportunity_id IN ((old_row ->> 'id')::bigint, (new_row ->> 'id')::bigint)),
                   NULL, 'opportunity', ARRAY[(old_row ->> 'id')::bigint, (new_row ->> 'id')::bigint]);
    ELSIF TG_TABLE_NAME = 'opportunity_contact' THEN
        ids := relintel.interactions_of(
                   ARRAY(SELECT c.email FROM relintel.contact AS c
                          WHERE c.id IN ((old_row ->> 'contact_id')::bigint, (new_row ->> 'contact_id')::bigint)),
                   NULL, NULL, NULL);
    END IF;
    PERFORM relintel.record_stale(ids);
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION relintel.directory_changing() IS
    'row trigger: records the interactions and keys that a change of a directory or CRM row may move';

-- After the statement: recompute what was recorded.
CREATE FUNCTION relintel.directory_changed()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM relintel.rebuild();
    ELSE
        PERFORM relintel.apply_changes(NULL, NULL);
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.directory_changed() IS
    'statement trigger: recomputes the keys recorded by directory_changing()';

DO $$
DECLARE
    table_name text;
BEGIN
    FOREACH table_name IN ARRAY ARRAY['colleague', 'internal_domain', 'account', 'contact', 'lead',
                                      'opportunity', 'opportunity_contact'] LOOP
        EXECUTE format('CREATE TRIGGER maintain_changing BEFORE INSERT OR UPDATE OR DELETE ON relintel.%I
                            FOR EACH ROW EXECUTE FUNCTION relintel.directory_changing()', table_name);
        EXECUTE format('CREATE TRIGGER maintain_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON relintel.%I
                            FOR EACH STATEMENT EXECUTE FUNCTION relintel.directory_changed()', table_name);
        EXECUTE format('COMMENT ON TRIGGER maintain_changing ON relintel.%I IS %L', table_name,
                       'records the interactions and keys a change may move');
        EXECUTE format('COMMENT ON TRIGGER maintain_changed ON relintel.%I IS %L', table_name,
                       'recomputes the recorded keys of entity_health and tie');
    END LOOP;
END;
$$;


-- ---------------------------------------------------------------------------
-- catch_up, verify, rebuild
-- ---------------------------------------------------------------------------

CREATE FUNCTION relintel.catch_up()
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    due_ids bigint[];
BEGIN
    LOCK TABLE relintel.entity_health, relintel.tie IN ROW EXCLUSIVE MODE;
    WITH due AS (
        DELETE FROM relintel.pending_interaction WHERE occurred_at <= now() RETURNING interaction_id
    )
    SELECT array_agg(interaction_id) INTO due_ids FROM due;
    PERFORM relintel.apply_changes(due_ids, NULL);
    RETURN coalesce(cardinality(due_ids), 0);
END;
$$;
COMMENT ON FUNCTION relintel.catch_up() IS
    'folds pending interactions whose time has come into the maintained states, each exactly once; returns how many';

CREATE FUNCTION relintel.verify()
RETURNS TABLE (kind text, key text, maintained text, recomputed text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH fresh AS (
        SELECT ei.entity_type, ei.entity_id,
               relintel.health_agg(ei.occurred_at, ei.kind, ei.outbound, ei.duration,
                                   ei.reply_latency, ei.sentiment) AS state
          FROM relintel.settled_entity_interaction AS ei
         GROUP BY ei.entity_type, ei.entity_id
    )
    SELECT 'entity_health', coalesce(h.entity_type, f.entity_type)::text || ' ' || coalesce(h.entity_id, f.entity_id),
           h.state::text, f.state::text
      FROM relintel.entity_health AS h
      FULL JOIN fresh AS f ON f.entity_type = h.entity_type AND f.entity_id = h.entity_id
     WHERE h.state IS NULL OR f.state IS NULL OR NOT (h.state OPERATOR(relintel.=) f.state)
    UNION ALL
    SELECT 'tie', coalesce(t.colleague_id, f.colleague_id)::text || ' ' || coalesce(t.address, f.address),
           t.state::text, f.state::text
      FROM relintel.tie AS t
      FULL JOIN (SELECT ti.colleague_id, ti.address,
                        relintel.tie_agg(ti.occurred_at, ti.kind, ti.outbound) AS state
                   FROM relintel.settled_tie_interaction AS ti
                  GROUP BY ti.colleague_id, ti.address) AS f
        ON f.colleague_id = t.colleague_id AND f.address = t.address
     WHERE t.state IS NULL OR f.state IS NULL OR NOT (t.state OPERATOR(relintel.=) f.state);
END;
COMMENT ON FUNCTION relintel.verify() IS
    'rows where a maintained state differs from a recomputation from the base tables (there should be none)';

CREATE FUNCTION relintel.rebuild()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    LOCK TABLE relintel.entity_health, relintel.tie IN EXCLUSIVE MODE;
    DELETE FROM relintel.stale WHERE backend_pid = pg_backend_pid();
    DELETE FROM relintel.entity_health;
    DELETE FROM relintel.tie;
    INSERT INTO relintel.entity_health (entity_type, entity_id, state)
    SELECT ei.entity_type, ei.entity_id,
           relintel.health_agg(ei.occurred_at, ei.kind, ei.outbound, ei.duration, ei.reply_latency, ei.sentiment)
      FROM relintel.settled_entity_interaction AS ei
     GROUP BY ei.entity_type, ei.entity_id;
    INSERT INTO relintel.tie (colleague_id, address, state)
    SELECT ti.colleague_id, ti.address, relintel.tie_agg(ti.occurred_at, ti.kind, ti.outbound)
      FROM relintel.settled_tie_interaction AS ti
     GROUP BY ti.colleague_id, ti.address;
END;
$$;
COMMENT ON FUNCTION relintel.rebuild() IS
    'recomputes every maintained state from the base tables (needed after changing a half-life or max_tie_participants)';

-- Trigger functions are SECURITY DEFINER so that any role allowed to write
-- interactions and CRM rows keeps the maintained tables fresh without being
-- able to write them itself; nobody calls them directly.
REVOKE ALL ON FUNCTION relintel.interaction_inserted(), relintel.interaction_changing(),
                       relintel.interaction_changes_starting(),
                       relintel.interaction_changed(), relintel.interaction_truncated(),
                       relintel.directory_changing(), relintel.directory_changed()
    FROM PUBLIC;
REVOKE ALL ON FUNCTION relintel.catch_up(), relintel.verify(), relintel.rebuild(),
                       relintel.apply_changes(bigint[], bigint[], bigint[]), relintel.record_stale(bigint[]),
                       relintel.lock_reply_buckets(text[])
    FROM PUBLIC;
