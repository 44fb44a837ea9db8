#!/usr/bin/env bash
# The sanitizer job: builds the core, the CLI, the non-GUI tests that read outside data and the fuzz targets
# with clang, AddressSanitizer and UndefinedBehaviorSanitizer; runs those tests, then every fuzz target for
# SECONDS (default 20) from its seed corpus plus the kept regression inputs (tests/fuzz/regressions/<target>).
#   tests/fuzz/run.sh [SECONDS]          what CI runs
#   tests/fuzz/run.sh 3600               a longer campaign: one command
# A crash, sanitizer report, leak of InputError's contract or a hang fails the job; libFuzzer writes the
# input that did it as crash-*/timeout-* in build-sanitize/fuzz-findings: keep it under regressions/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-20}"
# A fixed libFuzzer seed by default, so that CI explores the same inputs on every run (a random one is for
# campaigns: DERMGAN_FUZZ_SEED=0).
fuzz_seed="${DERMGAN_FUZZ_SEED:-1}"
build="${DERMGAN_SANITIZE_BUILD_DIR:-$root/build-sanitize}"
tests=(test_csv_table test_zip_archive test_dataset_readers test_image_decode test_image_store test_cli)

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DDERMGAN_WITH_QT=ON -DDERMGAN_SANITIZE=ON -DDERMGAN_FUZZ=ON -DDERMGAN_PCH=ON
cmake --build "$build" --parallel "$(nproc)" --target dermgan fuzzers "${tests[@]}"

# LibTorch and Qt are not instrumented: their one-time allocations are not leaks of ours, and their
# duplicated globals are not ODR violations of ours.
export ASAN_OPTIONS="detect_leaks=0:detect_odr_violation=0:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
(cd "$build" && ctest --output-on-failure --parallel "$(nproc)" -R "^($(IFS='|'; echo "${tests[*]}"))\$")

corpus="$build/fuzz-corpus"
findings="$build/fuzz-findings"
rm -rf "$corpus"
mkdir -p "$findings"
"$build/bin/make_fuzz_seeds" "$corpus"
failed=()
for target in "$build"/bin/fuzz_*; do
  name="$(basename "$target")"
  regressions="$root/tests/fuzz/regressions/$name"
  mkdir -p "$corpus/$name"
  log="$findings/$name.log"
  echo "== $name: $seconds s (log: $log)"
  # Every kept regression input once, then fuzzing from the seeds; each target runs even if one fails.
  if { [ ! -d "$regressions" ] || "$target" -runs=0 "$regressions"; } > "$log" 2>&1 &&
     "$target" -seed="$fuzz_seed" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=6000 -max_len=65536 \
       -artifact_prefix="$findings/$name-" -print_final_stats=1 "$corpus/$name" >> "$log" 2>&1; then
    grep -E "^Done|number_of_executed_units|new_units_added" "$log" | tr '\n' ' '; echo
  else
    grep -m1 -B12 -A30 -E "ERROR: |runtime error|deadly signal" "$log" || tail -40 "$log"
    failed+=("$name")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]} (inputs in $findings; keep each under tests/fuzz/regressions/<target>/)" >&2
  exit 1
fi
echo "fuzz: every target ran $seconds s without a finding"
