#!/usr/bin/env bash
# .ci/pg18.sh (`make test-pg18`): PostgreSQL 18, which Debian ships in forky
# (testing): a bare forky made by debootstrap, a fresh clone of this
# repository's HEAD commit, the build (-Wall -Wextra -Werror) and pg_regress
# (.ci/regress.sh).  Run as root on a Debian machine; see .ci/chroot.sh.
set -euo pipefail
exec bash "$(dirname "$0")/chroot.sh" forky 'PG_VERSION=18 bash .ci/regress.sh'
