#!/bin/bash
# Run the pg_regress suite against a throwaway PostgreSQL server started under
# valgrind (memcheck), then report the valgrind errors whose stack passes
# through relintel code.  Installs nothing; needs valgrind, pg_config on PATH
# (or PG_CONFIG), and the extension already installed (make install).
#
#   bash .ci/valgrind.sh            # as a normal user, or as root (runs the server as postgres)
#
# Debian's PostgreSQL is not built with USE_VALGRIND, so the server's own
# memory pools are invisible to memcheck and PostgreSQL itself produces some
# noise (uninitialised padding written to files and sockets); only errors with
# a relintel frame in their stack count.  Exit status: 0 when there are none
# and the regression suite passed.
set -u
cd "$(dirname "$0")/.."

PG_CONFIG=${PG_CONFIG:-pg_config}
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
command -v "$PG_CONFIG" >/dev/null || { echo "pg_config not found" >&2; exit 2; }
BINDIR=$("$PG_CONFIG" --bindir)
PORT=${VALGRIND_PGPORT:-54329}
WORK=$(mktemp -d /tmp/relintel-valgrind.XXXXXX)
chmod 777 "$WORK"

# Run a command as the server's owner (initdb and postgres refuse root).
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cat > "$WORK/postgres.supp" <<'SUPP'
# PostgreSQL writes structs with uninitialised padding to files and sockets.
{
   pg_write_padding
   Memcheck:Param
   write(buf)
   fun:*
   ...
}
{
   pg_pwrite_padding
   Memcheck:Param
   pwrite64(buf)
   fun:*
   ...
}
{
   pg_send_padding
   Memcheck:Param
   sendto(msg)
   fun:*
   ...
}
{
   pg_socketcall_padding
   Memcheck:Param
   socketcall.sendto(msg)
   fun:*
   ...
}
{
   pg_epoll_padding
   Memcheck:Param
   epoll_ctl(event)
   fun:*
   ...
}
{
   pg_getrandom
   Memcheck:Param
   getrandom(buf)
   fun:*
   ...
}
SUPP

as_owner "$BINDIR/initdb" -D "$WORK/data" -A trust -U postgres --no-sync >"$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log"; exit 2; }

as_owner valgrind --quiet --trace-children=yes --leak-check=no --track-origins=yes \
    --read-var-info=no --num-callers=30 --suppressions="$WORK/postgres.supp" \
    --log-file="$WORK/valgrind.%p.log" \
    "$BINDIR/postgres" -D "$WORK/data" -p "$PORT" -k "$WORK" -c listen_addresses= \
    -c fsync=off -c max_parallel_workers_per_gather=2 >"$WORK/server.log" 2>&1 &
SERVER=$!

for _ in $(seq 1 120); do
    "$BINDIR/pg_isready" -q -h "$WORK" -p "$PORT" && break
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 1
done
"$BINDIR/pg_isready" -q -h "$WORK" -p "$PORT" || { echo "server did not start"; cat "$WORK/server.log"; kill "$SERVER"; exit 2; }

PGHOST="$WORK" PGPORT="$PORT" PGUSER=postgres make installcheck
SUITE=$?

as_owner "$BINDIR/pg_ctl" -D "$WORK/data" -m fast -w -t 300 stop >/dev/null
wait "$SERVER" 2>/dev/null

# Split the logs into error blocks and keep those with a relintel frame.
awk '
    /^==[0-9]+== *$/ { if (block != "" && block ~ /relintel/) { print block; n++ } block = ""; next }
    /^==[0-9]+== / { block = block $0 "\n" }
    END { if (block != "" && block ~ /relintel/) { print block; n++ } print n + 0 > "/dev/stderr" }
' "$WORK"/valgrind.*.log > "$WORK/relintel-errors.txt" 2> "$WORK/relintel-count.txt"
ALL=$(grep -h -c "^==[0-9]*== [A-Z].*\(Invalid\|uninitialised\|Mismatched\|overlap\|Syscall param\)" "$WORK"/valgrind.*.log | awk '{s += $1} END {print s + 0}')
OURS=$(cat "$WORK/relintel-count.txt")

echo "valgrind logs: $WORK/valgrind.*.log"
echo "valgrind errors in all processes: $ALL"
echo "valgrind errors with a relintel frame: $OURS"
[ "$OURS" = 0 ] || cat "$WORK/relintel-errors.txt"
[ "$SUITE" = 0 ] && [ "$OURS" = 0 ]
