#!/usr/bin/env bash
# SIGKILL `wjr run` right after its first submissions, then `wjr resume`:
# the study finishes and every trial ran exactly once in accounting.
. "$(dirname "$0")/cli_lib.sh"

for batches in false true; do
    rm -rf "$WORK/exp"
    write_config 5 "$batches" 2
    "$WJR" run -q "$WORK/study.cfg" >"$WORK/run.out" 2>&1 &
    BG_PID=$!
    wait_for_submission
    kill -9 "$BG_PID"
    wait "$BG_PID" 2>/dev/null || true
    BG_PID=
    rc=0
    "$WJR" resume "$WORK/exp" >"$WORK/resume.out" 2>"$WORK/resume.err" || rc=$?
    [[ $rc -eq 0 ]] || { cat "$WORK/resume.err" >&2; fail "resume exited $rc (batches=$batches)"; }
    grep -q "^best trial: " "$WORK/resume.out" || fail "no best trial after resume"
    check_exactly_once 5
    note "ok (batches=$batches)"
done
