#!/usr/bin/env bash
# Installs what building and testing relintel needs on Debian 12 or 13, when it is missing.
# Sourced by the test and demo commands; does nothing when everything is there.
# The PostgreSQL version comes from .ci/pg_version.sh (PG_VERSION, PG_CONFIG).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/pg_version.sh"

relintel_packages=(
  make gcc pkg-config
  postgresql-$PG_VERSION postgresql-server-dev-$PG_VERSION postgresql-$PG_VERSION-pgtap libtap-parser-sourcehandler-pgtap-perl
  libpq-dev libgmime-3.0-dev libical-dev
  chromium
)
# The dashboard (dashboard/): Node.js and npm, unless some Node.js is installed.
command -v node >/dev/null || relintel_packages+=(nodejs)
command -v npm >/dev/null || relintel_packages+=(npm)
# The fuzz tests (test/fuzz_states.sh, the loader's): clang and the libFuzzer of
# its version (clang-14 on Debian 12, clang-19 on Debian 13).
clang_major=$(apt-cache depends clang 2>/dev/null | sed -nE 's/^ *Depends: clang-([0-9]+)$/\1/p' | head -1)
relintel_packages+=(clang ${clang_major:+libfuzzer-$clang_major-dev})
# RELINTEL_DEPS=regress: only what building and pg_regress need (.ci/regress.sh).
if [ "${RELINTEL_DEPS:-all}" = regress ]; then
  relintel_packages=(make gcc pkg-config postgresql-$PG_VERSION postgresql-server-dev-$PG_VERSION
                     libpq-dev libgmime-3.0-dev libical-dev)
fi

missing=()
for package in "${relintel_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
