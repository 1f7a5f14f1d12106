#!/usr/bin/env bash
# Tests of relintel-load (TAP, for prove). Needs PG* environment variables
# pointing to a server where the relintel extension is installed; creates
# its own databases and its own mailboxes and calendars, loads them, and
# checks every resulting row against values worked out by hand (comments
# say how), then loads again and checks that nothing was added.
set -uo pipefail
loader_dir=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$loader_dir" >&2 || { echo "1..0 # SKIP relintel-load does not build"; exit 1; }
loader="$loader_dir/relintel-load"
psql -X -q -c 'SELECT 1' >/dev/null ||
  { echo "Bail out! no database server: set PGHOST, PGPORT, PGUSER (e.g. run under pg_virtualenv)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/relintel-load-test.XXXXXX")
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
export PGCLIENTENCODING=UTF8
db=relintel_loader_test
fail_db=relintel_loader_fail
bare_db=relintel_loader_bare

# ---------------------------------------------------------------- TAP helpers
test_number=0
failures=0
# is GOT EXPECTED NAME: one test comparing two strings.
is() {
  test_number=$((test_number + 1))
  if [ "$1" == "$2" ]; then
    echo "ok $test_number - $3"
  else
    failures=$((failures + 1))
    echo "not ok $test_number - $3"
    printf '#      got: %s\n# expected: %s\n' "$1" "$2"
  fi
}
# contains TEXT NEEDLE NAME: one test that TEXT holds the line fragment NEEDLE.
contains() {
  if grep -qF -- "$2" <<<"$1"; then is yes yes "$3"; else is "$(head -c 2000 <<<"$1")" "... $2 ..." "$3"; fi
}
# query DATABASE SQL: run SQL, print the unaligned result.
query() { psql -X -A -t -q -d "$1" -v ON_ERROR_STOP=1 -c "$2"; }
# row ID: the row of relintel.interaction with that message_id, as
# kind|occurred_at (UTC)|duration in seconds|sender|recipients|subject|message_id|in_reply_to
row() {
  printf '%s\n' "SELECT concat_ws('|', kind, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
      coalesce(extract(epoch FROM duration)::bigint::text, 'NULL'), sender,
      array_to_string(recipients, ','), coalesce(subject, 'NULL'), message_id,
      coalesce(in_reply_to, 'NULL'))
    FROM relintel.interaction WHERE message_id = :'id'" |
    psql -X -A -t -q -d "${2:-$db}" -v ON_ERROR_STOP=1 -v id="$1"
}
# summary_count STDERR LABEL: the number after "LABEL" in a summary.
summary_count() { grep -F -- "$2" <<<"$1" | head -1 | grep -oE '[0-9]+' | tail -1; }

# ---------------------------------------------------------------- the corpus
corpus=$work/corpus
mkdir -p "$corpus/mail/Work/cur" "$corpus/mail/Work/new" "$corpus/mail/Work/tmp" "$corpus/calendar"

# inbox.mbox: 20 messages. Expected rows are spelled out in the checks below.
cat >"$corpus/mail/inbox.mbox" <<'MBOX'
From ann.lee@fabrikam.com Tue Jan  2 17:15:00 2024
From: =?UTF-8?Q?Ann_L=C3=A9e?= <Ann.Lee@Fabrikam.COM>
To: "Lee, Bob" <Bob.Lee@Contoso.com>, project-team: carl@contoso.com,
 =?ISO-8859-1?Q?Dana_M=FCller?= <DANA@contoso.com>;,
	eve@contoso.com
Cc: "bad address"@x.example, nobody, carl@contoso.com, "Frank" <frank@contoso.com>
Bcc: <grace@contoso.com>
Subject: =?UTF-8?B?UXVhcnRhbHN6YWhsZW4=?= and
 =?UTF-8?Q?n=C3=A4chste_Schritte?=
Date: Tue, 02 Jan 2024 09:15:00 -0800
Message-ID: <m1.abc@fabrikam.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Body text that is never stored.
>From here on it is quoted.

From bob.lee@contoso.com Wed Jan  3 08:00:00 2024
From: Bob Lee <bob.lee@contoso.com>
To: =?UTF-8?Q?Ann_L=C3=A9e?= <ann.lee@fabrikam.com>
Subject: RE: Quartalszahlen
Date: Wed, 3 Jan 2024 09:00:00 +0100
Message-ID: <m2.def@contoso.com>
In-Reply-To: <m1.abc@fabrikam.com> (Ann's message of Tue, 2 Jan 2024)
References: <m0.zzz@fabrikam.com> <m1.abc@fabrikam.com>

Thanks.

From carl@contoso.com Thu Jan  4 11:30:00 2024
From: carl@contoso.com
To: ann.lee@fabrikam.com
Subject: no date here
Message-ID: <m3@contoso.com>
References: <m1.abc@fabrikam.com>
	<m2.def@contoso.com>

No Date header: the From_ line gives the date.

From ann.lee@fabrikam.com Sat Jan  6 00:00:00 2024
Received: from mx.fabrikam.com (mx.fabrikam.com [192.0.2.1])
	by mx.contoso.com with ESMTPS id 123
	for <dana@contoso.com>; Fri, 5 Jan 2024 14:00:00 +0200
Received: from a.example by b.example; Fri, 5 Jan 2024 11:00:00 +0000
From: Ann Lee <ann.lee@fabrikam.com>
To: dana@contoso.com
Subject: received only
Message-ID: <m4@fabrikam.com>

No Date header: the newest Received header gives the date.

From list@lists.example Mon Jan  8 09:00:00 2024
From: Dev List <dev@lists.example>
To: dev@lists.example
Subject: [dev] weekly digest
Date: Mon, 8 Jan 2024 09:00:00 +0000
Message-ID: <m5@lists.example>
List-Id: Developers <dev.lists.example>

From news@shop.example Mon Jan  8 09:00:00 2024
From: Shop <news@shop.example>
To: ann.lee@fabrikam.com
Subject: Sale
Date: Mon, 8 Jan 2024 09:00:00 +0000
Message-ID: <m6@shop.example>
Precedence: Bulk

From bob.lee@contoso.com Mon Jan  8 09:00:00 2024
From: bob.lee@contoso.com
To: ann.lee@fabrikam.com
Subject: Out of office
Date: Mon, 8 Jan 2024 09:00:00 +0000
Message-ID: <m7@contoso.com>
Auto-Submitted: auto-replied (vacation)

From dana@contoso.com Mon Jan  8 10:00:00 2024
From: dana@contoso.com
To: ann.lee@fabrikam.com
Subject: Auto-Submitted no is a person
Date: Mon, 8 Jan 2024 10:00:00 +0000
Message-ID: <m8@contoso.com>
Auto-Submitted: no

From eve@contoso.com Mon Jan  8 11:00:00 2024
From: eve@contoso.com
To: ann.lee@fabrikam.com
Subject: Away
Date: Mon, 8 Jan 2024 11:00:00 +0000
Message-ID: <m9@contoso.com>
X-Autoreply: yes

From frank@contoso.com Mon Jan  8 11:00:00 2024
From: frank@contoso.com
To: ann.lee@fabrikam.com
Subject: Away too
Date: Mon, 8 Jan 2024 11:00:00 +0000
Message-ID: <m10@contoso.com>
X-Autorespond: yes

From No-Reply@service.example Mon Jan  8 12:00:00 2024
From: "Service" <No-Reply@Service.example>
To: ann.lee@fabrikam.com
Subject: Your receipt
Date: Mon, 8 Jan 2024 12:00:00 +0000
Message-ID: <m11@service.example>

From MAILER-DAEMON Mon Jan  8 12:00:00 2024
From: Mail Delivery System <MAILER-DAEMON@mx.contoso.com>
To: ann.lee@fabrikam.com
Subject: Undelivered Mail Returned to Sender
Date: Mon, 8 Jan 2024 12:00:00 +0000
Message-ID: <m12@mx.contoso.com>

From alerts@monitor.example Mon Jan  8 12:00:00 2024
From: alerts@monitor.example
To: ann.lee@fabrikam.com
Subject: CPU high
Date: Mon, 8 Jan 2024 12:00:00 +0000
Message-ID: <m13@monitor.example>

From ann.lee@fabrikam.com Mon Jan  8 13:00:00 2024
From: ann.lee@fabrikam.com
To: undisclosed-recipients:;
Subject: to nobody visible
Date: Mon, 8 Jan 2024 13:00:00 +0000
Message-ID: <m14@fabrikam.com>

From unknown Mon Jan  8 13:00:00 2024
From: Ann
To: bob.lee@contoso.com
Subject: sender without address
Date: Mon, 8 Jan 2024 13:00:00 +0000
Message-ID: <m15@fabrikam.com>

From garbage Tue Jan  9 00:00:00 2024
this line is not a header

and this is no message.

From eve@contoso.com Wed Jan 10 15:45:30 2024
From: Eve <eve@contoso.com>
To: Ann <ann.lee@fabrikam.com>, bob.lee@contoso.com
Subject: no id
Date: Wed, 10 Jan 2024 16:45:30 +0100

No Message-ID: a synthetic one is made.

From spam@bulk.example Thu Jan 11 10:00:00 2024
From: winner@bulk.example
To: ann.lee@fabrikam.com
Subject: You won
Date: Thu, 11 Jan 2024 10:00:00 +0000
Message-ID: <s1@bulk.example>
X-Spam-Flag: YES

From 1234@xxx Thu Jan 11 10:00:00 2024
X-GM-THRID: 1234
X-Gmail-Labels: Archived,Chat
From: Bob Lee <bob.lee@contoso.com>
To: ann.lee@fabrikam.com
Date: Thu, 11 Jan 2024 10:00:00 +0000
Message-ID: <chat1@gmail.example>

From 1235@xxx Thu Jan 11 10:00:00 2024
X-Gmail-Labels: Opened, Drafts
From: ann.lee@fabrikam.com
To: bob.lee@contoso.com
Subject: not sent yet
Date: Thu, 11 Jan 2024 10:00:00 +0000
Message-ID: <draft1@fabrikam.com>
MBOX

# archive.mbox: the first message again (a duplicate Message-ID, as when
# the same mail sits in two folders), and one more.
{
  echo "From ann.lee@fabrikam.com Tue Jan  2 17:15:01 2024"
  sed -n '2,/^$/p' "$corpus/mail/inbox.mbox"
  echo "Copy in the archive."
  echo
  cat <<'MBOX'
From ann.lee@fabrikam.com Thu Jan 11 14:00:00 2024
From: ann.lee@fabrikam.com
To: Bob.Lee@CONTOSO.COM
Subject: archive only
Date: Thu, 11 Jan 2024 09:00:00 -0500
Message-ID: <m19@fabrikam.com>
In-Reply-To: <m2.def@contoso.com>

Hi.
MBOX
} >"$corpus/mail/archive.mbox"

# A Maildir folder: a draft (flag D), one message without Date (1704880800 in the file name
# is 2024-01-10 10:00:00 UTC), one with CRLF line ends, one in tmp/ that is
# still being delivered and must not be read, and Dovecot's index file.
cat >"$corpus/mail/Work/cur/1704880800.M1P1.host:2,S" <<'MSG'
From: frank@contoso.com
To: ann.lee@fabrikam.com
Subject: maildir without date
Message-ID: <md1@contoso.com>

Hi.
MSG
cat >"$corpus/mail/Work/cur/1704880900.M4P4.host:2,DS" <<'MSG'
From: frank@contoso.com
To: ann.lee@fabrikam.com
Subject: a draft (Maildir flag D)
Date: Wed, 10 Jan 2024 10:01:40 +0000
Message-ID: <md-draft@contoso.com>

Hi.
MSG
printf '%s\r\n' 'From: grace@contoso.com' 'To: ann.lee@fabrikam.com' \
  'Cc: "Lee, Bob" <bob.lee@contoso.com>' 'Subject: crlf' '  folded' \
  'Date: Fri, 12 Jan 2024 08:00:00 +0000' 'Message-ID: <md2@contoso.com>' '' 'Hi.' \
  >"$corpus/mail/Work/new/1704967200.M2P2.host"
cat >"$corpus/mail/Work/tmp/1704967300.M3P3.host" <<'MSG'
From: grace@contoso.com
To: ann.lee@fabrikam.com
Subject: still being delivered
Date: Fri, 12 Jan 2024 09:00:00 +0000
Message-ID: <mdtmp@contoso.com>

Hi.
MSG
printf '3 V1 1\n1 1704880800.M1P1.host\n' >"$corpus/mail/Work/dovecot-uidlist"
echo "not mail" >"$corpus/notes.txt"

# Single .eml files: one fine (23:30 at -03:30 is 03:00 UTC the next day),
# one whose Date cannot be read and that has nothing else to date it.
cat >"$corpus/mail/hello.eml" <<'MSG'
From: "Ann Lee" <ann.lee@fabrikam.com>
To: "Hal" <hal@northwind.example>
Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=
Date: Sat, 13 Jan 2024 23:30:00 -0330
Message-ID: <eml1@fabrikam.com>

Hi.
MSG
cat >"$corpus/mail/broken-date.eml" <<'MSG'
From: ann.lee@fabrikam.com
To: hal@northwind.example
Subject: when?
Date: sometime last week
Message-ID: <eml2@fabrikam.com>

Hi.
MSG

# team.ics: nine events. "Custom Berlin" is CET (+01:00) and from the last
# Sunday of March (2024-03-31) CEST (+02:00).
cat >"$corpus/calendar/team.ics" <<'ICS'
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//relintel//loader test//EN
BEGIN:VTIMEZONE
TZID:Custom Berlin
BEGIN:STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:weekly-sync@fabrikam.com
DTSTAMP:20240101T000000Z
DTSTART;TZID=Custom Berlin:20240318T100000
DTEND;TZID=Custom Berlin:20240318T103000
RRULE:FREQ=WEEKLY;COUNT=4
EXDATE;TZID=Custom Berlin:20240325T100000
SUMMARY:Weekly sync
ORGANIZER;CN=Ann Lee:mailto:Ann.Lee@Fabrikam.com
ATTENDEE;CN=Ann Lee;PARTSTAT=ACCEPTED:mailto:ann.lee@fabrikam.com
ATTENDEE;CN="Lee, Bob";PARTSTAT=ACCEPTED:mailto:Bob.Lee@Contoso.com
ATTENDEE;PARTSTAT=DECLINED:mailto:carl@contoso.com
ATTENDEE;CUTYPE=ROOM:mailto:room-1@contoso.com
ATTENDEE;PARTSTAT=NEEDS-ACTION:MAILTO:dana@contoso.com
END:VEVENT
BEGIN:VEVENT
UID:weekly-sync@fabrikam.com
DTSTAMP:20240101T000000Z
RECURRENCE-ID;TZID=Custom Berlin:20240401T100000
DTSTART;TZID=Custom Berlin:20240401T140000
DURATION:PT1H
SUMMARY:Weekly sync (moved)
ORGANIZER:mailto:ann.lee@fabrikam.com
ATTENDEE:mailto:bob.lee@contoso.com
END:VEVENT
BEGIN:VEVENT
UID:nyc-visit@fabrikam.com
DTSTAMP:20240101T000000Z
DTSTART;TZID=America/New_York:20240110T090000
DTEND;TZID=America/New_York:20240110T100000
SUMMARY:Visit in New York
ORGANIZER:mailto:ann.lee@fabrikam.com
ATTENDEE:mailto:hal@northwind.example
END:VEVENT
BEGIN:VEVENT
UID:kickoff@contoso.com
DTSTAMP:20240101T000000Z
DTSTART:20240115T133000Z
DURATION:PT45M
SUMMARY:Kick-off\, phase 1 with
  Northwind
ORGANIZER;CN="Lee, Bob":MAILTO:Bob.Lee@Contoso.com
ATTENDEE:mailto:hal@northwind.example
ATTENDEE:mailto:ann.lee@fabrikam.com
END:VEVENT
BEGIN:VEVENT
UID:cancelled@fabrikam.com
DTSTAMP:20240101T000000Z
STATUS:CANCELLED
DTSTART:20240116T090000Z
DTEND:20240116T100000Z
SUMMARY:Called off
ORGANIZER:mailto:ann.lee@fabrikam.com
ATTENDEE:mailto:hal@northwind.example
END:VEVENT
BEGIN:VEVENT
UID:offsite@fabrikam.com
DTSTAMP:20240101T000000Z
DTSTART;VALUE=DATE:20240117
DTEND;VALUE=DATE:20240118
SUMMARY:Offsite
ORGANIZER:mailto:ann.lee@fabrikam.com
ATTENDEE:mailto:hal@northwind.example
END:VEVENT
BEGIN:VEVENT
UID:focus@fabrikam.com
DTSTAMP:20240101T000000Z
DTSTART:20240118T090000Z
DTEND:20240118T110000Z
SUMMARY:Focus time
ORGANIZER:mailto:ann.lee@fabrikam.com
ATTENDEE:mailto:ann.lee@fabrikam.com
END:VEVENT
BEGIN:VEVENT
UID:no-organizer@fabrikam.com
DTSTAMP:20240101T000000Z
DTSTART:20240119T090000Z
DTEND:20240119T100000Z
SUMMARY:Who invited whom
ATTENDEE:mailto:hal@northwind.example
END:VEVENT
BEGIN:VEVENT
UID:standup@fabrikam.com
DTSTAMP:20240101T000000Z
DTSTART:20240628T090000Z
DTEND:20240628T091500Z
RRULE:FREQ=DAILY
SUMMARY:Stand-up
ORGANIZER:mailto:ann.lee@fabrikam.com
ATTENDEE:mailto:bob.lee@contoso.com
END:VEVENT
END:VCALENDAR
ICS
# other.ics: the New York visit again (the same UID in a second calendar).
{
  printf 'BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//relintel//other//EN\n'
  sed -n '/^UID:nyc-visit/,/^END:VEVENT/p' "$corpus/calendar/team.ics" | sed '1i BEGIN:VEVENT'
  printf 'END:VCALENDAR\n'
} >"$corpus/calendar/other.ics"
# cancel.ics: a cancellation as mail clients send it (METHOD:CANCEL).
cat >"$corpus/calendar/cancel.ics" <<'ICS'
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//relintel//cancel//EN
METHOD:CANCEL
BEGIN:VEVENT
UID:cancel-me@fabrikam.com
DTSTAMP:20240101T000000Z
DTSTART:20240120T090000Z
DTEND:20240120T100000Z
SUMMARY:Cancelled by method
ORGANIZER:mailto:ann.lee@fabrikam.com
ATTENDEE:mailto:hal@northwind.example
END:VEVENT
END:VCALENDAR
ICS
# reply.ics: an attendee's answer (METHOD:REPLY), not a meeting of its own.
sed -e 's/^METHOD:CANCEL/METHOD:REPLY/' -e 's/cancel-me/answered/' \
  "$corpus/calendar/cancel.ics" >"$corpus/calendar/reply.ics"

# ---------------------------------------------------------------- command line
"$loader" --help >/dev/null; is "$?" 0 "--help exits 0"
"$loader" --version | grep -q '^relintel-load '; is "$?" 0 "--version names the program"
"$loader" --bogus >/dev/null 2>&1; is "$?" 2 "an unknown option exits 2"
out=$("$loader" --window 2024-01-01 x 2>&1); is "$?" 2 "a --window without TO exits 2"
contains "$out" 'invalid --recurrence-window "2024-01-01"' "... and says what is wrong"
"$loader" >/dev/null 2>&1; is "$?" 2 "no input exits 2"

# ---------------------------------------------------------------- databases
dropdb --if-exists "$db" 2>/dev/null; dropdb --if-exists "$fail_db" 2>/dev/null
dropdb --if-exists "$bare_db" 2>/dev/null
createdb -E UTF8 -T template0 --locale=C "$db" && createdb -E UTF8 -T template0 --locale=C "$fail_db" &&
  createdb -E UTF8 -T template0 --locale=C "$bare_db"
query "$db" "CREATE EXTENSION relintel" && query "$fail_db" "CREATE EXTENSION relintel"
is "$?" 0 "test databases with the relintel extension"

load_options=(--quiet --window 2024-01-01/2024-06-30 --skip-sender alerts)

# ---------------------------------------------------------------- dry run
dry_out=$("$loader" "${load_options[@]}" --dry-run --dsn "dbname=$db" "$corpus" 2>"$work/dry.err")
is "$?" 0 "--dry-run exits 0"
is "$(wc -l <<<"$dry_out")" 17 "--dry-run prints 17 rows"
is "$(query "$db" "SELECT count(*) FROM relintel.interaction")" 0 "--dry-run writes nothing"

# ---------------------------------------------------------------- first load
"$loader" "${load_options[@]}" --dsn "dbname=$db" "$corpus" 2>"$work/load1.err"
is "$?" 0 "the load exits 0 despite skipped and malformed input"
summary=$(cat "$work/load1.err")
# Files: inbox, archive, hello.eml, broken-date.eml, 3 Maildir messages, 4
# calendars = 11 (tmp/, dovecot-uidlist and notes.txt are not read).
is "$(summary_count "$summary" 'files read:')" 11 "summary: 11 files read"
is "$(summary_count "$summary" 'files ignored')" 2 "summary: 2 files ignored (dovecot-uidlist, notes.txt)"
# Messages: 20 + 2 + 3 + 2 = 27. Events: team 9, other 1, cancel 1, reply 1.
is "$(summary_count "$summary" 'messages read:')" 27 "summary: 27 messages read"
is "$(grep -F 'events read:' <<<"$summary" | grep -oE '[0-9]+' | tr '\n' ' ')" "12 8 " \
  "summary: 12 events, 8 occurrences (weekly 2 + moved 1 + New York 2 + kick-off 1 + stand-up 2)"
is "$(summary_count "$summary" 'interactions loaded:')" 17 "summary: 17 interactions loaded"
is "$(summary_count "$summary" 'duplicates in this run:')" 2 "summary: 2 duplicates (m1 in two mailboxes, New York visit in two calendars)"
is "$(summary_count "$summary" 'already in the database:')" 0 "summary: nothing was in the database"
is "$(summary_count "$summary" 'Auto-Submitted')" 1 "skipped: Auto-Submitted auto-replied"
is "$(summary_count "$summary" 'Precedence bulk')" 1 "skipped: Precedence Bulk"
is "$(summary_count "$summary" 'mailing list')" 1 "skipped: List-Id"
is "$(summary_count "$summary" 'auto-reply')" 2 "skipped: X-Autoreply and X-Autorespond"
is "$(summary_count "$summary" 'spam')" 1 "skipped: X-Spam-Flag YES"
is "$(summary_count "$summary" 'chat, not mail')" 1 "skipped: Gmail label Chat"
is "$(summary_count "$summary" 'draft, never sent')" 2 "skipped: Gmail label Drafts, Maildir flag D"
is "$(summary_count "$summary" 'sender matches')" 3 "skipped: No-Reply, MAILER-DAEMON and --skip-sender alerts"
is "$(summary_count "$summary" 'no valid sender')" 2 "skipped: a From without address, an event without organizer"
is "$(summary_count "$summary" 'no valid recipient')" 2 "skipped: undisclosed-recipients, an event with only its organizer"
is "$(summary_count "$summary" 'cancelled event')" 2 "skipped: STATUS:CANCELLED and METHOD:CANCEL"
is "$(summary_count "$summary" 'all-day event')" 1 "skipped: an all-day event"
is "$(summary_count "$summary" 'calendar reply')" 1 "skipped: METHOD:REPLY"
is "$(summary_count "$summary" 'malformed:')" 2 "summary: 2 malformed"
garbage_offset=$(grep -b '^From garbage ' "$corpus/mail/inbox.mbox" | cut -d: -f1)
contains "$summary" "inbox.mbox: message 16 at byte $garbage_offset: not a message" \
  "the malformed mbox message is reported with its number and byte offset"
contains "$summary" "broken-date.eml: message 1: no usable date" \
  "the .eml without a usable date is reported with its file"

is "$(query "$db" "SELECT count(*) FROM relintel.interaction")" 17 "17 rows in relintel.interaction"
is "$(query "$db" "SELECT string_agg(message_id, ' ' ORDER BY message_id) FROM relintel.interaction")" \
  "$(printf '%s\n' m1.abc@fabrikam.com m2.def@contoso.com m3@contoso.com m4@fabrikam.com \
      m8@contoso.com m19@fabrikam.com md1@contoso.com md2@contoso.com eml1@fabrikam.com \
      SYNTHETIC weekly-sync@fabrikam.com/20240318T090000Z weekly-sync@fabrikam.com/20240401T080000Z \
      weekly-sync@fabrikam.com/20240408T080000Z nyc-visit@fabrikam.com kickoff@contoso.com \
      standup@fabrikam.com/20240628T090000Z standup@fabrikam.com/20240629T090000Z |
    sed "s/^SYNTHETIC$/$(query "$db" "SELECT message_id FROM relintel.interaction WHERE message_id LIKE '%@relintel-load.invalid'")/" |
    LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" \
  "exactly the expected message ids (no tmp/ message, no skipped one)"

# Emails. Dates: 09:15 at -08:00 is 17:15 UTC; 09:00 at +01:00 is 08:00.
is "$(row m1.abc@fabrikam.com)" \
  "email|2024-01-02 17:15:00|NULL|ann.lee@fabrikam.com|bob.lee@contoso.com,carl@contoso.com,dana@contoso.com,eve@contoso.com,frank@contoso.com,grace@contoso.com|Quartalszahlen and nächste Schritte|m1.abc@fabrikam.com|NULL" \
  "m1: encoded names, a comma in a quoted name, a group, folded To, invalid and repeated Cc dropped, Bcc, RFC 2047 subject, zone"
is "$(row m2.def@contoso.com)" \
  "email|2024-01-03 08:00:00|NULL|bob.lee@contoso.com|ann.lee@fabrikam.com|RE: Quartalszahlen|m2.def@contoso.com|m1.abc@fabrikam.com" \
  "m2: In-Reply-To with a comment gives the replied id"
is "$(row m3@contoso.com)" \
  "email|2024-01-04 11:30:00|NULL|carl@contoso.com|ann.lee@fabrikam.com|no date here|m3@contoso.com|m2.def@contoso.com" \
  "m3: no Date, dated by the From_ line; reply to the last id of folded References"
is "$(row m4@fabrikam.com)" \
  "email|2024-01-05 12:00:00|NULL|ann.lee@fabrikam.com|dana@contoso.com|received only|m4@fabrikam.com|NULL" \
  "m4: no Date, dated by the newest Received header (14:00 at +02:00), not the From_ line"
is "$(row m8@contoso.com)" \
  "email|2024-01-08 10:00:00|NULL|dana@contoso.com|ann.lee@fabrikam.com|Auto-Submitted no is a person|m8@contoso.com|NULL" \
  "m8: Auto-Submitted: no is loaded"
is "$(row m19@fabrikam.com)" \
  "email|2024-01-11 14:00:00|NULL|ann.lee@fabrikam.com|bob.lee@contoso.com|archive only|m19@fabrikam.com|m2.def@contoso.com" \
  "m19: from the second mailbox"
is "$(row md1@contoso.com)" \
  "email|2024-01-10 10:00:00|NULL|frank@contoso.com|ann.lee@fabrikam.com|maildir without date|md1@contoso.com|NULL" \
  "Maildir cur/: no Date, dated by the delivery time in the file name"
is "$(row md2@contoso.com)" \
  "email|2024-01-12 08:00:00|NULL|grace@contoso.com|ann.lee@fabrikam.com,bob.lee@contoso.com|crlf  folded|md2@contoso.com|NULL" \
  "Maildir new/: CRLF line ends; unfolding removes only the CRLF (RFC 5322 2.2.3)"
is "$(row eml1@fabrikam.com)" \
  "email|2024-01-14 03:00:00|NULL|ann.lee@fabrikam.com|hal@northwind.example|Grüße|eml1@fabrikam.com|NULL" \
  ".eml: encoded subject, a half-hour zone across midnight"
# The synthetic id: the first 32 hex digits of the SHA-256 of sender, epoch,
# subject and recipients (each followed by a comma), one per line.
# 16:45:30 at +01:00 is 15:45:30 UTC = 1704901530.
synthetic="$(printf 'eve@contoso.com\n1704901530\nno id\nann.lee@fabrikam.com,bob.lee@contoso.com,' |
  sha256sum | cut -c1-32)@relintel-load.invalid"
is "$(row "$synthetic")" \
  "email|2024-01-10 15:45:30|NULL|eve@contoso.com|ann.lee@fabrikam.com,bob.lee@contoso.com|no id|$synthetic|NULL" \
  "no Message-ID: a stable synthetic id"

# Meetings. Weekly sync: 10:00 CET = 09:00 UTC on 2024-03-18; 03-25 is an
# EXDATE; 04-01 was moved to 14:00 CEST = 12:00 UTC (its RECURRENCE-ID 10:00
# CEST = 08:00 UTC names it); 04-08 10:00 CEST = 08:00 UTC; COUNT=4 ends it.
# The organizer, the declined attendee and the room are not recipients.
is "$(row weekly-sync@fabrikam.com/20240318T090000Z)" \
  "meeting|2024-03-18 09:00:00|1800|ann.lee@fabrikam.com|bob.lee@contoso.com,dana@contoso.com|Weekly sync|weekly-sync@fabrikam.com/20240318T090000Z|NULL" \
  "recurring meeting, first occurrence (VTIMEZONE, standard time)"
is "$(row weekly-sync@fabrikam.com/20240408T080000Z)" \
  "meeting|2024-04-08 08:00:00|1800|ann.lee@fabrikam.com|bob.lee@contoso.com,dana@contoso.com|Weekly sync|weekly-sync@fabrikam.com/20240408T080000Z|NULL" \
  "recurring meeting, occurrence in daylight saving time"
is "$(row weekly-sync@fabrikam.com/20240401T080000Z)" \
  "meeting|2024-04-01 12:00:00|3600|ann.lee@fabrikam.com|bob.lee@contoso.com|Weekly sync (moved)|weekly-sync@fabrikam.com/20240401T080000Z|NULL" \
  "moved occurrence (RECURRENCE-ID), with DURATION"
is "$(row nyc-visit@fabrikam.com)" \
  "meeting|2024-01-10 14:00:00|3600|ann.lee@fabrikam.com|hal@northwind.example|Visit in New York|nyc-visit@fabrikam.com|NULL" \
  "TZID America/New_York from the system's zones (09:00 EST = 14:00 UTC)"
is "$(row kickoff@contoso.com)" \
  "meeting|2024-01-15 13:30:00|2700|bob.lee@contoso.com|hal@northwind.example,ann.lee@fabrikam.com|Kick-off, phase 1 with Northwind|kickoff@contoso.com|NULL" \
  "UTC event: DURATION, escaped comma and folded SUMMARY, MAILTO in capitals"
is "$(row standup@fabrikam.com/20240628T090000Z)" \
  "meeting|2024-06-28 09:00:00|900|ann.lee@fabrikam.com|bob.lee@contoso.com|Stand-up|standup@fabrikam.com/20240628T090000Z|NULL" \
  "endless daily meeting, first occurrence in the window"
is "$(row standup@fabrikam.com/20240629T090000Z)" \
  "meeting|2024-06-29 09:00:00|900|ann.lee@fabrikam.com|bob.lee@contoso.com|Stand-up|standup@fabrikam.com/20240629T090000Z|NULL" \
  "endless daily meeting, last occurrence before the window ends"

# ---------------------------------------------------------------- second load
before=$(query "$db" "SELECT md5(string_agg(i::text, ',' ORDER BY id)) FROM relintel.interaction i")
"$loader" "${load_options[@]}" --dsn "dbname=$db" "$corpus" 2>"$work/load2.err"
is "$?" 0 "the second load exits 0"
summary=$(cat "$work/load2.err")
is "$(summary_count "$summary" 'interactions loaded:')" 0 "second load: nothing loaded"
is "$(summary_count "$summary" 'already in the database:')" 17 "second load: 17 already in the database"
is "$(query "$db" "SELECT md5(string_agg(i::text, ',' ORDER BY id)) FROM relintel.interaction i")" \
  "$before" "second load: the table is unchanged"

# ---------------------------------------------------------------- one address rule
# Every line of addresses.txt goes, as written, into the From header of one
# message and the To header of another. The server's rule decides: what the
# loader stores must be relintel.normalize_address() of the line, and a line
# that it refuses (22023) must leave the message out (no valid sender or
# recipient). Twice: in a database whose lower() knows only ASCII (C) and in
# one that lowers all of Unicode (C.UTF-8).
rule_corpus=$loader_dir/test/addresses.txt
# corpus_files: the mbox ($work/rule.mbox) and the lines as SQL ($work/rule.sql).
corpus_files() {
  perl -e '
    use strict; use warnings; use Encode qw(encode_utf8);
    my ($corpus, $mbox, $sql) = @ARGV;
    open my $in, "<:raw", $corpus or die "$corpus: $!";
    open my $m, ">:raw", $mbox or die; open my $s, ">:raw", $sql or die;
    my $i = 0;
    while (my $line = <$in>) {
      chomp $line;
      next if $line =~ /^(#|$)/;
      $line =~ s/\\(?:(t)|(\\)|x([0-9A-Fa-f]{2})|u\{([0-9A-Fa-f]+)\})/
        defined $1 ? "\t" : defined $2 ? "\\" : defined $3 ? chr(hex $3) : encode_utf8(chr(hex $4))/ge;
      $i++;
      printf $m "From corpus\@test Mon Jan  1 00:00:00 2024\nFrom: %s\nTo: peer\@corpus.example\nSubject: from %d\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <from-%d\@corpus.example>\n\nbody\n\n", $line, $i, $i;
      printf $m "From corpus\@test Mon Jan  1 00:00:00 2024\nFrom: peer\@corpus.example\nTo: %s\nSubject: to %d\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <to-%d\@corpus.example>\n\nbody\n\n", $line, $i, $i;
      printf $s "INSERT INTO public.corpus VALUES (%d, convert_from(%s::bytea, %s));\n", $i, "\x27\\x" . unpack("H*", $line) . "\x27", "\x27UTF8\x27";
    }' "$rule_corpus" "$work/rule.mbox" "$work/rule.sql"
}
corpus_files
corpus_size=$(grep -c '^INSERT' "$work/rule.sql")
is "$([ "$corpus_size" -ge 200 ] && echo yes || echo "$corpus_size")" yes "the address corpus has at least 200 lines ($corpus_size)"
for rule_locale in C C.UTF-8; do
  rule_db=relintel_loader_rule
  dropdb --if-exists "$rule_db" 2>/dev/null
  createdb -E UTF8 -T template0 --locale="$rule_locale" "$rule_db" && query "$rule_db" "CREATE EXTENSION relintel
    ; CREATE TABLE public.corpus (i integer PRIMARY KEY, raw text NOT NULL)
    ; CREATE FUNCTION public.corpus_rule(raw text) RETURNS text LANGUAGE plpgsql AS \$\$
      BEGIN RETURN relintel.normalize_address(raw);
      EXCEPTION WHEN invalid_parameter_value THEN RETURN NULL; END \$\$" &&
    psql -X -q -d "$rule_db" -v ON_ERROR_STOP=1 -f "$work/rule.sql"
  is "$?" 0 "$rule_locale: a database with the corpus"
  invalid=$(query "$rule_db" "SELECT count(*) FROM public.corpus WHERE public.corpus_rule(raw) IS NULL")
  "$loader" --quiet --no-default-skip-senders --batch-size 50 --dsn "dbname=$rule_db" "$work/rule.mbox" 2>"$work/rule.err"
  is "$?" 0 "$rule_locale: the corpus loads"
  summary=$(cat "$work/rule.err")
  is "$(summary_count "$summary" 'messages read:') $(summary_count "$summary" 'interactions loaded:')" \
    "$((2 * corpus_size)) $((2 * (corpus_size - invalid)))" \
    "$rule_locale: every message read, those with an address the rule accepts loaded ($((corpus_size - invalid)) of $corpus_size, each twice)"
  is "$(summary_count "$summary" 'no valid sender') $(summary_count "$summary" 'no valid recipient')" \
    "$invalid $invalid" "$rule_locale: a message is skipped exactly where normalize_address() raises 22023"
  is "$(query "$rule_db" "SELECT string_agg(format('%s %s: stored %s, rule %s', c.i, to_json(c.raw),
        coalesce(to_json(i.sender)::text, 'nothing'), coalesce(to_json(public.corpus_rule(c.raw))::text, '22023')), ' | ' ORDER BY c.i)
      FROM public.corpus c LEFT JOIN relintel.interaction i ON i.message_id = format('from-%s@corpus.example', c.i)
      WHERE i.sender IS DISTINCT FROM public.corpus_rule(c.raw)")" "" \
    "$rule_locale: every From address stored as normalize_address() gives it"
  is "$(query "$rule_db" "SELECT string_agg(format('%s %s: stored %s, rule %s', c.i, to_json(c.raw),
        coalesce(to_json(i.recipients)::text, 'nothing'), coalesce(to_json(public.corpus_rule(c.raw))::text, '22023')), ' | ' ORDER BY c.i)
      FROM public.corpus c LEFT JOIN relintel.interaction i ON i.message_id = format('to-%s@corpus.example', c.i)
      WHERE i.recipients IS DISTINCT FROM array_remove(ARRAY[public.corpus_rule(c.raw)], NULL)
        AND NOT (i.recipients IS NULL AND public.corpus_rule(c.raw) IS NULL)")" "" \
    "$rule_locale: every To address stored as normalize_address() gives it"
  # The database's lower() is the one that counts: C lowers ASCII only.
  expected_emile=$([ "$rule_locale" = C ] && echo 'Émile@example.fr' || echo 'émile@example.fr')
  is "$(query "$rule_db" "SELECT i.sender FROM public.corpus c JOIN relintel.interaction i
      ON i.message_id = format('from-%s@corpus.example', c.i) WHERE c.raw = 'ÉMILE@EXAMPLE.FR'")" \
    "$expected_emile" "$rule_locale: ÉMILE@EXAMPLE.FR is stored as $expected_emile, as this database's lower() has it"
  dropdb "$rule_db"
done

# ---------------------------------------------------------------- failures
query "$fail_db" "CREATE FUNCTION public.test_trap() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
  IF NEW.subject = 'poison' THEN RAISE EXCEPTION 'poisoned row' USING ERRCODE = '22023'; END IF;
  IF NEW.subject = 'explode' THEN RAISE EXCEPTION 'server trouble' USING ERRCODE = 'XX000'; END IF;
  RETURN NEW;
END \$\$;
CREATE TRIGGER test_trap BEFORE INSERT ON relintel.interaction FOR EACH ROW EXECUTE FUNCTION public.test_trap();"
# make_mbox PREFIX SUBJECT...: an mbox with one message per subject.
make_mbox() {
  local prefix=$1 number=0 subject
  shift
  for subject in "$@"; do
    number=$((number + 1))
    printf 'From a@x Mon Jan  1 00:00:00 2024\nFrom: a@x.example\nTo: b@y.example\nSubject: %s\nDate: Mon, 1 Jan 2024 00:00:0%d +0000\nMessage-ID: <%s%d@x.example>\n\nbody\n\n' \
      "$subject" "$number" "$prefix" "$number"
  done
}
make_mbox p p1 p2 poison p4 p5 >"$work/poison.mbox"
"$loader" --quiet --batch-size 2 --dsn "dbname=$fail_db" "$work/poison.mbox" 2>"$work/poison.err"
is "$?" 0 "a row the database refuses does not stop the load"
is "$(query "$fail_db" "SELECT string_agg(subject, ' ' ORDER BY message_id) FROM relintel.interaction")" \
  "p1 p2 p4 p5" "... the other rows of its batch are loaded"
poison_offset=$(grep -b '^Subject: poison' "$work/poison.mbox" | cut -d: -f1)
poison_offset=$(head -c "$poison_offset" "$work/poison.mbox" | grep -b '^From a@x' | tail -1 | cut -d: -f1)
contains "$(cat "$work/poison.err")" "rejected by the database: $work/poison.mbox: message 3 at byte $poison_offset: ERROR:  poisoned row" \
  "... and the refused row is reported with its position and the server's message"

query "$fail_db" "DELETE FROM relintel.interaction"
make_mbox x x1 x2 explode x4 x5 >"$work/explode.mbox"
"$loader" --quiet --batch-size 2 --dsn "dbname=$fail_db" "$work/explode.mbox" 2>"$work/explode.err"
is "$?" 1 "a database failure stops the load with exit status 1"
is "$(query "$fail_db" "SELECT string_agg(subject, ' ' ORDER BY message_id) FROM relintel.interaction")" \
  "x1 x2" "... the batch before it stays, the failed batch (explode, x4) leaves nothing behind"
contains "$(cat "$work/explode.err")" "server trouble" "... and the error is shown"

out=$("$loader" --quiet --dsn "dbname=$bare_db" "$work/explode.mbox" 2>&1)
is "$?" 1 "a database without the extension: exit status 1"
contains "$out" "CREATE EXTENSION relintel" "... with a hint to create the extension"

# ---------------------------------------------------------------- batches in flight
# A batch is loaded while the next one is read, over two sessions (batches
# and address lookups); batches still commit one after the other, whole and
# in input order. A statement trigger logs each batch as it is inserted.
query "$fail_db" "DELETE FROM relintel.interaction;
CREATE TABLE public.batch_log (n serial, first_subject text, row_count bigint, loader_sessions bigint);
CREATE FUNCTION public.log_batch() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
  INSERT INTO public.batch_log (first_subject, row_count, loader_sessions)
  SELECT min(subject), count(*),
         (SELECT count(*) FROM pg_stat_activity WHERE application_name = 'relintel-load')
    FROM new_rows;
  RETURN NULL;
END \$\$;
CREATE TRIGGER log_batch AFTER INSERT ON relintel.interaction
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.log_batch()"
make_mbox o o1 o2 o3 o4 o5 o6 o7 o8 o9 >"$work/order.mbox"
"$loader" --quiet --batch-size 2 --dsn "dbname=$fail_db" "$work/order.mbox" 2>"$work/order.err"
is "$?" 0 "batches in flight: a load of 9 messages in batches of 2 exits 0"
is "$(query "$fail_db" "SELECT string_agg(first_subject || ':' || row_count, ' ' ORDER BY n) FROM public.batch_log")" \
  "o1:2 o3:2 o5:2 o7:2 o9:1" "... each batch is inserted whole, one after the other, in input order"
is "$(query "$fail_db" "SELECT string_agg(DISTINCT loader_sessions::text, ',') FROM public.batch_log")" \
  "2" "... while the loader holds two sessions (batches, address lookups)"
# Without --batch-size, batches hold 10,000 rows.
perl -e 'for my $i (1 .. 10001) { printf "From a\@x Mon Jan  1 00:00:00 2024\nFrom: s%d\@x.example\nTo: r%d\@y.example\nSubject: default %05d\nDate: Mon, 1 Jan 2024 %02d:%02d:%02d +0000\nMessage-ID: <default%d\@x.example>\n\nbody\n\n", $i % 50, $i % 70, $i, ($i / 3600) % 24, ($i / 60) % 60, $i % 60, $i }' \
  >"$work/default_batch.mbox"
query "$fail_db" "TRUNCATE public.batch_log"
"$loader" --quiet --dsn "dbname=$fail_db" "$work/default_batch.mbox" 2>"$work/default_batch.err"
is "$(query "$fail_db" "SELECT string_agg(row_count::text, ' ' ORDER BY n) FROM public.batch_log")" \
  "10000 1" "the default batch size: 10,001 messages load in a batch of 10,000 and one of 1"
query "$fail_db" "DROP TRIGGER log_batch ON relintel.interaction; DROP TABLE public.batch_log; DROP FUNCTION public.log_batch()"

# ---------------------------------------------------------------- interrupted load
# A load killed with SIGKILL after some batches committed, then run again,
# ends with exactly the rows of one clean run; a recurring event (one input
# item, 1,200 occurrences) is loaded whole or not at all. The kill is made
# deterministic by a trigger that, once 500 rows are in, waits for an
# advisory lock that the test holds: the loader is killed while a batch waits.
kill_db=relintel_loader_kill; clean_db=relintel_loader_clean
dropdb --if-exists "$kill_db" 2>/dev/null; dropdb --if-exists "$clean_db" 2>/dev/null
createdb -E UTF8 -T template0 --locale=C "$kill_db" && createdb -E UTF8 -T template0 --locale=C "$clean_db" &&
  query "$kill_db" "CREATE EXTENSION relintel" && query "$clean_db" "CREATE EXTENSION relintel" &&
  query "$kill_db" "CREATE FUNCTION public.test_gate() RETURNS trigger LANGUAGE plpgsql AS \$\$
    BEGIN
      IF (SELECT count(*) FROM relintel.interaction) >= 500 THEN PERFORM pg_advisory_xact_lock_shared(4242); END IF;
      RETURN NULL;
    END \$\$;
    CREATE TRIGGER test_gate BEFORE INSERT ON relintel.interaction FOR EACH STATEMENT EXECUTE FUNCTION public.test_gate()"
is "$?" 0 "interrupted load: two databases, one with a gate after 500 rows"
mkdir -p "$work/big"
printf 'BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//relintel//kill//EN\nBEGIN:VEVENT\nUID:series@x.example\nDTSTART:20240101T090000Z\nDURATION:PT30M\nRRULE:FREQ=DAILY;COUNT=1200\nSUMMARY:daily\nORGANIZER:mailto:a@x.example\nATTENDEE:mailto:b@y.example\nEND:VEVENT\nEND:VCALENDAR\n' \
  >"$work/big/a-series.ics"
perl -e 'for my $i (1 .. 3000) { printf "From a\@x Mon Jan  1 00:00:00 2024\nFrom: Sender %d <s%d\@x.example>\nTo: r%d\@y.example, r%d\@y.example\nSubject: bulk %d\nDate: Mon, 1 Jan 2024 %02d:%02d:%02d +0000\nMessage-ID: <bulk%d\@x.example>\n\nbody\n\n", $i, $i % 50, $i % 70, $i % 90, $i, ($i / 3600) % 24, ($i / 60) % 60, $i % 60, $i }' \
  >"$work/big/b-mail.mbox"
kill_options=(--quiet --batch-size 500 --window 2020-01-01/2030-01-01)
psql -X -q -d "$kill_db" -c "SET application_name = 'test_gate_holder'" -c "SELECT pg_advisory_lock(4242), pg_sleep(300)" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 100); do
  [ "$(query "$kill_db" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND granted")" = 1 ] && break
  sleep 0.1
done
"$loader" "${kill_options[@]}" --dsn "dbname=$kill_db" "$work/big" 2>"$work/kill.err" &
victim=$!
waiting=0
for _ in $(seq 600); do
  [ "$(query "$kill_db" "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'relintel-load' AND wait_event_type = 'Lock'")" = 1 ] &&
    { waiting=1; break; }
  kill -0 "$victim" 2>/dev/null || break
  sleep 0.1
done
kill -KILL "$victim" 2>/dev/null; wait "$victim" 2>/dev/null
query "$kill_db" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
  WHERE application_name IN ('relintel-load', 'test_gate_holder')" >/dev/null
wait "$holder" 2>/dev/null
for _ in $(seq 100); do
  [ "$(query "$kill_db" "SELECT count(*) FROM pg_stat_activity WHERE application_name IN ('relintel-load', 'test_gate_holder')")" = 0 ] && break
  sleep 0.1
done
is "$waiting" 1 "interrupted load: the loader was killed (SIGKILL) while a batch waited at the gate"
killed_rows=$(query "$kill_db" "SELECT count(*) FROM relintel.interaction")
is "$([ "$killed_rows" -ge 500 ] && [ "$killed_rows" -lt 4200 ] && echo yes || echo "$killed_rows rows")" yes \
  "... after some batches had committed ($killed_rows of 4200 rows)"
is "$(query "$kill_db" "SELECT coalesce(string_agg(format('%s: %s occurrences', u, c), ', '), 'none')
    FROM (SELECT split_part(message_id, '/', 1) AS u, count(*) AS c FROM relintel.interaction
          WHERE kind = 'meeting' GROUP BY 1) s WHERE c <> 1200")" none \
  "... and no recurring event is half-loaded (its 1,200 occurrences are all there or none)"
query "$kill_db" "DROP TRIGGER test_gate ON relintel.interaction"
"$loader" "${kill_options[@]}" --dsn "dbname=$kill_db" "$work/big" 2>"$work/resume.err"
is "$?" 0 "interrupted load: the re-run exits 0"
"$loader" "${kill_options[@]}" --dsn "dbname=$clean_db" "$work/big" 2>"$work/clean.err"
is "$?" 0 "interrupted load: one clean run into another database exits 0"
content="SELECT count(*) || ' ' || md5(string_agg(concat_ws('|', kind, occurred_at, duration, sender,
  recipients::text, subject, message_id, in_reply_to), E'\n' ORDER BY message_id)) FROM relintel.interaction"
clean_content=$(query "$clean_db" "$content")
is "$(query "$kill_db" "$content")" "$clean_content" \
  "interrupted load: killed and re-run gives exactly the rows of the clean run ($clean_content)"
is "${clean_content%% *}" 4200 "... 3,000 messages and 1,200 occurrences"
dropdb "$kill_db"; dropdb "$clean_db"

# ---------------------------------------------------------------- truncated input
# An mbox cut inside the third message's To: header: the third message is
# reported as malformed and not loaded (its recipients would be a stump).
make_mbox cut c1 c2 c3 | sed 's/^To: b@y.example$/To: b@y.example, cat@contoso.com/' >"$work/full.mbox"
cut_at=$(grep -b 'cat@con' "$work/full.mbox" | sed -n 3p | cut -d: -f1)
head -c "$((cut_at + $(grep -o '^.*cat@con' <<<"To: b@y.example, cat@con" | wc -c) - 1))" "$work/full.mbox" >"$work/cut.mbox"
is "$(tail -c 24 "$work/cut.mbox")" "To: b@y.example, cat@con" "truncated: the mbox ends inside the third message's To: header"
query "$fail_db" "DELETE FROM relintel.interaction"
"$loader" --quiet --dsn "dbname=$fail_db" "$work/cut.mbox" 2>"$work/cut.err"
is "$?" 0 "truncated: the load exits 0"
summary=$(cat "$work/cut.err")
is "$(query "$fail_db" "SELECT string_agg(message_id, ' ' ORDER BY message_id) FROM relintel.interaction")" "cut1@x.example cut2@x.example" \
  "truncated: the two whole messages are loaded, the cut one is not"
is "$(summary_count "$summary" 'malformed:')" 1 "truncated: one malformed message"
third_offset=$(grep -b '^From a@x' "$work/cut.mbox" | sed -n 3p | cut -d: -f1)
contains "$summary" "cut.mbox: message 3 at byte $third_offset: truncated" "... reported with its position"
# The same for a single .eml file cut inside a header.
printf 'From: a@x.example\nTo: b@y.example, cat@con' >"$work/cut.eml"
"$loader" --quiet --dsn "dbname=$fail_db" "$work/cut.eml" 2>"$work/cut-eml.err"
is "$(summary_count "$(cat "$work/cut-eml.err")" 'malformed:') $(summary_count "$(cat "$work/cut-eml.err")" 'interactions loaded:')" "1 0" \
  "truncated: an .eml cut inside a header is malformed, not loaded"

# ---------------------------------------------------------------- impossible years
# Years before 1900 or after 2200 are reported as malformed, not guessed
# (GMime reads "0000" as 2000); 1971 is a possible year and is loaded.
{
  for date in 'Sat, 01 Jan 0000 00:00:00 +0000' 'Mon, 31 Dec 1899 12:00:00 +0000' \
              'Thu, 01 Jan 2201 00:00:00 +0000' 'Fri, 01 Jan 1971 12:00:00 +0000'; do
    year=$(awk '{print $4}' <<<"$date")
    printf 'From a@x Mon Jan  1 00:00:00 2024\nFrom: a@x.example\nTo: b@y.example\nSubject: year %s\nDate: %s\nMessage-ID: <year%s@x.example>\n\nbody\n\n' \
      "$year" "$date" "$year"
  done
} >"$work/years.mbox"
printf 'BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//relintel//years//EN\nBEGIN:VEVENT\nUID:old@x.example\nDTSTART:18000101T090000Z\nDURATION:PT1H\nORGANIZER:mailto:a@x.example\nATTENDEE:mailto:b@y.example\nEND:VEVENT\nEND:VCALENDAR\n' \
  >"$work/years.ics"
query "$fail_db" "DELETE FROM relintel.interaction"
"$loader" --quiet --dsn "dbname=$fail_db" "$work/years.mbox" "$work/years.ics" 2>"$work/years.err"
is "$?" 0 "impossible years: the load exits 0"
summary=$(cat "$work/years.err")
is "$(query "$fail_db" "SELECT string_agg(subject || ' ' || to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), ', ') FROM relintel.interaction")" \
  "year 1971 1971-01-01" "impossible years: only the message of 1971 is loaded"
is "$(summary_count "$summary" 'malformed:')" 4 "impossible years: 0000, 1899, 2201 and an event of 1800 are malformed"
contains "$summary" "years.mbox: message 1 at byte 0: impossible year 0 in Date" "... the year 0000 is named"
contains "$summary" "years.mbox: message 3 at byte" "... the year 2201 is reported"
contains "$summary" "years.ics: event 1: impossible year 1800 in DTSTART" "... and the event of 1800"

# ---------------------------------------------------------------- durations
# DURATION is added up in 64 bits and checked: longer than 2^31 - 1 seconds
# (libical's own arithmetic limit) is malformed; P1D loads as 86400 seconds.
{
  printf 'BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//relintel//durations//EN\n'
  for d in P2147483647D P24856D P1D; do
    printf 'BEGIN:VEVENT\nUID:%s@x.example\nDTSTART:20240101T090000Z\nDURATION:%s\nORGANIZER:mailto:a@x.example\nATTENDEE:mailto:b@y.example\nEND:VEVENT\n' "$d" "$d"
  done
  printf 'END:VCALENDAR\n'
} >"$work/durations.ics"
query "$fail_db" "DELETE FROM relintel.interaction"
"$loader" --quiet --dsn "dbname=$fail_db" "$work/durations.ics" 2>"$work/durations.err"
is "$?" 0 "durations: the load exits 0"
summary=$(cat "$work/durations.err")
is "$(query "$fail_db" "SELECT string_agg(message_id || ' ' || extract(epoch FROM duration)::bigint, ', ') FROM relintel.interaction")" \
  "P1D@x.example 86400" "durations: only P1D is loaded, as 86400 seconds"
is "$(summary_count "$summary" 'malformed:')" 2 "durations: P2147483647D and P24856D are malformed"
contains "$summary" "durations.ics: event 1: duration out of range" "... with the reason"

# ---------------------------------------------------------------- many recipients
# One message with 100,000 distinct recipients, each written twice:
# de-duplication is linear (a hash set), so this takes seconds, not minutes.
perl -e 'print "From a\@x Mon Jan  1 00:00:00 2024\nFrom: a\@x.example\nTo: ",
  join(",\n ", map { "r$_\@y.example" } (1 .. 100000, 1 .. 100000)),
  "\nSubject: many\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <many\@x.example>\n\nbody\n\n"' >"$work/many.mbox"
started=$(date +%s%N)
many=$(timeout 120 "$loader" --quiet --dry-run --dsn "dbname=$fail_db" "$work/many.mbox" 2>"$work/many.err")
is "$?" 0 "many recipients: exits 0"
millis=$(( ($(date +%s%N) - started) / 1000000 ))
is "$(cut -f5 <<<"$many" | tr ',' '\n' | wc -l)" 100000 "many recipients: 100,000 distinct recipients"
is "$([ "$millis" -lt 10000 ] && echo yes || echo "$millis ms")" yes "many recipients: in under 10 s (took $millis ms)"

# ---------------------------------------------------------------- recurrence bounds
# rec_ics FILE UID DTSTART RRULE: a calendar with one recurring event.
rec_ics() {
  printf 'BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//relintel//recurrence//EN\nBEGIN:VEVENT\nUID:%s\nDTSTART:%s\nDURATION:PT1S\nRRULE:%s\nORGANIZER:mailto:a@x.example\nATTENDEE:mailto:b@y.example\nEND:VEVENT\nEND:VCALENDAR\n' \
    "$2" "$3" "$4" >"$1"
}
rec_ics "$work/secondly.ics" secondly@x.example 19700101T000000Z 'FREQ=SECONDLY'
rec_ics "$work/minutely.ics" minutely@x.example 19700101T000000Z 'FREQ=MINUTELY;COUNT=2000000000'
for kind in secondly minutely; do
  rows=$(timeout 60 "$loader" --quiet --dry-run --dsn "dbname=$fail_db" "$work/$kind.ics" 2>"$work/$kind.err")
  is "$?" 0 "recurrence: FREQ=${kind^^} from 1970 ends (exit 0, within 60 s)"
  is "$(grep -c . <<<"$rows")" 10000 "... at the cap of 10,000 occurrences per event"
  contains "$(cat "$work/$kind.err")" "recurring events cut at 10000 occurrences: 1" "... and the summary says so"
  contains "$(cat "$work/$kind.err")" "$kind.ics: event 1 ($kind@x.example): more than 10000 occurrences" "... naming the event"
done
# The default window: the data's span plus one year. Mail from 2024-01-01 to
# 2024-03-01, a daily event from 2023-12-01 09:00 without end: occurrences
# from 2023-12-01 up to 2025-03-01 00:00 (2024-03-01 + 365 days) = 31 + 366
# + 31 + 28 = 456.
make_mbox span s1 >"$work/span.mbox"
sed -i 's/^Date: .*/Date: Mon, 1 Jan 2024 00:00:00 +0000/' "$work/span.mbox"
make_mbox span2 s2 | sed 's/^Date: .*/Date: Fri, 1 Mar 2024 00:00:00 +0000/' >>"$work/span.mbox"
rec_ics "$work/daily.ics" daily@x.example 20231201T090000Z 'FREQ=DAILY'
rows=$("$loader" --quiet --dry-run --dsn "dbname=$fail_db" "$work/span.mbox" "$work/daily.ics" 2>"$work/span.err")
is "$(grep -c daily@ <<<"$rows")" 456 "recurrence: by default within the data's span plus one year (456 occurrences)"
is "$(grep daily@ <<<"$rows" | cut -f2 | sort | sed -n '1p;$p' | tr '\n' ' ')" \
  "2023-12-01 09:00:00+00 2025-02-28 09:00:00+00 " "... from the first to 2025-02-28"
contains "$(cat "$work/span.err")" "recurrence window:         2023-12-01 to 2025-03-01 (the data's span plus one year)" \
  "... and the summary gives the window"
contains "$(cat "$work/span.err")" "recurring events cut at the window's end: 1" "... and what it cut"
rows=$("$loader" --quiet --dry-run --recurrence-window 2024-01-01/2024-01-08 --dsn "dbname=$fail_db" "$work/daily.ics" 2>/dev/null)
is "$(grep -c daily@ <<<"$rows")" 7 "recurrence: --recurrence-window 2024-01-01/2024-01-08 gives 7 occurrences"
rows=$("$loader" --quiet --dry-run --max-occurrences 5 --dsn "dbname=$fail_db" "$work/daily.ics" 2>/dev/null)
is "$(grep -c daily@ <<<"$rows")" 5 "recurrence: --max-occurrences 5 gives 5 occurrences"

# ---------------------------------------------------------------- fuzzing
# A short fixed-seed run of the libFuzzer target (fuzz/): the loader's header
# parsing, address-list splitting, dates and truncation scan, under ASan and
# UBSan. Skipped where clang with libFuzzer is missing.
if command -v clang >/dev/null 2>&1 &&
   printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long s) { return d && s; }\n' |
     clang -fsanitize=fuzzer -x c - -o "$work/fuzz-probe" >/dev/null 2>&1; then
  make -s -C "$loader_dir/fuzz" >"$work/fuzz-build.log" 2>&1
  is "$?" 0 "fuzz: the target builds with clang (-fsanitize=fuzzer,address,undefined)"
  mkdir -p "$work/fuzz-corpus"
  "$loader_dir/fuzz/fuzz_headers" -runs=20000 -seed=1 -max_len=4096 "$work/fuzz-corpus" "$loader_dir/fuzz/seeds" \
    >"$work/fuzz.log" 2>&1
  is "$?" 0 "fuzz: 20,000 inputs (seed 1): no crash, no sanitizer report, no broken property"
  grep -E '^(==|SUMMARY|fuzz_headers:)' "$work/fuzz.log" | head -5 | sed 's/^/# /'
else
  for name in "fuzz: the target builds" "fuzz: 20,000 inputs (seed 1)"; do
    test_number=$((test_number + 1)); echo "ok $test_number # SKIP clang with libFuzzer missing: $name"
  done
fi

# ---------------------------------------------------------------- memory
if [ "${RELINTEL_LOAD_VALGRIND:-0}" = 1 ] && command -v valgrind >/dev/null; then
  G_SLICE=always-malloc G_DEBUG=gc-friendly valgrind --leak-check=full --errors-for-leak-kinds=definite \
    --error-exitcode=9 --log-file="$work/valgrind.log" \
    "$loader" "${load_options[@]}" --dry-run --dsn "dbname=$db" "$corpus" >/dev/null 2>&1
  is "$?" 0 "valgrind: no definite leak and no memory error on the corpus"
  grep -E 'definitely lost|ERROR SUMMARY' "$work/valgrind.log" | sed 's/^/# /'
fi

dropdb "$db"; dropdb "$fail_db"; dropdb "$bare_db"
echo "1..$test_number"
[ "$failures" -eq 0 ]
