#!/usr/bin/env bash
# The demo command (`make demo`): on a fresh Debian 12 or 13 machine, installs
# what is missing, builds and installs relintel, starts a throwaway cluster
# (Debian's `pg_createcluster $PG_VERSION relintel-demo`, port $DEMO_PORT, default
# 5499; re-running the demo replaces it), loads a realistic seeded data set
# into the database relintel_demo and prints the report a sales manager would
# read (demo/report.sql).  The cluster stays up afterwards; stop it with
# `pg_dropcluster --stop $PG_VERSION relintel-demo`.  PG_VERSION: see
# .ci/pg_version.sh (the newest installed PostgreSQL, else the distribution's).
#
# Environment: PG_VERSION, DEMO_PORT, DEMO_SCALE (interactions, default 60000),
# DEMO_SEED (default 42).
set -euo pipefail
cd "$(dirname "$0")/.."

port=${DEMO_PORT:-5499}
scale=${DEMO_SCALE:-60000}
seed=${DEMO_SEED:-42}
cluster=relintel-demo
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

source .ci/deps.sh
echo "== building and installing relintel"
make -s -j2 >/dev/null
"${sudo_cmd[@]}" make -s install >/dev/null

echo "== starting a throwaway cluster: PostgreSQL $PG_VERSION \"$cluster\" on port $port"
if pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$PG_VERSION $cluster"; then
  "${sudo_cmd[@]}" pg_dropcluster --stop "$PG_VERSION" "$cluster"
fi
"${sudo_cmd[@]}" pg_createcluster "$PG_VERSION" "$cluster" --port "$port" -- --locale=C.UTF-8 >/dev/null
# A throwaway demo: local connections, and TCP from this machine only, are
# trusted, so that psql and BI tools connect as postgres without a password.
printf '%s\n' 'local all all trust' 'host all all 127.0.0.1/32 trust' 'host all all ::1/128 trust' \
  | "${sudo_cmd[@]}" tee "/etc/postgresql/$PG_VERSION/$cluster/pg_hba.conf" >/dev/null
printf '%s\n' "listen_addresses = 'localhost'" 'max_parallel_workers_per_gather = 2' 'jit = off' \
  | "${sudo_cmd[@]}" tee "/etc/postgresql/$PG_VERSION/$cluster/conf.d/demo.conf" >/dev/null
"${sudo_cmd[@]}" pg_ctlcluster "$PG_VERSION" "$cluster" start

export PGHOST=/var/run/postgresql PGPORT=$port PGUSER=postgres
echo "== loading the demo data set ($scale interactions, seed $seed, dated up to now)"
started=$(date +%s.%N)
bash demo/load.sh relintel_demo "$scale" "$seed"
awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "   loaded in %.1f s\n\n", e - s }'

PGCLIENTENCODING=UTF8 psql -X -q -v ON_ERROR_STOP=1 -d relintel_demo -f demo/report.sql

cat <<EOF

== The demo cluster keeps running
Connect:   psql -h 127.0.0.1 -p $port -U postgres relintel_demo
BI tools:  host 127.0.0.1, port $port, user postgres (no password), database relintel_demo;
           open the views relintel.opportunity_health, relintel.account_health,
           relintel.contact_health and relintel.lead_health (one row per record:
           score, status, trend and the factors), and call relintel.kpis(),
           relintel.activity_history() and relintel.who_knows() for details.
Reload:    PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres bash demo/load.sh relintel_demo
Stop:      pg_dropcluster --stop $PG_VERSION $cluster
EOF
