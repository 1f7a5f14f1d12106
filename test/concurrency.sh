#!/usr/bin/env bash
# Concurrency test of the maintained tables (SPEC section 3, issue 4
# acceptance 2): 8 pgbench clients write interactions that touch the same
# accounts and colleagues for 30 seconds (single and multi-row inserts,
# replies to random Message-IDs written earlier or later, updates and
# deletes of random rows, a few changes of contacts and stakeholders), then
# no client failed, no deadlock happened and verify() is empty.
#
# Run with PG* variables pointing to a server where relintel is installed;
# the test creates and drops a database of its own.  Output: TAP (prove).
#   DURATION (default 30) seconds, CLIENTS (default 8), JOBS (default 2)
set -uo pipefail

duration=${DURATION:-30}
clients=${CLIENTS:-8}
jobs=${JOBS:-2}
db=relintel_concurrency_$$
work=$(mktemp -d)
cleanup() {
  dropdb --if-exists "$db" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

echo "1..7"
if ! createdb "$db" >"$work/createdb.log" 2>&1; then
  echo "Bail out! no server (createdb failed: $(head -1 "$work/createdb.log"))"
  exit 1
fi
psql_db() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

# The CRM: 6 colleagues, 3 accounts with domains, 12 contacts, 2 leads, 3
# opportunities with stakeholders; 300 interactions to start with.
if ! psql_db >"$work/setup.log" 2>&1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION relintel;
INSERT INTO relintel.internal_domain VALUES ('contoso.com');
INSERT INTO relintel.colleague (id, email) VALUES
  (1, 'alice@contoso.com'), (2, 'bob@contoso.com'), (3, 'carol@contoso.com'),
  (4, 'dan@contoso.com'), (5, 'erin@contoso-labs.net'), (6, 'frank@contoso.com');
INSERT INTO relintel.account VALUES (1, 'Fabrikam', 'fabrikam.com'), (2, 'Northwind', 'northwind.com'),
                                    (3, 'Adatum', 'adatum.com');
INSERT INTO relintel.contact
SELECT g, 1 + (g - 1) % 3, format('p%s@%s', g, (ARRAY['fabrikam.com', 'northwind.com', 'adatum.com'])[1 + (g - 1) % 3]), NULL
  FROM generate_series(1, 12) AS g;
INSERT INTO relintel.lead VALUES (1, 'max@gmail.com', NULL, NULL), (2, 'lee@startup.io', NULL, NULL);
INSERT INTO relintel.opportunity VALUES
  (1, 1, 'Renewal', 1, '2024-01-01 00:00+00', NULL),
  (2, 2, 'Pilot', 2, '2024-02-01 00:00+00', '2024-09-01 00:00+00'),
  (3, 3, 'Expansion', 3, '2024-03-01 00:00+00', NULL);
INSERT INTO relintel.opportunity_contact VALUES (1, 1), (1, 4), (2, 2), (2, 5), (3, 3), (3, 6);

-- Message-IDs of the test: <bN@c>, N from this sequence.
CREATE SEQUENCE public.bench_mid;
-- A random participant: internal (colleagues, an internal non-colleague)
-- or external (contacts, leads, a stranger).
CREATE FUNCTION public.someone(internal boolean) RETURNS text LANGUAGE sql AS $$
  SELECT CASE WHEN internal
              THEN (ARRAY['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com', 'dan@contoso.com',
                          'erin@contoso-labs.net', 'frank@contoso.com', 'ops@contoso.com'])[1 + floor(random() * 7)::int]
              ELSE (ARRAY['p1@fabrikam.com', 'p2@northwind.com', 'p3@adatum.com', 'p4@fabrikam.com',
                          'p5@northwind.com', 'p6@adatum.com', 'p7@fabrikam.com', 'info@fabrikam.com',
                          'max@gmail.com', 'lee@startup.io', 'x@stranger.org'])[1 + floor(random() * 11)::int]
         END
$$;
-- n random interactions: emails (half of them replies to a Message-ID
-- written up to 200 before or 20 after), meetings and calls, a few dated
-- in the future.
CREATE FUNCTION public.random_rows(n int)
RETURNS TABLE (kind relintel.interaction_kind, occurred_at timestamptz, duration interval, sender text,
               recipients text[], message_id text, in_reply_to text, regarding_type relintel.entity_type,
               regarding_id bigint, sentiment real)
LANGUAGE sql AS $$
  SELECT k::relintel.interaction_kind,
         CASE WHEN random() < 0.02 THEN now() + interval '2 days'
              ELSE timestamptz '2024-01-01 00:00+00' + floor(random() * 300 * 1440) * interval '1 minute' END,
         CASE WHEN k <> 'email' THEN interval '30 minutes' END,
         public.someone(outbound),
         ARRAY[public.someone(NOT outbound)] || CASE WHEN random() < 0.3 THEN ARRAY[public.someone(random() < 0.5)] ELSE '{}' END,
         CASE WHEN k = 'email' THEN format('<b%s@c>', nextval('public.bench_mid')) END,
         CASE WHEN k = 'email' AND random() < 0.5
              THEN format('<b%s@c>', greatest(1, (SELECT last_value FROM public.bench_mid) - 200 + floor(random() * 220)::int)) END,
         CASE WHEN reg < 0.1 THEN 'opportunity'::relintel.entity_type END,
         CASE WHEN reg < 0.1 THEN 1 + floor(reg * 30)::int END,
         CASE WHEN random() < 0.2 THEN round((random() * 2 - 1)::numeric, 2)::real END
    FROM (SELECT g, random() < 0.5 AS outbound, random() AS reg,
                 CASE WHEN random() < 0.75 THEN 'email' WHEN random() < 0.6 THEN 'meeting' ELSE 'call' END AS k
            FROM generate_series(1, n) AS g) AS s;
$$;
INSERT INTO relintel.interaction (kind, occurred_at, duration, sender, recipients, message_id, in_reply_to,
                                  regarding_type, regarding_id, sentiment)
SELECT * FROM public.random_rows(300);
SQL
then
  echo "Bail out! setup failed: $(grep -m1 ERROR "$work/setup.log")"
  exit 1
fi

cols='kind, occurred_at, duration, sender, recipients, message_id, in_reply_to, regarding_type, regarding_id, sentiment'
cat >"$work/insert_one.sql" <<SQL
INSERT INTO relintel.interaction ($cols) SELECT * FROM public.random_rows(1);
SQL
cat >"$work/insert_many.sql" <<SQL
\set n random(2, 12)
INSERT INTO relintel.interaction ($cols) SELECT * FROM public.random_rows(:n);
SQL
cat >"$work/update.sql" <<'SQL'
\set r random(1, 4)
UPDATE relintel.interaction
   SET occurred_at = CASE WHEN :r = 1 THEN occurred_at + interval '1 hour' ELSE occurred_at END,
       sender = CASE WHEN :r = 2 THEN public.someone(random() < 0.5) ELSE sender END,
       recipients = CASE WHEN :r = 3 THEN ARRAY[public.someone(random() < 0.5)] ELSE recipients END,
       in_reply_to = CASE WHEN :r = 4 AND kind = 'email'
                          THEN format('<b%s@c>', 1 + floor(random() * (SELECT last_value FROM public.bench_mid))::int)
                          ELSE in_reply_to END
 WHERE id IN (SELECT floor(random() * (SELECT max(id) FROM relintel.interaction))::bigint + 1
                FROM generate_series(1, 2));
SQL
cat >"$work/delete.sql" <<'SQL'
DELETE FROM relintel.interaction
 WHERE id = (SELECT floor(random() * (SELECT max(id) FROM relintel.interaction))::bigint + 1);
SQL
cat >"$work/directory.sql" <<'SQL'
\set c random(1, 12)
\set a random(1, 3)
\set o random(1, 3)
\set r random(1, 3)
UPDATE relintel.contact SET account_id = :a WHERE id = :c AND :r = 1;
INSERT INTO relintel.opportunity_contact SELECT :o, :c WHERE :r = 2 ON CONFLICT DO NOTHING;
DELETE FROM relintel.opportunity_contact WHERE opportunity_id = :o AND contact_id = :c AND :r = 3;
SQL

deadlocks() {
  psql_db -At -c "SELECT pg_stat_clear_snapshot(); SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()" | tail -1
}
before=$(deadlocks)

pgbench -n -c "$clients" -j "$jobs" -T "$duration" -d "$db" \
  -f "$work/insert_one.sql@40" -f "$work/insert_many.sql@20" -f "$work/update.sql@20" \
  -f "$work/delete.sql@10" -f "$work/directory.sql@5" >"$work/pgbench.out" 2>"$work/pgbench.err"
status=$?
sed 's/^/# /' "$work/pgbench.out" | grep -E 'transaction type|number of|latency average|tps|failed|script [0-9]|- weight|- [0-9]+ trans' 
grep -E 'aborted|ERROR|deadlock' "$work/pgbench.err" | head -5 | sed 's/^/# /'
sleep 1
after=$(deadlocks)

processed=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$work/pgbench.out")
failed=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$work/pgbench.out")
aborted=$(grep -c 'aborted' "$work/pgbench.err")

n=0
check() {   # check <description> <command...>
  local description=$1; shift
  n=$((n + 1))
  if "$@"; then echo "ok $n - $description"; else echo "not ok $n - $description"; fi
}
check "pgbench ran to the end (exit status $status)" test "$status" -eq 0
check "transactions were processed (${processed:-none})" test "${processed:-0}" -gt 0
check "no client aborted ($aborted)" test "$aborted" -eq 0
check "no failed transactions (${failed:-unknown})" test "${failed:-1}" -eq 0
check "no deadlocks (pg_stat_database: ${before:-?} before, ${after:-?} after)" test "${after:-x}" = "${before:-y}"
mismatches=$(psql_db -At -c "SELECT count(*) FROM relintel.verify()")
check "verify() is empty (${mismatches:-error} rows)" test "${mismatches:-1}" = 0
leftovers=$(psql_db -At -c "SELECT (SELECT count(*) FROM relintel.entity_health WHERE state IS NULL) + (SELECT count(*) FROM relintel.tie WHERE state IS NULL)")
check "no work list or NULL state left behind (${leftovers:-error})" test "${leftovers:-1}" = 0
psql_db -At -c "SELECT format('# interactions %s, pending %s, entity states %s, ties %s',
                  (SELECT count(*) FROM relintel.interaction), (SELECT count(*) FROM relintel.pending_interaction),
                  (SELECT count(*) FROM relintel.entity_health), (SELECT count(*) FROM relintel.tie))"
