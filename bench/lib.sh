# bench/lib.sh: shared by the benchmarks (sourced, not run).
#
# The benchmarks run in their own throwaway cluster, Debian's
# `pg_createcluster $PG_VERSION relintel-bench` on port $BENCH_PORT (default 5498),
# created on first use (local connections trusted) with settings for a 2-core machine with a few GB of
# RAM, and left running.  Drop it with `pg_dropcluster --stop $PG_VERSION relintel-bench`.
# PG_VERSION: see .ci/pg_version.sh (the newest installed PostgreSQL, else the
# distribution's; PG_VERSION=17 to choose).
# BENCH_DEFAULTS=1 uses `relintel-bench-defaults` (port $BENCH_PORT - 1)
# instead, with PostgreSQL's default settings.
# Set PGHOST/PGPORT yourself to run against another server instead (the
# extension must be installed there).

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$bench_dir/.." && pwd)
BENCH_PORT=${BENCH_PORT:-5498}
SEED=${SEED:-1}
source "$repo_dir/.ci/pg_version.sh"

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# ensure_cluster: start (creating it if needed) the benchmark cluster and
# point the PG* variables at it.
ensure_cluster() {
  if [ -n "${PGHOST:-}" ] && [ -n "${PGPORT:-}" ]; then return; fi
  local cluster=relintel-bench port=$BENCH_PORT
  # BENCH_DEFAULTS=1: a second cluster with PostgreSQL's default settings
  if [ "${BENCH_DEFAULTS:-0}" = 1 ]; then cluster=relintel-bench-defaults; port=$((BENCH_PORT - 1)); fi
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | grep -qx "$PG_VERSION $cluster"; then
    as_postgres true
    pg_createcluster "$PG_VERSION" "$cluster" --port "$port" -- --locale=C.UTF-8 >/dev/null
    if [ "$cluster" = relintel-bench ]; then
      cat >"/etc/postgresql/$PG_VERSION/$cluster/conf.d/bench.conf" <<'CONF'
shared_buffers = 2GB
work_mem = 64MB
maintenance_work_mem = 1GB
max_wal_size = 16GB
checkpoint_timeout = 30min
max_parallel_workers_per_gather = 2
jit = off
CONF
    fi
    # a throwaway cluster: local connections are trusted (any OS user may be postgres)
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' \
      >"/etc/postgresql/$PG_VERSION/$cluster/pg_hba.conf"
  fi
  [ "$cluster" = relintel-bench ] && use_huge_pages "$cluster"
  pg_ctlcluster "$PG_VERSION" "$cluster" start >/dev/null 2>&1 || true
  export PGHOST=/var/run/postgresql PGPORT=$port PGUSER=postgres
}

# use_huge_pages CLUSTER: back the benchmark cluster's 2 GB of shared buffers,
# and 256 MB of it for parallel query's dynamic shared memory
# (min_dynamic_shared_memory: parallel hash tables, tuple queues), with 2 MB
# huge pages (huge_pages = try), reserving them when run as root
# (vm.nr_hugepages; BENCH_HUGE_PAGES=0 leaves the machine as it is).  With
# 4 kB pages every new backend and every parallel worker takes a page fault
# for each page of shared memory it touches: on the virtual machine of the
# README's numbers a parallel scan of 150 MB took 447 ms against 103 ms
# serially, and 92 ms with huge pages; the at-risk list's parallel plan
# (a parallel hash join in dynamic shared memory) 231 ms, and 90 ms with
# that memory on huge pages too.
use_huge_pages() {
  local cluster=$1 conf pages=1300 changed=0 settings
  conf="/etc/postgresql/$PG_VERSION/$1/conf.d/huge_pages.conf"
  settings=$'huge_pages = try\nmin_dynamic_shared_memory = 256MB'
  [ "${BENCH_HUGE_PAGES:-1}" = 1 ] && [ -r /proc/sys/vm/nr_hugepages ] || return 0
  if [ "$(id -u)" -eq 0 ] && [ "$(cat /proc/sys/vm/nr_hugepages)" -lt "$pages" ]; then
    echo "reserving $pages huge pages of 2 MB for the benchmark cluster (vm.nr_hugepages; BENCH_HUGE_PAGES=0 to skip)"
    echo "$pages" >/proc/sys/vm/nr_hugepages
    changed=1
  fi
  if [ "$(cat "$conf" 2>/dev/null)" != "$settings" ]; then
    echo "$settings" >"$conf"
    changed=1
  fi
  # (re)started below with the pages in place
  [ "$changed" = 0 ] || pg_ctlcluster "$PG_VERSION" "$cluster" stop >/dev/null 2>&1 || true
}

# build_and_install: the extension as it is in this tree.
build_and_install() {
  (cd "$repo_dir" && make -s -j2 >/dev/null && { [ "$(id -u)" -eq 0 ] && make -s install >/dev/null || sudo make -s install >/dev/null; })
}

# fresh_db NAME: (re)create a database with the extension.
fresh_db() {
  dropdb --if-exists "$1" 2>/dev/null
  createdb -E UTF8 -T template0 "$1"
  psql -X -q -d "$1" -c 'CREATE EXTENSION relintel'
}

# generate DB SCALE [psql -v options...]: load the generator's data set.
generate() {
  local db=$1 scale=$2
  shift 2
  psql -X -q -d "$db" -v scale="$scale" -v seed="$SEED" "$@" -f "$bench_dir/generate.sql"
}

# ms SQL...: run statements in one session, print the milliseconds of the last one.
ms() {
  local db=$1
  shift
  psql -X -q -d "$db" -v ON_ERROR_STOP=1 "$@" 2>&1 | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | tail -1
}

# best_of N DB SQL: the fastest of N runs of a query, in milliseconds, all
# in one session (a warm backend, as behind a connection pool: a new
# backend's first pass over shared buffers pays a page fault per 4 kB page
# it touches, which on a virtual machine can cost more than the query; see
# the huge pages in ensure_cluster).  The query's output is discarded; its
# own settings go in PRE_SQL.
best_of() {
  local n=$1 db=$2 sql=$3 best
  best=$( { printf '%s\n\\timing on\n' "$PRE_SQL"; for _ in $(seq "$n"); do printf '%s;\n' "$sql"; done; } \
          | psql -X -q -d "$db" -v ON_ERROR_STOP=1 -o /dev/null 2>&1 \
          | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | sort -g | head -1)
  [ -n "$best" ] || { echo "query failed: $sql" >&2; return 1; }
  echo "$best"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
secs() { awk -v a="$1" 'BEGIN { printf "%.2f s", a / 1000 }'; }

# dataset DB SCALE [OPPORTUNITIES]: make sure DB holds the generator's data
# set for SCALE interactions (and SEED); generate it when it does not (the
# time it took is printed).  Benchmarks reuse a data set across runs, but not
# across changes of the extension's SQL: a database keeps the views and
# functions it was created with, so a data set made by other SQL would
# measure that SQL (the checksum of the tree's install script is part of the
# data set's description).
# REBUILD=0: leave the maintained tables empty (saves the rebuild's time).
dataset() {
  local db=$1 scale=$2 opps=${3:-0} rebuild=${REBUILD:-1} want have started sql_sum
  sql_sum=$(cat "$repo_dir"/relintel--*.sql | md5sum | cut -c1-12)
  want="scale=$scale seed=$SEED opportunities=$opps sql=$sql_sum"
  [ "$rebuild" = 1 ] || want="$want rebuild=0"
  have=$(psql -X -A -t -d "$db" -c "SELECT description FROM public.bench_dataset" 2>/dev/null || true)
  if [ "$have" != "$want" ]; then
    echo "generating $db: $want (fast mode: triggers off, then rebuild() unless rebuild=0)"
    fresh_db "$db"
    started=$(date +%s.%N)
    generate "$db" "$scale" -v opportunities="$opps" -v rebuild="$rebuild" >/dev/null
    psql -X -q -d "$db" -c "CREATE TABLE public.bench_dataset AS SELECT '$want'::text AS description"
    awk -v s="$started" -v e="$(date +%s.%N)" -v n="$scale" \
      'BEGIN { printf "generated %d interactions in %.1f s (%.0f per second)\n", n, e - s, n / (e - s) }'
  fi
  psql -X -A -t -d "$db" -c "SELECT format('data set %s: %s interactions, %s opportunities, %s accounts, %s contacts, %s leads, %s colleagues',
      current_database(), (SELECT count(*) FROM relintel.interaction), (SELECT count(*) FROM relintel.opportunity),
      (SELECT count(*) FROM relintel.account), (SELECT count(*) FROM relintel.contact),
      (SELECT count(*) FROM relintel.lead), (SELECT count(*) FROM relintel.colleague))"
}

# pgbench_percentiles LOGFILES...: p50 and p99 (ms) of pgbench -l transaction logs.
pgbench_percentiles() {
  cat "$@" | awk '{ print $3 / 1000 }' | sort -n | awk '{ a[NR] = $1 } END {
    p50 = a[int(NR * 0.50) > 0 ? int(NR * 0.50) : 1]; p99 = a[int(NR * 0.99) > 0 ? int(NR * 0.99) : 1];
    printf "%.3f %.3f %d\n", p50, p99, NR }'
}
