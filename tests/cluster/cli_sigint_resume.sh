#!/usr/bin/env bash
# SIGINT stops `wjr run` cleanly (exit 130, jobs left running, a resume
# hint); `wjr resume` then finishes the study with every trial run once.
. "$(dirname "$0")/cli_lib.sh"

write_config 5 false 2
"$WJR" run "$WORK/study.cfg" >"$WORK/run.out" 2>"$WORK/run.err" &
BG_PID=$!
wait_for_submission
kill -INT "$BG_PID"
rc=0
wait "$BG_PID" || rc=$?
BG_PID=
[[ $rc -eq 130 ]] || { cat "$WORK/run.err" >&2; fail "run exited $rc after SIGINT, not 130"; }
grep -q "continue with: wjr resume $WORK/exp" "$WORK/run.err" || fail "no resume hint: $(cat "$WORK/run.err")"
rc=0
"$WJR" resume "$WORK/exp" >"$WORK/resume.out" 2>"$WORK/resume.err" || rc=$?
[[ $rc -eq 0 ]] || { cat "$WORK/resume.err" >&2; fail "resume exited $rc"; }
check_exactly_once 5
note "ok"
