#!/usr/bin/env bash
# .ci/newcomer.sh SUITE: the newcomer's path on a bare Debian SUITE (bookworm
# = Debian 12 with PostgreSQL 15, trixie = Debian 13 with PostgreSQL 17):
# debootstrap minbase + git + make, a fresh clone of this repository's HEAD
# commit, then `make test` and `make demo` as root.  Run as root on a Debian
# machine (CI: .ci/run); see .ci/chroot.sh.
set -euo pipefail
suite=${1:?usage: .ci/newcomer.sh bookworm|trixie}
exec bash "$(dirname "$0")/chroot.sh" "$suite" "
status=0
started=\$(date +%s)
make test || status=1
echo \"== make test on $suite: \$(( \$(date +%s) - started )) s\"
started=\$(date +%s)
make demo || status=1
echo \"== make demo on $suite: \$(( \$(date +%s) - started )) s\"
exit \$status"
