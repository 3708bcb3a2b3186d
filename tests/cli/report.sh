#!/usr/bin/env bash
# `wjr report` without a cluster: a study run through the fake controller of
# tests/mock/ (`wjr-mock`, execute mode: a model that fails some trials and
# writes to stderr), and a generated 10,000-trial study with hostile strings
# (gen_study.py). check_report.py compares each page with `wjr status
# --json` of its study; here: exit codes, the size limit, the
# report of a locked study, output to stdout, usage errors.
#   usage: tests/cli/report.sh PATH/TO/wjr-mock
set -uo pipefail

command -v jq >/dev/null || { echo "FAIL: jq is needed (scripts/deps.sh installs it)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "FAIL: python3 is needed (scripts/deps.sh)" >&2; exit 1; }
HERE="$(cd "$(dirname "$0")" && pwd)"
WJR="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
W="$(mktemp -d /tmp/wjr-cli-report-XXXXXX)"
trap 'rm -rf "$W"' EXIT
cp "$HERE"/mock_study/* "$W/"
cd "$W" || exit 1

export SLURM_CONF="$HERE/../study/data/slurm.conf"
export WJR_MOCK_EXEC=1 WJR_MOCK_POLLS_UNTIL_DONE=1 WJR_MOCK_PARTITIONS=debug:60
export WJR_MOCK_STATE="$W/fail.state.json"
unset WJR_MOCK_UNREACHABLE WJR_MOCK_FAIL_SUBMIT WJR_MOCK_FAIL_QUERY WJR_MOCK_FAIL_KILL \
    WJR_MOCK_FAIL_CONF WJR_MOCK_FAIL_PARTITIONS WJR_MOCK_MAX_ARRAY_SIZE WJR_MOCK_LOSE_SUBMIT_ANSWER
failures=0

fail() {
    echo "FAIL $*" >&2
    failures=$((failures + 1))
}
ok() { echo "ok $*"; }

# wjr NAME ARGS...: out/NAME.{out,err}, exit code in $rc
mkdir -p out
wjr() {
    local name=$1
    shift
    rc=0
    timeout 120 "$WJR" "$@" >"out/$name.out" 2>"out/$name.err" || rc=$?
}
expect() {
    if [[ $rc -ne $2 ]]; then
        fail "$1: exit $rc, expected $2"
        sed 's/^/    /' "out/$1.err" >&2
    else
        ok "$1 (exit $rc)"
    fi
}
# check_page NAME PAGE DIR [ARGS]: the page against `wjr status --json DIR`
check_page() {
    "$WJR" status --json "$3" >"out/$1.status.json" || fail "$1: wjr status"
    if python3 "$HERE/check_report.py" "$2" "out/$1.status.json" "${@:4}"; then
        ok "$1 (page checked against status --json)"
    else
        fail "$1: page does not show the study"
    fi
}

# ---- 1. a study whose model fails some trials ---------------------------
wjr run_fail run fail.cfg
expect run_fail 1
wjr report_fail report runs/fail
expect report_fail 0
[[ "$(cat out/report_fail.out)" == "$W/runs/fail/report.html" ]] ||
    fail "report_fail: printed '$(cat out/report_fail.out)', not the page's path"
check_page report_fail runs/fail/report.html runs/fail
grep -q 'x1 above 5: failing' runs/fail/report.html && ok "stderr lines in the failures table" ||
    fail "the failed trials' stderr is not shown"
# an array task that failed before its script redirected stderr: Slurm's file in logs/
job="$(jq -r '[.trials[] | select(.status == "FAILED")][0].job_id' out/report_fail.status.json)"
index="$(jq -r '[.trials[] | select(.status == "FAILED")][0].index' out/report_fail.status.json)"
mv "runs/fail/$(printf %06d "$index")/slurm-$job.err" "$W/moved.err"
echo "wjr: cannot enter the trial directory (test)" >>"runs/fail/logs/slurm-$job.err"
wjr report_logs report -o logs.html runs/fail
grep -q 'wjr: cannot enter the trial directory (test)' logs.html && ok "stderr from logs/ when the trial has none" ||
    fail "stderr of logs/slurm-$job.err not shown"
mv "$W/moved.err" "runs/fail/$(printf %06d "$index")/slurm-$job.err"
version="$(jq -r .runner.backend.settings.slurm_version runs/fail/study.json)"
# the runner's records: in the snapshot, and in the journal's records after it
cluster="$({
    jq -r '.trials[].run.cluster // empty' runs/fail/study.json
    cut -c19- runs/fail/study.journal | jq -r '.runs[]?.cluster // empty'
} | head -n 1)"
[[ -n "$version" && "$version" != null ]] && grep -q "<th>Slurm version</th><td>$version</td>" \
    runs/fail/report.html && grep -q "<th>cluster</th><td>$cluster</td>" runs/fail/report.html &&
    ok "cluster and Slurm version" || fail "cluster '$cluster' or Slurm version '$version' not shown"

# the study is being driven (its lock is held): the report still works,
# while a command that takes the lock does not
flock -n runs/fail/.lock -c "'$WJR' report -o '$W/locked.html' runs/fail" >out/locked.out 2>&1 &&
    [[ -s locked.html ]] && ok "report of a locked study" || fail "report of a locked study: $(cat out/locked.out)"
flock -n runs/fail/.lock -c "'$WJR' cancel runs/fail" >out/locked_cancel.out 2>&1
[[ $? -eq 2 ]] && grep -q locked out/locked_cancel.out && ok "the lock was held" ||
    fail "cancel under the held lock: $(cat out/locked_cancel.out)"

wjr report_stdout report -o - runs/fail
expect report_stdout 0
cmp -s <(sed 's/report of [0-9-]* [0-9:]* UTC//' out/report_stdout.out) \
    <(sed 's/report of [0-9-]* [0-9:]* UTC//' runs/fail/report.html) &&
    ok "-o - writes the page to stdout" || fail "-o - differs from the file"

# ---- 1b. two generation steps: each trial's dot in its step's colour ------
export WJR_MOCK_STATE="$W/steps.state.json"
sed -e 's|runs/fail|runs/steps|' -e 's|sh model.sh fail|sh model.sh|' \
    -e 's|steps = ( { model = "SOBOL"; num_trials = -1; } )|steps = ( { model = "SOBOL"; num_trials = 3; }, { model = "RANDOM"; num_trials = -1; } )|' \
    fail.cfg >steps.cfg
wjr run_steps run steps.cfg
expect run_steps 0
wjr report_steps report -o steps.html runs/steps
expect report_steps 0
check_page report_steps steps.html runs/steps
"$WJR" status --json runs/steps >out/steps.status.json
python3 - steps.html out/steps.status.json <<'EOS' && ok "steps coloured" || fail "steps not coloured by trial"
import json, re, sys
page = open(sys.argv[1]).read()
chart = page[page.index('<div class="by-index">'):page.index('<div class="by-time">')]
done = [t["index"] for t in json.load(open(sys.argv[2]))["trials"] if t["status"] == "COMPLETED"]
sobol = len(re.findall(r'<circle [^>]*fill="#3b6fb6"', chart))
random = len(re.findall(r'<circle [^>]*fill="#8e5bb5"', chart))
assert (sobol, random) == (len([i for i in done if i < 3]), len([i for i in done if i >= 3])), (sobol, random)
assert 'SOBOL</span>' in page and 'RANDOM</span>' in page, "legend"
EOS
export WJR_MOCK_STATE="$W/fail.state.json"

# ---- 2. an external optimizer's study: empty, then one trial -------------
# (no objective in its configuration: ranked by the metric the trials report)
export WJR_MOCK_STATE="$W/external.state.json"
wjr init_external init external.cfg
expect init_external 0
wjr report_empty report -o empty.html runs/external
expect report_empty 0
check_page report_empty empty.html runs/external
# Slurm job options: only those set (fail.cfg sets cpus_per_task, this one not)
if grep -q '<th>cpus_per_task</th>' empty.html; then
    fail "an unset cpus_per_task is listed"
else
    ok "an unset slurm option is not listed"
fi
grep -q '<th>cpus_per_task</th><td>1</td>' runs/fail/report.html && ok "a set cpus_per_task is listed" ||
    fail "cpus_per_task = 1 is not listed"
wjr submit_external submit runs/external --params '{"x1": 1, "note": "</pre><b>bold</b>"}'
expect submit_external 0
wjr poll_external poll runs/external
wjr poll_external poll runs/external
wjr report_external report -o external.html runs/external
expect report_external 0
check_page report_external external.html runs/external
grep -q 'note = &lt;/pre&gt;&lt;b&gt;bold&lt;/b&gt;' external.html && ok "parameter values escaped" ||
    fail "the parameter value is not shown escaped"
export WJR_MOCK_STATE="$W/fail.state.json"

# ---- 3. usage errors -----------------------------------------------------
wjr report_no_dir report
expect report_no_dir 2
wjr report_missing report "$W/none"
expect report_missing 2
wjr report_unwritable report -o "$W/none/x.html" runs/fail
expect report_unwritable 4 # I/O, as the README's exit codes say
grep -qF "wjr report: cannot write $W/none/x.html: No such file or directory" out/report_unwritable.err ||
    fail "report_unwritable does not name the file asked for"
[[ -z "$(ls "$W"/none* 2>/dev/null)" ]] || fail "report_unwritable left files"

# ---- 4. 10,000 trials: under 5 MB, hostile strings as text ---------------
python3 "$HERE/gen_study.py" big 10000 7 || fail "gen_study.py"
start=$(date +%s%N)
wjr report_big report -o big.html big
end=$(date +%s%N)
expect report_big 0
ms=$(((end - start) / 1000000))
size=$(stat -c %s big.html)
# the time is reported, not asserted: a timed test only measures the machine
echo "note: the page of 10,000 trials took $ms ms"
[[ $size -lt 5000000 ]] && ok "10,000 trials in $size bytes" || fail "page of $size bytes (limit 5 MB)"
# lr is log_scale: its chart's x axis says so, and only its chart does
[[ "$(grep -o 'text-anchor="middle">log scale</text>' big.html | wc -l)" -eq 1 ]] &&
    ok "the log-scale parameter's axis says so" || fail "no single 'log scale' axis title"
check_page report_big big.html big --expected big/expected.json
grep -q '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;' big.html &&
    grep -q 'Traceback: &lt;b&gt;boom&lt;/b&gt;' big.html && ok "hostile strings escaped" ||
    fail "hostile strings are not shown escaped"

# ---- 5. jobs in flight, by hand: 4 jobs at once, one running 40 s and three 5 s
python3 "$HERE/gen_study.py" flight 4 1 >/dev/null || fail "gen_study.py flight"
sed -i 's/max_pending_trials = 40/max_pending_trials = 4/' flight/config.cfg
python3 - flight/study.json <<'EOS' || fail "flight: study not written"
import json, sys
study = json.load(open(sys.argv[1]))
t0 = 1700000000
for rec in study["runner"]["trials"]:
    rec.update(status="COMPLETED", state_word=3, slurm_state="COMPLETED", exit_code=0,
               submit_time=t0, start_time=t0, end_time=t0 + (40 if rec["index"] == 0 else 5),
               metrics={"loss": {"mean": 1.0 + rec["index"], "sem": None}})
study["state"] = "finished"
json.dump(study, open(sys.argv[1], "w"))
EOS
wjr report_flight report -o flight.html flight
expect report_flight 0
check_page report_flight flight.html flight
python3 - flight.html "$HERE" <<'EOS' && ok "in flight: 4 running for 5 s, then 1 for 35 s" ||
import sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[2])
from check_report import flight_series
series, limit = flight_series(open(sys.argv[1]).read())
got = [tuple(round(v) for v in p) for p in series(4)]  # top: 4 in flight, the limit 4
assert limit == 4, limit
assert set(got[:50]) == {(4, 0)}, got[:50]  # buckets of 0.1 s: 0 to 5 s
assert set(got[50:]) == {(1, 0)}, got[50:]  # 5 s to 40 s (the last bucket holds t1: max)
EOS
    fail "in flight: the 4-job study is not drawn as it ran"

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
