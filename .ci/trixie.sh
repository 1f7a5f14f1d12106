#!/usr/bin/env bash
# .ci/trixie.sh: the newcomer's path on Debian 13 "trixie" (PostgreSQL 17):
# a bare trixie made by debootstrap (minbase + git + make), a fresh clone of
# this repository's HEAD commit, then `make test` and `make demo` as root.
# Run as root on a Debian machine (CI: .ci/run); see .ci/chroot.sh.
set -euo pipefail
exec bash "$(dirname "$0")/chroot.sh" trixie '
status=0
started=$(date +%s)
make test || status=1
echo "== make test on trixie: $(( $(date +%s) - started )) s"
started=$(date +%s)
make demo || status=1
echo "== make demo on trixie: $(( $(date +%s) - started )) s"
exit $status'
