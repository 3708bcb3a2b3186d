#!/usr/bin/env bash
# Fault injection: slurmdbd is down while wjr looks up a job that slurmctld
# has purged (MinJobAge) and whose exit record is gone. The trial stays
# RUNNING (never FAILED or COMPLETED on a guess); once slurmdbd is back, the
# next poll settles it from accounting: COMPLETED.
. "$(dirname "$0")/cli_lib.sh"
. "$(dirname "$0")/cli_faults_lib.sh"

trap 'rc=$?; dbd_start; (exit $rc); cleanup' EXIT
cat >"$WORK/study.cfg" <<EOS
script_options = { run_model = "python3 '$ROOT/examples/branin/model.py'"; experiment_dir = "exp"; };
slurm = { partition = "debug"; time = "00:05:00"; };
EOS
"$WJR" init "$WORK/study.cfg" >/dev/null 2>"$WORK/init.err" || fail "init: $(cat "$WORK/init.err")"
"$WJR" submit "$WORK/exp" --params '{"x1": 1.0, "x2": 2.0, "opt": "a", "n": 1}' >"$WORK/submit.out" 2>&1 ||
    fail "submit: $(cat "$WORK/submit.out")"
job="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["job_id"])' "$WORK/submit.out")"
for i in $(seq 1 120); do
    [[ -f "$WORK/exp/000000/wjr_exit.json" ]] && break
    sleep 0.5
done
[[ -f "$WORK/exp/000000/wjr_exit.json" ]] || fail "job $job wrote no exit record"
rm -f "$WORK/exp/000000/wjr_exit.json"
note "job $job ended; waiting for slurmctld to purge it"
for i in $(seq 1 150); do
    scontrol show job "$job" >/dev/null 2>&1 || break
    sleep 1
done
scontrol show job "$job" >/dev/null 2>&1 && fail "slurmctld still knows job $job after 150 s"
dbd_stop
note "slurmdbd stopped"
"$WJR" poll "$WORK/exp" >"$WORK/poll1.out" 2>"$WORK/poll1.err" || true
"$WJR" status --json "$WORK/exp" >"$WORK/status1.json" 2>&1 || fail "status: $(cat "$WORK/status1.json")"
st="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["trials"][0]["status"])' "$WORK/status1.json")"
[[ "$st" == RUNNING ]] || fail "with slurmdbd down the purged trial is $st, not RUNNING: $(cat "$WORK/poll1.err")"
dbd_start
note "slurmdbd started again"
st=""
for i in $(seq 1 30); do
    "$WJR" poll "$WORK/exp" >/dev/null 2>&1 || true
    "$WJR" status --json "$WORK/exp" >"$WORK/status2.json" 2>&1
    st="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["trials"][0]["status"])' "$WORK/status2.json")"
    [[ "$st" == RUNNING ]] || break
    sleep 2
done
[[ "$st" == COMPLETED ]] || fail "after slurmdbd came back the trial is $st: $(cat "$WORK/status2.json")"
note "ok"
