#!/bin/bash
# Build fuzz/state_fuzz, the libFuzzer target of the state text parsers, with
# clang (ASan + UBSan), from the extension's own sources and fuzz/pg_stubs.c.
#   bash fuzz/build.sh [OUTPUT]   # default fuzz/state_fuzz; then: fuzz/state_fuzz -dict=fuzz/states.dict CORPUS_DIR
# Needs clang with libFuzzer and PostgreSQL's server headers and libpgcommon.a.
set -eu
cd "$(dirname "$0")/.."
PG_CONFIG=${PG_CONFIG:-pg_config}
CLANG=${CLANG:-clang}
include=$("$PG_CONFIG" --includedir-server)
libdir=$("$PG_CONFIG" --pkglibdir)
exec "$CLANG" -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers \
    -Wno-unused-command-line-argument -Wno-compound-token-split-by-macro -Wno-ignored-attributes \
    -I src -I fuzz -I "$include" \
    fuzz/state_fuzz.c fuzz/pg_stubs.c src/state_io.c src/settings.c src/decay.c src/health.c src/tie.c src/trend.c \
    "$libdir/libpgcommon.a" "$libdir/libpgport.a" -lm \
    -o "${1:-fuzz/state_fuzz}"
