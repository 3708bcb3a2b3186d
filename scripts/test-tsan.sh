#!/usr/bin/env bash
# Builds the library and its unit tests with ThreadSanitizer in build-tsan
# (cmake -DWJR_TSAN=ON) and runs the mocked-Slurm tests (ctest label
# "unit") there. Any data race reported fails the run (halt_on_error).
# cli_valgrind is left out: valgrind cannot run a TSan binary.
# Usage: scripts/test-tsan.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
JOBS="${WJR_JOBS:-2}"

cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DWJR_TSAN=ON -DWJR_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-tsan -j"$JOBS"
cd build-tsan
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
    ctest -j"$JOBS" -L '^unit$' -E '^cli_valgrind_' --output-on-failure --timeout 600
