#!/usr/bin/env bash
# Two `wjr` processes on one study: the second is refused with the holder's
# pid, host and command, and the study is not corrupted.
. "$(dirname "$0")/cli_lib.sh"

write_config 3 false 3
"$WJR" run -q "$WORK/study.cfg" >"$WORK/run.out" 2>"$WORK/run.err" &
BG_PID=$!
wait_for_submission
for cmd in resume submit cancel poll; do
    rc=0
    case $cmd in
        submit) "$WJR" submit "$WORK/exp" --params '{"x1":1,"x2":2,"opt":"a","n":1}' 2>"$WORK/second.err" >/dev/null || rc=$? ;;
        *) "$WJR" "$cmd" "$WORK/exp" 2>"$WORK/second.err" >/dev/null || rc=$? ;;
    esac
    [[ $rc -eq 2 ]] || fail "second wjr $cmd exited $rc, not 2"
    grep -q "study locked by pid $BG_PID on $(hostname) (wjr run -q $WORK/study.cfg)" "$WORK/second.err" ||
        fail "wjr $cmd: $(cat "$WORK/second.err")"
done
"$WJR" status "$WORK/exp" >/dev/null || fail "status must work while the study runs"
rc=0
wait "$BG_PID" || rc=$?
BG_PID=
[[ $rc -eq 0 ]] || { cat "$WORK/run.err" >&2; fail "the first run exited $rc"; }
check_exactly_once 3
note "ok"
