#!/usr/bin/env bash
# Installs what building and testing relintel needs on Debian 12, when it is missing.
# Sourced by the test and demo commands; does nothing when everything is there.
set -euo pipefail

relintel_packages=(
  make gcc pkg-config
  postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
  libpq-dev libgmime-3.0-dev libical-dev
  chromium
)
# The dashboard (dashboard/): Node.js and npm, unless some Node.js is installed.
command -v node >/dev/null || relintel_packages+=(nodejs)
command -v npm >/dev/null || relintel_packages+=(npm)

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
