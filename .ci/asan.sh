#!/bin/bash
# Run the pg_regress suite against the extension built with AddressSanitizer,
# loaded into a throwaway server of a PostgreSQL that is itself built with
# ASan: nothing is installed into the system's PostgreSQL.
#
#   bash .ci/asan.sh        # as root (runs the server as postgres, or nobody), or as a normal user
#
# An ASan-instrumented library only runs inside an ASan program, and Debian's
# postgres is not one (preloading libasan into it deadlocks in bindtextdomain()
# at start-up).  So this script builds PostgreSQL of the major version the
# project uses (.ci/pg_version.sh) from the upstream tarball in Debian's source
# package (apt-get source, with a private list of deb-src entries made from the
# machine's Debian entries: apt's own configuration is left alone), with
#   -fsanitize=address -fno-omit-frame-pointer -g -O1, --enable-cassert
# (assertions, a sentinel byte after every palloc'd chunk, freed memory wiped),
# no LLVM, ICU, readline or zlib; and with PostgreSQL's Valgrind hooks
# (src/include/utils/memdebug.h) turned into ASan poisoning.  The last part
# matters: palloc carves chunks out of big malloc'd blocks, which plain ASan
# sees as one object, so a write past a palloc'd chunk or a read after pfree
# would go unseen; with the hooks, the bytes after each chunk, its allocator
# header and freed chunks are poisoned (ASan calls a touch of them
# "use-after-poison").  The build (about 9 min on 2 cores) is
# cached in /var/cache/relintel-asan-pgNN-<hash of build_postgres, NN, flags> and
# reused while that recipe is unchanged.
#
# Then: relintel built with the same flags against that PostgreSQL, a server
# started with ASAN_OPTIONS=detect_leaks=0 (PostgreSQL does not free its
# memory at exit) and abort_on_error=1, every report written to a file
# (log_path), the Makefile's REGRESS list, and two canaries that must be
# caught (a C function writing one byte past a palloc'd chunk, one reading a
# pfree'd chunk), which shows the poisoning works in this very run.  The last
# line is "N passed, M failed": N and M count the regression files, and each
# ASan report, failed assertion (TRAP), chunk-end warning or missed canary
# counts as one more failed.
set -u
cd "$(dirname "$0")/.."
export LC_ALL=C.UTF-8
source .ci/pg_version.sh || exit 2
PORT=${ASAN_PGPORT:-54332}
FLAGS="-fsanitize=address -fno-omit-frame-pointer -g -O1"
# detect_stack_use_after_return=0: PostgreSQL measures its stack depth by
# comparing addresses of locals, which ASan's fake stacks would scramble.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=0"
if [ "$(id -u)" = 0 ]; then CACHE_ROOT=${RELINTEL_ASAN_CACHE:-/var/cache}; else CACHE_ROOT=${RELINTEL_ASAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}}; fi
OWNER=postgres
id -u postgres >/dev/null 2>&1 || OWNER=nobody
WORK=$(mktemp -d -t relintel-asan.XXXXXX)
chmod 755 "$WORK"
started=$(date +%s)

# Run a command as the server's owner (initdb and postgres refuse root).
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u "$OWNER" -- "$@"; else "$@"; fi
}

# Stop the server and remove the work directory on exit.
cleanup() {
    [ -f "$WORK/data/postmaster.pid" ] && as_owner "$WORK/pg/bin/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT

# Install the Debian packages this script needs, when some are missing.
need_packages() {
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} = 0 ] && return 0
    local sudo_cmd=()
    [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
    echo "installing: ${missing[*]}"
    "${sudo_cmd[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}

# apt-get/apt-cache with a private package list holding only the deb-src twins of the machine's Debian entries.
apt_src() {
    local tool=$1
    shift
    "$tool" -o Dir::Etc::SourceList="$WORK/apt/empty.list" -o Dir::Etc::SourceParts="$WORK/apt/parts" \
        -o Dir::State::Lists="$WORK/apt/lists" -o Dir::Cache="$WORK/apt/cache" "$@"
}

# Download and unpack PostgreSQL $PG_VERSION's upstream tarball from Debian's source package into $WORK/src.
fetch_source() {
    mkdir -p "$WORK/apt/parts" "$WORK/apt/lists/partial" "$WORK/apt/cache" "$WORK/dl"
    : > "$WORK/apt/empty.list"
    # deb822 entries (/etc/apt/sources.list.d/*.sources) and one-line ones (*.list)
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -e "$f" ] && awk 'BEGIN { RS = ""; ORS = "\n\n" }
            /(^|\n)Types:[^\n]*deb/ && /(^|\n)URIs:[^\n]*debian/ { sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f"
    done > "$WORK/apt/parts/debian-src.sources"
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | sed -nE 's/^deb (.*debian.*)$/deb-src \1/p' \
        > "$WORK/apt/parts/debian-src.list"
    apt_src apt-get -qq update || { echo "apt-get update (deb-src) failed" >&2; return 1; }
    local version=
    # newest first; a version the mirror no longer (or not yet) serves is skipped
    for version in $(apt_src apt-cache showsrc "postgresql-$PG_VERSION" | sed -n 's/^Version: //p' | sort -rV | uniq); do
        rm -f "$WORK"/dl/*
        (cd "$WORK/dl" && chmod 777 . && apt_src apt-get -qq source --download-only "postgresql-$PG_VERSION=$version" >/dev/null 2>&1) \
            && ls "$WORK"/dl/*.orig.tar.* >/dev/null 2>&1 && break
        echo "postgresql-$PG_VERSION $version: source not available, trying an older one"
        version=
    done
    [ -n "$version" ] || { echo "no source package of postgresql-$PG_VERSION could be downloaded" >&2; return 1; }
    mkdir "$WORK/src"
    tar -xf "$WORK"/dl/*.orig.tar.* -C "$WORK/src" --strip-components=1 || return 1
    echo "PostgreSQL source: Debian postgresql-$PG_VERSION $version"
}

# Build PostgreSQL from $WORK/src with ASan and cassert and install it into $1 (its hash names the cache).
build_postgres() {
    local prefix=$1 memdebug=$WORK/src/src/include/utils/memdebug.h
    # In an ASan build, what Valgrind would mark NOACCESS is poisoned and what
    # it would mark accessible (DEFINED, UNDEFINED, a new palloc chunk) is unpoisoned.
    cat > "$WORK/memdebug-asan.h" <<'EOF'
#elif defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer: what Valgrind would see as NOACCESS is poisoned */
#include <sanitizer/asan_interface.h>
#define VALGRIND_CHECK_MEM_IS_DEFINED(addr, size)			do {} while (0)
#define VALGRIND_CREATE_MEMPOOL(context, redzones, zeroed)	do {} while (0)
#define VALGRIND_DESTROY_MEMPOOL(context)					do {} while (0)
#define VALGRIND_MAKE_MEM_DEFINED(addr, size)				ASAN_UNPOISON_MEMORY_REGION(addr, size)
#define VALGRIND_MAKE_MEM_NOACCESS(addr, size)				ASAN_POISON_MEMORY_REGION(addr, size)
#define VALGRIND_MAKE_MEM_UNDEFINED(addr, size)				ASAN_UNPOISON_MEMORY_REGION(addr, size)
#define VALGRIND_MEMPOOL_ALLOC(context, addr, size)			ASAN_UNPOISON_MEMORY_REGION(addr, size)
#define VALGRIND_MEMPOOL_FREE(context, addr)				do {} while (0)
#define VALGRIND_MEMPOOL_CHANGE(context, optr, nptr, size)	ASAN_UNPOISON_MEMORY_REGION(nptr, size)
EOF
    sed -i '/^#include <valgrind\/memcheck.h>$/r '"$WORK/memdebug-asan.h" "$memdebug"
    grep -q ASAN_POISON_MEMORY_REGION "$memdebug" || { echo "could not patch $memdebug" >&2; return 1; }
    (cd "$WORK/src" && ./configure --prefix="$prefix" --enable-cassert --enable-debug \
        --without-llvm --without-icu --without-readline --without-zlib \
        CFLAGS="$FLAGS" LDFLAGS="-fsanitize=address") >"$WORK/pg-build.log" 2>&1 \
        && make -C "$WORK/src" -s -j2 >>"$WORK/pg-build.log" 2>&1 \
        && make -C "$WORK/src" -s install >>"$WORK/pg-build.log" 2>&1
}

need_packages gcc make bzip2 xz-utils || exit 2

# 1. PostgreSQL with ASan: from the cache, else built (under a lock, so two runs don't build at once).
mkdir -p "$CACHE_ROOT"
key=$( (declare -f build_postgres; echo "$PG_VERSION $FLAGS") | sha256sum | cut -c1-12)
PGCACHE=$CACHE_ROOT/relintel-asan-pg$PG_VERSION-$key
exec 9>"$CACHE_ROOT/relintel-asan.lock"
flock 9
pg_built=cached
if [ ! -e "$PGCACHE/.complete" ]; then
    pg_started=$(date +%s)
    rm -rf "$PGCACHE"
    echo "building PostgreSQL $PG_VERSION with ASan into $PGCACHE (once per recipe)"
    fetch_source || exit 1
    if ! build_postgres "$PGCACHE"; then
        tail -50 "$WORK/pg-build.log"; rm -rf "$PGCACHE"; echo "PostgreSQL build failed" >&2; exit 1
    fi
    touch "$PGCACHE/.complete"
    pg_built="built in $(( $(date +%s) - pg_started )) s"
    # older recipes' builds are of no more use
    for old in "$CACHE_ROOT"/relintel-asan-pg*-*; do [ "$old" = "$PGCACHE" ] || rm -rf "$old"; done
fi
# a private copy: relintel is installed into it
cp -a "$PGCACHE" "$WORK/pg"
flock -u 9
PG_CONFIG_ASAN=$WORK/pg/bin/pg_config
echo "$("$PG_CONFIG_ASAN" --version) with ASan ($pg_built)"

# 2. A copy of the working tree (tracked and new files), built with ASan and installed into the copy.
mkdir "$WORK/tree"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
    [ -e "$f" ] && cp --parents -P "$f" "$WORK/tree/"
done
make -C "$WORK/tree" -s -j2 -o loader COPT="$FLAGS" PG_CONFIG="$PG_CONFIG_ASAN" >"$WORK/build.log" 2>&1 \
    && make -C "$WORK/tree" -s install -o loader -o loader-install PG_CONFIG="$PG_CONFIG_ASAN" >>"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log"; echo "ASan build of relintel failed" >&2; exit 1; }
nm -D "$("$PG_CONFIG_ASAN" --pkglibdir)/relintel.so" | grep -q __asan_ || { echo "relintel.so is not instrumented" >&2; exit 1; }

# The canaries: a PGXS module of two C functions that ASan must catch.
mkdir "$WORK/canary"
cat > "$WORK/canary/asan_canary.c" <<'EOF'
#include "postgres.h"
#include "fmgr.h"
PG_MODULE_MAGIC;
PG_FUNCTION_INFO_V1(asan_canary_overflow);
PG_FUNCTION_INFO_V1(asan_canary_use_after_pfree);
/* writes one byte past a 13-byte palloc'd chunk */
Datum
asan_canary_overflow(PG_FUNCTION_ARGS)
{
	volatile char *p = palloc(13);

	p[13] = 1;
	PG_RETURN_VOID();
}
/* reads a pfree'd chunk */
Datum
asan_canary_use_after_pfree(PG_FUNCTION_ARGS)
{
	volatile char *p = palloc(13);
	volatile char *q = p;

	pfree((char *) p);
	PG_RETURN_INT32(q[0]);
}
EOF
printf 'MODULES = asan_canary\nPGXS := $(shell $(PG_CONFIG) --pgxs)\ninclude $(PGXS)\n' > "$WORK/canary/Makefile"
make -C "$WORK/canary" -s COPT="$FLAGS" PG_CONFIG="$PG_CONFIG_ASAN" install >"$WORK/canary/build.log" 2>&1 \
    || { cat "$WORK/canary/build.log"; echo "canary build failed" >&2; exit 1; }

chmod -R a+rX "$WORK/pg" "$WORK/tree"
mkdir "$WORK/logs" "$WORK/sock" "$WORK/data" "$WORK/canary/logs" && chmod 777 "$WORK/logs" "$WORK/sock" && chmod 700 "$WORK/data"
[ "$(id -u)" = 0 ] && chown "$OWNER" "$WORK/data"
export ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$WORK/logs/asan"

# 3. A throwaway server (initdb and every client run under ASan too).
as_owner "$WORK/pg/bin/initdb" -D "$WORK/data" -U postgres --no-sync -A trust >"$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log" "$WORK"/logs/asan.* 2>/dev/null; exit 1; }
as_owner env ASAN_OPTIONS="$ASAN_OPTIONS" "$WORK/pg/bin/pg_ctl" -D "$WORK/data" -l "$WORK/logs/server.log" -w -t 300 \
    -o "-p $PORT -k $WORK/sock -c listen_addresses= -c fsync=off" start >/dev/null \
    || { cat "$WORK/logs/server.log" "$WORK"/logs/asan.* 2>/dev/null; exit 1; }
export PGHOST=$WORK/sock PGPORT=$PORT PGUSER=postgres

# 4. The regression suite.
make -C "$WORK/tree" -o loader installcheck PG_CONFIG="$PG_CONFIG_ASAN" >"$WORK/regress.log" 2>&1
regress=$?
grep -E '^(test|ok|not ok| *All|.*failed)|\.\.\. ' "$WORK/regress.log"
passed=$(grep -cE '\.\.\. +ok|^ok [0-9]+ ' "$WORK/regress.log")
failed=$(grep -cE '\.\.\. +FAILED|^not ok [0-9]+ ' "$WORK/regress.log")
[ $regress = 0 ] || head -100 "$WORK/tree/regression.diffs" 2>/dev/null
[ $regress = 0 ] || [ "$failed" -gt 0 ] || failed=1

# Call one canary function in a session of its own; 0 when ASan reported it (its report is moved aside).
canary() {
    local pid
    pid=$("$WORK/pg/bin/psql" -X -At -d postgres -c 'SELECT pg_backend_pid()' -c "SELECT $1()" 2>/dev/null | head -1)
    for _ in $(seq 1 60); do "$WORK/pg/bin/pg_isready" -q -d postgres && break; sleep 1; done
    [ -n "$pid" ] && grep -qs "ERROR: AddressSanitizer: use-after-poison" "$WORK/logs/asan.$pid" \
        && mv "$WORK/logs/asan.$pid" "$WORK/canary/logs/$1.$pid"
}
"$WORK/pg/bin/psql" -X -q -d postgres -c "CREATE FUNCTION asan_canary_overflow() RETURNS void AS 'asan_canary' LANGUAGE C;
    CREATE FUNCTION asan_canary_use_after_pfree() RETURNS int AS 'asan_canary' LANGUAGE C;" >/dev/null
caught=0
missed=0
for c in asan_canary_overflow asan_canary_use_after_pfree; do
    if canary $c; then
        caught=$((caught + 1))
        echo "canary $c(): $(grep -h -m1 -o 'AddressSanitizer: [a-z-]*' "$WORK"/canary/logs/$c.*), $(grep -h -m1 -oE '^(READ|WRITE) of size [0-9]+' "$WORK"/canary/logs/$c.*)"
    else
        missed=$((missed + 1))
        echo "ASan did not catch canary $c()"
    fi
done
as_owner "$WORK/pg/bin/pg_ctl" -D "$WORK/data" -m fast -w -t 300 stop >/dev/null

# 5. Every report fails the run: ASan's (any process: server, initdb, psql, pg_regress),
# and what the cassert build writes to the server log.
asan_reports=$(ls "$WORK/logs" | grep -c '^asan\.')
log_findings=$(grep -cE 'TRAP: |detected write past chunk end|problem in (alloc set|Generation|slab)' "$WORK/logs/server.log")
for f in "$WORK"/logs/asan.*; do [ -e "$f" ] && { echo "--- $f"; cat "$f"; }; done
[ "$log_findings" = 0 ] || grep -E -B2 -A2 'TRAP: |detected write past chunk end|problem in (alloc set|Generation|slab)' "$WORK/logs/server.log" | head -100
echo "asan: regression suite $([ $regress = 0 ] && echo passed || echo FAILED) ($passed ok, $failed failed), $asan_reports ASan report(s), $log_findings assertion/chunk finding(s) in the server log, canaries caught $caught of $((caught + missed)), $(( $(date +%s) - started )) s"
echo "$passed passed, $((failed + asan_reports + log_findings + missed)) failed"
[ $regress = 0 ] && [ $((asan_reports + log_findings + missed)) = 0 ]
