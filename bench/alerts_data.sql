-- A CRM with :n interactions for the alerts benchmark (bench/alerts.sh):
-- one internal domain, 500 colleagues, 5,000 accounts with 10 contacts each,
-- 5,000 leads, 20,000 opportunities (30% closed, two stakeholders each),
-- and :n interactions over the two years before now (1% scheduled in the
-- next 30 days): 70% emails (half inbound, a third of them replies to the
-- previous mail of the same contact), 20% meetings, 10% calls; one in five
-- regards an opportunity, one in eight has a second external participant.
-- Loaded with triggers off (session_replication_role = replica, superuser),
-- addresses already normalized; relintel.rebuild() fills the stored
-- membership and the maintained tables afterwards.
SET session_replication_role = replica;
SELECT setseed(0.42);
INSERT INTO relintel.internal_domain VALUES ('contoso.com');
INSERT INTO relintel.colleague (email, display_name)
SELECT 'user' || i || '@contoso.com', 'User ' || i FROM generate_series(1, 500) AS i;
INSERT INTO relintel.account (id, name, domain)
SELECT i, 'Customer ' || i, 'cust' || i || '.example' FROM generate_series(1, 5000) AS i;
INSERT INTO relintel.contact (id, account_id, email, full_name)
SELECT i, (i - 1) / 10 + 1, 'c' || i || '@cust' || ((i - 1) / 10 + 1) || '.example', 'Contact ' || i
  FROM generate_series(1, 50000) AS i;
INSERT INTO relintel.lead (id, email, full_name, company)
SELECT i, 'lead' || i || '@prospect' || (i % 1000) || '.example', 'Lead ' || i, 'Prospect ' || (i % 1000)
  FROM generate_series(1, 5000) AS i;
INSERT INTO relintel.opportunity (id, account_id, name, owner_id, created_at, closed_at)
SELECT i, a, 'Deal ' || i, 1 + (i % 500), c,
       CASE WHEN random() < 0.3 THEN c + random() * interval '200 days' END
  FROM (SELECT i, 1 + (i % 5000) AS a, now() - random() * interval '730 days' AS c
          FROM generate_series(1, 20000) AS i) AS o;
INSERT INTO relintel.opportunity_contact (opportunity_id, contact_id)
SELECT o.id, (o.account_id - 1) * 10 + k FROM relintel.opportunity AS o, generate_series(1, 2) AS k;

-- The interactions: contact x = 1 + (i * 7919) % 50000 spreads them over
-- every contact; leads take one in twenty.
INSERT INTO relintel.interaction (kind, occurred_at, duration, sender, recipients, subject, message_id,
                                  in_reply_to, regarding_type, regarding_id, sentiment)
SELECT g.kind, g.at, CASE WHEN g.kind <> 'email' THEN interval '30 minutes' END,
       CASE WHEN g.inbound THEN g.them ELSE g.us END,
       CASE WHEN g.inbound THEN ARRAY[g.us] ELSE ARRAY[g.them] END
         || CASE WHEN g.i % 8 = 0 THEN ARRAY['c' || (1 + (g.i * 31) % 50000) || '@cust' || ((g.i * 31) % 50000 / 10 + 1) || '.example'] ELSE '{}' END,
       'Subject ' || g.i, 'm' || g.i || '@bench.example',
       CASE WHEN g.kind = 'email' AND g.i % 3 = 0 THEN 'm' || (g.i - 50000) || '@bench.example' END,
       CASE WHEN g.i % 5 = 0 THEN 'opportunity'::relintel.entity_type END,
       CASE WHEN g.i % 5 = 0 THEN 1 + (g.i % 20000) END,
       CASE WHEN g.i % 4 = 0 THEN (random() * 2 - 1)::real END
  FROM (SELECT i,
               CASE WHEN r < 0.7 THEN 'email' WHEN r < 0.9 THEN 'meeting' ELSE 'call' END::relintel.interaction_kind AS kind,
               CASE WHEN i % 100 = 0 THEN now() + random() * interval '30 days'
                    ELSE now() - interval '730 days' * (1 - i::float8 / :n) - random() * interval '1 day' END AS at,
               i % 2 = 0 AS inbound,
               'user' || (1 + i % 500) || '@contoso.com' AS us,
               CASE WHEN i % 20 = 0 THEN 'lead' || (1 + i % 5000) || '@prospect' || ((1 + i % 5000) % 1000) || '.example'
                    ELSE 'c' || (1 + (i * 7919) % 50000) || '@cust' || ((i * 7919) % 50000 / 10 + 1) || '.example' END AS them
          FROM (SELECT i::bigint AS i, random() AS r FROM generate_series(1, :n) AS i) AS s) AS g;
RESET session_replication_role;
ANALYZE;
-- the stored membership, as the triggers would have written it
INSERT INTO relintel.pending_interaction (interaction_id, occurred_at)
SELECT id, occurred_at FROM relintel.interaction WHERE occurred_at > now();
SELECT relintel.rebuild();
