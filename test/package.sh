#!/usr/bin/env bash
# Tests of the packaging (TAP, for prove):
#  - META.json validates against the PGXN Meta Spec 1.0.0 and agrees with
#    relintel.control, the Makefile and debian/pgversions (test/meta_json.pl);
#  - the Debian source package (debian/) builds with dpkg-buildpackage in a
#    copy of the tree in a temporary directory: postgresql-NN-relintel for
#    every installed PostgreSQL of debian/pgversions, and relintel-loader;
#  - postgresql-NN-relintel holds the files `make install` installs for NN;
#  - `apt-get install ./postgresql-NN-relintel_*.deb ./relintel-loader_*.deb`
#    installs them (in place of the `make install`ed files, which are the
#    same; the packages stay installed), and in a fresh database of the
#    server CREATE EXTENSION relintel, an update from 0.1.0 and a smoke
#    query of the README's getting started work with the packaged files.
#
# Needs PG* environment variables naming a server of the installed
# PostgreSQL NN whose role is a superuser (e.g. run under pg_virtualenv).
# The package part needs root (or sudo without a password) and Debian's
# apt; missing build dependencies are installed with `apt-get build-dep`.
# Without root it is skipped.  KEEP_PACKAGE_BUILD=1 keeps the build
# directory (its path is printed).
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
db=relintel_package_test
n=0
status=0
work=
cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS ${db}_update" >/dev/null 2>&1
  if [ -n "$work" ]; then
    if [ -n "${KEEP_PACKAGE_BUILD:-}" ]; then echo "# build kept in $work"; else rm -rf "$work"; fi
  fi
}
trap cleanup EXIT
ok() {   # ok STATUS NAME [DIAGNOSTIC...]
  local pass=$1 name=$2
  shift 2
  n=$((n + 1))
  if [ "$pass" = 0 ]; then
    echo "ok $n - $name"
  else
    echo "not ok $n - $name"
    status=1
    [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/# /' | tail -40
  fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
is() {   # is GOT WANT NAME
  local pass=1
  [ "$1" = "$2" ] && pass=0
  ok "$pass" "$3" "got: $1" "want: $2"
}
finish() { echo "1..$n"; exit "$status"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
sql() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@" 2>&1; }

# ---- META.json ----------------------------------------------------------
while IFS=$'\t' read -r result name why; do
  [ "$result" = ok ] && ok 0 "$name" || ok 1 "$name" "$why"
done < <(perl "$repo/test/meta_json.pl" "$repo" 2>&1 | sed '/^\(ok\|not ok\)\t/!s/^/not ok\tmeta_json.pl\t/')

# ---- the Debian package -------------------------------------------------
if ! { [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; }; then
  skip "the Debian package builds, installs and serves CREATE EXTENSION" "needs root or sudo without a password"
  finish
fi
if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
  skip "the Debian package builds, installs and serves CREATE EXTENSION" "not a Debian system"
  finish
fi
server_num=$(sql -d postgres -c 'SHOW server_version_num')
case "$server_num" in
  [0-9]*) major=$((server_num / 10000)) ;;
  *) ok 1 "the test's database server answers" "$server_num"; finish ;;
esac
pg_config=/usr/lib/postgresql/$major/bin/pg_config   # postgresql-server-dev-NN, a build dependency
version=$(sed -nE "s/^default_version = '([^']+)'.*/\1/p" "$repo/relintel.control")
debversion=$(sed -nE '1s/^relintel \(([^)]+)\).*/\1/p' "$repo/debian/changelog")
is "${debversion%-*}" "$version" "debian/changelog's upstream version = default_version of relintel.control"

# A copy of the tree (what git tracks or would track, none of the build
# output) in a temporary directory, built there.
work=$(mktemp -d -t relintel-package.XXXXXX)
src=$work/relintel-$version
mkdir -p "$src"
if git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$repo" && git ls-files -co --exclude-standard -z | xargs -0 -r -I{} find {} -maxdepth 0 -print0 2>/dev/null \
     | tar --null -cf - -T - ) | tar -xf - -C "$src"
else
  tar -C "$repo" --exclude=./.git --exclude=node_modules --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
      --exclude='./relintel--*.sql' --exclude=./loader/relintel-load --exclude=./results --exclude='./regression.*' \
      --exclude=./dashboard/dist -cf - . | tar -xf - -C "$src"
fi
log=$work/build.log

(cd "$src" && pg_buildext updatecontrol) >"$log" 2>&1   # the packages of the installed versions
if ! (cd "$src" && dpkg-checkbuilddeps) >>"$log" 2>&1; then
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 build-dep -y -q "$src" >>"$log" 2>&1 \
    || { as_root apt-get -o DPkg::Lock::Timeout=600 update -qq >>"$log" 2>&1 && as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 build-dep -y -q "$src" >>"$log" 2>&1; }
fi
(cd "$src" && dpkg-checkbuilddeps) >>"$log" 2>&1
ok $? "the package's build dependencies are installed" "$(tail -5 "$log")"
[ -x "$pg_config" ] || { ok 1 "pg_config of the server's PostgreSQL $major is installed" "$pg_config is missing"; finish; }

start=$(date +%s)
(cd "$src" && pg_buildext updatecontrol && dpkg-buildpackage -us -uc -b) >"$log" 2>&1
built=$?
ok $built "dpkg-buildpackage -us -uc -b builds the packages ($(( $(date +%s) - start )) s)" "$(tail -30 "$log")"
versions=$(cd "$src" && pg_buildext supported-versions 2>/dev/null | tr '\n' ' ')
deb=$(ls "$work"/postgresql-"$major"-relintel_"$debversion"_*.deb 2>/dev/null | head -1)
loader_deb=$(ls "$work"/relintel-loader_"$debversion"_*.deb 2>/dev/null | head -1)
ok "$([ -n "$deb" ]; echo $?)" "built postgresql-$major-relintel $debversion (versions built: ${versions% })" "$(ls "$work")"
for v in $versions; do
  [ "$v" = "$major" ] && continue
  ok "$(ls "$work"/postgresql-"$v"-relintel_"$debversion"_*.deb >/dev/null 2>&1; echo $?)" "built postgresql-$v-relintel $debversion"
done
ok "$([ -n "$loader_deb" ]; echo $?)" "built relintel-loader $debversion" "$(ls "$work")"
[ -n "$deb" ] || finish

# The package holds what `make install` installs for this version (the
# loader aside, which is relintel-loader's).
mi=$work/make-install
cp -a "$src" "$work/make-install-src"
{ make -C "$work/make-install-src" -o loader PG_CONFIG="$pg_config" &&
  make -C "$work/make-install-src" -o loader -o loader-install install PG_CONFIG="$pg_config" DESTDIR="$mi"; } >"$log" 2>&1
ok $? "make install into a staging directory (for comparison)" "$(tail -20 "$log")"
(cd "$mi" && find . -type f -o -type l) | sed 's|^\.||' | sort >"$work/make-install.list"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\.||' | grep -v '^/usr/share/doc/' | sort >"$work/deb.list"
ok "$(cmp -s "$work/make-install.list" "$work/deb.list"; echo $?)" \
   "postgresql-$major-relintel holds the files make install installs ($(wc -l <"$work/deb.list") files)" \
   "$(diff "$work/make-install.list" "$work/deb.list")"
ok "$(grep -qx "$($pg_config --sharedir)/extension/relintel.control" "$work/deb.list" &&
      grep -qx "$($pg_config --pkglibdir)/relintel.so" "$work/deb.list"; echo $?)" \
   "postgresql-$major-relintel has relintel.control and relintel.so in PostgreSQL $major's directories"
depends=$(dpkg-deb -f "$deb" Depends)
ok "$(echo "$depends" | grep -qE "(^|, )postgresql-$major( |,|$)"; echo $?)" "postgresql-$major-relintel depends on postgresql-$major" "$depends"
loader_files=$(dpkg-deb -c "$loader_deb")   # (not piped into grep -q: pipefail and an early exit)
ok "$(grep -q ' \./usr/bin/relintel-load$' <<<"$loader_files"; echo $?)" "relintel-loader installs /usr/bin/relintel-load"

# Installed with apt, in place of the make-installed files.
out=$(as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --reinstall --allow-downgrades "$deb" "$loader_deb" 2>&1)
ok $? "apt-get install ./postgresql-$major-relintel_$debversion ./relintel-loader_$debversion" "$(echo "$out" | tail -20)"
is "$(dpkg-query -W -f '${Status} ${Version}' "postgresql-$major-relintel" 2>&1)" "install ok installed $debversion" \
   "dpkg: postgresql-$major-relintel $debversion is installed"
is "$(dpkg -S "$($pg_config --pkglibdir)/relintel.so" 2>&1 | cut -d: -f1)" "postgresql-$major-relintel" \
   "relintel.so of PostgreSQL $major belongs to the package"
out=$(/usr/bin/relintel-load --help 2>&1)
ok $? "relintel-load --help runs from the package" "$(echo "$out" | tail -5)"

# A fresh database served by the packaged files.
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
out=$(sql -d "$db" -c 'CREATE EXTENSION relintel')
ok $? "CREATE EXTENSION relintel in a fresh database" "$out"
is "$(sql -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'relintel'")" "$version" "the extension's version is $version"
out=$(sql -d "$db" <<'SQL'
INSERT INTO relintel.internal_domain VALUES ('contoso.com');
INSERT INTO relintel.colleague (email, display_name) VALUES ('ann@contoso.com', 'Ann');
INSERT INTO relintel.account (id, name, domain) VALUES (1, 'Fabrikam', 'fabrikam.com');
INSERT INTO relintel.contact (id, account_id, email, full_name)
     VALUES (10, 1, '"Zoe Kim" <Zoe.Kim@Fabrikam.com>', 'Zoe Kim');
INSERT INTO relintel.interaction (kind, occurred_at, sender, recipients, message_id, in_reply_to)
VALUES ('email', now() - interval '3 days', 'ann@contoso.com', '{zoe.kim@fabrikam.com}', 'm1', NULL),
       ('email', now() - interval '2 days', 'zoe.kim@fabrikam.com', '{ann@contoso.com}', 'm2', 'm1'),
       ('meeting', now() - interval '1 day', 'ann@contoso.com', '{zoe.kim@fabrikam.com}', 'm3', NULL);
SELECT c.email, (SELECT count(*) FROM relintel.account_health WHERE id = 1 AND score BETWEEN 0 AND 100),
       k.emails_sent, k.emails_received, k.meetings, w.email
  FROM relintel.contact c, relintel.kpis('account', 1) k, relintel.who_knows('zoe.kim@fabrikam.com') w;
SQL
)
is "$out" $'zoe.kim@fabrikam.com|1|1|1|1|ann@contoso.com' \
   "smoke query: address stored normalized, account scored, kpis() and who_knows() answer"
is "$(sql -d "$db" -c 'SELECT count(*) FROM relintel.verify()')" "0" "verify() finds the maintained states equal to a rebuild"

# The update path ships too: 0.1.0 as released, updated to the default version.
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${db}_update" -c "CREATE DATABASE ${db}_update" >/dev/null 2>&1
out=$(sql -d "${db}_update" -c "CREATE EXTENSION relintel VERSION '0.1.0'" -c 'ALTER EXTENSION relintel UPDATE' \
          -c "SELECT extversion FROM pg_extension WHERE extname = 'relintel'")
is "$out" "$version" "CREATE EXTENSION relintel VERSION '0.1.0' then ALTER EXTENSION UPDATE reaches $version"
finish
