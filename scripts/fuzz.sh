#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang under ASan+UBSan
# (build-fuzz: cmake -DWJR_FUZZ=ON -DWJR_SANITIZE=ON) and runs each for a
# bounded time on its seed corpus (tests/fuzz/corpus/<target>, never
# written: new inputs go to build-fuzz/corpus/<target>). Any crash, leak,
# sanitizer report or timeout fails the run; its input is kept in
# build-fuzz/artifacts/. Prints each target's executions.
# Usage: scripts/fuzz.sh [--seconds N] [--runs N] [TARGET...]
#   --seconds N  time per target (default 20); targets: config runner_json
#                study trial_files submit (default: all)
#   --runs N     stop each target after N executions instead (no time limit)
# The targets that write files do so under $TMPDIR (default /tmp);
# TMPDIR=/dev/shm runs them faster.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
JOBS="${WJR_JOBS:-2}"
SECONDS_PER=20
RUNS=-1
TARGETS=()
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds)
        SECONDS_PER="$2"
        shift 2
        ;;
    --runs)
        RUNS="$2"
        SECONDS_PER=0 # libFuzzer: no time limit
        shift 2
        ;;
    -h | --help)
        sed -n '2,14p' "$0"
        exit 0
        ;;
    *)
        TARGETS+=("$1")
        shift
        ;;
    esac
done
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(config runner_json study trial_files submit)
command -v clang >/dev/null || { echo "fuzz: clang is needed (scripts/deps.sh installs it)" >&2; exit 1; }

CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWJR_FUZZ=ON \
    -DWJR_SANITIZE=ON -DWJR_BUILD_TESTS=OFF -DWJR_BUILD_EXAMPLES=OFF -DWJR_BUILD_CLI=OFF >/dev/null
cmake --build build-fuzz -j"$JOBS" >/dev/null

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$ROOT/tests/fuzz/lsan.supp:${LSAN_OPTIONS:-}"
mkdir -p build-fuzz/artifacts
crashed=0
total=0
for t in "${TARGETS[@]}"; do
    bin="build-fuzz/tests/fuzz/fuzz_$t"
    [ -x "$bin" ] || { echo "fuzz: no target $t" >&2; exit 2; }
    work="build-fuzz/corpus/$t"
    mkdir -p "$work"
    log="build-fuzz/fuzz_$t.log"
    rc=0
    (cd build-fuzz/artifacts &&
        "$ROOT/$bin" -max_total_time="$SECONDS_PER" -runs="$RUNS" -timeout=10 -rss_limit_mb=2048 \
            -max_len=65536 -print_final_stats=1 -artifact_prefix="$ROOT/build-fuzz/artifacts/${t}-" \
            "$ROOT/$work" "$ROOT/tests/fuzz/corpus/$t") >"$log" 2>&1 || rc=$?
    execs="$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)"
    total=$((total + execs))
    if [ "$rc" -ne 0 ]; then
        crashed=$((crashed + 1))
        echo "fuzz_$t: FAILED after $execs executions (exit $rc); see $log" >&2
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -20 >&2 || true
    else
        echo "fuzz_$t: $execs executions in $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -Eo '[0-9]+ second' || echo "${SECONDS_PER} second")s, no finding"
    fi
done
echo "fuzz: ${#TARGETS[@]} targets, $total executions, $crashed with findings"
[ "$crashed" -eq 0 ]
