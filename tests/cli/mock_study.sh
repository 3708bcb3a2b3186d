#!/usr/bin/env bash
# Whole studies through the `wjr` CLI against the fake controller of
# tests/mock/ (no cluster): `wjr-mock` is the CLI linked with it, and in
# execute mode the fake runs every batch script with /bin/sh, as slurmd
# would. A state file (WJR_MOCK_STATE) lets run, resume, poll, cancel...
# see one controller. Checks exit codes, golden output (golden/mock_*.txt,
# normalised: temporary paths, study ids, clock times) and the files.
#   usage: tests/cli/mock_study.sh PATH/TO/wjr-mock [--update]
# --update rewrites the golden files from the current output (review the diff).
set -uo pipefail

command -v jq >/dev/null || { echo "FAIL: jq is needed (scripts/deps.sh installs it)" >&2; exit 1; }
HERE="$(cd "$(dirname "$0")" && pwd)"
WJR="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
UPDATE="${2:-}"
GOLDEN="$HERE/golden"
W="$(mktemp -d /tmp/wjr-cli-mock-XXXXXX)"
PWNED="/tmp/wjr-pwned-$$"
# shellcheck source=sanitizer.sh
. "$HERE/sanitizer.sh"
trap 'rm -rf "$W" "$PWNED" "$SAN_DIR"' EXIT
cp "$HERE"/mock_study/* "$W/"
cd "$W" || exit 1

# libslurm needs a configuration to load; this one names no controller (and
# every call that would reach one is wrapped by the fake).
export SLURM_CONF="$HERE/../study/data/slurm.conf"
export WJR_MOCK_EXEC=1 WJR_MOCK_POLLS_UNTIL_DONE=1 WJR_MOCK_PARTITIONS=debug:60
unset WJR_MOCK_STATE WJR_MOCK_UNREACHABLE WJR_MOCK_FAIL_SUBMIT WJR_MOCK_FAIL_QUERY \
    WJR_MOCK_FAIL_KILL WJR_MOCK_FAIL_CONF WJR_MOCK_FAIL_PARTITIONS WJR_MOCK_MAX_ARRAY_SIZE \
    WJR_MOCK_LOSE_SUBMIT_ANSWER WJR_MOCK_EXIT_AFTER_SUBMIT
failures=0

fail() {
    echo "FAIL $*" >&2
    failures=$((failures + 1))
}

# wjr NAME ARGS...: run wjr-mock, keep stdout, stderr and the exit code as
# $W/out/NAME.{out,err} and $rc.
mkdir -p out
wjr() {
    local name=$1
    shift
    rc=0
    timeout 120 "$WJR" "$@" >"out/$name.out" 2>"out/$name.err" || rc=$?
}

# quiet NAME: the last command wrote nothing on stderr.
quiet() {
    if [[ -s "out/$1.err" ]]; then
        fail "$1: unexpected stderr"
        sed 's/^/    /' "out/$1.err" >&2
        return 1
    fi
}

# expect NAME CODE: the last command's exit code.
expect() {
    if [[ $rc -ne $2 ]]; then
        fail "$1: exit $rc, expected $2"
        sed 's/^/    /' "out/$1.err" >&2
        return 1
    fi
    echo "ok $1 (exit $rc)"
}

# normalise STUDY_DIR: stdin to stdout without what changes between runs.
normalise() {
    local id=""
    [[ -f "$1/study.json" ]] && id="$(jq -r .runner.study_id "$1/study.json")"
    sed -E -e "s|$W|<TMP>|g" -e "s|/tmp/wjr-pwned-$$|/tmp/wjr-pwned-<PID>|g" \
        -e "s/^[0-2][0-9]:[0-5][0-9]:[0-5][0-9] /HH:MM:SS /" \
        -e "s/\"(end_time|start_time|submit_time)\": [0-9]+/\"\1\": <TIME>/g" \
        ${id:+-e "s/$id/<ID>/g"}
}

# compare NAME TEXT: a normalised text against golden/mock_NAME.txt.
compare() {
    local file="$GOLDEN/mock_$1.txt"
    [[ -n "$UPDATE" ]] && cp "$2" "$file"
    if ! diff -u "$file" "$2" >&2; then
        fail "$1: output differs from $file"
        return 1
    fi
    echo "ok $1 (golden)"
}

# golden NAME STUDY_DIR: exit code, stdout and stderr of the last command.
golden() {
    {
        echo "== exit $rc"
        echo "== stdout"
        cat "out/$1.out"
        echo "== stderr"
        cat "out/$1.err"
    } | normalise "$2" >"out/$1.txt"
    compare "$1" "out/$1.txt"
}

# golden_file NAME STUDY_DIR FILE: a file the study wrote.
golden_file() {
    normalise "$2" <"$3" >"out/$1.txt"
    compare "$1" "out/$1.txt"
}

# check NAME CONDITION...: a test on files, by jq or the shell.
check() {
    local name=$1
    shift
    if "$@" >/dev/null; then
        echo "ok $name"
    else
        fail "$name: $*"
    fi
}

jobs_in_state() { # STATEFILE: how many job records the fake controller holds
    jq '.jobs | length' "$1"
}

# ---- 1. a study in job arrays: run, results.csv, status, poll, results ----
export WJR_MOCK_STATE="$W/batch.state.json"
wjr run_batch run batch.cfg
expect run_batch 0 && golden run_batch runs/batch
check batch_csv_rows [ "$(tail -n +2 runs/batch/results.csv | grep -c ',COMPLETED,')" -eq 8 ]
golden_file results_csv_batch runs/batch runs/batch/results.csv
check batch_two_arrays [ "$(jq '[.submissions[] | select(.array_inx == "0-3")] | length' \
    "$WJR_MOCK_STATE")" -eq 2 ]
# std_out's %A_%a in logs/, and the script's own files named from SLURM_ARRAY_*
check batch_array_files test -e runs/batch/logs/slurm-1004_3.out -a -e runs/batch/logs/slurm-1004_3.err
check batch_task_env grep -q '^model: {.*"x1"' runs/batch/000007/slurm-1004_3.out
check batch_exit_record jq -e '.exit_code == 0 and .job_id == "1004_3"' runs/batch/000007/wjr_exit.json

wjr status_batch status --json runs/batch
expect status_batch 0
check status_json_shape jq -e '(.trials | length) == 8 and all(.trials[];
    (keys == ["end_time", "generation", "index", "job_id", "metrics", "parameters", "reason",
              "slurm_state", "start_time", "status", "submit_time"])
    and .generation == "SOBOL"
    and .submit_time > 0 and .submit_time <= .start_time and .start_time <= .end_time
    and .status == "COMPLETED" and .slurm_state == "COMPLETED" and (.job_id | test("^[0-9]+_[0-3]$"))
    and (.metrics.branin | has("mean") and has("sem")) and (.parameters | keys == ["x1", "x2"]))' \
    out/status_batch.out
wjr status_table status runs/batch
expect status_table 0 && golden status_table runs/batch
# a file where the experiment directory belongs is a usage error (2)
wjr status_file status runs/batch/study.json
expect status_file 2 && check status_file_says grep -q "not a directory" out/status_file.err

wjr poll_batch poll runs/batch
expect poll_batch 0 && golden poll_batch runs/batch

wjr results_json results --json runs/batch
expect results_json 0
check results_json_shape jq -e '.objective == {"metric": "branin", "minimize": true}
    and (.trials | length) == 8 and .best.index == ([.trials[] | {i: .index, m: .metrics.branin.mean}]
    | min_by(.m) | .i) and .best.status == "COMPLETED"' out/results_json.out
wjr results_text results runs/batch
expect results_text 0 && golden results_text runs/batch

# a second run of the same configuration is refused and points to resume
wjr run_again run batch.cfg
expect run_again 2 && golden run_again runs/batch
check run_again_no_submit [ "$(jq .rpc.submit "$WJR_MOCK_STATE")" -eq 2 ]
# ... which `wjr check` says beforehand, as a warning (the file is valid)
wjr check_again check batch.cfg
expect check_again 0 && check check_again_warns grep -q \
    "experiment_dir .*runs/batch already holds a study: .wjr run. refuses it" out/check_again.err
# resuming a finished study prints its summary
wjr resume_done resume runs/batch
expect resume_done 0 && golden resume_done runs/batch
# the study keeps to its copy of the configuration: resume warns when
# the file it was created from changed since, and only then
sed 's|runs/batch|runs/edited|' batch.cfg >edited.cfg
wjr run_edited run -q edited.cfg
expect run_edited 0
wjr resume_unedited resume runs/edited
expect resume_unedited 0 && check resume_unedited_quiet [ "$(grep -c WARNING out/resume_unedited.err)" -eq 0 ]
sed -i 's/total_trials = [0-9]*/total_trials = 12/' edited.cfg
wjr resume_edited resume runs/edited
expect resume_edited 0 && check resume_edited_warns grep -q \
    "WARNING .*/edited.cfg changed after the study was created from it: the study keeps to its own copy .*runs/edited/config.cfg" \
    out/resume_edited.err
wjr status_edited status --json runs/edited
check resume_edited_ignored jq -e '.trials | length == 8' out/status_edited.out
# in the copy, total_trials may rise, but the parameters may not change:
# the trials so far were drawn in the old space, and a half-applied change
# would mix the two
cp runs/edited/config.cfg edited-copy.cfg
sed -i -e 's/total_trials = [0-9]*/total_trials = 10/' -e 's/\[-5.0, 10.0\]/[10.0, 20.0]/' \
    runs/edited/config.cfg
wjr resume_space_changed resume runs/edited
expect resume_space_changed 2 && check resume_space_changed_says grep -q \
    "config.cfg: its parameters, metrics, constraints or generation steps were changed since the study began" \
    out/resume_space_changed.err
# ... and names what changed, as the study began and as it is now
check resume_space_changed_names grep -qF \
    "new study with it. What changed: parameters[x1].bounds: [-5.0, 10.0] -> [10.0, 20.0]" out/resume_space_changed.err
sed 's/total_trials = [0-9]*/total_trials = 10/' edited-copy.cfg >runs/edited/config.cfg
# a study made before that text was kept (its digest alone) takes it on
# when it goes on unchanged, and names the next change
perl -0pi -e 's/,"config_fixed_text":(\{(?:[^{}"]++|"[^"]*"|(?1))*\})//' runs/edited/study.json
check legacy_fixed_stripped bash -c '! grep -q config_fixed_text runs/edited/study.json'
wjr resume_total_raised resume runs/edited
expect resume_total_raised 0
wjr status_raised status --json runs/edited
check resume_total_raised_ran jq -e '[.trials[] | select(.status == "COMPLETED")] | length == 10' \
    out/status_raised.out
check legacy_fixed_adopted grep -q config_fixed_text runs/edited/study.json
cp runs/edited/config.cfg edited-copy.cfg
sed -i -e 's/total_trials = [0-9]*/total_trials = 11/' -e 's/minimize = true/minimize = false/' \
    runs/edited/config.cfg
wjr resume_metric_changed resume runs/edited
expect resume_metric_changed 2 && check resume_metric_changed_names grep -qF \
    "What changed: metrics[branin].minimize: true -> false" out/resume_metric_changed.err
cp edited-copy.cfg runs/edited/config.cfg
# a deadline that has passed, put in the copy: slurmctld refuses the next
# job, the deadline named (exit 3); nothing is submitted or lost, and a
# later deadline lets the study go on
sed -i -e 's/total_trials = [0-9]*/total_trials = 11/' \
    -e 's/^slurm = { /slurm = { deadline = "2020-01-01"; /' runs/edited/config.cfg
wjr resume_deadline_past resume runs/edited
expect resume_deadline_past 3 && check resume_deadline_past_names grep -qF \
    "slurm_submit_batch_job: deadline '2020-01-01' (2020-01-01T00:00:00) leaves a job no time to run: Requested time limit is invalid" \
    out/resume_deadline_past.err
sed -i 's/deadline = "2020-01-01"/deadline = "now+1day"/' runs/edited/config.cfg
wjr resume_deadline_ahead resume runs/edited
expect resume_deadline_ahead 0
wjr status_deadline status --json runs/edited
check resume_deadline_ran jq -e '[.trials[] | select(.status == "COMPLETED")] | length == 11' \
    out/status_deadline.out
check resume_deadline_sent jq -e '.submissions[-1].resources | test(" deadline=[0-9]+")' \
    "$WJR_MOCK_STATE"

# ---- 2. one job per trial ----------------------------------------------
export WJR_MOCK_STATE="$W/single.state.json"
wjr run_single run single.cfg
expect run_single 0 && golden run_single runs/single
check single_csv jq -e '[.submissions[] | select(.array_inx == null)] | length == 8' "$WJR_MOCK_STATE"
check single_rows [ "$(cut -d, -f2,3 runs/single/results.csv | grep -cE '^COMPLETED,10[0-9][0-9]$')" -eq 8 ]
check single_stdout [ -s runs/single/000003/slurm-1003.out ]

# ---- 3. a model that exits 3: the failure rate stops the study ---------
export WJR_MOCK_STATE="$W/fail.state.json"
wjr run_fail run fail.cfg
expect run_fail 1 && golden run_fail runs/fail
wjr status_fail status --json runs/fail
expect status_fail 0 && quiet status_fail
check fail_reasons jq -e '[.trials[] | select(.status == "FAILED")] | length > 0 and
    all(.[]; .reason | test("exit code 3"))' out/status_fail.out
check fail_stderr grep -q 'x1 above 5' runs/fail/000002/slurm-1000_2.err
# fewer failures than the rule waits for (5), but above the rate at the
# end: the study still fails, once every trial is done
sed -e 's/total_trials = 20/total_trials = 4/' -e 's|runs/fail|runs/fail4|' fail.cfg >fail4.cfg
wjr run_fail_end run fail4.cfg
expect run_fail_end 1
check fail_end_all_ran grep -q 'failed: 4 trials (3 completed, 1 failed' out/run_fail_end.out
# resumed, a failed study says why it submits nothing and what would change
# that; with the rate raised in its copy, it goes on (here: to its end)
wjr resume_failed resume runs/fail4
expect resume_failed 1 && check resume_failed_says grep -q \
    "WARNING the study stopped at its failure rate (1 of 4 trials failed or were abandoned, more than tolerated_trial_failure_rate 0.1) and submits nothing more" \
    out/resume_failed.err
sed -i 's/tolerated_trial_failure_rate = 0.1/tolerated_trial_failure_rate = 0.5/' runs/fail4/config.cfg
wjr resume_rate_raised resume runs/fail4
expect resume_rate_raised 0 && check resume_rate_raised_says grep -q \
    "tolerated_trial_failure_rate is now 0.5: the study stopped by its failure rate continues" \
    out/resume_rate_raised.err
check resume_rate_raised_finished grep -q 'finished: 4 trials (3 completed, 1 failed' \
    out/resume_rate_raised.out
# Ax's min_failed_trials_for_failure_rate_check: from the first failure,
# the study stops after its first batch (run_fail went on past it)
sed -e 's/tolerated_trial_failure_rate = 0.1;/& min_failed_trials_for_failure_rate_check = 1;/' \
    -e 's|runs/fail|runs/failmin|' fail.cfg >failmin.cfg
wjr run_fail_min run failmin.cfg
expect run_fail_min 1
check fail_min_first_batch grep -q 'failed: 4 trials (3 completed, 1 failed' out/run_fail_min.out
# abandoned trials count as bad, as in Ax
sed -e 's/model.sh fail/model.sh abandon/' -e 's|runs/fail4|runs/abandon|' fail4.cfg >abandon.cfg
wjr run_abandon run abandon.cfg
expect run_abandon 1
check abandon_counted grep -q '1 of 4 trials failed or were abandoned' out/run_abandon.err
# one poll without an answer during a run: said once
export WJR_MOCK_STATE="$W/stale.state.json"
sed 's|runs/batch|runs/stale|' batch.cfg >stale.cfg
WJR_MOCK_FAIL_QUERY=1800:1 wjr run_stale run stale.cfg
expect run_stale 0
check stale_said_once [ "$(grep -c -e 'could not poll' -e 'poll got no answer' out/run_stale.err)" -eq 1 ]

# ---- 3b. trials running longer than ttl_seconds_for_trials are stopped --
export WJR_MOCK_STATE="$W/ttl.state.json" WJR_MOCK_POLLS_UNTIL_DONE=1000000
wjr run_ttl run ttl.cfg
expect run_ttl 0
wjr status_ttl status --json runs/ttl
expect status_ttl 0 && quiet status_ttl
check ttl_failed jq -e '[.trials[] | select(.status == "FAILED" and (.reason | test("ttl")))]
    | length == 2' out/status_ttl.out
check ttl_cancelled_in_slurm jq -e '[.jobs[] | .state] | all(. == 4)' "$WJR_MOCK_STATE"
# wjr.log tells one story per trial: the runner cancelled its job, the study
# says FAILED; no line calls it ABANDONED
for i in 0 1; do
    check "ttl_log_cancelled_$i" grep -qE "INFO \[trial $i\] job [0-9]+_$i cancelled: ttl exceeded \(1 s\)$" \
        runs/ttl/wjr.log
    check "ttl_log_failed_$i" [ "$(grep -c "WARNING \[trial $i\] FAILED: ttl exceeded (1 s)$" runs/ttl/wjr.log)" -eq 1 ]
done
check ttl_log_not_abandoned [ "$(grep -c ABANDONED runs/ttl/wjr.log)" -eq 0 ]
export WJR_MOCK_POLLS_UNTIL_DONE=1

# ---- 3c. `wjr cancel` while the detached driver holds the study ---------
# The driver job stays queued in the fake; its `wjr resume` is started here,
# in the job's environment (SLURM_JOB_ID), and its trials never end.
export WJR_MOCK_STATE="$W/detach.state.json" WJR_MOCK_POLLS_UNTIL_DONE=1000000
sed -e 's|runs/ttl|runs/detach|' -e 's/ttl_seconds_for_trials = 1;//' -e 's/total_trials = 2/total_trials = 4/' \
    -e 's/tolerated_trial_failure_rate = 1.0/tolerated_trial_failure_rate = 0.5/' ttl.cfg >detach.cfg
wjr detach_run run --detach detach.cfg
expect detach_run 0
driver="$(cat out/detach_run.out)"
SLURM_JOB_ID="$driver" timeout 120 "$WJR" resume runs/detach >out/detach_driver.out 2>&1 &
driver_pid=$!
for _ in $(seq 1 200); do
    wjr detach_status status --json runs/detach
    [[ "$(jq '[.trials[] | select(.job_id != null)] | length' out/detach_status.out 2>/dev/null)" == 2 ]] &&
        break
    sleep 0.1
done
trial_job="$(jq -r '.trials[] | select(.index == 1) | .job_id' out/detach_status.out)"
wjr cancel_driven cancel runs/detach 1
expect cancel_driven 2
check cancel_driven_locked grep -qE "study locked by pid [0-9]+ .* in Slurm job $driver$" \
    out/cancel_driven.err
check cancel_driven_what_to_do grep -qF "wjr: that process drives the study ('wjr status' and 'wjr report' read it meanwhile); to cancel, let it end or stop it first" \
    out/cancel_driven.err
check cancel_driven_driver grep -qx "wjr cancel: the study is driven by its detached driver, Slurm job $driver" \
    out/cancel_driven.err
check cancel_driven_scancel_trial grep -qx "  to cancel while it runs: scancel $trial_job (the driver records \
the trial ABANDONED at its next poll)" out/cancel_driven.err
check cancel_driven_stop_driver grep -qx "  or stop the driver first: scancel $driver, then 'wjr cancel' again \
and 'wjr resume --detach runs/detach'" out/cancel_driven.err
# every unfinished trial: the driver goes first (it would submit others)
wjr cancel_driven_all cancel runs/detach
expect cancel_driven_all 2
check cancel_driven_all_stop grep -q "^  to cancel, stop the driver first: scancel $driver, then" \
    out/cancel_driven_all.err
# a second `wjr run` of the driven study's configuration says who drives
# it and what to do, not "continue it with wjr resume" (which would be
# refused as well)
wjr run_driven run detach.cfg
expect run_driven 2
check run_driven_who grep -qE "^wjr run: .*runs/detach already holds a study, driven now: study locked by pid [0-9]+ .* in Slurm job $driver$" \
    out/run_driven.err
check run_driven_what_to_do grep -qF "to drive it from here instead, stop it first" out/run_driven.err
check run_driven_not_resume bash -c '! grep -q "continue it with" out/run_driven.err'
# driven, the SLURM column is kept fresh: no note
wjr status_driven status runs/detach
expect status_driven 0 && check status_driven_no_note [ "$(grep -c '^no driver runs' out/status_driven.out)" -eq 0 ]
kill -TERM "$driver_pid"
wait "$driver_pid"
# undriven, with jobs in Slurm, the table says its states are the last poll's
wjr status_undriven status runs/detach
expect status_undriven 0 && check status_undriven_note grep -qx \
    "no driver runs: the SLURM column is as of the study's last poll ('wjr poll runs/detach' asks slurmctld now)" \
    out/status_undriven.out
# stopped, the driver lets go: the cancel works, and says nothing of a driver
wjr cancel_undriven cancel runs/detach 1
expect cancel_undriven 0
check cancel_undriven_no_hint [ "$(grep -c driver out/cancel_undriven.err)" -eq 0 ]
# ... and says that the study is not over, and how to end it there
check cancel_undriven_resume_hint grep -qx "wjr: the study is not over: resumed ('wjr resume runs/detach'), \
it goes on with its 2 other trials (scheduler.total_trials is 4); to end it with the 2 it has, set \
scheduler.total_trials to 2 in $W/runs/detach/config.cfg first" out/cancel_undriven.err
# the rest cancelled too, 2 of 2 are bad, over the tolerated 0.5: the
# study may stop for that, which the hint says
wjr cancel_rest cancel runs/detach
expect cancel_rest 0
check cancel_rest_rate_hint grep -qF "(scheduler.total_trials is 4), unless its failure rate stops it \
first (2 of its 2 trials are failed or abandoned, more than tolerated_trial_failure_rate 0.5); to end it" \
    out/cancel_rest.err
# which does what it says: resumed, the study ends with its two trials,
# stopped by its failure rate
sed -i 's/total_trials = 4/total_trials = 2/' runs/detach/config.cfg
wjr resume_cancelled resume runs/detach
expect resume_cancelled 1
wjr status_resume_cancelled status --json runs/detach
check resume_cancelled_ends jq -e '(.trials | length) == 2 and ([.trials[].status] | unique) == ["ABANDONED"]' \
    out/status_resume_cancelled.out
check resume_cancelled_stopped grep -q "2 of 2 trials failed or were abandoned, more than the tolerated rate 0.5" \
    runs/detach/wjr.log
export WJR_MOCK_POLLS_UNTIL_DONE=1

# ---- 4. a refused submission, then resume --------------------------------
export WJR_MOCK_STATE="$W/refused.state.json"
sed 's|runs/batch|runs/refused|' batch.cfg >refused.cfg
WJR_MOCK_FAIL_SUBMIT=2000:1 wjr run_refused run refused.cfg
expect run_refused 3 && golden run_refused runs/refused
check refused_message grep -q 'Invalid partition name specified' out/run_refused.err
check refused_no_job [ "$(jobs_in_state "$WJR_MOCK_STATE")" -eq 0 ]
# the refused trials are pending, and the summary says none reached Slurm
wjr status_refused status runs/refused
expect status_refused 0
check status_refused_unsubmitted grep -Eq '^4 of 8 trials: .* 4 pending \(4 not yet submitted\)$' \
    out/status_refused.out
wjr resume_refused resume runs/refused
expect resume_refused 0 && golden resume_refused runs/refused
check refused_exactly_once jq -e '[.submissions[] | select(.job_id > 0)] | length == 2' \
    "$WJR_MOCK_STATE"

# ---- 4b. a trial's own job refused mid-study (a QOS's limit lowered) ----
# cpus_per_task comes from c; resumed under a limit of 4 CPUs a job, the
# first trial with c above it is refused (exit 3): the message names the
# trial, its value and `wjr cancel`; cancelled, it is ABANDONED and the
# study goes on, each such trial so, until the study ends with every other
# trial completed and no job above the limit ever made.
export WJR_MOCK_STATE="$W/limit.state.json"
sed -e 's|runs/single|runs/limit|' -e 's/total_trials = 8/total_trials = 2/' \
    -e 's/tolerated_trial_failure_rate = 0.5/tolerated_trial_failure_rate = 0.9/' \
    -e 's/cpus_per_task = 1;/cpus_per_task = "{{ c }}";/' \
    -e 's/^};$/  c = { type = "range"; bounds = [1, 8]; value_type = "int"; };\n};/' single.cfg >limit.cfg
wjr run_limit run limit.cfg
expect run_limit 0
before="$(jq '.submissions | length' "$WJR_MOCK_STATE")"
sed -i 's/total_trials = 2/total_trials = 8/' runs/limit/config.cfg
refusals=0
for round in 1 2 3 4 5 6 7; do
    WJR_MOCK_JOB_CPU_LIMIT=4 wjr resume_limit resume runs/limit
    [[ $rc -eq 3 ]] || break
    refusals=$((refusals + 1))
    trial="$(sed -n 's/.*(trial \([0-9]*\) asks for c = \([0-9]*\) (slurm.cpus_per_task): edit the slurm section of .*runs\/limit\/config.cfg, with which the study submits, or abandon the trial with `wjr cancel .*runs\/limit \1`; then resume)$/\1 \2/p' out/resume_limit.err)"
    if [[ ! "$trial" =~ ^[0-9]+\ ([5-8])$ ]]; then
        fail "resume_limit round $round: no trial above the limit named: $(cat out/resume_limit.err)"
        break
    fi
    wjr cancel_limit cancel runs/limit "${trial% *}"
    expect cancel_limit 0 >/dev/null
done
expect resume_limit 0
check limit_refused_some [ "$refusals" -ge 1 ]
echo "    $refusals trials refused, each abandoned"
wjr status_limit status --json runs/limit
check limit_abandoned jq -e --argjson n "$refusals" \
    '[.trials[] | select(.status == "ABANDONED")] | length == $n' out/status_limit.out
check limit_rest_completed jq -e --argjson n "$refusals" \
    '[.trials[] | select(.status == "COMPLETED")] | length == 8 - $n' out/status_limit.out
check limit_no_job_above jq -e --argjson from "$before" \
    '[.submissions[$from:][] | select(.job_id > 0) | .resources | capture("cpus_per_task=(?<c>[0-9]+)").c | tonumber | select(. > 4)] | length == 0' \
    "$WJR_MOCK_STATE"

# ---- 5. the answer to a submit is lost: the job is adopted, never run twice
export WJR_MOCK_STATE="$W/lost.state.json"
sed 's|runs/batch|runs/lost|' batch.cfg >lost.cfg
WJR_MOCK_LOSE_SUBMIT_ANSWER=1 wjr run_lost run lost.cfg
expect run_lost 0 && golden run_lost runs/lost
check lost_exactly_once jq -e '(.submissions | length) == 2 and
    ([.jobs[] | select(.array_task_id == 0) | .name] | length) == 2' "$WJR_MOCK_STATE"

# ... and slurmctld cannot be asked right after: the trials stay
# 'submitting' until the next step reconciles them, then are adopted
export WJR_MOCK_STATE="$W/lost2.state.json"
sed 's|runs/batch|runs/lost2|' batch.cfg >lost2.cfg
WJR_MOCK_LOSE_SUBMIT_ANSWER=1 WJR_MOCK_FAIL_QUERY=1800:1 wjr run_lost_unreachable run lost2.cfg
expect run_lost_unreachable 0
check lost_unreachable_reconciled grep -q 'reconciled: wjr-.*-a0 found in slurmctld' \
    out/run_lost_unreachable.err
check lost_unreachable_exactly_once jq -e '(.submissions | length) == 2 and
    ([.jobs[] | select(.array_task_id == 0) | .name] | length) == 2' "$WJR_MOCK_STATE"

# ... and the process is killed as the answer arrives: the announcement was
# durable before the RPC, so the resume adopts the job instead of
# submitting it again
export WJR_MOCK_STATE="$W/killed.state.json"
sed 's|runs/batch|runs/killed|' batch.cfg >killed.cfg
WJR_MOCK_EXIT_AFTER_SUBMIT=1 wjr run_killed run killed.cfg
expect run_killed 137
wjr resume_killed resume runs/killed
expect resume_killed 0
check killed_exactly_once jq -e '(.submissions | length) == 2 and
    ([.jobs[] | select(.array_task_id == 0) | .name] | length) == 2' "$WJR_MOCK_STATE"

# ---- 6a. GPEI: the step of each trial, the constraint, a resume that
# suggests what an uninterrupted study suggested --------------------------
export WJR_MOCK_STATE="$W/gpei.state.json"
wjr check_gpei check gpei.cfg
expect check_gpei 0
check check_gpei_strategy grep -qx \
    'strategy: SOBOL for 4 trials, then GPEI for the rest; 1 parameter constraint' out/check_gpei.out
sed 's|"x1 + x2 <= 14"|"x1 + x3 <= 14"|' gpei.cfg >gpei-bad.cfg
wjr check_gpei_bad check gpei-bad.cfg
expect check_gpei_bad 2
check check_gpei_bad_line grep -q 'gpei-bad.cfg:8: parameter_constraints\[0\] "x1 + x3 <= 14": .x3. is not a declared parameter' out/check_gpei_bad.err
# an outcome constraint on a metric no objective declares is valid (the
# model must report it) but likely a typo: a warning, with the closest name
sed 's|name = "branin"; minimize = true; } ); };|name = "branin"; minimize = true; }, { name = "cost"; info_only = true; } ); outcome_constraints = ( "cost <= 9", "cots <= 50", "latency >= 1" ); };|' \
    gpei.cfg >gpei-typo.cfg
wjr check_gpei_typo check gpei-typo.cfg
expect check_gpei_typo 0
check check_typo_warned grep -qxF 'wjr check: warning: gpei-typo.cfg:3: outcome_constraints[1] "cots <= 50": '"'cots'"' is not a declared metric (objective.metrics: branin, cost; did you mean '"'cost'"'?); the model must report it, or every trial fails' \
    out/check_gpei_typo.err
check check_typo_no_guess grep -qF "'latency' is not a declared metric (objective.metrics: branin, cost); the model" \
    out/check_gpei_typo.err
check check_typo_two_warnings [ "$(grep -c warning out/check_gpei_typo.err)" -eq 2 ]
quiet check_gpei && echo "ok check_gpei_no_warning"
# ... and in BOA's YAML
sed 's|^        - {name: note, info_only: true}$|&\n    outcome_constraints: ["nots <= 50"]|' boa.yaml >boa-typo.yaml
wjr check_boa_typo check boa-typo.yaml
expect check_boa_typo 0
check check_boa_typo_warned grep -qF 'boa-typo.yaml:8: outcome_constraints[0] "nots <= 50": '"'nots'"' is not a declared metric (objective.metrics: a, b, note; did you mean '"'note'"'?)' \
    out/check_boa_typo.err
# a file the command names that is not there: a warning (write_configs
# or setup may make it), naming the word and the folder; options and the
# shell's own words are no files
sed 's|run_model = "sh model.sh";|run_model = "sh -e no_model.sh --out=a.txt lib/x";|' gpei.cfg >gpei-nofile.cfg
wjr check_nofile check gpei-nofile.cfg
expect check_nofile 0
check check_nofile_warned grep -qxF "wjr check: warning: gpei-nofile.cfg:12: script_options.run_model names 'no_model.sh', which is not in $PWD: the command of every trial would fail to find it" \
    out/check_nofile.err
check check_nofile_path grep -qF "names 'lib/x', which is not in" out/check_nofile.err
check check_nofile_two [ "$(grep -c warning out/check_nofile.err)" -eq 2 ]
sed 's|run_model: sh boa_model.sh|run_model: python3 no_model.py|' boa.yaml >boa-nofile.yaml
wjr check_boa_nofile check boa-nofile.yaml
expect check_boa_nofile 0
check check_boa_nofile_warned grep -qF "boa-nofile.yaml:15:5: script_options.run_model names 'no_model.py', which is not in $PWD:" \
    out/check_boa_nofile.err
# a weighted objective without minimize is maximized, as in BOA, and said
# so; BOA's objective.weights give the metrics their weights
grep -v '^    minimize: true$' boa.yaml >boa-max.yaml
wjr check_boa_max check boa-max.yaml
expect check_boa_max 0
check check_boa_max_warned grep -qF "boa-max.yaml:3:1: objective: the weighted sum of the metrics is maximized, as BOA does" \
    out/check_boa_max.err
sed 's/, weight: [0-9.]*}/}/; s/^    minimize: true$/&\n    weights: [1.0, 2.0, 0.0]/' boa.yaml >boa-weights.yaml
wjr check_boa_weights check boa-weights.yaml
expect check_boa_weights 0
quiet check_boa_weights && echo "ok check_boa_weights_quiet"
sed 's/^    minimize: true$/    weights: [1.0, 2.0, 0.0]/' boa.yaml >boa-weights2.yaml
wjr check_boa_weights2 check boa-weights2.yaml
expect check_boa_weights2 2
check check_boa_weights2_err grep -qF "metric 'a' has a weight of its own: give objective.weights or the metrics' weight, not both" \
    out/check_boa_weights2.err
# two metrics and no weights: BOA's multi-objective study, checked quietly
sed 's/, weight: [0-9.]*}/}/; /^    minimize: true$/d' boa.yaml >boa-moo.yaml
wjr check_boa_moo check boa-moo.yaml
expect check_boa_moo 0 && quiet check_boa_moo
check check_boa_moo_front grep -qF "2 objectives, whose result is a Pareto front: a (minimized), b (minimized)" \
    out/check_boa_moo.out
# the program itself there but not executable: a warning naming the fix
cp model.sh noexec.sh && chmod 644 noexec.sh
sed 's|run_model = "sh model.sh";|run_model = "./noexec.sh";|' gpei.cfg >gpei-noexec.cfg
wjr check_noexec check gpei-noexec.cfg
expect check_noexec 0
check check_noexec_warned grep -qF "script_options.run_model runs './noexec.sh', which is not executable: make it so (chmod +x ./noexec.sh), or name its interpreter (sh ./noexec.sh)" \
    out/check_noexec.err
# BOA's command line loads wrapper.py next to the YAML: wjr says it does not
mkdir -p wp && cp boa.yaml boa_model.sh wp/ && touch wp/wrapper.py
wjr check_wrapper_py check wp/boa.yaml
expect check_wrapper_py 0
check check_wrapper_py_warned grep -qF "wjr check: warning: wp/boa.yaml: $PWD/wp/wrapper.py is not used: BOA would load the Python wrapper in it" \
    out/check_wrapper_py.err
wjr run_gpei run gpei.cfg
expect run_gpei 0
csv_col() { # FILE NAME: the values of one results.csv column
    awk -F, -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next } { print $c }' "$1"
}
check gpei_steps [ "$(csv_col runs/gpei/results.csv generation_method | uniq -c | tr -s ' \n' ' ')" \
    == " 4 SOBOL 12 GPEI " ]
check gpei_constraint awk -F, 'NR > 1 && $5 + $6 > 14 + 1e-9 { exit 1 }' runs/gpei/results.csv
# the model finds better points than the SOBOL trials did
check gpei_improves awk -F, 'NR > 1 && NR <= 5 { if (s == "" || $7 < s) s = $7 }
    NR > 5 { if (g == "" || $7 < g) g = $7 } END { exit !(g < s) }' runs/gpei/results.csv
check gpei_log grep -q '\[trial 4\] generated by GPEI' out/run_gpei.err
# with 6 trials in flight, the first GPEI trial waits for half the SOBOL ones
export WJR_MOCK_STATE="$W/gpei3.state.json"
sed 's|runs/gpei|runs/gpei3|; s|total_trials = 16; max_pending_trials = 1|total_trials = 8; max_pending_trials = 6|' \
    gpei.cfg >gpei3.cfg
wjr run_gpei3 run gpei3.cfg
expect run_gpei3 0
check gpei_waits_for_data awk '/COMPLETED/ { done++ } /\[trial 4\] generated by GPEI/ { exit !(done >= 2) }' \
    out/run_gpei3.err
# the same study stopped after 11 trials, then resumed to 16: the same trials
export WJR_MOCK_STATE="$W/gpei2.state.json"
sed 's|runs/gpei|runs/gpei2|; s|total_trials = 16|total_trials = 11|' gpei.cfg >gpei2.cfg
wjr run_gpei2 run gpei2.cfg
expect run_gpei2 0
sed -i 's|total_trials = 11|total_trials = 16|' runs/gpei2/config.cfg
wjr resume_gpei2 resume runs/gpei2
expect resume_gpei2 0
check gpei_resume_same diff <(cut -d, -f1,2,4-7 runs/gpei/results.csv) \
    <(cut -d, -f1,2,4-7 runs/gpei2/results.csv)

# ---- 6. check: a reachable controller, a missing partition (a config error,
# with its line and the partitions there are), none
export WJR_MOCK_STATE="$W/check.state.json"
# BOA's output_dir/exp_name without a timestamp: a taken name gets .1,
# as in BOA, and check says so and how to continue the study there
sed 's|experiment_dir = "runs/batch"|output_dir = "runs"; exp_name = "batch"; append_timestamp = false|' \
    batch.cfg >named.cfg
wjr check_named check named.cfg
expect check_named 0 && check check_named_warns grep -q \
    "runs/batch exists: this study goes to .*runs/batch.1, as BOA does (append_timestamp is false); to continue the study there instead, run .wjr resume .*runs/batch." \
    out/check_named.err
wjr check_ok check batch.cfg
expect check_ok 0 && golden check_ok .
WJR_MOCK_PARTITIONS=other wjr check_partition check batch.cfg
expect check_partition 2 && golden check_partition .
WJR_MOCK_UNREACHABLE=1 wjr check_unreachable check batch.cfg
expect check_unreachable 3 && golden check_unreachable .
check check_submits_nothing [ "$(jq .rpc.submit "$WJR_MOCK_STATE")" -eq 0 ]

# ---- 7. an external optimizer: init, submit, poll, hostile values -------
export WJR_MOCK_STATE="$W/external.state.json"
wjr init init external.cfg
expect init 0
X=runs/external
# shellcheck disable=SC2016 # the values must reach the model unexpanded
hostile='{"x": "$(touch '"$PWNED"')", "y": "`touch '"$PWNED"'`; touch '"$PWNED"'", "z": "'"'"'\" \\n\u00e9"}'
wjr submit_hostile submit "$X" --params "$hostile"
expect submit_hostile 0 && golden submit_hostile "$X"
printf '%s' "$hostile" | jq -S . >out/hostile.want
cp "$X/000000/parameters.json" out/params.before
wjr poll_running poll "$X"
expect poll_running 0 && golden poll_running "$X"
wjr poll_completed poll "$X"
expect poll_completed 0 && golden poll_completed "$X"
check hostile_not_run [ ! -e "$PWNED" ]
check hostile_params_unchanged cmp -s out/params.before "$X/000000/parameters.json"
check hostile_params_exact cmp -s out/hostile.want <(jq -S . "$X/000000/parameters.json")
# shellcheck disable=SC2016
check hostile_model_ran grep -qF '$(touch' "$X/000000/slurm-1000.out"

# a batch with one bad line: nothing is submitted
printf '{"x": 1}\n{"x": 2\n{"x": 3}\n' >bad.jsonl
jobs_before="$(jobs_in_state "$WJR_MOCK_STATE")"
wjr submit_bad_batch submit "$X" --batch bad.jsonl
expect submit_bad_batch 2 && golden submit_bad_batch "$X"
check bad_batch_nothing_submitted [ "$(jobs_in_state "$WJR_MOCK_STATE")" -eq "$jobs_before" ]
check bad_batch_no_trial [ ! -e "$X/000001" ]

# a good batch, cancelled while it runs: ABANDONED, never run
printf '{"x": 1}\n\n{"x": 2}\n' >good.jsonl
export WJR_MOCK_POLLS_UNTIL_DONE=100
wjr submit_batch submit "$X" --batch good.jsonl
expect submit_batch 0 && golden submit_batch "$X"
wjr poll_batch_running poll "$X"
expect poll_batch_running 0 && golden poll_batch_running "$X"
# the controller does not answer a poll: last known statuses and a warning
WJR_MOCK_FAIL_QUERY=1800 wjr poll_unreachable poll "$X"
expect poll_unreachable 0 && golden poll_unreachable "$X"
wjr cancel cancel "$X"
expect cancel 0 && golden cancel "$X"
wjr status_cancelled status --json "$X"
expect status_cancelled 0 && quiet status_cancelled
check cancelled_abandoned jq -e '[.trials[] | select(.index > 0) | .status] == ["ABANDONED", "ABANDONED"]
    and .trials[0].status == "COMPLETED"' out/status_cancelled.out
check cancelled_in_slurm jq -e '[.jobs[] | select(.name | test("-a1$")) | .state] | all(. == 4)' \
    "$WJR_MOCK_STATE"
check cancelled_never_ran [ ! -e "$X/000001/output.json" ]
wjr poll_cancelled poll "$X"
expect poll_cancelled 0 && golden poll_cancelled "$X"
# a value with a line break stays on its row of the table, escaped
wjr submit_newline submit "$X" --params '{"x": "a\nb"}'
expect submit_newline 0
wjr status_newline status "$X"
expect status_newline 0
check status_newline_escaped grep -qF 'x=a\x0ab' out/status_newline.out
export WJR_MOCK_POLLS_UNTIL_DONE=1

# ---- 8. BOA's YAML: templates, metric functions, weights, EARLY_STOPPED --
wjr run_boa run boa.yaml
expect run_boa 0
check boa_no_shell [ ! -e PWNED -a ! -e runs/boa/000000/PWNED ]
for i in 0 1 2 3; do
    check "boa_word_$i" [ "$(cat "runs/boa/00000$i/w.txt")" = \
        "$(jq -r .w "runs/boa/00000$i/parameters.json")" ]
done
wjr status_boa status --json runs/boa
check boa_statuses jq -e '[.trials[].status] == ["COMPLETED", "COMPLETED", "COMPLETED", "EARLY_STOPPED"]
    and all(.trials[]; (.metrics.b.mean + .parameters.x - 1 | if . < 0 then -. else . end) < 1e-9)
    and all(.trials[]; .metrics.a.mean == (.parameters.x + 1) / 2 and .metrics.note.mean == 5)' \
    out/status_boa.out
wjr status_boa_table status runs/boa
expect status_boa_table 0
# every column starts where its header does, however long the cells
sed 's/±/~/g' out/status_boa_table.out >out/status_boa_table.cols
check boa_table_aligned awk 'NR == 1 { for (i = 1; i <= NF; i++) at[i] = index($0, $i); next }
    /^ +[0-9]+  / { if (substr($0, at[8] - 1, 1) != " " || substr($0, at[7] - 1, 1) != " ") exit 1
        if (substr($0, at[7], 2) !~ /^[a-z]=/) exit 1 }' out/status_boa_table.cols
# results: metrics longer than the 30 columns the table starts with widen
# it, and the parameters still start under their header ("±" is one column;
# as "~" the checks count the same in any locale)
wjr results_boa_text results runs/boa
expect results_boa_text 0 && quiet results_boa_text
sed 's/±/~/g' out/results_boa_text.out >out/results_boa_text.cols
check results_boa_long_metrics grep -qE '^ +0  COMPLETED +a=[0-9.]+ b=[0-9.]+~0.125 note=5 +x=' \
    out/results_boa_text.cols
check results_boa_widened awk 'NR == 1 { exit !(index($0, "PARAMETERS") > 54) }' \
    out/results_boa_text.cols
check results_boa_aligned awk 'NR == 1 { p = index($0, "PARAMETERS"); next }
    /^ +[0-9]+  / { if (substr($0, p - 1, 3) != " x=") exit 1; n++ } END { exit n != 4 }' \
    out/results_boa_text.cols
wjr results_boa results --json runs/boa
# a + 2 b falls with x while a rises: ranking by a alone would pick another
check boa_weighted_best jq -e '.objective == {"metric": "weighted_sum", "minimize": true}
    and .best.index == ([.trials[] | select(.status == "COMPLETED")
        | {i: .index, v: (.metrics.a.mean + 2 * .metrics.b.mean)}] | min_by(.v) | .i)' \
    out/results_boa.out

# GPEI on the weighted sum a + 2 b = 2.5 - 1.5 x: towards x = 1, where a
# alone (the first metric) would lead to x = 0
export WJR_MOCK_STATE="$W/boa-gpei.state.json"
sed 's|^generation_strategy: {seed: 3}$|generation_strategy: {seed: 3, steps: [{model: SOBOL, num_trials: 4}, {model: GPEI, num_trials: -1}]}|
    s|n_trials: 4,|n_trials: 10, max_pending_trials: 1,|; s|exp_name: boa$|exp_name: boa-gpei|' \
    boa.yaml >boa-gpei.yaml
wjr run_boa_gpei run boa-gpei.yaml
expect run_boa_gpei 0
wjr results_boa_gpei results --json runs/boa-gpei
check boa_gpei_weighted jq -e '[.trials[] | select(.generation == "GPEI") | .parameters.x] as $x
    | ($x | length) == 6 and ([$x[] | select(. >= 0.9)] | length) >= 4' out/results_boa_gpei.out
unset WJR_MOCK_STATE

# a step's max_parallelism (BOA's) caps the trials in flight while it
# generates: SOBOL fills 4 slots, GPEI then keeps one trial in flight
export WJR_MOCK_STATE="$W/boa-par.state.json"
sed 's|{model: GPEI, num_trials: -1}|{model: GPEI, num_trials: -1, max_parallelism: 1}|
    s|max_pending_trials: 1,|max_pending_trials: 4,|; s|exp_name: boa-gpei|exp_name: boa-par|' \
    boa-gpei.yaml >boa-par.yaml
wjr check_boa_par check boa-par.yaml
check boa_par_checked grep -qF "GPEI for the rest (at most 1 in flight)" out/check_boa_par.out
wjr run_boa_par run boa-par.yaml
expect run_boa_par 0
# each GPEI trial is generated once the one before it has ended
check boa_par_one_at_a_time awk '/generated by GPEI/ { if (g && !ended) bad = 1; g = 1; ended = 0 }
    /\[trial [0-9]+\] (COMPLETED|EARLY_STOPPED|FAILED)/ { ended = 1 } END { exit bad || !g }' \
    out/run_boa_par.err
check boa_par_sobol_together [ "$(grep -c 'generated by SOBOL' out/run_boa_par.err)" = 4 ]
unset WJR_MOCK_STATE

# ---- write_configs failing for some trials: those fail, the rest run ----
export WJR_MOCK_STATE="$W/hook.state.json"
wjr run_hook run hook.cfg
expect run_hook 0
wjr status_hook status --json runs/hook
check hook_failed_trials jq -e '[.trials[] | select(.parameters.x1 > 5)] as $bad
    | ($bad | length) >= 1 and ($bad | length) < 8
    and all($bad[]; .status == "FAILED" and .job_id == null
        and (.reason | test("^trial [0-9]+: write_configs command .sh .*hook.sh.* exited with status 1$")))
    and all(.trials[] | select(.parameters.x1 <= 5); .status == "COMPLETED")' out/status_hook.out
check hook_logged grep -q 'WARNING \[trial [0-9]*\] FAILED: trial [0-9]*: write_configs command' out/run_hook.err
# resumed, nothing runs again: the failed trials stay failed
wjr resume_hook resume runs/hook
expect resume_hook 0
calls=$(wc -l <runs/hook/hook.calls)
wjr resume_hook2 resume runs/hook
check hook_not_rerun [ "$(wc -l <runs/hook/hook.calls)" = "$calls" ]
unset WJR_MOCK_STATE

# ---- 9. several objectives: ParEGO, the Pareto front, a threshold ----
export WJR_MOCK_STATE="$W/moo.state.json"
wjr run_moo run moo.yaml
expect run_moo 0
wjr results_moo results --json runs/moo
expect results_moo 0
# the front is exactly the completed trials no other dominates (within f1's
# threshold), and no trial beyond the threshold is on it
check moo_front jq -e '[.trials[] | select(.status == "COMPLETED" and .metrics.f1.mean <= 0.9)
        | {i: .index, a: .metrics.f1.mean, b: .metrics.f2.mean}] as $t
    | [$t[] | . as $p | select(all($t[]; (.a <= $p.a and .b <= $p.b and (.a < $p.a or .b < $p.b)) | not))
        | .i] as $want
    | .pareto_front == $want and ($want | length) >= 3
    and ([.trials[] | select(.pareto) | .index] == $want)
    and .objectives == [{"metric": "f1", "minimize": true}, {"metric": "f2", "minimize": true}]' \
    out/results_moo.out
# GPEI's trials go to the front (y near 0) and spread along it (in x)
check moo_gpei_on_front jq -e '[.trials[] | select(.generation == "GPEI") | .parameters] as $g
    | ($g | length) == 10 and ([$g[] | select(.y < 0.05)] | length) >= 7
    and ([$g[] | select(.y < 0.05) | .x] | max - min) >= 0.4' out/results_moo.out
wjr status_moo status runs/moo
expect status_moo 0
check moo_status_front grep -qE "^Pareto front: [0-9]+ trials: [0-9]+(, [0-9]+)+$" out/status_moo.out
check moo_run_front grep -qE "^Pareto front: [0-9]+ trials \(no other completed trial" out/run_moo.out
wjr report_moo report -o moo.html runs/moo
expect report_moo 0
n_front=$(jq '.pareto_front | length' out/results_moo.out)
first_front=$(jq '.pareto_front[0]' out/results_moo.out)
check moo_report_front grep -qE "<b>$n_front</b>on the Pareto front: trials $first_front," moo.html
# the report draws f1 against f2: the front's trials marked (and only
# they), joined by their staircase, f1's threshold as a dashed line; the
# summary names both objectives and no single best trial
grep -o '<section id="pareto">.*' moo.html | sed 's|</section>.*||' >moo-pareto.html
check moo_report_chart [ "$(grep -o '<circle class="best"' moo-pareto.html | wc -l)" = "$n_front" ]
# both minimized: from each trial of the front, right to the next one's
# f1, then down to it (each corner has the next x and the previous y)
check moo_report_staircase bash -c "grep -o 'class=\"bestline\" d=\"[^\"]*' moo-pareto.html |
    sed 's/.*d=\"M//; s/L/ /g' | awk '{ if (NF < 6 || NF % 4 != 2) exit 1
        for (i = 3; i < NF; i += 4) if (\$i != \$(i + 2) || \$(i + 1) != \$(i - 1)) exit 1 }'"
# both maximized (the same study, its values negated): from each trial of
# the front, down to the next one's f2, then right to it (each corner has
# the previous x and the next y)
sed -e 's/- {name: f1}/- {name: f1, lower_is_better: false}/' \
    -e 's/lower_is_better: true/lower_is_better: false/' -e 's/"f1 <= 0.9"/"f1 >= -0.9"/' \
    -e 's/moo_model.sh/moo_max_model.sh/' -e 's/exp_name: moo/exp_name: moo_max/' moo.yaml >moo_max.yaml
printf '%s\n' '#!/bin/sh' \
    'awk -v x="$1" -v y="$2" '"'"'BEGIN { printf "{\"f1\": %.17g, \"f2\": %.17g}\n", -x, x - 1 - y }'"'"' >"$3/metrics.json"' \
    >moo_max_model.sh
export WJR_MOCK_STATE="$W/moo_max.state.json"
wjr run_moo_max run moo_max.yaml
expect run_moo_max 0
wjr report_moo_max report -o moo_max.html runs/moo_max
expect report_moo_max 0
grep -o '<section id="pareto">.*' moo_max.html | sed 's|</section>.*||' >moo-max-pareto.html
check moo_max_report_staircase bash -c "grep -o 'class=\"bestline\" d=\"[^\"]*' moo-max-pareto.html |
    sed 's/.*d=\"M//; s/L/ /g' | awk '{ if (NF < 6 || NF % 4 != 2) exit 1
        for (i = 3; i < NF; i += 4) if (\$i != \$(i - 2) || \$(i + 1) != \$(i + 3)) exit 1 }'"
check moo_max_report_objectives grep -qF \
    '<th>objectives</th><td>f1 (maximize, threshold -0.9), f2 (maximize)</td>' moo_max.html
export WJR_MOCK_STATE="$W/moo.state.json"
check moo_report_threshold grep -qF '<title>f1 threshold 0.9</title>' moo-pareto.html
check moo_report_objectives grep -qF '<th>objectives</th><td>f1 (minimize, threshold 0.9), f2 (minimize)</td>' moo.html
check moo_report_no_best bash -c '! grep -q "best f1" moo.html'

san_check || failures=$((failures + 1))
[[ $failures -eq 0 ]] || { echo "$failures mock study test(s) failed" >&2; exit 1; }
echo "all mock study tests passed"
