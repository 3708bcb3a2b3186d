#!/usr/bin/env bash
# Memory errors and leaks of the `wjr` CLI, under valgrind, against the fake
# controller of tests/mock/ (wjr-mock, execute mode, no cluster): a whole
# study run, its status, results, report, poll, a refused submission and
# resume, a lost submit answer, an external optimizer's init/submit/cancel,
# check and configuration errors; and every reading verb (status, results,
# poll, cancel, resume) on studies that did not simply complete: one stopped
# by its failure rate, one by trial timeouts, and an external one holding
# COMPLETED, FAILED, EARLY_STOPPED, ABANDONED and RUNNING trials.
# A command fails the test when valgrind reports an error or a definite or
# indirect leak ("possibly lost" and "still reachable" blocks do not count:
# they are libslurm's and libc's, kept until exit), or when its exit code
# is not the expected one.
# The runs fall in three groups that need nothing from each other, so that
# ctest can run them side by side: "study" (the array study, check and the
# errors), "failing" (the other studies run to their end, and what reads
# them) and "external"; with no group, all three run.
#   usage: tests/cli/valgrind.sh PATH/TO/wjr-mock [PATH/TO/valgrind [GROUP]]
set -uo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
WJR="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
VALGRIND="${2:-valgrind}"
GROUP="${3:-all}"
case "$GROUP" in
    all | study | failing | external) ;;
    *) echo "FAIL: unknown group '$GROUP' (study, failing or external)" >&2; exit 2 ;;
esac
want() { [[ "$GROUP" == all || "$GROUP" == "$1" ]]; }
command -v "$VALGRIND" >/dev/null || { echo "FAIL: $VALGRIND not found (scripts/deps.sh)" >&2; exit 1; }
W="$(mktemp -d /tmp/wjr-cli-valgrind-XXXXXX)"
trap 'rm -rf "$W"' EXIT
cp "$HERE"/mock_study/* "$HERE"/configs/typo.cfg "$W/"
cd "$W" || exit 1

export SLURM_CONF="$HERE/../study/data/slurm.conf"
export WJR_MOCK_EXEC=1 WJR_MOCK_POLLS_UNTIL_DONE=1 WJR_MOCK_PARTITIONS=debug:60
export WJR_MOCK_STATE="$W/state.json"
unset WJR_MOCK_UNREACHABLE WJR_MOCK_FAIL_SUBMIT WJR_MOCK_FAIL_QUERY WJR_MOCK_FAIL_KILL \
    WJR_MOCK_FAIL_CONF WJR_MOCK_FAIL_PARTITIONS WJR_MOCK_MAX_ARRAY_SIZE WJR_MOCK_LOSE_SUBMIT_ANSWER
failures=0
n=0

# vg NAME EXPECTED_EXIT ARGS...: run wjr-mock under valgrind.
vg() {
    local name=$1 want=$2 rc=0
    shift 2
    n=$((n + 1))
    timeout 300 "$VALGRIND" -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
        --track-origins=yes --log-file="$W/$name.vg" \
        "$WJR" "$@" >"$W/$name.out" 2>"$W/$name.err" || rc=$?
    if [[ $rc -eq 99 || -s "$W/$name.vg" ]]; then
        echo "FAIL $name: valgrind reports errors or leaks (exit $rc):" >&2
        cat "$W/$name.vg" >&2
        failures=$((failures + 1))
    elif [[ $rc -ne $want ]]; then
        echo "FAIL $name: exit $rc, expected $want" >&2
        cat "$W/$name.err" >&2
        failures=$((failures + 1))
    else
        echo "ok $name (exit $rc, valgrind clean)"
    fi
}

# a study in job arrays, to its end, and everything that reads it
if want study; then
vg run 0 run batch.cfg
vg run_again 2 run batch.cfg
vg status 0 status runs/batch
vg status_json 0 status --json runs/batch
vg results 0 results runs/batch
vg results_csv 0 results --csv runs/batch
vg results_json 0 results --json runs/batch
vg poll 0 poll runs/batch
vg resume_done 0 resume runs/batch
fi

# one job per trial, a failing model, a refused submission and its resume,
# a submission whose answer is lost
if want failing; then
vg run_single 0 run single.cfg
vg run_fail 1 run fail.cfg
vg report 0 report runs/fail
sed 's|runs/batch|runs/refused|' batch.cfg >refused.cfg
WJR_MOCK_FAIL_SUBMIT=2000:1 vg run_refused 3 run refused.cfg
vg resume 0 resume runs/refused
sed 's|runs/batch|runs/lost|' batch.cfg >lost.cfg
WJR_MOCK_LOSE_SUBMIT_ANSWER=1 vg run_lost 0 run lost.cfg
fi

# an external optimizer: init, submit, poll, cancel
if want external; then
vg init 0 init external.cfg
# shellcheck disable=SC2016
vg submit 0 submit runs/external --params '{"x": "$(echo no)", "y": [1, 2]}'
vg poll_running 0 poll runs/external
printf '{"x": 1}\n{"x": 2\n' >bad.jsonl
printf '{"x": 1}\n{"x": 2}\n' >good.jsonl
vg submit_bad_batch 2 submit runs/external --batch bad.jsonl
WJR_MOCK_POLLS_UNTIL_DONE=100 vg submit_batch 0 submit runs/external --batch good.jsonl
WJR_MOCK_FAIL_QUERY=1800 vg poll_unreachable 0 poll runs/external
vg cancel 0 cancel runs/external
vg cancel_none 0 cancel runs/external 1
fi

# every verb that reads a study, on studies with FAILED trials (the failure
# rate stopped one, the ttl failed trials of the other)
if want failing; then
vg run_ttl 0 run ttl.cfg
for dir in runs/fail runs/ttl; do
    tag="${dir#runs/}"
    vg "status_$tag" 0 status "$dir"
    vg "status_json_$tag" 0 status --json "$dir"
    vg "results_$tag" 0 results "$dir"
    vg "results_csv_$tag" 0 results --csv "$dir"
    vg "results_json_$tag" 0 results --json "$dir"
    vg "poll_$tag" 0 poll "$dir"
    vg "cancel_$tag" 0 cancel "$dir"
done
vg resume_failed 1 resume runs/fail
fi

# an external study with a trial of every outcome, and one still running
if want external; then
sed 's|runs/external|runs/mixed|' external.cfg >mixed.cfg
vg init_mixed 0 init mixed.cfg
vg submit_ok 0 submit runs/mixed --params '{"ok": 1}'
vg submit_crash 0 submit runs/mixed --params '{"crash": 1}'
vg submit_stop 0 submit runs/mixed --params '{"stop": 1}'
vg poll_mixed_1 0 poll runs/mixed
vg poll_mixed_2 0 poll runs/mixed
export WJR_MOCK_POLLS_UNTIL_DONE=100
printf '{"run": 1}\n{"run": 2}\n' >mixed.jsonl
vg submit_mixed_batch 0 submit runs/mixed --batch mixed.jsonl
vg cancel_mixed 0 cancel runs/mixed 4
vg poll_mixed 0 poll runs/mixed
for v in status results; do
    vg "${v}_mixed" 0 "$v" runs/mixed
    vg "${v}_json_mixed" 0 "$v" --json runs/mixed
done
vg results_csv_mixed 0 results --csv runs/mixed
if ! grep -q '"EARLY_STOPPED"' "$W/status_json_mixed.out" ||
    ! grep -q '"ABANDONED"' "$W/status_json_mixed.out" ||
    ! grep -q '"FAILED"' "$W/status_json_mixed.out" ||
    ! grep -q '"RUNNING"' "$W/status_json_mixed.out"; then
    echo "FAIL mixed: the study does not hold a trial of every outcome:" >&2
    cat "$W/status_json_mixed.out" >&2
    failures=$((failures + 1))
fi
vg cancel_mixed_all 0 cancel runs/mixed
export WJR_MOCK_POLLS_UNTIL_DONE=1
fi

# check, and configuration and usage errors
if want study; then
vg check 0 check batch.cfg
WJR_MOCK_UNREACHABLE=1 vg check_unreachable 3 check batch.cfg
vg config_typo 2 check typo.cfg
vg run_config_typo 2 run typo.cfg
vg config_missing 2 check missing.cfg
vg status_no_study 2 status "$W/nowhere"
vg usage 2 frob
vg help 0 run --help
fi

[[ $n -gt 0 ]] || { echo "FAIL: no valgrind run in group $GROUP" >&2; exit 1; }
[[ $failures -eq 0 ]] || { echo "$failures of $n valgrind run(s) failed" >&2; exit 1; }
echo "all $n valgrind runs clean"
