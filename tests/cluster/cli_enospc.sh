#!/usr/bin/env bash
# Fault injection: the disk under the experiment directory fills up while
# `wjr run` drives a study (a 4 MiB tmpfs mounted on it, then filled). The
# driver stops with a clear error and exit code 4; study.json is still a
# whole, readable file; after the space is freed `wjr resume` finishes the
# study with every trial run exactly once (nothing lost, nothing twice).
# The models write their output.json first and then sleep, so that the
# full disk hits the driver, not the models.
. "$(dirname "$0")/cli_lib.sh"
. "$(dirname "$0")/cli_faults_lib.sh"

command -v mount >/dev/null || fail "mount is needed"
mkdir -p "$WORK/exp"
mount -t tmpfs -o size=4m wjr-enospc "$WORK/exp" || fail "cannot mount a tmpfs on $WORK/exp (root needed)"
unmount() {
    local rc=$?
    [[ -f "$WORK/exp/study.json" ]] && "$WJR" cancel "$WORK/exp" >/dev/null 2>&1
    umount -l "$WORK/exp" 2>/dev/null || true
    (exit $rc)
    cleanup
}
trap unmount EXIT

write_config 4 false 0
cat >"$WORK/slow_model.sh" <<EOS
#!/bin/sh
python3 '$ROOT/examples/branin/model.py' "\$@" || exit \$?
sleep 15
EOS
"$WJR" run "$WORK/study.cfg" >"$WORK/run.out" 2>"$WORK/run.err" &
BG_PID=$!
wait_for_submission
sleep 3
dd if=/dev/zero of="$WORK/exp/filler" bs=64k 2>/dev/null || true
note "disk full: $(df -h "$WORK/exp" | tail -1)"
rc=0
for i in $(seq 1 900); do
    kill -0 "$BG_PID" 2>/dev/null || break
    sleep 0.1
done
wait "$BG_PID" || rc=$?
BG_PID=
rm -f "$WORK/exp/filler"
[[ $rc -eq 4 ]] || { cat "$WORK/run.err" >&2; fail "wjr run exited $rc on a full disk, not 4"; }
grep -q "No space left on device" "$WORK/run.err" || fail "no ENOSPC message: $(cat "$WORK/run.err")"
grep -q "wjr resume" "$WORK/run.err" || fail "no resume hint: $(cat "$WORK/run.err")"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/exp/study.json" ||
    fail "study.json is not whole after ENOSPC"
note "exit 4: $(grep -m1 'No space' "$WORK/run.err")"
rc=0
"$WJR" resume "$WORK/exp" >"$WORK/resume.out" 2>"$WORK/resume.err" || rc=$?
[[ $rc -eq 0 ]] || { cat "$WORK/resume.err" >&2; fail "resume exited $rc"; }
check_exactly_once 4
note "ok"
