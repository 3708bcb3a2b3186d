#!/usr/bin/env bash
# A whole Branin study (6 trials, job arrays) through `wjr run`: it finishes,
# prints the best trial, and status/results/poll agree with accounting.
. "$(dirname "$0")/cli_lib.sh"

write_config 6 true 0
"$WJR" check "$WORK/study.cfg" >"$WORK/check.out" || fail "wjr check failed"
grep -q "MaxArraySize" "$WORK/check.out" || fail "check shows no MaxArraySize"
rc=0
"$WJR" run "$WORK/study.cfg" >"$WORK/run.out" 2>"$WORK/run.err" || rc=$?
[[ $rc -eq 0 ]] || { cat "$WORK/run.err" >&2; fail "wjr run exited $rc"; }
grep -q "^best trial: " "$WORK/run.out" || fail "no best trial in: $(cat "$WORK/run.out")"
grep -q "finished: 6 trials (6 completed" "$WORK/run.out" || fail "summary: $(cat "$WORK/run.out")"
check_exactly_once 6
"$WJR" status --json "$WORK/exp" | python3 -c '
import json, sys
t = json.load(sys.stdin)["trials"]
assert len(t) == 6, t
for x in t:
    assert x["status"] == "COMPLETED" and x["job_id"], x
    assert isinstance(x["metrics"]["branin"]["mean"], float), x
    assert set(x["parameters"]) == {"x1", "x2", "opt", "n"}, x
' || fail "status --json"
"$WJR" results --json "$WORK/exp" | python3 -c '
import json, sys
r = json.load(sys.stdin)
best = min(r["trials"], key=lambda x: x["metrics"]["branin"]["mean"])
assert r["best"]["index"] == best["index"], r["best"]
' || fail "results --json: best is not the minimum"
"$WJR" poll "$WORK/exp" | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert sorted(p["COMPLETED"]) == list(range(6)), p
' || fail "poll"
rc=0
"$WJR" run "$WORK/study.cfg" 2>"$WORK/again.err" || rc=$?
[[ $rc -eq 2 ]] && grep -q "wjr resume" "$WORK/again.err" || fail "a second run was not refused ($rc)"
note "ok"
