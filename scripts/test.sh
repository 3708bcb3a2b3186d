#!/usr/bin/env bash
# The whole test suite, as CI runs it (the README's test command), on every
# Slurm major wjr supports:
#   22.05  this machine's libslurm (Debian 12), with its own local cluster;
#   24.11  a Debian 13 root, 26.05  a Debian unstable root (scripts/slurm-root.sh
#          makes them, and runs this script inside each with --slurm host).
# For the libslurm at hand ("host") it:
#   1. installs the build and test packages (scripts/deps.sh, as root),
#   2. builds wjr twice: a -Werror build and an ASan+UBSan build,
#   3. checks the formatting and runs cppcheck on src/ (host run only),
#   4. runs the mocked-Slurm tests (ctest label "unit") in both builds, two
#      at a time, and (host run only) a few mutations of scripts/mutate.sh
#      against them; a root runs them in the sanitizer build only, plus the
#      plain build's install test,
#   5. brings up a local Slurm cluster made by scripts/cluster-up.sh and runs
#      the tests against it (label "cluster"); a run in which no cluster test
#      ran fails, and so does a cluster that does not start,
#   6. takes that cluster down again (unless WJR_KEEP_CLUSTER=1).
# The cluster tests run only on a cluster these scripts started: a SLURM_CONF
# in the environment that points at any other cluster is refused.
#
# Usage: scripts/test.sh [--slurm all|host|22.05|24.11|26.05] [--unit-only] [--no-lint]
#   --slurm all (default): the host's major, then each root's.
#   --no-lint: leave out what does not depend on the Slurm major (formatting,
#   cppcheck, mutations, ThreadSanitizer, fuzzing, valgrind, the plain build's
#   repeat of the sanitizer build's unit tests), as the roots' runs do.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
JOBS="${WJR_JOBS:-2}"
UNIT_ONLY=0
LINT=1
SLURM=all
while (($#)); do
    case "$1" in
        --unit-only) UNIT_ONLY=1 ;;
        --no-lint) LINT=0 ;;
        --slurm)
            SLURM="${2:?--slurm needs a major: all, host, 22.05, 24.11 or 26.05}"
            shift
            ;;
        --slurm=*) SLURM="${1#--slurm=}" ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "test: unknown argument '$1' (see --help)" >&2
            exit 2
            ;;
    esac
    shift
done

step() { printf '\n== %s\n' "$*"; }
passed=0
failed=0
results=()

# The major of the libslurm this machine has, e.g. 22.05 (empty when none).
host_major() {
    local v
    v="$(sed -n 's/^#define SLURM_VERSION_NUMBER 0x\([0-9a-fA-F]*\).*/\1/p' \
        /usr/include/slurm/slurm_version.h 2>/dev/null)" || true
    [[ -n "$v" ]] || return 0
    printf '%d.%02d\n' "$((16#$v >> 16))" "$(((16#$v >> 8) & 255))"
}

# ------------------------------------------------------------ all majors
# Runs the suite once per major and adds up what each run counted from its
# closing "N passed, M failed" line.
if [[ "$SLURM" != host ]]; then
    (($(id -u) == 0)) || [[ "$SLURM" != all ]] || {
        echo "test: run as root (packages, the local clusters, the Slurm roots)" >&2
        exit 1
    }
    scripts/deps.sh # installs what host_major reads, on a fresh machine
    hmaj="$(host_major)"
    case "$SLURM" in
        all) majors="host $(scripts/slurm-root.sh majors)" ;;
        "$hmaj") majors=host ;;
        *) majors="$SLURM" ;;
    esac
    args=()
    ((UNIT_ONLY)) && args+=(--unit-only)
    status=0
    # The roots' runs go side by side (each root has its own cluster, ports
    # and build folders), after the host's; WJR_TEST_SERIAL=1: one by one.
    declare -A logs=() rcs=()
    for m in $majors; do
        label="$m"
        [[ "$m" == host ]] && label="${hmaj:-host}"
        logs[$m]="$(mktemp /tmp/wjr-test-"$label".XXXXXX)"
        if [[ "$m" == host ]]; then
            step "Slurm $label"
            rc=0
            WJR_SLURM_LABEL="$label" "$0" --slurm host "${args[@]}" 2>&1 | tee "${logs[$m]}" || rc=$?
            rcs[$m]=$rc
        elif [[ "${WJR_TEST_SERIAL:-0}" == 1 ]]; then
            step "Slurm $label"
            rc=0
            scripts/slurm-root.sh test "$m" --no-lint "${args[@]}" 2>&1 | tee "${logs[$m]}" || rc=$?
            rcs[$m]=$rc
        else
            # each root is made (or found) one at a time, as that installs
            # debootstrap on the host and runs apt; then they run side by side
            scripts/slurm-root.sh build "$m" || echo "test: the $label root was not made (above)" >&2
            echo "test: Slurm $label in its root, beside the others (its output follows when it ends)"
            (scripts/slurm-root.sh test "$m" --no-lint "${args[@]}" >"${logs[$m]}" 2>&1
                echo "$?" >"${logs[$m]}.rc") &
        fi
    done
    wait
    for m in $majors; do
        label="$m"
        [[ "$m" == host ]] && label="${hmaj:-host}"
        if [[ -z "${rcs[$m]:-}" ]]; then
            step "Slurm $label"
            cat "${logs[$m]}"
            rcs[$m]="$(cat "${logs[$m]}.rc" 2>/dev/null || echo 1)"
            rm -f "${logs[$m]}.rc"
        fi
        rc="${rcs[$m]}"
        log="${logs[$m]}"
        line="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)" || line=""
        if [[ -z "$line" ]]; then
            results+=("Slurm $label: did not finish (exit $rc), see above")
            failed=$((failed + 1))
            status=1
        else
            p="${line%% passed*}"
            f="${line#*passed, }"
            f="${f%% failed}"
            passed=$((passed + p))
            failed=$((failed + f))
            while IFS= read -r r; do results+=("Slurm $label, $r"); done \
                < <(sed -n '/^== summary/,/^[0-9]* passed/p' "$log" | sed -n 's/^  //p')
            ((rc == 0)) || status=1
        fi
        rm -f "$log"
    done
    step "summary, all Slurm majors"
    for r in "${results[@]}"; do echo "  $r"; done
    echo "$passed passed, $failed failed"
    exit "$status"
fi

# ------------------------------------------------------------ one major
LABEL="${WJR_SLURM_LABEL:-$(host_major)}"
CLUSTER_DIR="${WJR_CLUSTER_DIR:-/tmp/wjr-cluster}"

# A site's SLURM_CONF must never steer the cluster tests: they run jobs,
# stop slurmctld and down nodes.
if [[ -n "${SLURM_CONF:-}" && "$SLURM_CONF" != "$CLUSTER_DIR/etc/slurm.conf" ]]; then
    echo "test: SLURM_CONF=$SLURM_CONF points at a cluster these scripts did not start;" \
        "unset it (the tests start their own cluster in $CLUSTER_DIR)" >&2
    exit 2
fi

run_ctest() { # build dir, label, name [ctest -R regex]
    local dir="$1" label="$2" name="$3" only="${4:-}" out rc=0
    out="$dir/ctest-$label.log"
    # two at a time: the tests that time something, and every cluster test,
    # are RUN_SERIAL in their CMakeLists.txt and run alone
    (cd "$dir" && ctest -j"$JOBS" -L "^$label\$" ${only:+-R "$only"} --output-on-failure --timeout 600) 2>&1 |
        tee "$out" || rc=$?
    local total
    total="$(grep -Eo 'out of [0-9]+' "$out" | tail -1 | grep -Eo '[0-9]+' || echo 0)"
    local nfail
    nfail="$(grep -Eo '[0-9]+ tests failed' "$out" | tail -1 | grep -Eo '^[0-9]+' || echo 0)"
    if [[ "$total" -eq 0 ]]; then
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
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWJR_WERROR=ON | grep -F 'libslurm' || true
cmake --build build -j"$JOBS"

if ((LINT)); then
    # -O3 lets gcc see further into the code (maybe-uninitialized and the
    # like): the library and the CLI only, as a release build makes them
    step "build (Release, -O3, -Werror: library and CLI)"
    cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DWJR_WERROR=ON >/dev/null
    cmake --build build-release -j"$JOBS" --target wjr wjr_static wjr_cli
fi

step "build (AddressSanitizer + UndefinedBehaviorSanitizer)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWJR_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$JOBS"

status=0
if ((LINT)); then
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
fi

if ((LINT)); then
    step "mocked-Slurm tests"
    run_ctest build unit "unit tests" || status=1
else
    # in a root, the sanitizer build runs the same tests and checks more;
    # of the plain build's own, the install test is the one that depends on
    # the Slurm major (valgrind on the CLI does not: it runs on the host)
    step "mocked-Slurm tests (the plain build's own: unit.install)"
    run_ctest build unit "unit tests (install)" '^unit\.install$' || status=1
fi
step "mocked-Slurm tests under ASan/UBSan"
ASAN_OPTIONS=detect_leaks=1 run_ctest build-asan unit "unit tests (sanitizers)" || status=1
if ((LINT)); then
    step "mutation testing (a fixed subset of tests/mutations.txt, 240 s at most)"
    scripts/mutate.sh --fast 8 --budget 240 && results+=("mutations: ok") ||
        { results+=("mutations: FAILED"); failed=$((failed + 1)); status=1; }
    step "mocked-Slurm tests under ThreadSanitizer (build-tsan)"
    scripts/test-tsan.sh && results+=("tsan: ok") ||
        { results+=("tsan: FAILED"); failed=$((failed + 1)); status=1; }
    step "fuzzing under ASan/UBSan (${WJR_FUZZ_SECONDS:-20} s a target; longer: scripts/fuzz.sh)"
    scripts/fuzz.sh --seconds "${WJR_FUZZ_SECONDS:-20}" && results+=("fuzz: ok") ||
        { results+=("fuzz: FAILED"); failed=$((failed + 1)); status=1; }
fi

if [[ "$UNIT_ONLY" -eq 0 ]]; then
    step "local Slurm cluster ($LABEL) in $CLUSTER_DIR"
    if [[ "${WJR_KEEP_CLUSTER:-0}" != 1 ]]; then
        trap 'scripts/cluster-down.sh "$CLUSTER_DIR" >/dev/null 2>&1 || true' EXIT
    fi
    # 8 CPUs declared on the node (more than the machine has; the test jobs
    # are tiny) so that an array throttle of 4 really holds tasks back
    up_log="$(mktemp /tmp/wjr-cluster-up.XXXXXX)"
    if ! env_line="$(WJR_CLUSTER_CPUS="${WJR_CLUSTER_CPUS:-8}" scripts/cluster-up.sh "$CLUSTER_DIR" 2>"$up_log")"; then
        cat "$up_log" >&2
        echo "test: the local Slurm cluster did not start (above: its start log)" >&2
        rm -f "$up_log"
        results+=("cluster tests: the cluster did not start")
        failed=$((failed + 1))
        step "summary (Slurm $LABEL)"
        for r in "${results[@]}"; do echo "  $r"; done
        echo "$passed passed, $failed failed"
        exit 1
    fi
    cat "$up_log" >&2
    rm -f "$up_log"
    eval "$env_line"
    export SLURM_CONF WJR_CLUSTER_DIR="$CLUSTER_DIR"
    step "cluster tests (Slurm $LABEL)"
    run_ctest build cluster "cluster tests" || status=1
    if ((LINT)); then
        # the code only a real cluster reaches (accounting, libslurm's own
        # errors and timeouts) under ASan+UBSan too: a subset, on the host
        step "cluster tests under ASan/UBSan (a subset)"
        ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$ROOT/tests/cluster/lsan.supp" \
            run_ctest build-asan cluster "cluster tests (sanitizers)" \
            'cluster\.(success|exit_code|cancel|purged|poll_rpcs|cancel_many|bad_partition|hostile_job)$|cli_cluster_full_study' ||
            status=1
    fi
fi

step "summary"
for r in "${results[@]}"; do echo "  $r"; done
echo "$passed passed, $failed failed"
exit "$status"
