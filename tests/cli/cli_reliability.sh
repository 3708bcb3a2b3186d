#!/usr/bin/env bash
# Reliability of the `wjr` CLI against the fake controller (no cluster):
#  - a reason holding escape sequences reaches the terminal escaped
#    (\x1b, \r), never raw; results.csv turns a field that a spreadsheet
#    would read as a formula (=, +, -, @ first) into text with a leading ';
#  - one SIGINT in the middle of a step (a set_trial_status hook that
#    sleeps) stops `wjr run` within seconds with exit 130, and
#    `wjr resume` then finishes the study: nothing was lost;
#  - SIGINT counts every trial left in Slurm, queued ones too;
#  - a study stopped by its failure rate waits for its trials in flight to
#    end (their outcomes recorded), and `wjr resume` of a study stopped
#    with trials in flight collects them;
#  - a hook past WJR_HOOK_TIMEOUT is killed.
#   usage: tests/cli/cli_reliability.sh PATH/TO/wjr-mock
set -uo pipefail

command -v jq >/dev/null || { echo "FAIL: jq is needed (scripts/deps.sh installs it)" >&2; exit 1; }
HERE="$(cd "$(dirname "$0")" && pwd)"
WJR="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
W="$(mktemp -d /tmp/wjr-cli-rel-XXXXXX)"
trap 'rm -rf "$W"' EXIT
cp "$HERE"/mock_study/* "$W/"
cd "$W" || exit 1
export SLURM_CONF="$HERE/../study/data/slurm.conf"
export WJR_MOCK_EXEC=1 WJR_MOCK_POLLS_UNTIL_DONE=1 WJR_MOCK_PARTITIONS=debug:60
unset WJR_MOCK_UNREACHABLE WJR_MOCK_FAIL_SUBMIT WJR_MOCK_FAIL_QUERY WJR_HOOK_TIMEOUT
failures=0
fail() {
    echo "FAIL $*" >&2
    failures=$((failures + 1))
}
ok() { echo "ok $*"; }

# ---- 1. escapes on the terminal, formulas in results.csv ----------------
export WJR_MOCK_STATE="$W/ext.state.json" WJR_MOCK_POLLS_UNTIL_DONE=100
"$WJR" init external.cfg >/dev/null 2>&1 || fail "init"
X=runs/external
"$WJR" submit "$X" --params '{"x": "=1+2", "y": "-3", "z": "-2+3"}' >/dev/null 2>&1 || fail "submit"
"$WJR" cancel "$X" --reason $'=HYPERLINK("http://x")\e[31mred\r' >/dev/null 2>&1 || fail "cancel"
"$WJR" status "$X" >status.out 2>&1 || fail "status"
# has TEXT FILE WHAT: FILE holds TEXT (fixed string)
has() {
    if grep -qF -- "$1" "$2"; then ok "$3"; else fail "$3: $(cat "$2")"; fi
}
if grep -q $'\e' status.out || grep -q $'\r' status.out; then
    fail "status printed a raw escape sequence or carriage return"
fi
has '\x1b[31mred\x0d' status.out "status escapes control bytes"
"$WJR" results --csv "$X" >results.csv 2>&1 || fail "results --csv"
has "'=HYPERLINK" results.csv "csv reason neutralised"
has "'=1+2" results.csv "csv parameter neutralised"
has "'-2+3" results.csv "csv text '-2+3' neutralised"
# a signed number as text is a number to a spreadsheet too: left as the
# model saw it
if grep -q "'-3" results.csv; then fail "csv text '-3' changed: $(cat results.csv)"; else ok "csv '-3' kept"; fi

# ---- 2. one SIGINT during a step ----------------------------------------
export WJR_MOCK_STATE="$W/int.state.json" WJR_MOCK_POLLS_UNTIL_DONE=1
cat >slow.cfg <<'CFG'
parameters = { x1 = { type = "range"; bounds = [0.0, 1.0]; }; x2 = { type = "range"; bounds = [0.0, 1.0]; }; };
scheduler = { total_trials = 2; };
script_options = { run_model = "sh model.sh"; set_trial_status = "sleep NAP; true";
                   experiment_dir = "runs/slow"; };
slurm = { partition = "debug"; time = "00:05:00"; };
CFG
# the hook's sleep, about 4.7 s, named uniquely so that pgrep finds this
# test's own and not that of the same test run elsewhere on the machine
NAP="4.7$(printf '%07d' $$)"
sed -i "s/sleep NAP/sleep $NAP/" slow.cfg
"$WJR" run slow.cfg >int.out 2>int.err &
pid=$!
# wait for the hook to be under way (its sleep is a child of the hook shell)
for _ in $(seq 1 100); do
    pgrep -f "sleep $NAP" >/dev/null && break
    sleep 0.1
done
t0=$(date +%s)
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
took=$(($(date +%s) - t0))
if [[ $rc -eq 130 && $took -le 3 ]]; then
    ok "one SIGINT mid-step: exit 130 after ${took}s"
else
    fail "SIGINT mid-step: exit $rc after ${took}s: $(cat int.err)"
fi
pgrep -f "sleep $NAP" >/dev/null && fail "the hook's sleep still runs"
grep -q "FAILED" runs/slow/wjr.log && fail "an interrupted hook failed a trial: $(cat runs/slow/wjr.log)"
"$WJR" resume runs/slow >resume.out 2>&1
rc=$?
if [[ $rc -eq 0 ]] && grep -q "2 completed" resume.out; then
    ok "resume finishes the study"
else
    fail "resume: exit $rc: $(cat resume.out)"
fi

# ---- 2b. trials in flight --------------------------------------------
# flight.sh fails trials 0-4 and completes the others; with array_throttle 5
# the first five run (and fail) before the last three start, so the failure
# rate stops the study while three trials are still in Slurm.
export WJR_MOCK_STATE="$W/flight.state.json" WJR_MOCK_POLLS_UNTIL_DONE=1
cat >flight.sh <<'SH'
for d; do :; done
case "$d" in */00000[0-4]) exit 3 ;; esac
echo '{"branin": 1.0}' >"$d/output.json"
SH
cat >flight.cfg <<'CFG'
objective = { metrics = ( { name = "branin"; minimize = true; } ); };
generation_strategy = { steps = ( { model = "SOBOL"; num_trials = -1; } ); };
parameters = { x1 = { type = "range"; bounds = [0.0, 1.0]; }; x2 = { type = "range"; bounds = [0.0, 1.0]; }; };
scheduler = { total_trials = 8; max_pending_trials = 8; run_trials_in_batches = true;
              tolerated_trial_failure_rate = 0.1; init_seconds_between_polls = 2.0; };
script_options = { run_model = "sh flight.sh"; experiment_dir = "runs/flight"; };
slurm = { partition = "debug"; time = "00:05:00"; array_throttle = 5; };
CFG
# interrupt PATTERN ARGS...: run wjr in the background, SIGINT it once its
# stderr (flight.err) holds PATTERN; its exit code in $rc
interrupt() {
    local pattern=$1 pid
    shift
    "$WJR" "$@" >flight.out 2>flight.err &
    pid=$!
    for _ in $(seq 1 100); do
        grep -q "$pattern" flight.err && break
        sleep 0.05
    done
    kill -INT "$pid"
    rc=0
    wait "$pid" || rc=$?
}
# the 8 trials were just submitted and wait in the queue: none runs yet
interrupt "submitted trials 0-7" run flight.cfg
has "interrupted: 8 trials keep running or waiting in Slurm" flight.err "SIGINT counts queued trials"
[[ $rc -eq 130 ]] || fail "SIGINT while queued: exit $rc"
# the study stops on its failure rate and waits for trials 5-7: interrupted there
interrupt "the study stopped" resume runs/flight
has "waiting for the 3 trials still in Slurm to end" flight.err "a stopped study waits for its trials"
has "interrupted: 3 trials keep running or waiting in Slurm" flight.err "SIGINT counts running trials"
"$WJR" status --json runs/flight >flight.status 2>&1
if jq -e '[.trials[] | select(.status == "RUNNING")] | length == 3' flight.status >/dev/null; then
    ok "3 trials left running"
else
    fail "before collecting: $(cat flight.status)"
fi
# resuming the stopped study collects them, submitting nothing
"$WJR" resume runs/flight >flight.out 2>flight.err
rc=$?
"$WJR" status --json runs/flight >flight.status 2>&1
if [[ $rc -eq 1 ]] && grep -q "failed: 8 trials (3 completed, 5 failed, 0 abandoned, 0 unfinished)" flight.out &&
    jq -e '[.trials[] | .status] == ["FAILED", "FAILED", "FAILED", "FAILED", "FAILED",
        "COMPLETED", "COMPLETED", "COMPLETED"] and all(.trials[5:][]; .slurm_state == "COMPLETED"
        and .metrics.branin.mean == 1)' flight.status >/dev/null &&
    [[ "$(tail -n +2 runs/flight/results.csv | grep -c ',COMPLETED,')" -eq 3 ]] &&
    [[ "$(jq '.submissions | length' "$WJR_MOCK_STATE")" -eq 1 ]]; then
    ok "resume collects the trials of a stopped study"
else
    fail "resume of a stopped study: exit $rc: $(cat flight.out flight.err flight.status)"
fi
# without an interruption, run itself ends with every state final
export WJR_MOCK_STATE="$W/flight2.state.json"
sed -e 's|runs/flight|runs/flight2|' -e 's/= 2.0;/= 0.05;/' flight.cfg >flight2.cfg
"$WJR" run flight2.cfg >flight.out 2>flight.err
rc=$?
if [[ $rc -eq 1 ]] && grep -q "(3 completed, 5 failed, 0 abandoned, 0 unfinished)" flight.out; then
    ok "a stopped run waits for its trials in flight"
else
    fail "stopped run: exit $rc: $(cat flight.out flight.err)"
fi

# ---- 3. a hook past WJR_HOOK_TIMEOUT ------------------------------------
export WJR_MOCK_STATE="$W/to.state.json"
sed -e 's|runs/slow|runs/to|' -e "s|set_trial_status = \"sleep $NAP; true\";|fetch_trial_data = \"sleep 30; true\";|" \
    slow.cfg >to.cfg
t0=$(date +%s)
WJR_HOOK_TIMEOUT=1 "$WJR" run to.cfg >to.out 2>&1
rc=$?
took=$(($(date +%s) - t0))
if [[ $took -le 20 ]] && grep -q "did not finish within 1 s" runs/to/wjr.log; then
    ok "hook timeout (exit $rc after ${took}s)"
else
    fail "hook timeout: exit $rc after ${took}s: $(cat to.out)"
fi

[[ $failures -eq 0 ]] && echo "cli_reliability: all passed"
exit $((failures > 0))
