#!/usr/bin/env bash
# Tests of the dashboard (TAP, for prove): loads the demo data set into a
# fresh database, builds the dashboard against it, serves dist/ on
# 127.0.0.1, opens every page in headless Chromium, checks charts, tables
# and numbers against relintel's views and functions, and saves a screenshot
# of each page in dashboard/screenshots/.
#
# Needs PG* environment variables naming a server where relintel is
# installed and the role is a superuser (e.g. run under pg_virtualenv),
# Debian's chromium (or CHROMIUM=path), driven through its DevTools protocol
# by test/cdp.js (no browser client package), and Node.js 18 or later
# (tested with Debian 12's 18 and Debian 13's 20); runs `npm ci` when
# dashboard/node_modules is missing.  DASHBOARD_SCALE (default 20000
# interactions) and DASHBOARD_SEED (default 42) choose the data set.
set -uo pipefail
dashboard=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$dashboard/.." && pwd)
db=relintel_dashboard_test
scale=${DASHBOARD_SCALE:-20000}
seed=${DASHBOARD_SEED:-42}
log=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$log"
}
trap cleanup EXIT
bail() { echo "Bail out! $*"; [ -s "$log/out" ] && sed 's/^/# /' "$log/out" | tail -40; exit 1; }

psql -X -q -d postgres -c 'SELECT 1' >/dev/null 2>&1 || bail "no database server: set PGHOST, PGPORT, PGUSER (e.g. run under pg_virtualenv)"
command -v node >/dev/null || bail "node is not installed"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 18 ? 1 : 0)' || bail "Node.js 18 or later is needed, found $(node --version)"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || bail "chromium is not installed (apt-get install chromium)"

cd "$dashboard"
if [ ! -d node_modules/@observablehq/framework ] || [ ! -d node_modules/pg ]; then
  npm ci --no-audit --no-fund >"$log/out" 2>&1 || bail "npm ci failed"
fi

# A fresh demo data set (the demo's own loader when present, else the generator).
if [ -f "$repo/demo/load.sh" ]; then
  PGDATABASE=postgres bash "$repo/demo/load.sh" "$db" "$scale" "$seed" >"$log/out" 2>&1 || bail "loading the demo data failed"
else
  { dropdb --if-exists "$db" && createdb -E UTF8 -T template0 "$db" &&
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION relintel' &&
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -v scale="$scale" -v seed="$seed" -f "$repo/bench/generate.sql"; } \
    >"$log/out" 2>&1 || bail "loading the demo data failed"
fi
export PGDATABASE=$db

# Build: fresh loader output, no telemetry.
rm -rf src/.observablehq/cache dist
OBSERVABLE_TELEMETRY_DISABLE=1 npx --no-install observable build >"$log/out" 2>&1 || bail "observable build failed"

node test/serve.js dist 0 >"$log/url" 2>&1 &
server_pid=$!
for _ in $(seq 50); do [ -s "$log/url" ] && break; sleep 0.1; done
url=$(head -1 "$log/url")
case "$url" in http://127.0.0.1:*) ;; *) bail "the static server did not start: $url" ;; esac

mkdir -p screenshots
node test/browser.js "$url" screenshots dist
status=$?
dropdb --if-exists "$db" >/dev/null 2>&1
exit $status
