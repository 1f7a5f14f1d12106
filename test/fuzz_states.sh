#!/bin/bash
# TAP: a short fixed-seed run of the libFuzzer target of the state text
# parsers (fuzz/state_fuzz.c): 20,000 inputs mutated from fuzz/corpus with
# seed 1, under ASan and UBSan.  Every input goes to health_state_in,
# tie_state_in and trend_state_in; a refusal must be 22P02, an accepted
# state must round-trip as text, keep every reader in its documented range
# and merge with itself into a valid state or 22003.  Skipped when clang
# with libFuzzer is not installed (apt-get install clang).
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v "${CLANG:-clang}" >/dev/null ||
   ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' |
     "${CLANG:-clang}" -x c -fsanitize=fuzzer,address,undefined -o "$work/probe" - >/dev/null 2>&1; then
  echo "1..0 # SKIP clang with libFuzzer is not installed"
  exit 0
fi
echo "1..3"

if bash fuzz/build.sh "$work/state_fuzz" >"$work/build.log" 2>&1; then
  echo "ok 1 - the state parser fuzz target builds with clang, ASan and UBSan"
else
  sed 's/^/# /' "$work/build.log"
  echo "not ok 1 - the state parser fuzz target builds with clang, ASan and UBSan"
  echo "not ok 2 - 20000 fixed-seed inputs # skipped: no build"
  echo "not ok 3 - states accepted # skipped: no build"
  exit 1
fi

mkdir "$work/corpus"
cp fuzz/corpus/* "$work/corpus/"
if (cd "$work" && ./state_fuzz -runs=20000 -seed=1 -dict="$OLDPWD/fuzz/states.dict" -detect_leaks=0 corpus) \
     >"$work/run.log" 2>&1; then
  echo "ok 2 - 20000 fixed-seed inputs: no crash, no sanitizer report, no invariant broken"
else
  tail -40 "$work/run.log" | sed 's/^/# /'
  echo "not ok 2 - 20000 fixed-seed inputs: no crash, no sanitizer report, no invariant broken"
fi
summary=$(grep '^state_fuzz: ' "$work/run.log")
echo "# $summary"
# the run exercised accepted states of every type, not only refusals
if echo "$summary" | grep -qE 'health_state [1-9][0-9]*, tie_state [1-9][0-9]*, trend_state [1-9][0-9]*;'; then
  echo "ok 3 - accepted states of all three types were checked"
else
  echo "not ok 3 - accepted states of all three types were checked"
fi
