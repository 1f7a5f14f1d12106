#!/bin/bash
# Run the pg_regress suite against the extension built with
# UndefinedBehaviorSanitizer (gcc), in a throwaway PostgreSQL server whose
# installation is a private copy: nothing is installed into the system's
# PostgreSQL, which other builds and tests keep using.
#
#   bash .ci/sanitize.sh        # as a normal user, or as root (runs the server as postgres)
#
# UBSan checks everything relintel's code does: signed overflow (built with
# -fno-wrapv, which PostgreSQL's -fwrapv would otherwise hide), shifts, float
# to integer conversions out of range (float-cast-overflow, which gcc leaves
# out of "undefined"), bounds of arrays, misaligned access, ...  AddressSanitizer
# is not used here: Debian's PostgreSQL is not built with it, and preloading
# libasan into Debian's postgres deadlocks in bindtextdomain() at start-up.
# .ci/asan.sh runs the same suite under ASan in a PostgreSQL of the same major
# version that it builds with ASan (and caches); the state code also runs
# under ASan in the libFuzzer target (fuzz/, test/fuzz_states.sh).
# Every report aborts the backend and is written to a log file; the script
# fails when there is one, or when the regression suite fails.
set -u
cd "$(dirname "$0")/.."

PG_CONFIG=${PG_CONFIG:-pg_config}
command -v "$PG_CONFIG" >/dev/null || { echo "pg_config not found" >&2; exit 2; }
command -v gcc >/dev/null || { echo "gcc not found" >&2; exit 2; }
BINDIR=$("$PG_CONFIG" --bindir)
PKGLIBDIR=$("$PG_CONFIG" --pkglibdir)
SHAREDIR=$("$PG_CONFIG" --sharedir)
PORT=${SANITIZE_PGPORT:-54331}
WORK=$(mktemp -d /var/tmp/relintel-sanitize.XXXXXX)
chmod 755 "$WORK"
started=$(date +%s)

# Run a command as the server's owner (initdb and postgres refuse root).
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Stop the server and remove the work directory on exit.
cleanup() {
    [ -f "$WORK/data/postmaster.pid" ] && as_owner "$WORK/root$BINDIR/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT

# 1. A copy of the working tree (tracked and new files), built with the sanitizers.
mkdir "$WORK/tree"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
    [ -e "$f" ] && cp --parents -P "$f" "$WORK/tree/"
done
FLAGS="-fsanitize=undefined,float-cast-overflow -fno-sanitize-recover=all -fno-wrapv -fno-omit-frame-pointer -g"
make -C "$WORK/tree" -s -j2 -o loader with_llvm=no COPT="$FLAGS" PG_CONFIG="$PG_CONFIG" >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log"; echo "sanitized build failed" >&2; exit 1; }

# 2. A private installation: the extension under DESTDIR, next to copies of the
# server's programs (PostgreSQL finds its share and lib directories relative
# to the postgres binary) and links to everything else it needs.
make -C "$WORK/tree" -s install -o loader -o loader-install with_llvm=no DESTDIR="$WORK/root" PG_CONFIG="$PG_CONFIG" \
    >>"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; echo "install failed" >&2; exit 1; }
mkdir -p "$WORK/root$BINDIR" "$WORK/root$PKGLIBDIR" "$WORK/root$SHAREDIR/extension"
for program in postgres initdb pg_ctl; do cp "$BINDIR/$program" "$WORK/root$BINDIR/"; done
for f in "$PKGLIBDIR"/*; do [ -e "$WORK/root$PKGLIBDIR/${f##*/}" ] || ln -s "$f" "$WORK/root$PKGLIBDIR/"; done
for f in "$SHAREDIR"/*; do [ -e "$WORK/root$SHAREDIR/${f##*/}" ] || ln -s "$f" "$WORK/root$SHAREDIR/"; done
for f in "$SHAREDIR"/extension/*; do [ -e "$WORK/root$SHAREDIR/extension/${f##*/}" ] || ln -s "$f" "$WORK/root$SHAREDIR/extension/"; done
chmod -R a+rX "$WORK/root" "$WORK/tree"
mkdir "$WORK/logs" "$WORK/sock" "$WORK/data" && chmod 777 "$WORK/logs" "$WORK/sock" && chmod 700 "$WORK/data"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/data"

# 3. A throwaway server.
as_owner "$WORK/root$BINDIR/initdb" -D "$WORK/data" -U postgres --no-sync -A trust >"$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log"; exit 1; }
as_owner env UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$WORK/logs/ubsan" \
    "$WORK/root$BINDIR/pg_ctl" -D "$WORK/data" -l "$WORK/logs/server.log" -w -t 120 \
    -o "-p $PORT -k $WORK/sock -c listen_addresses=" start >/dev/null || { cat "$WORK/logs/server.log"; exit 1; }
# the relintel.so of the private installation is the sanitized one
nm -D "$WORK/root$PKGLIBDIR/relintel.so" | grep -q __ubsan_ || { echo "relintel.so is not instrumented" >&2; exit 1; }

# 4. The regression suite.
PGHOST="$WORK/sock" PGPORT=$PORT PGUSER=postgres make -C "$WORK/tree" -o loader installcheck PG_CONFIG="$PG_CONFIG" \
    >"$WORK/regress.log" 2>&1
regress=$?
cat "$WORK/regress.log" | grep -E '^(test|ok|not ok| *All|.*failed)' 
[ $regress = 0 ] || cat "$WORK/tree/regression.diffs" 2>/dev/null | head -100
as_owner "$WORK/root$BINDIR/pg_ctl" -D "$WORK/data" -m fast stop >/dev/null

# 5. Any sanitizer report fails the run.
reports=$(ls "$WORK/logs" | grep -cE '^(asan|ubsan)\.')
grep -lE 'runtime error|AddressSanitizer|UndefinedBehaviorSanitizer' "$WORK/logs/server.log" >/dev/null && reports=$((reports + 1))
for f in "$WORK"/logs/asan.* "$WORK"/logs/ubsan.*; do [ -e "$f" ] && cat "$f"; done
echo "sanitize: regression suite $([ $regress = 0 ] && echo passed || echo FAILED), $reports sanitizer report(s), $(( $(date +%s) - started )) s"
# the closing count that .ci/run adds up: regression files passed, and failed ones plus reports
tests_passed=$(grep -cE '^(ok|test) .*\.\.\. ok|^ok ' "$WORK/regress.log")
tests_failed=$(grep -cE '\.\.\. FAILED|^not ok ' "$WORK/regress.log")
echo "$tests_passed passed, $((tests_failed + reports)) failed"
[ $regress = 0 ] && [ "$reports" = 0 ]
