# .ci/pg_version.sh: which PostgreSQL the project's commands build for, test
# and run (sourced by .ci/deps.sh, so by `make test`, `make demo`, the
# benchmarks and the dashboard).  The one place that chooses it:
#   1. PG_VERSION when set (PG_VERSION=17 make test);
#   2. else the newest installed /usr/lib/postgresql/NN/bin/pg_config;
#   3. else the distribution's default PostgreSQL: the version the
#      `postgresql` metapackage depends on (postgresql-15 on Debian 12,
#      postgresql-17 on Debian 13).
# Exports PG_VERSION, PG_CONFIG (that version's pg_config, which PGXS and the
# loader build with) and PG_BINDIR.

# relintel_default_pg_version: the major version `postgresql` depends on, or nothing.
relintel_default_pg_version() {
  command -v apt-cache >/dev/null || return 0
  apt-cache depends postgresql 2>/dev/null \
    | sed -nE 's/^ *Depends: postgresql-([0-9]+)$/\1/p' | sort -n | tail -1 || true
}

if [ -z "${PG_VERSION:-}" ]; then
  PG_VERSION=$(ls -d /usr/lib/postgresql/*/bin/pg_config 2>/dev/null \
    | sed -nE 's|^/usr/lib/postgresql/([0-9]+)/bin/pg_config$|\1|p' | sort -n | tail -1 || true)
fi
if [ -z "${PG_VERSION:-}" ]; then
  PG_VERSION=$(relintel_default_pg_version)
  if [ -z "$PG_VERSION" ] && command -v apt-get >/dev/null; then
    # a fresh machine whose package lists were never downloaded
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq; else sudo apt-get update -qq; fi
    PG_VERSION=$(relintel_default_pg_version)
  fi
fi
if [ -z "${PG_VERSION:-}" ]; then
  echo "cannot tell which PostgreSQL to use: no /usr/lib/postgresql/NN/bin/pg_config and no postgresql package; set PG_VERSION" >&2
  return 1 2>/dev/null || exit 1
fi
case $PG_VERSION in
  *[!0-9]*) echo "PG_VERSION must be a major version such as 17, not '$PG_VERSION'" >&2; return 1 2>/dev/null || exit 1 ;;
esac
export PG_VERSION
export PG_BINDIR=/usr/lib/postgresql/$PG_VERSION/bin
export PG_CONFIG=$PG_BINDIR/pg_config
