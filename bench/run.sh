#!/usr/bin/env bash
# bench/run.sh NAME [ARGS]: one benchmark, in the benchmark cluster (see
# lib.sh), after building and installing the extension of this tree.
#   scoring [SCALE]          relintel vs plain SQL vs count(*) floor (1M interactions)
#   maintenance [N] [SHAPE]  COPY with vs without triggers, rebuild(), single-row INSERT p50/p99 (SHAPE crm or mailbox)
#   who_knows [SCALE]        who_knows p50/p99 (10M interactions)
#   reading [OPPS] [SCALE]   opportunity_health ORDER BY score LIMIT 50 (100,000 opportunities)
#   parallel [SCALE]         scoring with 0 vs 2 parallel workers
#   backup [N]               pg_restore of a dump vs loading the same rows (1M interactions)
#   distributed [SCALE]      partial states per chunk through text, merged, vs one node (1M interactions)
#   all                      all five, with their defaults
# Environment: SEED (data set seed, default 1), REPEAT, TRANSACTIONS, BENCH_PORT.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
name=${1:?usage: bench/run.sh scoring|maintenance|who_knows|reading|parallel|backup|distributed|all [ARGS]}
shift
source "$repo_dir/.ci/deps.sh"   # Debian packages, when missing (pgbench comes with postgresql-15)
ensure_cluster
build_and_install
echo "machine: $(nproc) cores, $(free -g | awk '/^Mem/ {print $2}') GB RAM, $(psql -X -A -t -d postgres -c 'SHOW server_version'), $(date -u '+%Y-%m-%d %H:%M UTC')"
case $name in
  scoring|maintenance|who_knows|reading|parallel|backup|distributed) bash "$bench_dir/$name.sh" "$@" ;;
  all) for b in scoring parallel reading maintenance who_knows; do bash "$bench_dir/$b.sh"; done ;;
  *) echo "unknown benchmark: $name" >&2; exit 2 ;;
esac
