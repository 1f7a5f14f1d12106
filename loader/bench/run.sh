#!/usr/bin/env bash
# Benchmark of relintel-load: generates an mbox of N messages (default
# 100000, first argument) and loads it into relintel.interaction three ways:
# parsing only (--dry-run; the database still normalizes the addresses),
# into the table with the extension's triggers,
# and into the table with its user triggers disabled. Prints messages per
# second for each. Needs PG* variables for a server with relintel installed.
# BATCH_SIZE sets --batch-size (default: the loader's own, 10000).
set -euo pipefail
messages=${1:-100000}
loader_dir=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$loader_dir" >&2
loader="$loader_dir/relintel-load"
work=$(mktemp -d "${TMPDIR:-/tmp}/relintel-load-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
db=relintel_loader_bench
if ! psql -X -q -d postgres -c "SELECT 1" >/dev/null; then
  echo "no PostgreSQL server to run the benchmark on: set PGHOST, PGPORT and PGUSER for a server" \
       "where the relintel extension is installed (bench/run.sh's cluster, for example)" >&2
  exit 1
fi

# 50 colleagues at contoso.com write with 500 contacts at 20 customer
# domains; a third of the mails answer the one before (In-Reply-To), one in
# four has a second recipient, one in ten carries a Cc; one mail every 5
# minutes from 2024-01-01.
awk -v n="$messages" 'BEGIN {
  srand(42); start = 1704067200; prev = "";
  split("Mon Tue Wed Thu Fri Sat Sun", wd, " "); split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mo, " ");
  for (i = 1; i <= n; i++) {
    t = start + i * 300;
    colleague = sprintf("user%d@contoso.com", i % 50);
    contact = sprintf("contact%d@customer%d.example", i % 500, i % 20);
    if (i % 2) { from = colleague; to = contact } else { from = contact; to = colleague }
    date = strftime("%a, %d %b %Y %H:%M:%S +0000", t, 1);
    printf "From %s %s\n", from, strftime("%a %b %e %H:%M:%S %Y", t, 1);
    printf "Received: from mx.example by mx.contoso.com; %s\n", date;
    printf "From: \"Person %d\" <%s>\n", i % 997, from;
    printf "To: %s", to;
    if (i % 4 == 0) printf ", \"Second Reader\" <user%d@contoso.com>", (i + 7) % 50;
    printf "\n";
    if (i % 10 == 0) printf "Cc: manager%d@contoso.com\n", i % 5;
    printf "Subject: =?UTF-8?Q?Angebot_Nr=2E_%d_=E2=80=93_Status?=\n", i;
    printf "Date: %s\n", date;
    printf "Message-ID: <bench%d@mail.example>\n", i;
    if (i % 3 == 0 && prev != "") printf "In-Reply-To: <%s>\nReferences: <%s>\n", prev, prev;
    printf "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n";
    printf "Hello,\n\nthis is message %d of the benchmark; bodies are never stored.\n\nRegards\n\n", i;
    prev = sprintf("bench%d@mail.example", i);
  }
}' >"$work/bench.mbox"
echo "generated $messages messages, $(($(stat -c %s "$work/bench.mbox") / 1048576)) MiB"

# fresh_database: (re)create the benchmark database with the extension and
# a small CRM: one internal domain, 50 colleagues, 20 accounts, 500 contacts.
fresh_database() {
  dropdb --if-exists "$db"
  createdb -E UTF8 -T template0 --locale=C "$db"
  psql -X -q -d "$db" -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION relintel;
INSERT INTO relintel.internal_domain VALUES ('contoso.com');
INSERT INTO relintel.colleague (email) SELECT format('user%s@contoso.com', i) FROM generate_series(0, 49) i;
INSERT INTO relintel.account (id, name, domain) SELECT i, 'Customer ' || i, format('customer%s.example', i) FROM generate_series(0, 19) i;
INSERT INTO relintel.contact (id, account_id, email) SELECT i, i % 20, format('contact%s@customer%s.example', i, i % 20) FROM generate_series(0, 499) i;
SQL
}

# run_load LABEL ARGS...: time one load and print messages per second.
run_load() {
  local label=$1 started ended
  shift
  started=$(date +%s.%N)
  "$loader" --quiet "$@" "$work/bench.mbox" >/dev/null 2>"$work/load.err" || { cat "$work/load.err"; exit 1; }
  ended=$(date +%s.%N)
  awk -v label="$label" -v n="$messages" -v s="$started" -v e="$ended" \
    'BEGIN { printf "%-40s %8.2f s  %9.0f messages/s\n", label, e - s, n / (e - s) }'
}

batch=()
[ -z "${BATCH_SIZE:-}" ] || batch=(--batch-size "$BATCH_SIZE")
fresh_database
triggers=$(psql -X -A -t -d "$db" -c "SELECT string_agg(tgname, ', ' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'relintel.interaction'::regclass AND NOT tgisinternal")
echo "triggers on relintel.interaction: ${triggers:-none}; --batch-size ${BATCH_SIZE:-$("$loader" --help | sed -nE 's/.*--batch-size=N.*\(default ([0-9]+)\).*/\1/p')}"
run_load "parse only (--dry-run)" --dry-run --dsn "dbname=$db"
run_load "load, with the extension's triggers" --dsn "dbname=$db" "${batch[@]}"
rows=$(psql -X -A -t -d "$db" -c "SELECT count(*) FROM relintel.interaction")
[ "$rows" -eq "$messages" ] || { echo "expected $messages rows, found $rows"; exit 1; }
run_load "reload (every message a duplicate)" --dsn "dbname=$db" "${batch[@]}"
fresh_database
psql -X -q -d "$db" -c "ALTER TABLE relintel.interaction DISABLE TRIGGER USER"
run_load "load, user triggers disabled" --dsn "dbname=$db" "${batch[@]}"
dropdb "$db"
