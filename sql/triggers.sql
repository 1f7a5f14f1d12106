-- triggers: the maintained tables entity_health and tie stay equal to a
-- full recomputation after every statement (SPEC section 3).
--
-- A deterministic randomized test (setseed) over a small CRM: many rounds of
-- random statements on interactions (multi-row inserts in random batch
-- sizes, replies inserted before and after the mails they answer, updates,
-- deletes, future-dated rows) and on colleagues, internal domains,
-- accounts, contacts, leads, opportunities and stakeholders.  After every
-- statement: relintel.verify() is empty, and the maintained states equal,
-- state for state, those of a rebuild() run inside a savepoint.  Then a
-- guard shows that the check can fail, and the pending/catch_up cases run
-- in statements of their own (now() must move).
--
-- The test runs in a database of its own, so that it neither sees nor
-- leaves data of the other tests.
\set regress_db :DBNAME
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regress_relintel_triggers;
CREATE DATABASE regress_relintel_triggers;
\c regress_relintel_triggers
SET client_min_messages = warning;
CREATE EXTENSION relintel;
SET timezone = 'UTC';
SET intervalstyle = 'postgres';
SET datestyle = 'ISO, YMD';
SET jit = off;

-- The CRM: contoso.com is internal; erin is a colleague at contoso-labs.net
-- (internal only as a colleague); ops@contoso.com is internal but no
-- colleague; pat@partner.org and quinn@adatum.com are external until the
-- random statements make them colleagues or make partner.org internal.
INSERT INTO relintel.internal_domain VALUES ('contoso.com');
INSERT INTO relintel.colleague (id, email, display_name, share_relationships) VALUES
  (1, 'alice@contoso.com', 'Alice', true),
  (2, 'bob@contoso.com', 'Bob', true),
  (3, 'carol@contoso.com', 'Carol', false),
  (4, 'dan@contoso.com', 'Dan', true),
  (5, 'erin@contoso-labs.net', 'Erin', true),
  (6, 'frank@contoso.com', 'Frank', true);
INSERT INTO relintel.account VALUES
  (10, 'Fabrikam', 'fabrikam.com'),
  (20, 'Northwind', 'northwind.com'),
  (30, 'Adatum', 'adatum.com');
INSERT INTO relintel.contact VALUES
  (100, 10, 'ann@fabrikam.com', 'Ann'),
  (101, 10, 'raj@fabrikam.com', 'Raj'),
  (102, 10, 'kim@gmail.com', 'Kim (Fabrikam, private address)'),
  (103, 20, 'zoe@northwind.com', 'Zoe'),
  (104, 20, 'yan@northwind.com', 'Yan'),
  (105, 20, 'xia@yahoo.com', 'Xia (Northwind, private address)'),
  (106, 30, 'wes@adatum.com', 'Wes'),
  (107, 30, 'val@adatum.com', 'Val'),
  (108, 30, 'uma@adatum.com', 'Uma'),
  (109, NULL, 'tom@nowhere.org', 'Tom'),
  (110, 10, 'sam@fabrikam.com', 'Sam'),
  (111, NULL, 'pat@partner.org', 'Pat');
INSERT INTO relintel.lead VALUES
  (300, 'max@gmail.com', 'Max', 'Power & Sons'),
  (301, 'lee@startup.io', 'Lee', 'Startup');
INSERT INTO relintel.opportunity VALUES
  (1000, 10, 'Fabrikam renewal', 1, '2024-01-01 00:00+00', NULL),
  (1001, 20, 'Northwind pilot', 4, '2024-03-01 00:00+00', '2024-06-30 00:00+00'),
  (1002, 30, 'Adatum expansion', 2, '2024-05-01 00:00+00', NULL);
INSERT INTO relintel.opportunity_contact VALUES
  (1000, 100), (1000, 102), (1001, 103), (1001, 105), (1002, 106), (1002, 107);

CREATE SCHEMA t;

-- A random element of an array.
CREATE FUNCTION t.pick(a anyarray) RETURNS anyelement LANGUAGE sql
AS 'SELECT a[1 + floor(random() * cardinality(a))::int]';

-- n distinct random elements of an array.
CREATE FUNCTION t.some(a anyarray, n int) RETURNS anyarray LANGUAGE sql
AS 'SELECT ARRAY(SELECT x FROM (SELECT DISTINCT x FROM unnest(a) AS u(x) ORDER BY x) AS d
                  ORDER BY random() LIMIT n)';

-- Address pools.
CREATE FUNCTION t.internal_pool() RETURNS text[] LANGUAGE sql
RETURN ARRAY['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com', 'dan@contoso.com',
             'erin@contoso-labs.net', 'frank@contoso.com', 'ops@contoso.com', 'gus@contoso.com'];
CREATE FUNCTION t.external_pool() RETURNS text[] LANGUAGE sql
RETURN ARRAY['ann@fabrikam.com', 'raj@fabrikam.com', 'kim@gmail.com', 'zoe@northwind.com',
             'yan@northwind.com', 'xia@yahoo.com', 'wes@adatum.com', 'val@adatum.com',
             'uma@adatum.com', 'tom@nowhere.org', 'sam@fabrikam.com', 'pat@partner.org',
             'max@gmail.com', 'lee@startup.io', 'info@fabrikam.com', 'quinn@adatum.com',
             'ivy@partner.org', 'joe@other.net'];

-- The maintained states as they are before a check.
CREATE TABLE t.snap_h (entity_type relintel.entity_type, entity_id bigint, state relintel.health_state);
CREATE TABLE t.snap_t (colleague_id bigint, address text, state relintel.tie_state);

-- The check after a statement: number of problems (0 = all good).
--   verify() rows
-- + keys whose maintained state differs from a rebuild() (savepoint)
-- + NULL states left behind + work-list rows left behind
CREATE FUNCTION t.check() RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    v int;
    d int := 0;
    junk int;
BEGIN
    SELECT count(*) INTO v FROM relintel.verify();
    SELECT (SELECT count(*) FROM relintel.entity_health WHERE state IS NULL)
         + (SELECT count(*) FROM relintel.tie WHERE state IS NULL)
      INTO junk;
    TRUNCATE t.snap_h, t.snap_t;
    INSERT INTO t.snap_h SELECT * FROM relintel.entity_health;
    INSERT INTO t.snap_t SELECT * FROM relintel.tie;
    BEGIN
        PERFORM relintel.rebuild();
        SELECT (SELECT count(*)
                  FROM t.snap_h AS s
                  FULL JOIN relintel.entity_health AS h USING (entity_type, entity_id)
                 WHERE s.state IS NULL OR h.state IS NULL OR NOT (s.state OPERATOR(relintel.=) h.state))
             + (SELECT count(*)
                  FROM t.snap_t AS s
                  FULL JOIN relintel.tie AS h USING (colleague_id, address)
                 WHERE s.state IS NULL OR h.state IS NULL OR NOT (s.state OPERATOR(relintel.=) h.state))
          INTO d;
        RAISE EXCEPTION USING ERRCODE = 'RLX01';    -- undo the rebuild
    EXCEPTION WHEN SQLSTATE 'RLX01' THEN
        NULL;
    END;
    RETURN v + d + junk;
END;
$$;

-- One random interaction row, as a VALUES tuple.  next_mid numbers the
-- Message-IDs; replies point to Message-IDs written earlier or to ones that
-- will be written later (reply before the mail it answers).
CREATE FUNCTION t.random_interaction(mid int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    ip text[] := t.internal_pool();
    ep text[] := t.external_pool();
    kind text;
    at timestamptz;
    sender text;
    recipients text[];
    msg text := NULL;
    reply text := NULL;
    dur text := 'NULL';
    sent text := 'NULL';
    reg text := 'NULL, NULL';
    shape float8 := random();
    answered record;
    answer record;
BEGIN
    kind := CASE WHEN random() < 0.7 THEN 'email' WHEN random() < 0.66 THEN 'meeting' ELSE 'call' END;
    at := timestamptz '2024-01-01 00:00+00' + floor(random() * 300 * 1440) * interval '1 minute';
    IF random() < 0.05 THEN     -- scheduled: pending
        at := date_trunc('day', now()) + (2 + floor(random() * 60)) * interval '1 day';
    END IF;
    IF shape < 0.05 THEN        -- internal only
        sender := t.pick(ip);
        recipients := t.some(ip, 1 + floor(random() * 2)::int);
    ELSIF shape < 0.10 THEN     -- external only
        sender := t.pick(ep);
        recipients := t.some(ep, 1 + floor(random() * 2)::int);
    ELSIF shape < 0.14 THEN     -- mass mail (more than 10 participants)
        sender := t.pick(ip);
        recipients := t.some(ep, 11 + floor(random() * 4)::int);
    ELSIF shape < 0.55 THEN     -- outbound
        sender := t.pick(ip);
        recipients := t.some(ep, 1 + floor(random() * 3)::int)
                   || CASE WHEN random() < 0.3 THEN t.some(ip, 1) ELSE '{}' END;
    ELSE                        -- inbound
        sender := t.pick(ep);
        recipients := t.some(ip, 1 + floor(random() * 2)::int)
                   || CASE WHEN random() < 0.3 THEN t.some(ep, 1) ELSE '{}' END;
    END IF;
    recipients := ARRAY(SELECT DISTINCT r FROM unnest(recipients) AS r WHERE r <> sender ORDER BY r);
    IF cardinality(recipients) = 0 THEN
        recipients := ARRAY[CASE WHEN sender = ANY (ip) THEN t.pick(ep) ELSE t.pick(ip) END];
    END IF;
    IF kind = 'email' OR random() < 0.3 THEN
        msg := format('<m%s@t>', mid);
    END IF;
    IF kind = 'email' AND random() < 0.5 THEN
        reply := format('<m%s@t>', 1 + floor(random() * (mid + 15))::int);
        IF reply = msg THEN
            reply := NULL;
        END IF;
        SELECT i.sender, i.recipients, i.occurred_at INTO answered
          FROM relintel.interaction AS i WHERE i.message_id = reply;
        IF FOUND THEN               -- a real answer, later, from the other side
            IF random() < 0.5 THEN  -- swap the sides of the mail answered
                sender := t.pick(answered.recipients);
                recipients := ARRAY[answered.sender] || CASE WHEN random() < 0.2 THEN t.some(ip, 1) ELSE '{}' END;
            ELSIF answered.sender = ANY (ip) THEN   -- someone else on their side answers
                sender := t.pick(ep);
                recipients := t.some(ip, 1 + floor(random() * 2)::int);
            ELSE
                sender := t.pick(ip);
                recipients := t.some(ep, 1 + floor(random() * 2)::int);
            END IF;
            recipients := ARRAY(SELECT DISTINCT r FROM unnest(recipients) AS r WHERE r <> sender ORDER BY r);
            IF cardinality(recipients) = 0 THEN
                recipients := ARRAY[answered.sender];
            END IF;
            at := answered.occurred_at + (CASE WHEN random() < 0.1 THEN -1 ELSE 1 END)
                                          * floor(random() * 4000) * interval '1 minute';
        END IF;
    END IF;
    -- A mail that somebody already answered: make it the mail they answered.
    IF msg IS NOT NULL AND kind = 'email' AND random() < 0.8 THEN
        SELECT i.sender, i.recipients, i.occurred_at INTO answer
          FROM relintel.interaction AS i WHERE i.in_reply_to = msg ORDER BY i.id LIMIT 1;
        IF FOUND THEN
            sender := t.pick(answer.recipients);
            recipients := ARRAY(SELECT DISTINCT r FROM unnest(ARRAY[answer.sender]) AS r WHERE r <> sender);
            IF cardinality(recipients) = 0 THEN
                recipients := ARRAY[answer.sender];
                sender := t.pick(ip);
            END IF;
            at := answer.occurred_at - floor(random() * 3000) * interval '1 minute';
        END IF;
    END IF;
    IF kind <> 'email' AND random() < 0.8 THEN
        dur := quote_literal((15 * (1 + floor(random() * 6)))::text || ' minutes');
    END IF;
    IF random() < 0.3 THEN
        sent := (round((random() * 2 - 1)::numeric, 2))::text;
    END IF;
    IF random() < 0.15 THEN
        reg := t.pick(ARRAY['''account'', 10', '''account'', 20', '''account'', 99', '''lead'', 300',
                            '''lead'', 301', '''opportunity'', 1000', '''opportunity'', 1001',
                            '''opportunity'', 1002', '''contact'', 100']);
    END IF;
    RETURN format('(%L, %L, %s, %L, %L, %L, %L, %s, %s)',
                  kind, at, dur, sender, recipients, msg, reply, reg, sent);
END;
$$;

-- One random statement.
CREATE FUNCTION t.random_statement(INOUT mid int, OUT stmt text) LANGUAGE plpgsql AS $$
DECLARE
    r float8 := random();
    rows text[] := '{}';
    n int;
    ids text;
BEGIN
    SELECT string_agg(id::text, ', ') INTO ids
      FROM (SELECT id FROM relintel.interaction ORDER BY random() LIMIT 1 + floor(random() * 3)::int) AS s;
    ids := coalesce(ids, '0');
    IF r < 0.38 THEN
        n := t.pick(ARRAY[1, 1, 1, 2, 2, 3, 4, 6, 9]);
        FOR k IN 1 .. n LOOP
            mid := mid + 1;
            rows := rows || t.random_interaction(mid);
        END LOOP;
        stmt := 'INSERT INTO relintel.interaction (kind, occurred_at, duration, sender, recipients, message_id, '
             || 'in_reply_to, regarding_type, regarding_id, sentiment) VALUES ' || array_to_string(rows, ', ');
    ELSIF r < 0.42 THEN
        stmt := format('UPDATE relintel.interaction SET occurred_at = occurred_at + %L WHERE id IN (%s)',
                       (floor(random() * 8000) - 4000) * interval '1 minute', ids);
    ELSIF r < 0.44 THEN
        stmt := format('UPDATE relintel.interaction SET occurred_at = %L WHERE id IN (%s)',
                       CASE WHEN random() < 0.5 THEN date_trunc('day', now()) + interval '3 days'
                            ELSE timestamptz '2024-06-01 12:00+00' END, ids);
    ELSIF r < 0.48 THEN
        stmt := format('UPDATE relintel.interaction SET sender = %L WHERE id IN (%s)',
                       t.pick(t.internal_pool() || t.external_pool()), ids);
    ELSIF r < 0.52 THEN
        stmt := format('UPDATE relintel.interaction SET recipients = %L WHERE id IN (%s)',
                       t.some(t.internal_pool() || t.external_pool(), 1 + floor(random() * 3)::int), ids);
    ELSIF r < 0.55 THEN
        stmt := format('UPDATE relintel.interaction SET in_reply_to = %L WHERE id IN (%s)',
                       format('<m%s@t>', 1 + floor(random() * (mid + 5))::int), ids);
    ELSIF r < 0.57 THEN
        stmt := format('UPDATE relintel.interaction SET kind = %L WHERE id IN (%s)',
                       t.pick(ARRAY['email', 'meeting', 'call']), ids);
    ELSIF r < 0.58 THEN
        mid := mid + 1;
        stmt := format('UPDATE relintel.interaction SET message_id = %L WHERE id IN (%s)',
                       format('<m%s@t>', mid), split_part(ids, ',', 1));
    ELSIF r < 0.59 THEN         -- many rows at once
        stmt := format('UPDATE relintel.interaction SET occurred_at = occurred_at + interval ''1 hour'' WHERE sender = %L',
                       t.pick(t.internal_pool() || t.external_pool()));
    ELSIF r < 0.64 THEN
        stmt := format('DELETE FROM relintel.interaction WHERE id IN (%s)', ids);
    ELSIF r < 0.67 THEN
        stmt := format('UPDATE relintel.contact SET email = %L WHERE id = %s',
                       t.pick(t.external_pool()), 100 + floor(random() * 12)::int);
    ELSIF r < 0.70 THEN
        stmt := format('UPDATE relintel.contact SET account_id = %s WHERE id = %s',
                       t.pick(ARRAY['10', '20', '30', 'NULL']), 100 + floor(random() * 12)::int);
    ELSIF r < 0.73 THEN
        stmt := format('INSERT INTO relintel.opportunity_contact VALUES (%s, %s) ON CONFLICT DO NOTHING',
                       1000 + floor(random() * 3)::int, 100 + floor(random() * 12)::int);
    ELSIF r < 0.76 THEN
        stmt := format('DELETE FROM relintel.opportunity_contact WHERE opportunity_id = %s AND contact_id IN (SELECT contact_id FROM relintel.opportunity_contact WHERE opportunity_id = %1$s ORDER BY contact_id LIMIT 1)',
                       1000 + floor(random() * 3)::int);
    ELSIF r < 0.79 THEN
        stmt := format('UPDATE relintel.opportunity SET closed_at = %s WHERE id = %s',
                       t.pick(ARRAY['NULL', '''2024-04-15 00:00+00''', '''2024-08-01 00:00+00''',
                                    '''2024-10-01 00:00+00''']),
                       1000 + floor(random() * 3)::int);
    ELSIF r < 0.80 THEN
        stmt := format('UPDATE relintel.opportunity SET created_at = %L WHERE id = %s',
                       t.pick(ARRAY['2024-01-01 00:00+00', '2024-03-15 00:00+00', '2024-06-01 00:00+00']),
                       1000 + floor(random() * 3)::int);
    ELSIF r < 0.84 THEN
        stmt := format('INSERT INTO relintel.colleague (email) VALUES (%L) ON CONFLICT (email) DO NOTHING',
                       t.pick(ARRAY['ops@contoso.com', 'gus@contoso.com', 'pat@partner.org',
                                    'quinn@adatum.com', 'ivy@partner.org']));
    ELSIF r < 0.86 THEN
        stmt := format('UPDATE relintel.colleague SET email = %L WHERE id = (SELECT id FROM relintel.colleague ORDER BY id OFFSET %s LIMIT 1) AND NOT EXISTS (SELECT 1 FROM relintel.colleague WHERE email = %1$L)',
                       t.pick(ARRAY['ops@contoso.com', 'gus@contoso.com', 'pat@partner.org', 'alice@contoso.com',
                                    'quinn@adatum.com', 'ivy@partner.org', 'erin@contoso-labs.net']),
                       floor(random() * 6)::int);
    ELSIF r < 0.87 THEN
        stmt := format('UPDATE relintel.colleague SET share_relationships = NOT share_relationships WHERE id = %s',
                       1 + floor(random() * 6)::int);
    ELSIF r < 0.89 THEN
        stmt := format('DELETE FROM relintel.colleague WHERE id IN (SELECT id FROM relintel.colleague WHERE id > 6 ORDER BY id LIMIT 1)');
    ELSIF r < 0.915 THEN
        stmt := format('INSERT INTO relintel.internal_domain VALUES (%L) ON CONFLICT DO NOTHING',
                       t.pick(ARRAY['partner.org', 'contoso-labs.net', 'other.net']));
    ELSIF r < 0.94 THEN
        stmt := format('DELETE FROM relintel.internal_domain WHERE domain = %L',
                       t.pick(ARRAY['partner.org', 'contoso-labs.net', 'other.net', 'partner.org']));
    ELSIF r < 0.96 THEN
        stmt := format('UPDATE relintel.account SET domain = %s WHERE id = %s',
                       t.pick(ARRAY['''fabrikam.com''', '''northwind.com''', '''adatum.com''', '''partner.org''', 'NULL']),
                       t.pick(ARRAY[10, 20, 30]));
    ELSIF r < 0.97 THEN
        stmt := format('UPDATE relintel.lead SET email = %L WHERE id = %s',
                       t.pick(ARRAY['max@gmail.com', 'lee@startup.io', 'kim@gmail.com', 'joe@other.net']),
                       t.pick(ARRAY[300, 301]));
    ELSIF r < 0.98 THEN
        stmt := format('INSERT INTO relintel.contact VALUES (%s, %s, %L, NULL)',
                       200 + floor(random() * 1000)::int, t.pick(ARRAY['10', '20', '30', 'NULL']),
                       t.pick(t.external_pool()));
    ELSE
        stmt := 'DELETE FROM relintel.contact WHERE id IN (SELECT id FROM relintel.contact WHERE id >= 200 ORDER BY id LIMIT 1)';
    END IF;
END;
$$;

-- The random run: returns the statistics; on a problem, a WARNING names the
-- statement (a reproduction) and the rows verify() reports.
CREATE FUNCTION t.run(statements int) RETURNS TABLE (what text, n bigint) LANGUAGE plpgsql AS $$
DECLARE
    mid int := 0;
    stmt text;
    problems int;
    total_problems int := 0;
    failed int := 0;
    kinds text;
    x record;
BEGIN
    PERFORM setseed(0.1);
    FOR s IN 1 .. statements LOOP
        SELECT r.mid, r.stmt INTO mid, stmt FROM t.random_statement(mid) AS r;
        BEGIN
            EXECUTE stmt;
        EXCEPTION WHEN unique_violation OR foreign_key_violation THEN
            failed := failed + 1;
        END;
        problems := t.check();
        IF problems > 0 THEN
            total_problems := total_problems + problems;
            RAISE WARNING 'statement % breaks the maintained tables: %', s, stmt;
            FOR x IN SELECT * FROM relintel.verify() LOOP
                RAISE WARNING '  % %: maintained % recomputed %', x.kind, x.key, x.maintained, x.recomputed;
            END LOOP;
            PERFORM relintel.rebuild();      -- go on from a correct state
        END IF;
    END LOOP;
    RETURN QUERY VALUES ('statements', statements::bigint),
                        ('statements with problems', total_problems::bigint),
                        ('statements refused (unique or foreign key)', failed::bigint);
END;
$$;

SELECT * FROM t.run(300);

-- What the run produced (checked independently below).
SELECT (SELECT count(*) FROM relintel.interaction) AS interactions,
       (SELECT count(*) FROM relintel.pending_interaction) AS pending,
       (SELECT count(*) FROM relintel.interaction AS r JOIN relintel.interaction AS p
            ON p.message_id = r.in_reply_to AND p.id > r.id) AS replies_before_their_mail;
SELECT entity_type, count(*) FROM relintel.entity_health GROUP BY 1 ORDER BY 1;
SELECT count(*) AS ties FROM relintel.tie;

-- The same counts from the base tables, written independently of the
-- extension's membership views: settled interactions with an internal and
-- an external participant, and the entities and ties they reach.
CREATE TEMP VIEW independent_keys AS
WITH part AS (
    SELECT i.id, a.address,
           a.address IN (SELECT email FROM relintel.colleague)
           OR split_part(a.address, '@', 2) IN (SELECT domain FROM relintel.internal_domain) AS internal
      FROM relintel.interaction AS i, unnest(i.sender || i.recipients) AS a(address)
     WHERE i.id NOT IN (SELECT interaction_id FROM relintel.pending_interaction)
), counted AS (
    SELECT i.*, (SELECT count(DISTINCT p.address) FROM part AS p WHERE p.id = i.id) AS participants
      FROM relintel.interaction AS i
     WHERE i.id IN (SELECT id FROM part GROUP BY id HAVING bool_or(internal) AND bool_or(NOT internal))
), member AS (
    SELECT 'contact' AS entity_type, c.id AS entity_id
      FROM counted AS i JOIN relintel.contact AS c ON c.email = ANY (i.sender || i.recipients)
    UNION
    SELECT 'lead', l.id FROM counted AS i JOIN relintel.lead AS l
        ON l.email = ANY (i.sender || i.recipients) OR (i.regarding_type = 'lead' AND i.regarding_id = l.id)
    UNION
    SELECT 'account', a.id FROM counted AS i JOIN relintel.account AS a
        ON (i.regarding_type = 'account' AND i.regarding_id = a.id)
        OR EXISTS (SELECT 1 FROM unnest(i.sender || i.recipients) AS x WHERE split_part(x, '@', 2) = a.domain)
        OR EXISTS (SELECT 1 FROM relintel.contact AS c WHERE c.account_id = a.id AND c.email = ANY (i.sender || i.recipients))
    UNION
    SELECT 'opportunity', o.id FROM counted AS i JOIN relintel.opportunity AS o
        ON ((i.regarding_type = 'opportunity' AND i.regarding_id = o.id)
            OR EXISTS (SELECT 1 FROM relintel.opportunity_contact AS oc JOIN relintel.contact AS c ON c.id = oc.contact_id
                        WHERE oc.opportunity_id = o.id AND c.email = ANY (i.sender || i.recipients)))
       AND i.occurred_at BETWEEN o.created_at AND coalesce(o.closed_at, 'infinity')
), ties AS (
    SELECT DISTINCT c.id, x.address
      FROM counted AS i
      JOIN relintel.colleague AS c ON c.email = ANY (i.sender || i.recipients)
      JOIN part AS x ON x.id = i.id AND NOT x.internal
     WHERE i.participants <= 10
       AND (i.kind <> 'email' OR i.sender IN (c.email, x.address))
)
SELECT entity_type, count(*) AS n FROM member GROUP BY 1
UNION ALL
SELECT 'tie', count(*) FROM ties;

SELECT k.entity_type, k.n = coalesce(m.n, 0) AS same_count
  FROM independent_keys AS k
  LEFT JOIN (SELECT entity_type::text, count(*) AS n FROM relintel.entity_health GROUP BY 1
             UNION ALL SELECT 'tie', count(*) FROM relintel.tie) AS m USING (entity_type)
 ORDER BY 1;

-- Reclassification of a mail that someone else answered: a new colleague
-- (or internal domain) turns an external-only mail P into an outbound one,
-- so that an inbound mail R from another contact, in reply to P, becomes
-- their response (and back when the colleague or domain goes): the state
-- of R's contact changes although R has no participant in common with the
-- change.
INSERT INTO relintel.contact VALUES (910, NULL, 'rc1@else.org', NULL), (911, NULL, 'rc2@else.org', NULL);
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, message_id, in_reply_to) VALUES
  ('email', '2024-02-01 10:00+00', 'newbie@else.org', '{rc1@else.org}', '<rc-p1@t>', NULL),
  ('email', '2024-02-02 10:00+00', 'rc2@else.org', '{alice@contoso.com}', '<rc-r1@t>', '<rc-p1@t>'),
  ('email', '2024-02-03 10:00+00', 'boss@newco.net', '{rc1@else.org}', '<rc-p2@t>', NULL),
  ('email', '2024-02-04 10:00+00', 'rc2@else.org', '{bob@contoso.com}', '<rc-r2@t>', '<rc-p2@t>');
SELECT count(*) AS mismatches FROM relintel.verify();
INSERT INTO relintel.colleague (email) VALUES ('newbie@else.org');
SELECT kind, key FROM relintel.verify() ORDER BY 1, 2;
SELECT t.check() AS problems;
DELETE FROM relintel.colleague WHERE email = 'newbie@else.org';
SELECT kind, key FROM relintel.verify() ORDER BY 1, 2;
SELECT t.check() AS problems;
INSERT INTO relintel.internal_domain VALUES ('newco.net');
SELECT kind, key FROM relintel.verify() ORDER BY 1, 2;
SELECT t.check() AS problems;
DELETE FROM relintel.internal_domain WHERE domain = 'newco.net';
SELECT kind, key FROM relintel.verify() ORDER BY 1, 2;
SELECT t.check() AS problems;
SELECT relintel.rebuild();      -- (a correct state for what follows, whatever the above found)

-- The guard: the check can fail.  Corrupt one health state and drop one
-- tie (as the superuser); verify() reports exactly those keys, the
-- state-for-state check counts them, rebuild() repairs them.
UPDATE relintel.entity_health SET state = relintel.merge(state, state)
 WHERE (entity_type, entity_id) = ('contact', 100);
DELETE FROM relintel.tie WHERE (colleague_id, address) = (1, 'ann@fabrikam.com');
SELECT kind, key, maintained IS NULL AS maintained_missing, recomputed IS NULL AS recomputed_missing
  FROM relintel.verify() ORDER BY 1, 2;
SELECT t.check() AS problems;
SELECT relintel.rebuild();
SELECT count(*) AS mismatches FROM relintel.verify();
SELECT t.check() AS problems;

-- Pending interactions.  A fresh contact with three settled interactions.
INSERT INTO relintel.contact VALUES (900, 10, 'nina@fabrikam.com', 'Nina');
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, message_id) VALUES
  ('email', '2024-09-01 10:00+00', 'alice@contoso.com', '{nina@fabrikam.com}', '<p1@t>'),
  ('email', '2024-09-02 10:00+00', 'nina@fabrikam.com', '{alice@contoso.com}', '<p2@t>'),
  ('call',  '2024-09-03 10:00+00', 'alice@contoso.com', '{nina@fabrikam.com}', NULL);
SELECT relintel.interactions(state) AS n FROM relintel.entity_health
 WHERE (entity_type, entity_id) = ('contact', 900);

-- Two scheduled meetings (in 3 and 2 days): pending, not in the states;
-- catch_up() folds nothing; kpis shows the first one as the next
-- interaction.
INSERT INTO relintel.interaction (kind, occurred_at, duration, sender, recipients, message_id) VALUES
  ('meeting', now() + interval '3 days', '30 minutes', 'alice@contoso.com', '{nina@fabrikam.com}', '<p3@t>'),
  ('meeting', now() + interval '2 days', '60 minutes', 'bob@contoso.com', '{nina@fabrikam.com}', '<p4@t>');
SELECT i.message_id FROM relintel.pending_interaction AS p JOIN relintel.interaction AS i ON i.id = p.interaction_id
 WHERE i.message_id LIKE '<p%' ORDER BY 1;
SELECT relintel.interactions(state) AS n FROM relintel.entity_health
 WHERE (entity_type, entity_id) = ('contact', 900);
SELECT relintel.catch_up() AS folded;
SELECT count(*) AS mismatches FROM relintel.verify();
SELECT k.next_interaction_kind,
       k.next_interaction_at = (SELECT occurred_at FROM relintel.interaction WHERE message_id = '<p4@t>') AS is_the_first
  FROM relintel.kpis('contact', 900) AS k;
SELECT h.interactions, h.last_interaction_at
  FROM relintel.contact_health AS h WHERE h.id = 900;

-- Due: an interaction dated two seconds ahead is pending; once its time has
-- come, catch_up() folds it in exactly once.
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, message_id) VALUES
  ('email', now() + interval '2 seconds', 'nina@fabrikam.com', '{alice@contoso.com}', '<p5@t>');
SELECT count(*) AS pending_p5 FROM relintel.pending_interaction AS p
  JOIN relintel.interaction AS i ON i.id = p.interaction_id WHERE i.message_id = '<p5@t>';
SELECT pg_sleep(2.5);
SELECT count(*) AS mismatches_before_catch_up FROM relintel.verify();
SELECT relintel.catch_up() AS folded;
SELECT relintel.catch_up() AS folded_again;
SELECT count(*) AS mismatches FROM relintel.verify();
SELECT relintel.interactions(state) AS n FROM relintel.entity_health
 WHERE (entity_type, entity_id) = ('contact', 900);
SELECT count(*) AS pending_p5 FROM relintel.pending_interaction AS p
  JOIN relintel.interaction AS i ON i.id = p.interaction_id WHERE i.message_id = '<p5@t>';
SELECT t.check() AS problems;

-- Due, then updated before any catch_up(): an update that changes nothing of
-- its membership (the subject) still settles it, and its keys take it in.
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, message_id) VALUES
  ('email', now() + interval '2 seconds', 'nina@fabrikam.com', '{alice@contoso.com}', '<p6@t>');
SELECT pg_sleep(2.5);
UPDATE relintel.interaction SET subject = 'settled by an update' WHERE message_id = '<p6@t>';
SELECT count(*) AS pending_p6 FROM relintel.pending_interaction AS p
  JOIN relintel.interaction AS i ON i.id = p.interaction_id WHERE i.message_id = '<p6@t>';
SELECT relintel.interactions(state) AS n FROM relintel.entity_health
 WHERE (entity_type, entity_id) = ('contact', 900);
SELECT count(*) AS mismatches FROM relintel.verify();
SELECT t.check() AS problems;

-- The interactions a maintenance statement works on (id_set): the elements
-- of the array, as unnest gives them.  A plan made for a known array
-- estimates its length; a plan kept for any array (the plans maintain()
-- keeps for small sets) estimates one row, so that it probes indexes.
SELECT * FROM relintel.id_set(ARRAY[3, 1, NULL, 2]::bigint[]);
SELECT count(*) AS from_empty FROM relintel.id_set('{}');
SELECT count(*) AS from_null FROM relintel.id_set(NULL);
CREATE FUNCTION pg_temp.estimated_rows(query text) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
END;
$$;
SELECT pg_temp.estimated_rows('SELECT * FROM relintel.id_set(ARRAY[1, 2, 3, 4, 5]::bigint[])') AS known_array;
PREPARE ids_of(bigint[]) AS SELECT * FROM relintel.id_set($1);
SET plan_cache_mode = force_generic_plan;
SELECT pg_temp.estimated_rows('EXECUTE ids_of(''{1, 2, 3, 4, 5}'')') AS any_array;
SET plan_cache_mode = force_custom_plan;
SELECT pg_temp.estimated_rows('EXECUTE ids_of(''{1, 2, 3, 4, 5}'')') AS this_array;
RESET plan_cache_mode;

-- Replies written before the mail they answer are found when the mail
-- arrives, by either form of the lookup: a batch of less than a tenth of the
-- table probes the in_reply_to index per new row (the mail alone), a larger
-- one joins (the mail with as many other new rows as the highest id).
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, message_id, in_reply_to) VALUES
  ('email', '2024-10-02 10:00+00', 'ann@fabrikam.com', '{alice@contoso.com}', '<early-1@t>', '<late-1@t>'),
  ('email', '2024-10-02 11:00+00', 'ann@fabrikam.com', '{bob@contoso.com}', '<early-2@t>', '<late-2@t>');
SELECT max(id) >= 10 AS ids_beyond_ten_times_a_row FROM relintel.interaction;
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, message_id) VALUES
  ('email', '2024-10-01 10:00+00', 'alice@contoso.com', '{ann@fabrikam.com}', '<late-1@t>');
SELECT max(id) AS other_rows FROM relintel.interaction \gset
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, message_id)
SELECT 'email'::relintel.interaction_kind, timestamptz '2024-10-01 10:00+00', 'bob@contoso.com',
       '{ann@fabrikam.com}'::text[], '<late-2@t>'
UNION ALL
SELECT 'email', '2024-10-01 12:00+00', 'bob@contoso.com', '{filler@nowhere.example}', format('<filler-%s@t>', g)
  FROM generate_series(1, :other_rows) AS g;
SELECT r.message_id, p.message_id AS answers, f.reply_latency
  FROM relintel.interaction AS r
  JOIN relintel.interaction_fact AS f ON f.interaction_id = r.id
  LEFT JOIN relintel.interaction AS p ON p.id = f.replied_to
 WHERE r.message_id IN ('<early-1@t>', '<early-2@t>') ORDER BY 1;
SELECT count(*) AS mismatches FROM relintel.verify();
SELECT t.check() AS problems;

\c :regress_db
SET client_min_messages = warning;
DROP DATABASE regress_relintel_triggers;
