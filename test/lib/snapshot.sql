-- test/lib/snapshot.sql: what a database with relintel answers, one line per
-- item ("name count md5-of-rows"), for comparing two databases holding the
-- same data (a restore with its original, an upgraded install with a fresh
-- one).  Variable as_of: the fixed time that the time-travel readers use.
-- The views are read at now(), which differs between the two databases by
-- seconds: their time-dependent numbers are compared rounded.
\set QUIET on
\pset format unaligned
\pset tuples_only on
\pset fieldsep ' '
SET TimeZone = 'UTC';
SET extra_float_digits = 0;

SELECT 'verify', count(*) FROM relintel.verify();

-- The customer's tables, row by row.
SELECT 'colleague', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), '')) FROM relintel.colleague AS t;
SELECT 'internal_domain', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.domain), '')) FROM relintel.internal_domain AS t;
SELECT 'account', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), '')) FROM relintel.account AS t;
SELECT 'contact', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), '')) FROM relintel.contact AS t;
SELECT 'lead', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), '')) FROM relintel.lead AS t;
SELECT 'opportunity', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), '')) FROM relintel.opportunity AS t;
SELECT 'opportunity_contact', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.opportunity_id, t.contact_id), '')) FROM relintel.opportunity_contact AS t;
SELECT 'interaction', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.id), '')) FROM relintel.interaction AS t;

-- What relintel maintains from them.
SELECT 'interaction_fact', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.interaction_id), '')) FROM relintel.interaction_fact AS t;
SELECT 'entity_member', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.entity_type, t.entity_id, t.interaction_id), '')) FROM relintel.entity_member AS t;
SELECT 'tie_member', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.colleague_id, t.address, t.interaction_id), '')) FROM relintel.tie_member AS t;
-- States folded in another order differ in the last bits of their sums
-- (verify() compares them with relintel.=): compared to 9 decimals, the
-- hexadecimal floats of their text read as numbers first.
CREATE FUNCTION pg_temp.rounded_state(state text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(CASE WHEN f.v ~ '^-?0x' THEN f.k || '=' || round(f.v::float8::numeric, 9)::text
                           ELSE regexp_replace(f.token, '(\.[0-9]{9})[0-9]+', '\1', 'g') END, ' ' ORDER BY f.n)
      FROM (SELECT t.token, t.n, split_part(t.token, '=', 1) AS k, split_part(t.token, '=', 2) AS v
              FROM regexp_split_to_table(state, ' ') WITH ORDINALITY AS t(token, n)) AS f
$$;
SELECT 'entity_health', count(*), md5(coalesce(string_agg(format('%s %s %s', t.entity_type, t.entity_id, pg_temp.rounded_state(t.state::text)),
                                                          E'\n' ORDER BY t.entity_type, t.entity_id), '')) FROM relintel.entity_health AS t;
SELECT 'tie', count(*), md5(coalesce(string_agg(format('%s %s %s', t.colleague_id, t.address, pg_temp.rounded_state(t.state::text)),
                                                E'\n' ORDER BY t.colleague_id, t.address), '')) FROM relintel.tie AS t;
SELECT 'pending_interaction', count(*), md5(coalesce(string_agg(t::text, E'\n' ORDER BY t.interaction_id), '')) FROM relintel.pending_interaction AS t;

-- The health views (at now(): times, counts, enums exactly, numbers rounded).
SELECT v.name, count(*), md5(coalesce(string_agg(v.line, E'\n' ORDER BY v.line), ''))
  FROM (SELECT 'opportunity_health' AS name, format('%s %s %s %s %s %s %s', h.id, h.name, h.status, h.trend,
               h.last_interaction_at, h.last_engaged_at, h.interactions) AS line
          FROM relintel.opportunity_health AS h
        UNION ALL
        SELECT 'lead_health', format('%s %s %s %s %s %s %s', h.id, h.name, h.status, h.trend,
               h.last_interaction_at, h.last_engaged_at, h.interactions)
          FROM relintel.lead_health AS h
        UNION ALL
        SELECT 'contact_health', format('%s %s %s %s %s %s %s %s', h.id, h.name, h.status, h.trend,
               h.last_interaction_at, h.last_engaged_at, h.interactions, h.email)
          FROM relintel.contact_health AS h
        UNION ALL
        SELECT 'account_health', format('%s %s %s %s %s %s %s', h.id, h.name, h.status, h.trend,
               h.last_interaction_at, h.last_engaged_at, h.interactions)
          FROM relintel.account_health AS h) AS v
 GROUP BY v.name ORDER BY v.name;

-- The time-travel readers at as_of (their numbers to 9 decimals: a fold in
-- another order differs in the last bits, PostgreSQL 17 orders them so).
SELECT 'health_at', count(*), md5(coalesce(string_agg(regexp_replace(x.line, '(\.[0-9]{9})[0-9]+', '\1', 'g'),
                                                      E'\n' ORDER BY x.line), ''))
  FROM (SELECT format('%s %s %s', h.entity_type, h.entity_id,
                      relintel.health_at(h.entity_type, h.entity_id, :'as_of')) AS line
          FROM relintel.entity_health AS h) AS x;
SELECT 'kpis', count(*), md5(coalesce(string_agg(regexp_replace(x.line, '(\.[0-9]{9})[0-9]+', '\1', 'g'),
                                                 E'\n' ORDER BY x.line), ''))
  FROM (SELECT format('%s %s %s', h.entity_type, h.entity_id,
                      (SELECT array_agg(k ORDER BY k::text) FROM relintel.kpis(h.entity_type, h.entity_id, interval '90 days', :'as_of') AS k)) AS line
          FROM relintel.entity_health AS h) AS x;
SELECT 'who_knows', count(*), md5(coalesce(string_agg(x.line, E'\n' ORDER BY x.line), ''))
  FROM (SELECT format('%s %s', p.email, (SELECT array_agg(w ORDER BY w.strength DESC, w.colleague_id)
                                           FROM relintel.who_knows(p.email, 5, :'as_of') AS w)) AS line
          FROM (SELECT email FROM relintel.contact UNION SELECT email FROM relintel.lead) AS p) AS x;
SELECT 'alerts', count(*), md5(coalesce(string_agg(a::text, E'\n' ORDER BY a::text), ''))
  FROM relintel.alerts(:'as_of') AS a;
