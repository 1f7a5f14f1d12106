# test/lib/tap.sh: sourced by the TAP shell tests that compare databases.
# ok GOT EXPECTED NAME prints one TAP line (and what differed); failed is 1
# once any did.  psql_at DB ARGS... runs psql unaligned, tuples only,
# stopping at the first error.
n=0
failed=0

# One TAP assertion: GOT equals EXPECTED.
ok() {
  n=$((n + 1))
  if [ "$1" = "$2" ]; then
    echo "ok $n - $3"
  else
    echo "not ok $n - $3"; echo "#   got: $1"; echo "#   expected: $2"; failed=1
  fi
}

# psql on database $1, unaligned and tuples only, stopping at the first error.
psql_at() { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
