#!/usr/bin/env bash
# Concurrent single-statement writers of the CRM and directory tables never
# deadlock (issue 11): for each of contact, account, lead, opportunity,
# opportunity_contact, colleague and internal_domain, one pgbench client runs
# "UPDATE t … WHERE id IN (1, 2)" while others run "UPDATE t … WHERE id = 2"
# (each changing a column that moves membership) for a few seconds; then no
# client failed, pg_stat_database counts no new deadlock, and verify() is
# empty.  (Two multi-row UPDATEs of the same rows can deadlock in PostgreSQL
# itself when they meet the rows in different physical orders, with or
# without relintel, so one client runs the two-row statement.)
#
# Run with PG* variables pointing to a server where relintel is installed;
# the test creates and drops a database of its own.  Output: TAP (prove).
#   SECONDS_EACH (default 4) seconds per table, CLIENTS (default 3) clients
#   running the one-row statement
set -uo pipefail

seconds_each=${SECONDS_EACH:-4}
clients=${CLIENTS:-3}
db=relintel_dirlock_$$
work=$(mktemp -d)
cleanup() {
  dropdb --if-exists "$db" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

tables=(contact account lead opportunity opportunity_contact colleague internal_domain)
echo "1..$(( ${#tables[@]} + 1 ))"
if ! createdb "$db" >"$work/createdb.log" 2>&1; then
  echo "Bail out! no server (createdb failed: $(head -1 "$work/createdb.log"))"
  exit 1
fi
psql_db() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

# A small CRM whose rows 1 and 2 of every table have interactions.
if ! psql_db >"$work/setup.log" 2>&1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION relintel;
INSERT INTO relintel.internal_domain VALUES ('d1.contoso.com'), ('d2.contoso.com'), ('contoso.com');
INSERT INTO relintel.colleague (id, email) VALUES (1, 'alice@contoso.com'), (2, 'bob@contoso.com');
INSERT INTO relintel.account (id, name, domain) VALUES (1, 'A1', 'a1.example'), (2, 'A2', 'a2.example');
INSERT INTO relintel.contact (id, account_id, email) VALUES
  (1, 1, 'c1@a1.example'), (2, 2, 'c2@a2.example');
INSERT INTO relintel.lead (id, email) VALUES (1, 'l1@free.example'), (2, 'l2@free.example');
INSERT INTO relintel.opportunity (id, account_id, name, created_at) VALUES
  (1, 1, 'O1', now() - interval '90 days'), (2, 2, 'O2', now() - interval '90 days');
INSERT INTO relintel.opportunity_contact VALUES (1, 1), (1, 2);
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, message_id, regarding_type, regarding_id)
SELECT 'email', now() - g * interval '1 hour',
       (ARRAY['alice@contoso.com', 'bob@contoso.com', 'x@d1.contoso.com', 'y@d2.contoso.com'])[1 + g % 4],
       ARRAY[(ARRAY['c1@a1.example', 'c2@a2.example', 'l1@free.example', 'l2@free.example',
                    'z@a1.example', 'w@a2.example'])[1 + g % 6]],
       'm' || g || '@mail', (ARRAY['lead', 'account', 'opportunity'])[1 + g % 3]::relintel.entity_type, 1 + g % 2
  FROM generate_series(1, 200) AS g;
SQL
then
  echo "Bail out! setup failed: $(tail -3 "$work/setup.log")"
  exit 1
fi

# Each statement toggles a column that moves membership, so that every run
# does maintenance work.
toggle_statement() {   # toggle_statement TABLE IDS
  local table=$1 ids=$2
  case $table in
    contact|lead|colleague)
      echo "UPDATE relintel.$table SET email = CASE WHEN email LIKE 'b.%' THEN substr(email, 3) ELSE 'b.' || email END WHERE id IN ($ids);" ;;
    account)
      echo "UPDATE relintel.account SET domain = CASE WHEN domain LIKE 'b.%' THEN substr(domain, 3) ELSE 'b.' || domain END WHERE id IN ($ids);" ;;
    opportunity)
      echo "UPDATE relintel.opportunity SET closed_at = CASE WHEN closed_at IS NULL THEN now() - interval '10 days' END WHERE id IN ($ids);" ;;
    opportunity_contact)
      echo "UPDATE relintel.opportunity_contact SET opportunity_id = 3 - opportunity_id WHERE contact_id IN ($ids);" ;;
    internal_domain)
      local domains
      domains=$(echo "$ids" | sed -E "s/([0-9]+)/'d\1.contoso.com', 'b.d\1.contoso.com'/g")
      echo "UPDATE relintel.internal_domain SET domain = CASE WHEN domain LIKE 'b.%' THEN substr(domain, 3) ELSE 'b.' || domain END WHERE domain IN ($domains);" ;;
  esac
}

deadlocks() { psql -X -A -t -d "$db" -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"; }

n=0
for table in "${tables[@]}"; do
  n=$((n + 1))
  toggle_statement "$table" "1, 2" >"$work/both.sql"
  toggle_statement "$table" "2" >"$work/one.sql"
  before=$(deadlocks)
  (cd "$work" && pgbench -n -c 1 -T "$seconds_each" -f both.sql "$db" >"$work/$table.both.log" 2>&1) &
  both_pid=$!
  (cd "$work" && pgbench -n -c "$clients" -T "$seconds_each" -f one.sql "$db" >"$work/$table.one.log" 2>&1)
  status=$?
  wait "$both_pid" || status=$?
  cat "$work/$table.both.log" "$work/$table.one.log" >"$work/$table.log"
  sleep 0.5   # statistics are sent when a backend ends
  after=$(deadlocks)
  failed=$(sed -nE 's/.*number of failed transactions: ([0-9]+).*/\1/p' "$work/$table.log" | awk '{s+=$1} END {print s+0}')
  processed=$(sed -nE 's/.*number of transactions actually processed: ([0-9]+).*/\1/p' "$work/$table.log" | awk '{s+=$1} END {print s+0}')
  if [ "$status" -eq 0 ] && [ "${failed:-0}" -eq 0 ] && [ "$after" -eq "$before" ] && [ "${processed:-0}" -gt 0 ]; then
    echo "ok $n - $table: ${processed} concurrent updates, no deadlock, no failure"
  else
    echo "not ok $n - $table: pgbench status $status, ${failed:-?} failed, deadlocks $before -> $after"
    sed 's/^/# /' "$work/$table.log" | tail -15
  fi
done

n=$((n + 1))
rows=$(psql -X -A -t -d "$db" -c "SELECT count(*) FROM relintel.verify()")
if [ "$rows" = 0 ]; then
  echo "ok $n - verify() is empty after the concurrent updates"
else
  echo "not ok $n - verify() has $rows rows"
  psql -X -d "$db" -c "SELECT * FROM relintel.verify() LIMIT 10" | sed 's/^/# /'
fi
