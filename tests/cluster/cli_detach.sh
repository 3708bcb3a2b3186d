#!/usr/bin/env bash
# The driver as a Slurm job: `wjr run --detach` prints the driver's job id
# and the study runs without a process on this host; the driver job is
# cancelled in the middle, `wjr status` names it, `wjr resume --detach`
# starts another one, a foreground `wjr resume` is refused while it drives,
# and the study finishes with every trial run exactly once.
. "$(dirname "$0")/cli_lib.sh"

write_config 4 false 3
cat >>"$WORK/study.cfg" <<'EOS'
slurm = { partition = "debug"; time = "00:05:00"; cpus_per_task = 1; mem = "100M";
          driver_partition = "debug"; driver_time = "00:10:00"; };
EOS
# the second slurm group replaces the first: keep only the last one
python3 - "$WORK/study.cfg" <<'EOS'
import sys
p = sys.argv[1]
lines = open(p).read().splitlines()
first = next(i for i, l in enumerate(lines) if l.startswith("slurm = "))
del lines[first]
open(p, "w").write("\n".join(lines) + "\n")
EOS
"$WJR" check "$WORK/study.cfg" >/dev/null || fail "wjr check refused the configuration"

driver_state() { squeue -h -j "$1" -o %T 2>/dev/null || true; }
wait_driver_gone() {
    local i
    for i in $(seq 1 120); do
        [[ -z "$(driver_state "$1")" ]] && return 0
        sleep 1
    done
    fail "driver job $1 still queued after 120 s"
}

job1="$("$WJR" run --detach "$WORK/study.cfg" 2>"$WORK/run.err")" || { cat "$WORK/run.err" >&2; fail "run --detach"; }
[[ "$job1" =~ ^[0-9]+$ ]] || fail "run --detach printed '$job1', not a job id"
squeue -h -j "$job1" -o %j | grep -q '^wjr-driver-' || fail "no driver job $job1 in the queue"
wait_for_submission
scancel "$job1"
wait_driver_gone "$job1"
"$WJR" status "$WORK/exp" >"$WORK/status1.txt"
grep -q "^driver: job $job1 in partition debug" "$WORK/status1.txt" || fail "status: $(cat "$WORK/status1.txt")"

job2="$("$WJR" resume --detach "$WORK/exp" 2>"$WORK/resume.err")" || { cat "$WORK/resume.err" >&2; fail "resume --detach"; }
[[ "$job2" =~ ^[0-9]+$ && "$job2" != "$job1" ]] || fail "resume --detach printed '$job2'"
for i in $(seq 1 60); do
    [[ "$(driver_state "$job2")" == RUNNING ]] && break
    sleep 1
done
sleep 2
if [[ -n "$(driver_state "$job2")" ]]; then
    rc=0
    "$WJR" resume "$WORK/exp" >/dev/null 2>"$WORK/fg.err" || rc=$?
    [[ $rc -eq 2 ]] && grep -q "locked" "$WORK/fg.err" ||
        fail "a foreground resume beside the driver job: exit $rc, $(cat "$WORK/fg.err")"
    # a cancel beside it names the driver job (its `wjr resume` runs in it)
    rc=0
    "$WJR" cancel "$WORK/exp" >/dev/null 2>"$WORK/cancel.err" || rc=$?
    [[ $rc -eq 2 ]] && grep -q "^wjr cancel: the study is driven by its detached driver, Slurm job $job2$" \
        "$WORK/cancel.err" && grep -q "stop the driver first: scancel $job2," "$WORK/cancel.err" ||
        fail "a cancel beside the driver job: exit $rc, $(cat "$WORK/cancel.err")"    # the driver job steps: status sees it alive, on the node it runs on
    "$WJR" status "$WORK/exp" >"$WORK/status2.txt"
    grep -q "^driver: job $job2 in partition debug, submitted .*; running: [0-9]* .*, last step [0-9]*s ago" \
        "$WORK/status2.txt" || fail "status while the driver runs: $(cat "$WORK/status2.txt")"
    note "$(grep '^driver:' "$WORK/status2.txt")"
fi
wait_driver_gone "$job2"
[[ "$(sacct -n -X -P -j "$job2" --format=State | head -1)" == COMPLETED ]] ||
    { cat "$WORK/exp/driver-$job2".* >&2 || true; fail "driver job $job2 did not complete"; }
"$WJR" status "$WORK/exp" | grep -q "^4 trials: 4 completed" || fail "status: $("$WJR" status "$WORK/exp")"
"$WJR" status "$WORK/exp" | grep -q "^driver: job $job2 .*; no driver holds the study now" ||
    fail "status after the driver ended: $("$WJR" status "$WORK/exp")"
check_exactly_once 4
note "ok"
