-- pgTAP: the shape of relintel's SQL layer (tables, constraints, triggers,
-- views, functions, their labels and comments).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS relintel;
RESET client_min_messages;
BEGIN;
SELECT plan(79);

-- Tables and columns of SPEC section 1.
SELECT has_table('relintel', t, 'table relintel.' || t)
  FROM unnest(ARRAY['colleague', 'internal_domain', 'account', 'contact', 'lead',
                    'opportunity', 'opportunity_contact', 'interaction']) AS t;
SELECT columns_are('relintel', 'colleague', ARRAY['id', 'email', 'display_name', 'share_relationships']);
SELECT columns_are('relintel', 'internal_domain', ARRAY['domain']);
SELECT columns_are('relintel', 'account', ARRAY['id', 'name', 'domain']);
SELECT columns_are('relintel', 'contact', ARRAY['id', 'account_id', 'email', 'full_name']);
SELECT columns_are('relintel', 'lead', ARRAY['id', 'email', 'full_name', 'company']);
SELECT columns_are('relintel', 'opportunity', ARRAY['id', 'account_id', 'name', 'owner_id', 'created_at', 'closed_at']);
SELECT columns_are('relintel', 'opportunity_contact', ARRAY['opportunity_id', 'contact_id']);
SELECT columns_are('relintel', 'interaction',
    ARRAY['id', 'kind', 'occurred_at', 'duration', 'sender', 'recipients', 'subject', 'message_id',
          'in_reply_to', 'regarding_type', 'regarding_id', 'sentiment']);
SELECT col_type_is('relintel', 'interaction', 'kind', 'relintel.interaction_kind', 'interaction.kind is the enum');
SELECT col_type_is('relintel', 'interaction', 'regarding_type', 'relintel.entity_type', 'interaction.regarding_type is the enum');
SELECT col_type_is('relintel', 'interaction', 'recipients', 'text[]', 'interaction.recipients is text[]');
SELECT col_type_is('relintel', 'interaction', 'duration', 'interval', 'interaction.duration is an interval');
SELECT col_type_is('relintel', 'interaction', 'sentiment', 'real', 'interaction.sentiment is real');
SELECT col_type_is('relintel', 'opportunity', 'created_at', 'timestamp with time zone', 'opportunity.created_at is timestamptz');
SELECT col_default_is('relintel', 'colleague', 'share_relationships', 'true', 'colleagues share their relationships by default');

-- NOT NULL everywhere but the columns the spec marks null.
SELECT is(
    (SELECT array_agg((c.table_name || '.' || c.column_name) COLLATE "C" ORDER BY (c.table_name || '.' || c.column_name) COLLATE "C")
       FROM information_schema.columns AS c
      WHERE c.table_schema = 'relintel' AND c.is_nullable = 'YES'
        AND c.table_name IN ('colleague', 'internal_domain', 'account', 'contact', 'lead',
                             'opportunity', 'opportunity_contact', 'interaction')),
    ARRAY['account.domain', 'colleague.display_name', 'contact.account_id', 'contact.full_name',
          'interaction.duration', 'interaction.in_reply_to', 'interaction.message_id',
          'interaction.regarding_id', 'interaction.regarding_type', 'interaction.sentiment',
          'interaction.subject', 'lead.company', 'lead.full_name', 'opportunity.account_id',
          'opportunity.closed_at', 'opportunity.owner_id'],
    'exactly the columns the spec marks null are nullable');

-- Keys.
SELECT col_is_pk('relintel', 'colleague', 'id', 'colleague.id is the primary key');
SELECT col_is_pk('relintel', 'internal_domain', 'domain', 'internal_domain.domain is the primary key');
SELECT col_is_pk('relintel', 'interaction', 'id', 'interaction.id is the primary key');
SELECT col_is_pk('relintel', 'opportunity_contact', ARRAY['opportunity_id', 'contact_id'], 'stakeholders keyed by both ids');
SELECT col_is_unique('relintel', 'colleague', 'email', 'colleague.email is unique');
SELECT col_is_unique('relintel', 'interaction', 'message_id', 'interaction.message_id is unique');
SELECT fk_ok('relintel', 'contact', 'account_id', 'relintel', 'account', 'id');
SELECT fk_ok('relintel', 'opportunity', 'account_id', 'relintel', 'account', 'id');
SELECT fk_ok('relintel', 'opportunity', 'owner_id', 'relintel', 'colleague', 'id');
SELECT fk_ok('relintel', 'opportunity_contact', 'opportunity_id', 'relintel', 'opportunity', 'id');
SELECT fk_ok('relintel', 'opportunity_contact', 'contact_id', 'relintel', 'contact', 'id');
SELECT is(
    (SELECT attidentity::text FROM pg_attribute
      WHERE attrelid = 'relintel.interaction'::regclass AND attname = 'id'),
    'd', 'interaction.id is an identity (BY DEFAULT: loaders may give ids)');

-- Normalization and validation triggers.
SELECT has_trigger('relintel', t, 'normalize', t || ' normalizes its addresses')
  FROM unnest(ARRAY['colleague', 'internal_domain', 'account', 'contact', 'lead']) AS t;
SELECT has_trigger('relintel', 'interaction', 'check_row', 'interaction normalizes and validates');
SELECT trigger_is('relintel', 'interaction', 'check_row', 'relintel', 'check_interaction');

-- Indexes behind membership and who_knows.
SELECT has_index('relintel', 'interaction', 'interaction_sender_idx', 'index on sender');
SELECT has_index('relintel', 'interaction', 'interaction_recipients_idx', 'index on recipients');
SELECT has_index('relintel', 'interaction', 'interaction_in_reply_to_idx', 'index on in_reply_to');
SELECT has_index('relintel', 'contact', 'contact_email_idx', 'index on contact email');

-- Views.
SELECT has_view('relintel', v, 'view relintel.' || v)
  FROM unnest(ARRAY['contact_health', 'lead_health', 'account_health', 'opportunity_health',
                    'interaction_participant', 'interaction_class', 'interaction_reply',
                    'entity_interaction', 'tie_interaction']) AS v;
-- The stored classification (the views above read it).
SELECT has_table('relintel', 'interaction_fact', 'stored classification relintel.interaction_fact');
SELECT columns_are('relintel', v,
    ARRAY['id', 'name', 'score', 'status', 'trend', 'trend_slope', 'last_interaction_at',
          'last_engaged_at', 'interactions', 'recency', 'frequency', 'reciprocity',
          'responsiveness', 'momentum', 'sentiment'] || record_columns)
  FROM (VALUES ('contact_health', ARRAY['account_id', 'email']),
               ('lead_health', ARRAY['email', 'company']),
               ('account_health', ARRAY['domain']),
               ('opportunity_health', ARRAY['account_id', 'owner_id', 'created_at', 'closed_at']))
       AS v(v, record_columns);

-- Functions and their labels.
SELECT has_function('relintel', 'kpis', ARRAY['relintel.entity_type', 'bigint', 'interval', 'timestamp with time zone']);
SELECT has_function('relintel', 'activity_history',
    ARRAY['relintel.entity_type', 'bigint', 'timestamp with time zone', 'timestamp with time zone', 'interval']);
SELECT has_function('relintel', 'who_knows', ARRAY['text', 'integer', 'timestamp with time zone']);
SELECT has_function('relintel', 'intro_request', ARRAY['text', 'text', 'text', 'timestamp with time zone']);
SELECT volatility_is('relintel', 'kpis', ARRAY['relintel.entity_type', 'bigint', 'interval', 'timestamp with time zone'], 'stable');
SELECT volatility_is('relintel', 'who_knows', ARRAY['text', 'integer', 'timestamp with time zone'], 'stable');
SELECT volatility_is('relintel', 'percent_encode', ARRAY['text', 'text'], 'immutable');
SELECT volatility_is('relintel', 'normalize_domain', ARRAY['text'], 'immutable');
SELECT is_definer('relintel', 'who_knows', ARRAY['text', 'integer', 'timestamp with time zone'], 'who_knows is SECURITY DEFINER');
SELECT is_definer('relintel', 'intro_request', ARRAY['text', 'text', 'text', 'timestamp with time zone'], 'intro_request is SECURITY DEFINER');
SELECT isnt_definer('relintel', 'kpis', ARRAY['relintel.entity_type', 'bigint', 'interval', 'timestamp with time zone'], 'kpis runs as its caller');
SELECT is(
    (SELECT count(*)::int FROM pg_proc AS p JOIN pg_language AS l ON l.oid = p.prolang
      WHERE p.pronamespace = 'relintel'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
        AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)
        AND NOT (p.prosqlbody IS NOT NULL AND p.proconfig IS NULL)),
    0, 'every SQL and PL/pgSQL function has search_path = pg_catalog, pg_temp, or a BEGIN ATOMIC body (names bound at creation) and no SET clause (inlined by the planner)');
SELECT is(
    (SELECT count(*)::int FROM pg_proc AS p JOIN pg_language AS l ON l.oid = p.prolang
      WHERE p.pronamespace = 'relintel'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
        AND p.provolatile = 'i' AND p.prosrc ~* '\mrelintel\.(interaction|colleague|contact|lead|account|opportunity)'),
    0, 'no IMMUTABLE SQL function reads a table');

-- Comments on every object of the SQL layer.
SELECT is(
    (SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class AS c
      WHERE c.relnamespace = 'relintel'::regnamespace AND c.relkind IN ('r', 'v', 'i', 'm')
        AND obj_description(c.oid, 'pg_class') IS NULL
        AND c.relname NOT LIKE '%\_pkey' AND c.relname NOT LIKE '%\_key'),
    NULL, 'every table, view and index (but key indexes) has a comment');
SELECT is(
    (SELECT array_agg(t.tgname::text) FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
      WHERE c.relnamespace = 'relintel'::regnamespace AND NOT t.tgisinternal
        AND obj_description(t.oid, 'pg_trigger') IS NULL),
    NULL, 'every trigger has a comment');

-- Address normalization on every stored address; refusals with 22023.
INSERT INTO relintel.internal_domain VALUES (' TAP.Example ');
SELECT is((SELECT domain FROM relintel.internal_domain WHERE domain LIKE 'tap%'), 'tap.example', 'internal domain normalized');
SELECT throws_ok($$INSERT INTO relintel.lead VALUES (-1, 'x y@z', NULL, NULL)$$, '22023', NULL, 'an address with a blank is refused');
SELECT throws_ok($$INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients)
                   VALUES ('call', now(), 'a@tap.example', '{}')$$, '22023', NULL, 'an empty recipient list is refused');

SELECT * FROM finish();
ROLLBACK;
