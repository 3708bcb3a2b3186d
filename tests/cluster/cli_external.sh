#!/usr/bin/env bash
# An external optimizer's path: wjr init, submit (one, then a batch), poll
# until done, status --json with metrics, cancel, and hostile values.
. "$(dirname "$0")/cli_lib.sh"

write_config 6 true 0
"$WJR" init "$WORK/study.cfg" >/dev/null || fail "init"
"$WJR" submit "$WORK/exp" --params '{"x1": 1.0, "x2": 2.0, "opt": "a", "n": 2}' >"$WORK/one.json" ||
    fail "submit"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m["trial_index"] == 0 and m["job_id"], m' \
    "$WORK/one.json" || fail "submit output: $(cat "$WORK/one.json")"
printf '%s\n' '{"x1": 3.0, "x2": 2.0, "opt": "b", "n": 1}' '' '{"x1": -3.0, "x2": 12.0, "opt": "a", "n": 8}' >"$WORK/batch.jsonl"
"$WJR" submit "$WORK/exp" --batch "$WORK/batch.jsonl" >"$WORK/batch.json" || fail "submit --batch"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert sorted(m) == ["1", "2"], m' \
    "$WORK/batch.json" || fail "batch output: $(cat "$WORK/batch.json")"
rc=0
"$WJR" submit "$WORK/exp" --params '{"x1": 1.0, "x2": 2.0, "opt": "$(touch /tmp/pwned)", "n": 2}' 2>/dev/null || rc=$?
[[ $rc -eq 2 ]] || fail "a value outside the choices was not refused ($rc)"
rc=0
"$WJR" submit "$WORK/exp" --params '{"x1": ' 2>/dev/null || rc=$?
[[ $rc -eq 2 ]] || fail "bad JSON was not refused ($rc)"
for i in $(seq 1 60); do
    "$WJR" poll "$WORK/exp" >"$WORK/poll.json"
    python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); sys.exit(0 if sorted(p["COMPLETED"]) == [0, 1, 2] else 1)' \
        "$WORK/poll.json" && break
    sleep 1
done
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert sorted(p["COMPLETED"]) == [0, 1, 2], p' \
    "$WORK/poll.json" || fail "trials did not complete: $(cat "$WORK/poll.json")"
"$WJR" status --json "$WORK/exp" | python3 -c '
import json, sys
t = json.load(sys.stdin)["trials"]
assert [x["index"] for x in t] == [0, 1, 2], t
assert all("mean" in x["metrics"]["branin"] for x in t), t
' || fail "status --json"
"$WJR" cancel "$WORK/exp" >/dev/null || fail "cancel of nothing unfinished"
rc=0
"$WJR" cancel "$WORK/exp" 99 2>/dev/null || rc=$?
[[ $rc -eq 2 ]] || fail "cancel of an unknown trial exited $rc"
note "ok"
