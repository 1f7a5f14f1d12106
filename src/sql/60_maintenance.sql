-- ===========================================================================
-- 60_maintenance.sql: keeping the stored membership and the maintained
-- states equal to a recomputation from the base tables (SPEC section 3)
--
-- Every writing statement ends in one statement trigger that hands its
-- changed rows (transition tables) to relintel.maintain():
--
--   inserted interactions  classified and their membership written as is;
--                          their settled rows are folded into their keys'
--                          states (merge), without reading anything else;
--   changed interactions   (updated, deleted, replies whose mail just
--                          arrived, and every interaction that a change of
--                          colleagues, internal domains, accounts, contacts,
--                          leads, opportunities or stakeholders may move):
--                          classified again, their stored rows diffed with
--                          the new ones, and the keys whose membership
--                          really changed are recomputed from the stored
--                          membership.
--
-- All of it is set-based: the rules of 30_membership.sql run once per
-- statement over the whole changed set.  A set of more than 1,000
-- interactions gets plans made for it (hash joins for a million rows); a
-- smaller one reuses plans that the session made once for a few ids (index
-- probes), since planning the rules costs more than running them on a few
-- rows.
--
-- Pending: an interaction whose occurred_at is later than the time it is
-- written is listed in relintel.pending_interaction; its membership is
-- stored, but it stays out of the maintained states until
-- relintel.catch_up() folds it in.
--
-- Settings: the half-lives and max_tie_participants used here are the
-- database's, whatever the writer's session says: each function below starts
-- from the built-in defaults (its SET clause) and applies the values of
-- relintel.stored_setting (24_settings.sql); relintel.configure() changes
-- them and rebuilds.
--
-- JIT: the writing functions (the triggers, maintain(), catch_up() and
-- rebuild()) run with jit = off.  The planner's estimates of the rules'
-- rows are far too high (19.7 million membership rows for a batch of
-- 10,000 interactions), so at PostgreSQL's default settings (jit = on,
-- jit_above_cost 100,000) the statements of even a small batch were
-- compiled with LLVM, with optimizations and inlining: 0.9-1.3 s per batch
-- for the entity statement alone (auto_explain), more than the batch's own
-- work.  Measured on the loaded 1M CRM database of BENCH_DEFAULTS=1
-- bench/run.sh maintenance (2026-12-07, alternately, two rounds of two
-- batches): a COPY of 10,000 new interactions took 1.0-1.2 s with jit off
-- against 1.9-2.9 s with jit on; a first load of the million 68.9 s against
-- 81.5 s (one run each); rebuild() 43.4 and 44.0 s against 47.5 and 45.4 s.
--
-- Concurrency (READ COMMITTED writers):
--   * keys are locked in one sorted pass per table (an upsert ordered by
--     key), entity keys before tie keys, so two writers never wait on each
--     other in opposite orders;
--   * a recomputation reads the stored membership in a statement that starts
--     after its keys are locked, so it sees every writer that held them;
--   * replies: writers lock (transaction advisory locks, sorted) buckets of
--     the Message-IDs they write and answer, so a reply and the mail it
--     answers, written concurrently, are seen by one of the two;
--   * changes of colleagues, domains and CRM records take a SHARE ROW
--     EXCLUSIVE lock on the maintained tables in their statement trigger,
--     after their rows and before reading anything: interaction writers
--     (ROW EXCLUSIVE, also taken before they classify) and they wait for
--     each other, so each classifies with the other's rows committed.
-- ===========================================================================


-- ---------------------------------------------------------------------------
-- The one writer of the stored membership and the maintained states
-- ---------------------------------------------------------------------------

-- relintel.maintain: store the classification and membership of the new
-- interactions inserted_ids and fold their settled rows into their keys;
-- classify again the interactions changed_ids (and the replies to them) and
-- recompute the keys whose membership changed, and the keys of restated_ids
-- (interactions that became pending or settled).  Any may be NULL.
CREATE FUNCTION relintel.maintain(inserted_ids bigint[], changed_ids bigint[],
                                  restated_ids bigint[] DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = auto
SET relintel.health_half_life = '21'
SET relintel.tie_half_life = '90'
SET relintel.max_tie_participants = 10
AS $$
DECLARE
    has_inserted boolean;                  -- whether there are new rows
    has_changed boolean;                   -- whether there are changed rows
    entity_types relintel.entity_type[];   -- entity keys to recompute, with entity_ids
    entity_ids bigint[];
    colleague_ids bigint[];                -- tie keys to recompute, with addresses
    addresses text[];
BEGIN
    PERFORM relintel.use_stored_settings();
    inserted_ids := coalesce(inserted_ids, '{}');
    changed_ids := coalesce(changed_ids, '{}');
    restated_ids := coalesce(restated_ids, '{}');
    -- A small set reuses the plans this session made for small sets (made
    -- once, for a few ids: index probes); a large one gets plans of its own,
    -- made for its size (hash joins).  Set for this call only (the SET
    -- clause above scopes it).  Measured in bench/run.sh maintenance: see
    -- the README (single-row inserts).
    PERFORM set_config('plan_cache_mode',
                       CASE WHEN cardinality(inserted_ids) + cardinality(changed_ids)
                                 + cardinality(restated_ids) <= 1000
                            THEN 'force_generic_plan' ELSE 'force_custom_plan' END, true);

    -- A changed interaction changes the latency of the replies to it (those
    -- to a Message-ID it no longer has are added by the caller).
    IF cardinality(changed_ids) > 0 THEN
        changed_ids := ARRAY(SELECT c FROM unnest(changed_ids) AS c
                             UNION
                             SELECT r.id FROM relintel.id_set(changed_ids) AS c
                               JOIN relintel.interaction AS p ON p.id = c.id
                               JOIN relintel.interaction AS r ON r.in_reply_to = p.message_id
                             EXCEPT
                             SELECT n FROM unnest(inserted_ids) AS n);
    END IF;

    has_inserted := cardinality(inserted_ids) > 0;
    has_changed := cardinality(changed_ids) > 0;

    -- Classification: new rows as they are; changed rows replaced.
    IF has_inserted THEN
        INSERT INTO relintel.interaction_fact SELECT * FROM relintel.classify(inserted_ids);
    END IF;
    IF has_changed THEN
        DELETE FROM relintel.interaction_fact AS f
         USING relintel.id_set(changed_ids) AS c WHERE f.interaction_id = c.id;
        INSERT INTO relintel.interaction_fact SELECT * FROM relintel.classify(changed_ids);
    END IF;

    -- Entity membership: the new rows' written, their settled rows' states
    -- merged into their keys; the changed rows' diffed, the keys of every
    -- row removed, added or altered recomputed.  (The rows gone are an
    -- EXCEPT, not an anti-join: the planner's estimate of the rules' rows for
    -- a large set is wild, and a hash anti-join sized by it took 137 s for
    -- 200,000 changed interactions, bench/backup.sh.)  One sorted upsert locks
    -- both kinds of keys (a key to recompute gets a NULL state to merge).
    -- (has_inserted and has_changed fence off an empty side: a plan made
    -- for the set does not even plan it, a kept plan does not run it.)
        WITH added AS (
            INSERT INTO relintel.entity_member
            SELECT * FROM (SELECT * FROM relintel.entity_membership(inserted_ids) OFFSET 0) AS n WHERE has_inserted
            RETURNING *
        ), fresh AS MATERIALIZED (
            SELECT * FROM (SELECT * FROM relintel.entity_membership(changed_ids) OFFSET 0) AS c WHERE has_changed
        ), removed AS (
            DELETE FROM relintel.entity_member AS m
             USING (SELECT s.entity_type, s.entity_id, s.interaction_id
                      FROM relintel.entity_member AS s WHERE s.interaction_id = ANY (changed_ids)
                    EXCEPT
                    SELECT f.entity_type, f.entity_id, f.interaction_id FROM fresh AS f) AS gone
             WHERE m.entity_type = gone.entity_type AND m.entity_id = gone.entity_id
               AND m.interaction_id = gone.interaction_id
            RETURNING m.entity_type, m.entity_id
        ), altered AS (
            INSERT INTO relintel.entity_member AS m SELECT * FROM fresh
            ON CONFLICT (entity_type, entity_id, interaction_id) DO UPDATE
               SET (occurred_at, kind, outbound, duration, reply_latency, sentiment)
                 = (EXCLUDED.occurred_at, EXCLUDED.kind, EXCLUDED.outbound, EXCLUDED.duration,
                    EXCLUDED.reply_latency, EXCLUDED.sentiment)
             WHERE (m.occurred_at, m.kind, m.outbound, m.duration, m.reply_latency, m.sentiment)
                   IS DISTINCT FROM
                   (EXCLUDED.occurred_at, EXCLUDED.kind, EXCLUDED.outbound, EXCLUDED.duration,
                    EXCLUDED.reply_latency, EXCLUDED.sentiment)
            RETURNING m.entity_type, m.entity_id
        ), recomputed AS (
            SELECT entity_type, entity_id FROM removed
            UNION
            SELECT entity_type, entity_id FROM altered
            UNION
            SELECT m.entity_type, m.entity_id FROM relintel.entity_member AS m
             WHERE m.interaction_id = ANY (restated_ids)
        ), merged AS (
            SELECT a.entity_type, a.entity_id,
                   relintel.health_agg(a.occurred_at, a.kind, a.outbound, a.duration,
                                       a.reply_latency, a.sentiment) AS state
              FROM added AS a
             WHERE a.occurred_at <= now()      -- the others were just listed as pending
             GROUP BY a.entity_type, a.entity_id
        ), locked AS (
            INSERT INTO relintel.entity_health AS h (entity_type, entity_id, state)
            SELECT coalesce(d.entity_type, r.entity_type), coalesce(d.entity_id, r.entity_id),
                   CASE WHEN r.entity_id IS NULL THEN d.state END
              FROM merged AS d
              FULL JOIN recomputed AS r
                ON r.entity_type = d.entity_type AND r.entity_id = d.entity_id
             ORDER BY 1, 2
            ON CONFLICT (entity_type, entity_id) DO UPDATE
               SET state = relintel.merge(h.state, EXCLUDED.state)
            RETURNING 1
        )
        SELECT (SELECT array_agg(r.entity_type) FROM recomputed AS r),
               (SELECT array_agg(r.entity_id) FROM recomputed AS r)
          INTO entity_types, entity_ids
          FROM (SELECT count(*) FROM locked) AS done;

    -- Tie membership, the same way.
        WITH added AS (
            INSERT INTO relintel.tie_member
            SELECT * FROM (SELECT * FROM relintel.tie_membership(inserted_ids) OFFSET 0) AS n WHERE has_inserted
            RETURNING *
        ), fresh AS MATERIALIZED (
            SELECT * FROM (SELECT * FROM relintel.tie_membership(changed_ids) OFFSET 0) AS c WHERE has_changed
        ), removed AS (
            DELETE FROM relintel.tie_member AS m
             USING (SELECT s.address, s.colleague_id, s.interaction_id
                      FROM relintel.tie_member AS s WHERE s.interaction_id = ANY (changed_ids)
                    EXCEPT
                    SELECT f.address, f.colleague_id, f.interaction_id FROM fresh AS f) AS gone
             WHERE m.address = gone.address AND m.colleague_id = gone.colleague_id
               AND m.interaction_id = gone.interaction_id
            RETURNING m.colleague_id, m.address
        ), altered AS (
            INSERT INTO relintel.tie_member AS m SELECT * FROM fresh
            ON CONFLICT (address, colleague_id, interaction_id) DO UPDATE
               SET (occurred_at, kind, outbound) = (EXCLUDED.occurred_at, EXCLUDED.kind, EXCLUDED.outbound)
             WHERE (m.occurred_at, m.kind, m.outbound)
                   IS DISTINCT FROM (EXCLUDED.occurred_at, EXCLUDED.kind, EXCLUDED.outbound)
            RETURNING m.colleague_id, m.address
        ), recomputed AS (
            SELECT colleague_id, address FROM removed
            UNION
            SELECT colleague_id, address FROM altered
            UNION
            SELECT m.colleague_id, m.address FROM relintel.tie_member AS m
             WHERE m.interaction_id = ANY (restated_ids)
        ), merged AS (
            SELECT a.colleague_id, a.address,
                   relintel.tie_agg(a.occurred_at, a.kind, a.outbound) AS state
              FROM added AS a
             WHERE a.occurred_at <= now()      -- the others were just listed as pending
             GROUP BY a.colleague_id, a.address
        ), locked AS (
            INSERT INTO relintel.tie AS t (colleague_id, address, state)
            SELECT coalesce(d.colleague_id, r.colleague_id), coalesce(d.address, r.address),
                   CASE WHEN r.colleague_id IS NULL THEN d.state END
              FROM merged AS d
              FULL JOIN recomputed AS r
                ON r.colleague_id = d.colleague_id AND r.address = d.address
             ORDER BY 1, 2
            ON CONFLICT (colleague_id, address) DO UPDATE
               SET state = relintel.merge(t.state, EXCLUDED.state)
            RETURNING 1
        )
        SELECT (SELECT array_agg(r.colleague_id) FROM recomputed AS r),
               (SELECT array_agg(r.address) FROM recomputed AS r)
          INTO colleague_ids, addresses
          FROM (SELECT count(*) FROM locked) AS done;

    -- Recompute the locked keys from the stored membership, in statements
    -- that start after the locks.
    IF entity_ids IS NOT NULL THEN
        PERFORM relintel.recompute_entities(entity_types, entity_ids);
    END IF;
    IF colleague_ids IS NOT NULL THEN
        PERFORM relintel.recompute_ties(colleague_ids, addresses);
    END IF;
END;
$$;
COMMENT ON FUNCTION relintel.maintain(bigint[], bigint[], bigint[]) IS
    'the one writer of the stored membership and the maintained states: stores and merges new interactions, classifies changed ones again and recomputes the keys whose membership changed';

-- relintel.recompute_entities: the states of the (locked) entity keys, folded
-- again from their settled stored membership; a key left without one goes.
CREATE FUNCTION relintel.recompute_entities(entity_types relintel.entity_type[], entity_ids bigint[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE $q$
        UPDATE relintel.entity_health AS h
           SET state = (SELECT relintel.health_agg(m.occurred_at, m.kind, m.outbound, m.duration,
                                                   m.reply_latency, m.sentiment)
                          FROM relintel.entity_member AS m
                         WHERE m.entity_type = h.entity_type AND m.entity_id = h.entity_id
                           AND NOT EXISTS (SELECT 1 FROM relintel.pending_interaction AS p
                                            WHERE p.interaction_id = m.interaction_id))
          FROM unnest($1, $2) AS r(entity_type, entity_id)
         WHERE h.entity_type = r.entity_type AND h.entity_id = r.entity_id
    $q$ USING entity_types, entity_ids;
    EXECUTE $q$
        DELETE FROM relintel.entity_health AS h
         USING unnest($1, $2) AS r(entity_type, entity_id)
         WHERE h.entity_type = r.entity_type AND h.entity_id = r.entity_id AND h.state IS NULL
    $q$ USING entity_types, entity_ids;
END;
$$;
COMMENT ON FUNCTION relintel.recompute_entities(relintel.entity_type[], bigint[]) IS
    'folds the given entity keys again from their settled stored membership';

-- relintel.recompute_ties: the same for tie keys.
CREATE FUNCTION relintel.recompute_ties(colleague_ids bigint[], addresses text[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE $q$
        UPDATE relintel.tie AS t
           SET state = (SELECT relintel.tie_agg(m.occurred_at, m.kind, m.outbound)
                          FROM relintel.tie_member AS m
                         WHERE m.address = t.address AND m.colleague_id = t.colleague_id
                           AND NOT EXISTS (SELECT 1 FROM relintel.pending_interaction AS p
                                            WHERE p.interaction_id = m.interaction_id))
          FROM unnest($1, $2) AS r(colleague_id, address)
         WHERE t.colleague_id = r.colleague_id AND t.address = r.address
    $q$ USING colleague_ids, addresses;
    EXECUTE $q$
        DELETE FROM relintel.tie AS t
         USING unnest($1, $2) AS r(colleague_id, address)
         WHERE t.colleague_id = r.colleague_id AND t.address = r.address AND t.state IS NULL
    $q$ USING colleague_ids, addresses;
END;
$$;
COMMENT ON FUNCTION relintel.recompute_ties(bigint[], text[]) IS
    'folds the given tie keys again from their settled stored membership';

-- relintel.reply_bucket: the advisory-lock bucket of a Message-ID.  A reply
-- and the mail it answers share one (in_reply_to = message_id); 256 buckets
-- bound the locks a transaction holds however large its batch.
CREATE FUNCTION relintel.reply_bucket(message_id text)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN pg_catalog.hashtext(message_id) OPERATOR(pg_catalog.&) 255;
COMMENT ON FUNCTION relintel.reply_bucket(text) IS
    'the advisory-lock bucket (0-255) of a Message-ID';

-- relintel.lock_reply_buckets: lock (sorted) the given buckets, or all of them
-- (NULL), so that a reply and the mail it answers are never written
-- concurrently unseen by each other.  UPDATE and DELETE lock all buckets
-- before their first row.
CREATE FUNCTION relintel.lock_reply_buckets(buckets integer[])
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT pg_advisory_xact_lock(1919249516, b)
      FROM (SELECT DISTINCT b FROM unnest(buckets) AS b
            UNION
            SELECT b FROM generate_series(0, 255) AS b WHERE buckets IS NULL
             ORDER BY 1) AS sorted;
END;
COMMENT ON FUNCTION relintel.lock_reply_buckets(integer[]) IS
    'locks, in sorted order, the given advisory-lock buckets (all for NULL)';


-- relintel.empty_maintained: empty the stored membership and the maintained
-- states (and the pending list when with_pending): TRUNCATE, or DELETE when
-- the statement that called it is itself truncating or reading one of them.
CREATE FUNCTION relintel.empty_maintained(with_pending boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    BEGIN
        TRUNCATE relintel.interaction_fact, relintel.entity_member, relintel.tie_member,
                 relintel.entity_health, relintel.tie;
    EXCEPTION WHEN object_in_use THEN
        DELETE FROM relintel.interaction_fact;
        DELETE FROM relintel.entity_member;
        DELETE FROM relintel.tie_member;
        DELETE FROM relintel.entity_health;
        DELETE FROM relintel.tie;
    END;
    IF with_pending THEN
        DELETE FROM relintel.pending_interaction;
    END IF;
END;
$$;
COMMENT ON FUNCTION relintel.empty_maintained(boolean) IS
    'empties the stored membership and maintained states (and the pending list when asked)';


-- ---------------------------------------------------------------------------
-- Triggers on interaction
-- ---------------------------------------------------------------------------

-- After INSERT (and COPY): record the future-dated rows as pending, store
-- and fold the new rows, and classify again the existing replies to them.
CREATE FUNCTION relintel.interaction_inserted()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
    inserted_ids bigint[];
    answered_ids bigint[];
BEGIN
    LOCK TABLE relintel.entity_health, relintel.tie IN ROW EXCLUSIVE MODE;
    PERFORM relintel.lock_reply_buckets(ARRAY(
        SELECT DISTINCT relintel.reply_bucket(m.message_id)
          FROM new_rows AS n CROSS JOIN LATERAL (VALUES (n.message_id), (n.in_reply_to)) AS m(message_id)
         WHERE m.message_id IS NOT NULL));
    INSERT INTO relintel.pending_interaction (interaction_id, occurred_at)
    SELECT n.id, n.occurred_at FROM new_rows AS n WHERE n.occurred_at > now();
    inserted_ids := ARRAY(SELECT n.id FROM new_rows AS n);
    -- The earlier replies to the new rows (message_id is unique: each reply
    -- comes once), in one of two forms of the same query, chosen by how
    -- many rows the table had before (about the new rows' lowest id: ids
    -- come from the table's sequence; explicit ids can only make the choice
    -- slower, never the answer different):
    --   * a batch of less than a tenth of that probes the in_reply_to index
    --     once per new row (OFFSET 0 keeps the probe): 34-45 ms for 10,000
    --     new rows into 1,000,000.  The join below is planned either way
    --     depending on the statistics: in one vacuumed copy of that data it
    --     hashed every interaction (465 ms of the batch's 1,170 ms), a cost
    --     that grows with the table for every batch of a loader;
    --   * a larger one joins: estimated from interaction's statistics of
    --     in_reply_to, it hashes the table (500,000 rows into 500,000: 0.5 s
    --     against 2.2 s of probes).  (A join, not IN: IN unique-ifies the new
    --     rows' message ids at the 200 distinct values assumed of a
    --     transition table and probes once per new row.)
    IF cardinality(inserted_ids) * 10 < coalesce((SELECT min(n.id) FROM new_rows AS n), 0) THEN
        EXECUTE $q$
            SELECT ARRAY(SELECT r.id FROM new_rows AS n
                          CROSS JOIN LATERAL (SELECT a.id FROM relintel.interaction AS a
                                               WHERE a.in_reply_to = n.message_id OFFSET 0) AS r
                          WHERE NOT EXISTS (SELECT 1 FROM new_rows AS m WHERE m.id = r.id))
        $q$ INTO answered_ids;
    ELSE
        EXECUTE $q$
            SELECT ARRAY(SELECT r.id FROM relintel.interaction AS r
                           JOIN new_rows AS n ON r.in_reply_to = n.message_id
                          WHERE NOT EXISTS (SELECT 1 FROM new_rows AS m WHERE m.id = r.id))
        $q$ INTO answered_ids;
    END IF;
    PERFORM relintel.maintain(inserted_ids, answered_ids);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.interaction_inserted() IS
    'statement trigger: stores the membership of inserted interactions and folds them into the maintained states';

-- Before an UPDATE or DELETE statement: wait for directory changes, and lock
-- every reply bucket (sorted) before any row is touched.
CREATE FUNCTION relintel.interaction_changes_starting()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    LOCK TABLE relintel.entity_health, relintel.tie IN ROW EXCLUSIVE MODE;
    PERFORM relintel.lock_reply_buckets(NULL);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.interaction_changes_starting() IS
    'statement trigger: takes the locks of an UPDATE or DELETE of interactions before its first row';

-- After UPDATE or DELETE: pending status of the rows, then classify them
-- (and their replies) again.
CREATE FUNCTION relintel.interaction_changed()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
    changed_ids bigint[];
    restated_ids bigint[];   -- rows that become pending or settled
BEGIN
    IF TG_OP = 'UPDATE' THEN
        restated_ids := ARRAY(
            SELECT n.id FROM new_rows AS n
             WHERE (n.occurred_at > now()) <> EXISTS (SELECT 1 FROM relintel.pending_interaction AS p
                                                        WHERE p.interaction_id = n.id));
    END IF;
    DELETE FROM relintel.pending_interaction AS p
     USING old_rows AS o WHERE p.interaction_id = o.id;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO relintel.pending_interaction (interaction_id, occurred_at)
        SELECT n.id, n.occurred_at FROM new_rows AS n WHERE n.occurred_at > now()
        ON CONFLICT (interaction_id) DO UPDATE SET occurred_at = EXCLUDED.occurred_at;
        changed_ids := ARRAY(SELECT o.id FROM old_rows AS o UNION SELECT n.id FROM new_rows AS n);
    ELSE
        changed_ids := ARRAY(SELECT o.id FROM old_rows AS o);
    END IF;
    -- the replies to the Message-IDs the rows had (maintain() adds those to
    -- the Message-IDs they have now)
    changed_ids := ARRAY(
        SELECT c FROM unnest(changed_ids) AS c
        UNION
        SELECT r.id FROM relintel.interaction AS r
         WHERE r.in_reply_to IN (SELECT o.message_id FROM old_rows AS o));
    PERFORM relintel.maintain(NULL, changed_ids, restated_ids);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.interaction_changed() IS
    'statement trigger: classifies updated or deleted interactions again and recomputes the keys they moved';

-- After TRUNCATE: nothing is left to maintain.
CREATE FUNCTION relintel.interaction_truncated()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM relintel.empty_maintained(true);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.interaction_truncated() IS
    'statement trigger: empties the stored membership and the maintained tables when interaction is truncated';

CREATE TRIGGER maintain_insert AFTER INSERT ON relintel.interaction
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.interaction_inserted();
CREATE TRIGGER maintain_starting BEFORE UPDATE OR DELETE ON relintel.interaction
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.interaction_changes_starting();
CREATE TRIGGER maintain_update AFTER UPDATE ON relintel.interaction
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.interaction_changed();
CREATE TRIGGER maintain_delete AFTER DELETE ON relintel.interaction
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.interaction_changed();
CREATE TRIGGER maintain_truncate AFTER TRUNCATE ON relintel.interaction
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.interaction_truncated();
COMMENT ON TRIGGER maintain_insert ON relintel.interaction IS 'keeps membership, entity_health and tie fresh on INSERT and COPY';
COMMENT ON TRIGGER maintain_starting ON relintel.interaction IS 'locks before an UPDATE or DELETE touches a row';
COMMENT ON TRIGGER maintain_update ON relintel.interaction IS 'keeps membership, entity_health and tie fresh on UPDATE';
COMMENT ON TRIGGER maintain_delete ON relintel.interaction IS 'keeps membership, entity_health and tie fresh on DELETE';
COMMENT ON TRIGGER maintain_truncate ON relintel.interaction IS 'empties membership, entity_health and tie on TRUNCATE';


-- ---------------------------------------------------------------------------
-- Triggers on colleagues, domains and CRM records
-- ---------------------------------------------------------------------------

-- After a statement on colleague, internal_domain, account, contact, lead,
-- opportunity or opportunity_contact: wait for interaction writers, then
-- classify again the interactions its changed rows may move.  Rows whose
-- change is only in columns that move nothing (names, owner, opt-out) are
-- left out; a TRUNCATE rebuilds everything.
CREATE FUNCTION relintel.directory_changed()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
    inert_columns constant text[] := ARRAY['name', 'display_name', 'full_name', 'company',
                                           'owner_id', 'share_relationships'];
    changed_rows jsonb[];
    touched_ids bigint[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM relintel.rebuild();
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        changed_rows := ARRAY(SELECT to_jsonb(n) - inert_columns FROM new_rows AS n);
    ELSIF TG_OP = 'DELETE' THEN
        changed_rows := ARRAY(SELECT to_jsonb(o) - inert_columns FROM old_rows AS o);
    ELSE
        changed_rows := ARRAY((SELECT to_jsonb(o) - inert_columns FROM old_rows AS o
                               EXCEPT
                               SELECT to_jsonb(n) - inert_columns FROM new_rows AS n)
                              UNION
                              (SELECT to_jsonb(n) - inert_columns FROM new_rows AS n
                               EXCEPT
                               SELECT to_jsonb(o) - inert_columns FROM old_rows AS o));
    END IF;
    IF cardinality(changed_rows) = 0 THEN
        RETURN NULL;
    END IF;
    LOCK TABLE relintel.entity_health, relintel.tie IN SHARE ROW EXCLUSIVE MODE;
    EXECUTE 'SELECT ARRAY(SELECT interaction_id FROM relintel.interactions_touching($1, $2))'
       INTO touched_ids USING TG_TABLE_NAME::text, changed_rows;
    PERFORM relintel.maintain(NULL, touched_ids);
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.directory_changed() IS
    'statement trigger: classifies again the interactions that changed directory or CRM rows may move';

DO $$
DECLARE
    table_name text;
BEGIN
    FOREACH table_name IN ARRAY ARRAY['colleague', 'internal_domain', 'account', 'contact', 'lead',
                                      'opportunity', 'opportunity_contact'] LOOP
        EXECUTE format('CREATE TRIGGER maintain_insert AFTER INSERT ON relintel.%I
                            REFERENCING NEW TABLE AS new_rows
                            FOR EACH STATEMENT EXECUTE FUNCTION relintel.directory_changed()', table_name);
        EXECUTE format('CREATE TRIGGER maintain_update AFTER UPDATE ON relintel.%I
                            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                            FOR EACH STATEMENT EXECUTE FUNCTION relintel.directory_changed()', table_name);
        EXECUTE format('CREATE TRIGGER maintain_delete AFTER DELETE ON relintel.%I
                            REFERENCING OLD TABLE AS old_rows
                            FOR EACH STATEMENT EXECUTE FUNCTION relintel.directory_changed()', table_name);
        EXECUTE format('CREATE TRIGGER maintain_truncate AFTER TRUNCATE ON relintel.%I
                            FOR EACH STATEMENT EXECUTE FUNCTION relintel.directory_changed()', table_name);
        EXECUTE format('COMMENT ON TRIGGER maintain_insert ON relintel.%I IS %L', table_name,
                       'classifies again the interactions inserted rows may move');
        EXECUTE format('COMMENT ON TRIGGER maintain_update ON relintel.%I IS %L', table_name,
                       'classifies again the interactions updated rows may move');
        EXECUTE format('COMMENT ON TRIGGER maintain_delete ON relintel.%I IS %L', table_name,
                       'classifies again the interactions deleted rows may move');
        EXECUTE format('COMMENT ON TRIGGER maintain_truncate ON relintel.%I IS %L', table_name,
                       'rebuilds everything');
    END LOOP;
END;
$$;


-- ---------------------------------------------------------------------------
-- catch_up, verify, rebuild, configure
-- ---------------------------------------------------------------------------

CREATE FUNCTION relintel.catch_up()
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET relintel.health_half_life = '21'
SET relintel.tie_half_life = '90'
SET relintel.max_tie_participants = 10
AS $$
DECLARE
    due_ids bigint[];
BEGIN
    PERFORM relintel.use_stored_settings();
    LOCK TABLE relintel.entity_health, relintel.tie IN ROW EXCLUSIVE MODE;
    WITH due AS (
        DELETE FROM relintel.pending_interaction WHERE occurred_at <= now() RETURNING interaction_id
    )
    SELECT array_agg(interaction_id) INTO due_ids FROM due;
    IF due_ids IS NULL THEN
        RETURN 0;
    END IF;
    -- Their membership is stored: merge their states into their keys (sorted).
    EXECUTE $q$
        INSERT INTO relintel.entity_health AS h (entity_type, entity_id, state)
        SELECT m.entity_type, m.entity_id,
               relintel.health_agg(m.occurred_at, m.kind, m.outbound, m.duration, m.reply_latency, m.sentiment)
          FROM relintel.entity_member AS m
         WHERE m.interaction_id = ANY ($1)
         GROUP BY m.entity_type, m.entity_id
         ORDER BY 1, 2
        ON CONFLICT (entity_type, entity_id) DO UPDATE SET state = relintel.merge(h.state, EXCLUDED.state)
    $q$ USING due_ids;
    EXECUTE $q$
        INSERT INTO relintel.tie AS t (colleague_id, address, state)
        SELECT m.colleague_id, m.address, relintel.tie_agg(m.occurred_at, m.kind, m.outbound)
          FROM relintel.tie_member AS m
         WHERE m.interaction_id = ANY ($1)
         GROUP BY m.colleague_id, m.address
         ORDER BY 1, 2
        ON CONFLICT (colleague_id, address) DO UPDATE SET state = relintel.merge(t.state, EXCLUDED.state)
    $q$ USING due_ids;
    RETURN cardinality(due_ids);
END;
$$;
COMMENT ON FUNCTION relintel.catch_up() IS
    'folds pending interactions whose time has come into the maintained states, each exactly once; returns how many';

-- relintel.interaction_ids_after: the next chunk of interaction ids, sorted:
-- the first 1,000,000 greater than after (NULL: from the first).  rebuild()
-- and verify() go through every interaction chunk by chunk, so that the
-- rules always get an explicit set of bounded size.  Each chunk is planned
-- for its own bound (a custom plan: "after IS NULL" folded away).
CREATE FUNCTION relintel.interaction_ids_after(after bigint)
RETURNS bigint[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
    RETURN ARRAY(SELECT i.id FROM relintel.interaction AS i
                  WHERE after IS NULL OR i.id > after
                  ORDER BY i.id LIMIT 1000000);
END;
$$;
COMMENT ON FUNCTION relintel.interaction_ids_after(bigint) IS
    'the next chunk (up to 1,000,000, sorted) of interaction ids greater than after (NULL: from the first)';

-- relintel.in_id_range: whether id is in the range (lo, hi]; a NULL bound is
-- no bound.  Inlined: with constant bounds, an index range condition.
CREATE FUNCTION relintel.in_id_range(id bigint, lo bigint, hi bigint)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (lo IS NULL OR id OPERATOR(pg_catalog.>) lo) AND (hi IS NULL OR id OPERATOR(pg_catalog.<=) hi);
COMMENT ON FUNCTION relintel.in_id_range(bigint, bigint, bigint) IS
    'whether id is in the range (lo, hi], a NULL bound being no bound';

-- relintel.verify: every difference between what is stored and a
-- recomputation from the base tables, link by link: classification
-- (interaction_fact against classify()), membership (entity_member and
-- tie_member against the rules applied to the stored classification) and
-- states (entity_health and tie against a fold of the stored membership).
-- There should be none.  The first three go through the interactions chunk
-- by chunk: the stored rows of the id range (lo, hi] against the rules
-- applied to the chunk; the last range is open, so that stored rows of
-- interactions that do not exist are reported too.  Each chunk is planned
-- for itself (force_custom_plan: a plan kept from the first chunk would
-- keep its NULL bounds).
CREATE FUNCTION relintel.verify()
RETURNS TABLE (kind text, key text, maintained text, recomputed text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
SET relintel.health_half_life = '21'
SET relintel.tie_half_life = '90'
SET relintel.max_tie_participants = 10
AS $$
DECLARE
    chunk bigint[];
    lo bigint;   -- the range (lo, hi] of this chunk; NULL: unbounded
    hi bigint;
BEGIN
    PERFORM relintel.use_stored_settings();
    LOOP
        chunk := relintel.interaction_ids_after(lo);
        hi := chunk[cardinality(chunk)];
        IF NOT EXISTS (SELECT 1 FROM relintel.interaction AS i WHERE i.id > hi) THEN
            hi := NULL;
        END IF;
        RETURN QUERY
        SELECT 'interaction_fact', coalesce(s.interaction_id, f.interaction_id)::text, s::text, f::text
          FROM (SELECT * FROM relintel.interaction_fact AS x WHERE relintel.in_id_range(x.interaction_id, lo, hi)) AS s
          FULL JOIN relintel.classify(chunk) AS f ON f.interaction_id = s.interaction_id
         WHERE s IS DISTINCT FROM f
        UNION ALL
        SELECT 'entity_member', coalesce(s.entity_type, f.entity_type)::text || ' ' || coalesce(s.entity_id, f.entity_id)
               || ' ' || coalesce(s.interaction_id, f.interaction_id), s::text, f::text
          FROM (SELECT * FROM relintel.entity_member AS x WHERE relintel.in_id_range(x.interaction_id, lo, hi)) AS s
          FULL JOIN relintel.entity_membership(chunk) AS f
            ON f.entity_type = s.entity_type AND f.entity_id = s.entity_id AND f.interaction_id = s.interaction_id
         WHERE s IS DISTINCT FROM f
        UNION ALL
        SELECT 'tie_member', coalesce(s.colleague_id, f.colleague_id)::text || ' ' || coalesce(s.address, f.address)
               || ' ' || coalesce(s.interaction_id, f.interaction_id), s::text, f::text
          FROM (SELECT * FROM relintel.tie_member AS x WHERE relintel.in_id_range(x.interaction_id, lo, hi)) AS s
          FULL JOIN relintel.tie_membership(chunk) AS f
            ON f.address = s.address AND f.colleague_id = s.colleague_id AND f.interaction_id = s.interaction_id
         WHERE s IS DISTINCT FROM f;
        EXIT WHEN hi IS NULL;
        lo := hi;
    END LOOP;
    RETURN QUERY
    SELECT 'entity_health', coalesce(h.entity_type, f.entity_type)::text || ' ' || coalesce(h.entity_id, f.entity_id),
           h.state::text, f.state::text
      FROM relintel.entity_health AS h
      FULL JOIN relintel.fold_entities() AS f ON f.entity_type = h.entity_type AND f.entity_id = h.entity_id
     WHERE h.state IS NULL OR f.state IS NULL OR NOT (h.state OPERATOR(relintel.=) f.state)
    UNION ALL
    SELECT 'tie', coalesce(t.colleague_id, f.colleague_id)::text || ' ' || coalesce(t.address, f.address),
           t.state::text, f.state::text
      FROM relintel.tie AS t
      FULL JOIN relintel.fold_ties() AS f ON f.colleague_id = t.colleague_id AND f.address = t.address
     WHERE t.state IS NULL OR f.state IS NULL OR NOT (t.state OPERATOR(relintel.=) f.state);
END;
$$;
COMMENT ON FUNCTION relintel.verify() IS
    'rows where stored classification, membership or maintained states differ from a recomputation from the base tables (there should be none)';

-- relintel.fold_entities: every entity's state, folded from its settled
-- stored membership (with the current settings: callers apply the stored ones).
CREATE FUNCTION relintel.fold_entities()
RETURNS TABLE (entity_type relintel.entity_type, entity_id bigint, state relintel.health_state)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT m.entity_type, m.entity_id,
           relintel.health_agg(m.occurred_at, m.kind, m.outbound, m.duration, m.reply_latency, m.sentiment)
      FROM relintel.entity_member AS m
     WHERE NOT EXISTS (SELECT 1 FROM relintel.pending_interaction AS p
                        WHERE p.interaction_id OPERATOR(pg_catalog.=) m.interaction_id)
     GROUP BY m.entity_type, m.entity_id;
END;
COMMENT ON FUNCTION relintel.fold_entities() IS
    'health_state of every entity over its settled stored membership';

-- relintel.fold_ties: every tie's state, folded from its settled stored membership.
CREATE FUNCTION relintel.fold_ties()
RETURNS TABLE (colleague_id bigint, address text, state relintel.tie_state)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT m.colleague_id, m.address, relintel.tie_agg(m.occurred_at, m.kind, m.outbound)
      FROM relintel.tie_member AS m
     WHERE NOT EXISTS (SELECT 1 FROM relintel.pending_interaction AS p
                        WHERE p.interaction_id OPERATOR(pg_catalog.=) m.interaction_id)
     GROUP BY m.colleague_id, m.address;
END;
COMMENT ON FUNCTION relintel.fold_ties() IS
    'tie_state of every colleague and external address over their settled stored membership';

-- relintel.rebuild: classify every interaction and fold every key from
-- scratch (after a change of the stored settings, or to repair).  The
-- interactions are classified chunk by chunk, each chunk planned for itself
-- (force_custom_plan: after five chunks a plan for no particular chunk
-- would be kept, and it assumes a few ids).
CREATE FUNCTION relintel.rebuild()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET plan_cache_mode = force_custom_plan
SET relintel.health_half_life = '21'
SET relintel.tie_half_life = '90'
SET relintel.max_tie_participants = 10
AS $$
DECLARE
    chunk bigint[];   -- the interactions being classified (NULL: none yet)
BEGIN
    PERFORM relintel.use_stored_settings();
    LOCK TABLE relintel.entity_health, relintel.tie IN EXCLUSIVE MODE;
    PERFORM relintel.empty_maintained(false);
    -- Pending: what is dated later than now, however it was written (a
    -- restore with the triggers disabled, say); nothing that is gone.
    INSERT INTO relintel.pending_interaction (interaction_id, occurred_at)
    SELECT i.id, i.occurred_at FROM relintel.interaction AS i WHERE i.occurred_at > now()
    ON CONFLICT (interaction_id) DO NOTHING;
    DELETE FROM relintel.pending_interaction AS p
     WHERE NOT EXISTS (SELECT 1 FROM relintel.interaction AS i WHERE i.id = p.interaction_id);
    LOOP
        chunk := relintel.interaction_ids_after(chunk[cardinality(chunk)]);
        EXIT WHEN cardinality(chunk) = 0;
        INSERT INTO relintel.interaction_fact SELECT * FROM relintel.classify(chunk);
        INSERT INTO relintel.entity_member SELECT * FROM relintel.entity_membership(chunk);
        INSERT INTO relintel.tie_member SELECT * FROM relintel.tie_membership(chunk);
    END LOOP;
    INSERT INTO relintel.entity_health SELECT * FROM relintel.fold_entities();
    INSERT INTO relintel.tie SELECT * FROM relintel.fold_ties();
    ANALYZE relintel.interaction_fact, relintel.entity_member, relintel.tie_member,
            relintel.entity_health, relintel.tie;
END;
$$;
COMMENT ON FUNCTION relintel.rebuild() IS
    'classifies every interaction and recomputes all membership and maintained states from the base tables';

-- relintel.configure: set the database's value of a setting that shapes
-- stored states (relintel.health_half_life, relintel.tie_half_life,
-- relintel.max_tie_participants), checked as the setting itself checks it;
-- the change rebuilds (trigger stored_setting_changed).  Returns the value
-- stored.
CREATE FUNCTION relintel.configure(name text, value text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET relintel.health_half_life = '21'
SET relintel.tie_half_life = '90'
SET relintel.max_tie_participants = 10
AS $$
DECLARE
    stored text;
BEGIN
    IF configure.name IS NULL OR configure.name NOT IN ('relintel.health_half_life', 'relintel.tie_half_life',
                                                        'relintel.max_tie_participants') THEN
        RAISE EXCEPTION 'not a setting that shapes stored states: "%"', configure.name
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'relintel.health_half_life, relintel.tie_half_life or relintel.max_tie_participants';
    END IF;
    stored := set_config(configure.name, configure.value, true);   -- checks the value
    INSERT INTO relintel.stored_setting AS s (name, value) VALUES (configure.name, stored)
    ON CONFLICT ON CONSTRAINT stored_setting_pkey DO UPDATE SET value = EXCLUDED.value;
    RETURN stored;
END;
$$;
COMMENT ON FUNCTION relintel.configure(text, text) IS
    'stores the database''s value of relintel.health_half_life, relintel.tie_half_life or relintel.max_tie_participants and rebuilds';

-- relintel.stored_setting_changed: statement trigger of stored_setting:
-- rebuild when rows changed (configure(), a restore or a direct change; an
-- invalid stored value fails the statement when rebuild applies it).  The
-- transition table of INSERT, UPDATE and DELETE is named changed_rows.
CREATE FUNCTION relintel.stored_setting_changed()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' OR EXISTS (SELECT 1 FROM changed_rows) THEN
        PERFORM relintel.rebuild();
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION relintel.stored_setting_changed() IS
    'trigger: rebuilds the maintained tables when the stored settings changed';

CREATE TRIGGER rebuild_insert AFTER INSERT ON relintel.stored_setting
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.stored_setting_changed();
CREATE TRIGGER rebuild_update AFTER UPDATE ON relintel.stored_setting
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.stored_setting_changed();
CREATE TRIGGER rebuild_delete AFTER DELETE ON relintel.stored_setting
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.stored_setting_changed();
CREATE TRIGGER rebuild_truncate AFTER TRUNCATE ON relintel.stored_setting
    FOR EACH STATEMENT EXECUTE FUNCTION relintel.stored_setting_changed();
COMMENT ON TRIGGER rebuild_insert ON relintel.stored_setting IS 'rebuilds with the new settings';
COMMENT ON TRIGGER rebuild_update ON relintel.stored_setting IS 'rebuilds with the new settings';
COMMENT ON TRIGGER rebuild_delete ON relintel.stored_setting IS 'rebuilds with the new settings';
COMMENT ON TRIGGER rebuild_truncate ON relintel.stored_setting IS 'rebuilds with the new settings';

-- Trigger functions are SECURITY DEFINER so that any role allowed to write
-- interactions and CRM rows keeps the maintained tables fresh without being
-- able to write them itself; nobody calls them directly.
REVOKE ALL ON FUNCTION relintel.interaction_inserted(), relintel.interaction_changes_starting(),
                       relintel.interaction_changed(), relintel.interaction_truncated(),
                       relintel.directory_changed(), relintel.stored_setting_changed()
    FROM PUBLIC;
REVOKE ALL ON FUNCTION relintel.catch_up(), relintel.verify(), relintel.rebuild(),
                       relintel.configure(text, text),
                       relintel.maintain(bigint[], bigint[], bigint[]),
                       relintel.recompute_entities(relintel.entity_type[], bigint[]),
                       relintel.recompute_ties(bigint[], text[]),
                       relintel.fold_entities(), relintel.fold_ties(), relintel.empty_maintained(boolean),
                       relintel.lock_reply_buckets(integer[])
    FROM PUBLIC;
