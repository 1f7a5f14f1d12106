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
echo "1..9"

out=$(run "SELECT relintel.refresh_alerts();")
ok "$(count_notes "$out")" 1 "first refresh: one notification for the new alert"
ok "$(grep -c '"entity_type" : "contact", "entity_id" : 1, "alert" : "unanswered"' <<<"$out")" 1 "payload names the entity and the alert"
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
ok "$(grep -c '"entity_id" : 2, "alert" : "unanswered"' <<<"$out")" 1 "the notification is bob's"

# a refresh rolled back notifies nothing
out=$(run "DELETE FROM relintel.alert;" "BEGIN;" "SELECT relintel.refresh_alerts();" "ROLLBACK;")
ok "$(count_notes "$out")" 0 "a rolled-back refresh notifies nothing"
exit $failed
