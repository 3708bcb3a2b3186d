#!/usr/bin/env bash
# The whole test suite, as CI runs it (the README's test command):
#   1. installs the build and test packages (apt-get, as root),
#   2. builds wjr twice: a normal -Werror build and an ASan+UBSan build,
#   3. checks the formatting and runs cppcheck on src/,
#   4. runs the mocked-Slurm tests (ctest label "unit") in both builds,
#   5. brings up the local Slurm cluster and runs the tests against it
#      (label "cluster"); a run in which no cluster test ran fails,
#   6. takes the cluster down again (unless WJR_KEEP_CLUSTER=1).
# Usage: scripts/test.sh [--unit-only]
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
JOBS="${WJR_JOBS:-2}"
UNIT_ONLY=0
[ "${1:-}" = "--unit-only" ] && UNIT_ONLY=1

step() { printf '\n== %s\n' "$*"; }
passed=0
failed=0
results=()

run_ctest() { # build dir, label, name
    local dir="$1" label="$2" name="$3" out rc=0
    out="$dir/ctest-$label.log"
    (cd "$dir" && ctest -L "^$label\$" --output-on-failure --timeout 600) 2>&1 | tee "$out" || rc=$?
    local total
    total="$(grep -Eo 'out of [0-9]+' "$out" | tail -1 | grep -Eo '[0-9]+' || echo 0)"
    local nfail
    nfail="$(grep -Eo '[0-9]+ tests failed' "$out" | tail -1 | grep -Eo '^[0-9]+' || echo 0)"
    if [ "$total" -eq 0 ]; then
        echo "test: no $label test ran in $dir: that is a failure" >&2
        failed=$((failed + 1))
        results+=("$name: NO TESTS")
        return 1
    fi
    passed=$((passed + total - nfail))
    failed=$((failed + nfail))
    results+=("$name: $((total - nfail))/$total passed")
    return "$rc"
}

step "dependencies"
scripts/deps.sh

step "build (-Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWJR_WERROR=ON >/dev/null
cmake --build build -j"$JOBS"

step "build (AddressSanitizer + UndefinedBehaviorSanitizer)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWJR_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$JOBS"

status=0
step "format check"
if scripts/format-check.sh; then
    results+=("format: ok")
else
    results+=("format: FAILED")
    failed=$((failed + 1))
    status=1
fi

step "static analysis (cppcheck)"
if cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --std=c11 \
    -Iinclude -Isrc --suppress=missingIncludeSystem src/; then
    results+=("cppcheck: ok")
else
    results+=("cppcheck: FAILED")
    failed=$((failed + 1))
    status=1
fi

step "mocked-Slurm tests"
run_ctest build unit "unit tests" || status=1
step "mocked-Slurm tests under ASan/UBSan"
ASAN_OPTIONS=detect_leaks=1 run_ctest build-asan unit "unit tests (sanitizers)" || status=1
step "mocked-Slurm tests under ThreadSanitizer (build-tsan)"
scripts/test-tsan.sh && results+=("tsan: ok") || { results+=("tsan: FAILED"); failed=$((failed + 1)); status=1; }
step "fuzzing under ASan/UBSan (${WJR_FUZZ_SECONDS:-20} s a target; longer: scripts/fuzz.sh)"
scripts/fuzz.sh --seconds "${WJR_FUZZ_SECONDS:-20}" && results+=("fuzz: ok") || { results+=("fuzz: FAILED"); failed=$((failed + 1)); status=1; }

if [ "$UNIT_ONLY" -eq 0 ]; then
    step "local Slurm cluster"
    if [ "${WJR_KEEP_CLUSTER:-0}" != 1 ]; then
        trap 'scripts/cluster-down.sh >/dev/null 2>&1 || true' EXIT
    fi
    # 8 CPUs declared on the node (more than the machine has; the test jobs
    # are tiny) so that an array throttle of 4 really holds tasks back
    eval "$(WJR_CLUSTER_CPUS="${WJR_CLUSTER_CPUS:-8}" scripts/cluster-up.sh)"
    export SLURM_CONF
    step "cluster tests"
    run_ctest build cluster "cluster tests" || status=1
fi

step "summary"
for r in "${results[@]}"; do echo "  $r"; done
echo "$passed passed, $failed failed"
exit "$status"
