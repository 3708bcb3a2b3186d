#!/usr/bin/env bash
# Fault injection: slurmctld stopped for 30 s in the middle of `wjr run`.
# The driver keeps running on its last known statuses (no trial becomes
# terminal while the controller is away), polls again once it is back, and
# the study finishes with every trial run exactly once.
. "$(dirname "$0")/cli_lib.sh"
. "$(dirname "$0")/cli_faults_lib.sh"

trap 'rc=$?; ctld_start; (exit $rc); cleanup' EXIT
write_config 4 false 20
"$WJR" run "$WORK/study.cfg" >"$WORK/run.out" 2>"$WORK/run.err" &
BG_PID=$!
wait_for_submission
sleep 3
ctld_stop
note "slurmctld stopped"
sleep 30
kill -0 "$BG_PID" 2>/dev/null || { cat "$WORK/run.err" >&2; fail "wjr run ended while slurmctld was down"; }
# nothing was settled while the controller was away
# (read as any reader does, without the lock, while the driver appends)
"$WJR" status --json "$WORK/exp" >"$WORK/down.json" || fail "wjr status failed while slurmctld was down"
python3 - "$WORK/down.json" <<'PY' || fail "a trial became terminal while slurmctld was down"
import json, sys
d = json.load(open(sys.argv[1]))
bad = [t for t in d["trials"] if t["status"] not in ("RUNNING", "CANDIDATE")]
sys.exit(1 if bad else 0)
PY
grep -q "could not poll Slurm, statuses are the last known ones" "$WORK/exp/wjr.log" ||
    fail "no warning about the controller in wjr.log"
ctld_start
note "slurmctld started again"
rc=0
wait "$BG_PID" || rc=$?
BG_PID=
[[ $rc -eq 0 ]] || { cat "$WORK/run.err" >&2; fail "wjr run exited $rc"; }
check_exactly_once 4
note "ok"
