#!/usr/bin/env bash
# .ci/trixie.sh: the newcomer's path on Debian 13 "trixie" (PostgreSQL 17),
# see .ci/newcomer.sh.
set -euo pipefail
exec bash "$(dirname "$0")/newcomer.sh" trixie
