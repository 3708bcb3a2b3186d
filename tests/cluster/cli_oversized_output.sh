#!/usr/bin/env bash
# A hostile model on the real cluster: one trial's job writes an output.json
# of 17 MiB (more than the 16 MiB a trial file may hold), one an output.json
# that is a symbolic link to /dev/zero. The driver reads neither whole: the
# two trials become FAILED with a reason that names the file, the others
# complete, and the study ends (exit 1: trials failed) within its time.
. "$(dirname "$0")/cli_lib.sh"

write_config 4 false 0
cat >"$WORK/slow_model.sh" <<EOS
#!/bin/sh
# \$1: the trial directory; trials 1 and 2 misbehave
case "\$(basename "\$1")" in
000001) python3 -c 'import sys; sys.stdout.write("{\"branin\": 1.0, \"pad\": \"" + "x" * (17 << 20) + "\"}")' >"\$1/output.json" ;;
000002) ln -sf /dev/zero "\$1/output.json" ;;
*) exec python3 '$ROOT/examples/branin/model.py' "\$@" ;;
esac
EOS
rc=0
timeout 240 "$WJR" run "$WORK/study.cfg" >"$WORK/run.out" 2>"$WORK/run.err" || rc=$?
[[ $rc -ne 124 ]] || fail "wjr run did not end in 240 s: $(tail -5 "$WORK/run.err")"
[[ $rc -eq 0 || $rc -eq 1 ]] || { cat "$WORK/run.err" >&2; fail "wjr run exited $rc"; }
"$WJR" status --json "$WORK/exp" >"$WORK/status.json" || fail "wjr status failed"
python3 - "$WORK/status.json" <<'PY' || fail "statuses: $(cat "$WORK/status.json")"
import json, sys
t = {x["index"]: x for x in json.load(open(sys.argv[1]))["trials"]}
assert len(t) == 4, t.keys()
for i in (1, 2):
    assert t[i]["status"] == "FAILED", (i, t[i]["status"])
    assert "output.json" in (t[i]["reason"] or ""), (i, t[i]["reason"])
assert "more than" in t[1]["reason"], t[1]["reason"]
for i in (0, 3):
    assert t[i]["status"] == "COMPLETED", (i, t[i]["status"], t[i]["reason"])
PY
note "reasons: $(python3 -c 'import json,sys; [print(x["index"], x["reason"]) for x in json.load(open(sys.argv[1]))["trials"] if x["status"] == "FAILED"]' "$WORK/status.json" | tr '\n' ';')"
note "ok"
