#!/usr/bin/env bash
# TAP test of refresh_alerts() and its notifications, seen by a connection
# that LISTENs on relintel_alert (psql prints each notification it receives
# after the command that follows the commit).  Needs PG* variables for a
# server with relintel installed; creates and drops its own database.
set -uo pipefail
db=relintel_alerts_notify
dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db" || { echo "1..0 # SKIP no server"; exit 0; }
trap 'dropdb --if-exists "$db" >/dev/null 2>&1' EXIT
psql -X -q -d "$db" -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE EXTENSION relintel;
INSERT INTO relintel.internal_domain VALUES ('contoso.com');
INSERT INTO relintel.colleague (email) VALUES ('alice@contoso.com');
INSERT INTO relintel.contact (id, email) VALUES (1, 'ann@fabrikam.com'), (2, 'bob@tailspin.com');
-- contact 1: two unanswered emails, the first 7 days old
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients) VALUES
  ('email', now() - interval '7 days', 'alice@contoso.com', '{ann@fabrikam.com}'),
  ('email', now() - interval '6 days', 'alice@contoso.com', '{ann@fabrikam.com}');
SQL

# run SQL...: one psql session that listens, runs each statement in its own
# transaction and ends with a no-op so that pending notifications print.
run() {
  { echo "LISTEN relintel_alert;"; for s in "$@"; do echo "$s"; done; echo "SELECT 1;"; } |
    psql -X -q -A -t -d "$db" 2>&1
}
count_notes() { grep -c '^Asynchronous notification "relintel_alert"' <<<"$1"; }
n=0; failed=0
ok() { n=$((n + 1)); if [ "$1" = "$2" ]; then echo "ok $n - $3"; else echo "not ok $n - $3 (got '$1', expected '$2')"; failed=1; fi; }
echo "1..12"

out=$(run "SELECT relintel.refresh_alerts();")
ok "$(count_notes "$out")" 1 "first refresh: one notification for the new alert"
alert_id=$(sed -nE 's/.*with payload "\{"alert_id" : ([0-9]+)\}".*/\1/p' <<<"$out" | head -1)
ok "$(run "SELECT entity_type || ' ' || entity_id || ' ' || alert FROM relintel.alert WHERE id = ${alert_id:-0};" | sed -n 1p)" \
   "contact 1 unanswered" "the payload is the alert's id in relintel.alert, and that alert is contact 1's"
first_seen=$(run "SELECT first_seen FROM relintel.alert;" | sed -n 1p)
[ -n "$first_seen" ] || echo "# no first_seen read"

out=$(run "SELECT relintel.refresh_alerts();")
ok "$(count_notes "$out")" 0 "second refresh in a row: no notification"
ok "$(run "SELECT first_seen FROM relintel.alert;" | sed -n 1p)" "$first_seen" "first_seen kept"

# ann answers: the alert ends and is removed, silently
out=$(run "INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients)
             VALUES ('email', now() - interval '1 hour', 'ann@fabrikam.com', '{alice@contoso.com}');" \
          "SELECT relintel.refresh_alerts();")
ok "$(count_notes "$out")" 0 "an ended alert: no notification"
ok "$(run "SELECT count(*) FROM relintel.alert;" | sed -n 1p)" 0 "an ended alert is removed"

# bob is left unanswered: a new alert, notified exactly once
out=$(run "INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients) VALUES
             ('email', now() - interval '9 days', 'alice@contoso.com', '{bob@tailspin.com}'),
             ('email', now() - interval '8 days', 'alice@contoso.com', '{bob@tailspin.com}');" \
          "SELECT relintel.refresh_alerts();" "SELECT relintel.refresh_alerts();")
ok "$(count_notes "$out")" 1 "a new alert: notified exactly once over two refreshes"
alert_id=$(sed -nE 's/.*with payload "\{"alert_id" : ([0-9]+)\}".*/\1/p' <<<"$out" | head -1)
ok "$(run "SELECT entity_id FROM relintel.alert WHERE id = ${alert_id:-0};" | sed -n 1p)" 2 "the notification is bob's"

# a refresh rolled back notifies nothing
out=$(run "DELETE FROM relintel.alert;" "BEGIN;" "SELECT relintel.refresh_alerts();" "ROLLBACK;")
ok "$(count_notes "$out")" 0 "a rolled-back refresh notifies nothing"

# A role with no privilege at all (SET ROLE, so that the test needs no
# password), listening on its own connection while an alert is found: it is
# told that an alert exists and nothing of the CRM.
psql -X -q -d "$db" -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS relintel_listener_$$" \
     -c "CREATE ROLE relintel_listener_$$" >/dev/null
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; psql -X -q -d postgres -c "DROP ROLE IF EXISTS relintel_listener_$$" >/dev/null 2>&1' EXIT
listened=$(mktemp)
{ echo "SET ROLE relintel_listener_$$;"; echo "LISTEN relintel_alert;"; sleep 4; echo "SELECT 1;"; } |
  psql -X -q -A -t -d "$db" >"$listened" 2>&1 &
listener=$!
sleep 1
run "DELETE FROM relintel.alert;" "SELECT relintel.refresh_alerts();" >/dev/null
wait "$listener"
ok "$(grep -c '^Asynchronous notification "relintel_alert"' "$listened")" 1 "the unprivileged listener receives the new alert (bob's)"
ok "$(grep '^Asynchronous notification' "$listened" | grep -cE '@|fabrikam|tailspin|emails|unanswered|contact')" 0 \
   "its payloads carry no address, name, entity or detail"
ok "$(psql -X -q -A -t -d "$db" -c "SET ROLE relintel_listener_$$" -c "SELECT * FROM relintel.alert" 2>&1 | grep -c 'permission denied')" 1 \
   "and it may not read relintel.alert"
rm -f "$listened"
exit $failed
