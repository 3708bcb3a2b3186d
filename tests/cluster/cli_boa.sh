#!/usr/bin/env bash
# BOA's own kind of study, run unchanged: the YAML configurations and model
# scripts of examples/boa (R, shell, Python) through `wjr run`, without a
# slurm section. Checks templated commands and a relative source() in R,
# BOA's four commands, every output and status file name, EARLY_STOPPED, a
# late output, hostile template values, every metric function, and
# parameter and outcome constraints.
. "$(dirname "$0")/cli_lib.sh"

command -v Rscript >/dev/null || fail "Rscript is missing: scripts/deps.sh installs r-base-core"
cp -r "$ROOT/examples/boa" "$WORK/boa"
B="$WORK/boa"

run_study() { # DIR: wjr run DIR/config.yaml from elsewhere; prints the experiment dir
    local rc=0
    (cd / && "$WJR" run "$1/config.yaml") >"$1/run.out" 2>"$1/run.err" || rc=$?
    [[ $rc -eq 0 ]] || { cat "$1/run.err" >&2; fail "wjr run $1 exited $rc"; }
    sed -n 's/^results: \(.*\)\/results.csv$/\1/p' "$1/run.out"
}

# R, templated command, source("../r_utils/..."), TrialStatus.json
"$WJR" check "$B/r_light/config.yaml" >"$WORK/check.out" || fail "wjr check r_light"
grep -q "partition: debug (the cluster's default)" "$WORK/check.out" ||
    fail "check: $(cat "$WORK/check.out")"
X=$(run_study "$B/r_light")
[[ -d "$X" && "$X" == "$B/r_light/r_light_"* ]] || fail "r_light experiment dir: $X"
grep -q "finished: 4 trials (4 completed" "$B/r_light/run.out" || fail "r_light: $(cat "$B/r_light/run.out")"
# a rerun makes a new directory instead of refusing
sleep 1
X2=$(run_study "$B/r_light")
[[ -d "$X2" && "$X2" != "$X" ]] || fail "r_light rerun: $X2"

# R with BOA's four commands and the `mean` metric function
X=$(run_study "$B/r_full")
[[ "$X" == "$B/r_full/runs/r_full" ]] || fail "r_full experiment dir: $X"
grep -q "finished: 3 trials (3 completed" "$B/r_full/run.out" || fail "r_full: $(cat "$B/r_full/run.out")"
"$WJR" results --json "$X" | python3 -c '
import json, sys
r = json.load(sys.stdin)
for t in r["trials"]:
    assert -3.33 < t["metrics"]["metric"]["mean"] < 0, t
' || fail "r_full metrics"
"$WJR" resume "$X" >"$WORK/resume.out" 2>&1 || fail "resume: $(cat "$WORK/resume.out")"
grep -q "finished: 3 trials (3 completed" "$WORK/resume.out" || fail "resume: $(cat "$WORK/resume.out")"

# shell: every file name, EARLY_STOPPED, a late output, hostile values
X=$(run_study "$B/shell_files")
grep -q "finished: 18 trials (17 completed, 0 failed, 0 abandoned, 1 early-stopped" \
    "$B/shell_files/run.out" || fail "shell_files: $(cat "$B/shell_files/run.out")"
[[ ! -e "$B/shell_files/PWNED" && ! -e "$X/000000/PWNED" ]] || fail "a value ran in a shell"
ls "$X"/logs/slurm-*_*.out >/dev/null 2>&1 || fail "shell_files: no job array ran"
python3 - "$X" <<'EOS' || fail "shell_files trials"
import json, pathlib, sys
x = pathlib.Path(sys.argv[1])
for i in range(18):
    d = x / f"{i:06d}"
    params = json.loads((d / "parameters.json").read_text())
    assert (d / "arg.txt").read_text() == params["word"], (i, params)
EOS
"$WJR" status --json "$X" | python3 -c '
import json, sys
t = {x["index"]: x for x in json.load(sys.stdin)["trials"]}
assert t[5]["status"] == "EARLY_STOPPED", t[5]
assert "EARLY_STOPPED" in t[5]["reason"], t[5]
assert abs(t[5]["metrics"]["metric"]["mean"] - (t[5]["parameters"]["x"] - 0.3) ** 2) < 1e-9, t[5]
assert t[2]["status"] == "COMPLETED", t[2]  # its output came 4 s late
for i, x in t.items():
    if i != 5:
        assert x["status"] == "COMPLETED", x
' || fail "shell_files status"
"$WJR" poll "$X" | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert p["EARLY_STOPPED"] == [5], p
assert len(p["COMPLETED"]) == 17, p
' || fail "poll: EARLY_STOPPED"

# Python: every metric function, BOA's scalarized objective
X=$(run_study "$B/python_metrics")
[[ "$X" == "$B/python_metrics/runs/metrics" ]] || fail "python_metrics experiment dir: $X"
"$WJR" results --json "$X" | python3 -c '
import json, math, sys
r = json.load(sys.stdin)
assert r["objective"] == {"metric": "weighted_sum", "minimize": True}, r["objective"]
def pct(s, q):
    pos = q * (len(s) - 1); lo = int(pos); hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)
best = None
for t in r["trials"]:
    x, y = t["parameters"]["x"], t["parameters"]["y"]
    assert round(y, 3) == y, y
    yt = [1.0, 2.0, 3.0, 4.0]; yp = [x * v + y for v in yt]
    mse = sum((a - b) ** 2 for a, b in zip(yt, yp)) / 4
    m = {k: v["mean"] for k, v in t["metrics"].items()}
    want = {"mean": (x + y + x + y) / 3, "mse": mse, "rmse": math.sqrt(mse),
            "r2": 1 - mse * 4 / sum((a - 2.5) ** 2 for a in yt),
            "nrmse": math.sqrt(mse) / (max(yp) - min(yp)), "passthrough": x - y}
    for k, v in want.items():
        assert abs(m[k] - v) < 1e-9 * max(1, abs(v)), (k, m[k], v)
    s = want["mean"] + 0.5 * want["rmse"]
    if best is None or s < best[0]:
        best = (s, t["index"])
assert r["best"]["index"] == best[1], (r["best"], best)
' || fail "python_metrics values"
# Constraints, as BOA writes them: a parameter constraint no generated
# trial breaks (SOBOL nor GPEI), an outcome constraint that decides which
# trials are feasible, and a best trial that is feasible
X=$(run_study "$B/constraints")
[[ "$X" == "$B/constraints/runs/constraints" ]] || fail "constraints experiment dir: $X"
"$WJR" results --json "$X" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert len(r["trials"]) == 8, len(r["trials"])
gens = [t["generation"] for t in r["trials"]]
assert gens == ["SOBOL"] * 5 + ["GPEI"] * 3, gens
best = None
for t in r["trials"]:
    p, m = t["parameters"], t["metrics"]
    assert p["x1"] + p["x2"] <= 15.0 + 1e-9, (t["index"], p)
    ok = m["cost"]["mean"] <= 6.0
    assert t["feasible"] == ok, (t["index"], t["feasible"], m)
    if ok and (best is None or m["branin"]["mean"] < best[0]):
        best = (m["branin"]["mean"], t["index"])
assert best is not None and r["best"]["index"] == best[1], (r["best"], best)
' || fail "constraints: $("$WJR" results --json "$X")"
note "ok"
