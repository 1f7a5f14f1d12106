#!/usr/bin/env bash
# The dashboard command (`make dashboard`): builds the dashboard against the
# demo cluster (`make demo`; started here first when it is not running) and
# serves it on http://127.0.0.1:$DASHBOARD_PORT/ (default 3000) until Ctrl-C.
#
# The loaders connect as postgres, the demo cluster's superuser, which may
# call relintel.who_knows(); another role needs
#   GRANT EXECUTE ON FUNCTION relintel.who_knows(text, int, timestamptz) TO that_role;
# Environment: DEMO_PORT (default 5499), DASHBOARD_PORT, and the pages'
# choices RELINTEL_ACCOUNT (an account id), RELINTEL_LEAD (a lead's address),
# RELINTEL_REQUESTER (who asks for the introduction).
set -euo pipefail
cd "$(dirname "$0")/.."
export PGHOST=127.0.0.1 PGPORT=${DEMO_PORT:-5499} PGUSER=postgres PGDATABASE=relintel_demo
port=${DASHBOARD_PORT:-3000}

source .ci/deps.sh
if ! psql -X -q -c 'SELECT 1 FROM relintel.account_health LIMIT 1' >/dev/null 2>&1; then
  echo "== the demo cluster is not running: starting it (make demo)"
  bash demo/run.sh
fi

cd dashboard
[ -d node_modules/@observablehq/framework ] || npm ci --no-audit --no-fund
echo "== building the dashboard from database $PGDATABASE on 127.0.0.1:$PGPORT"
rm -rf src/.observablehq/cache dist   # the loaders read fresh data
OBSERVABLE_TELEMETRY_DISABLE=1 npx --no-install observable build >/dev/null
echo "== open http://127.0.0.1:$port/ (pipeline), /account and /who-knows; Ctrl-C stops"
exec node test/serve.js dist "$port"
