#!/usr/bin/env bash
# demo/load.sh DATABASE [SCALE] [SEED]: (re)creates DATABASE with the relintel
# extension and loads the demo data set into it: bench/generate.sql with
# SCALE interactions (default 60000) and SEED (default 42), dated relative to
# now().  Connection settings come from the PG* environment variables; the
# role must be a superuser (the fast load disables the tables' triggers and
# rebuilds the maintained states).  Used by demo/run.sh, and by anything that
# needs the demo data in a database of its own (tests, the dashboard).
set -euo pipefail
db=${1:?usage: demo/load.sh DATABASE [SCALE] [SEED]}
scale=${2:-60000}
seed=${3:-42}
repo_dir=$(cd "$(dirname "$0")/.." && pwd)

dropdb --if-exists "$db" 2>/dev/null || true
createdb -E UTF8 -T template0 "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION relintel'
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -v scale="$scale" -v seed="$seed" \
     -f "$repo_dir/bench/generate.sql" >/dev/null
