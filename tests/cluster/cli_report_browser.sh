#!/usr/bin/env bash
# `wjr report` of a real study, looked at in a real browser. A study of 8
# trials runs on the local cluster (job arrays of 4 throttled to 2 at once,
# so that jobs queue; the model fails when x1 > 5 and writes to stderr).
# Its page is checked against `wjr status --json` (check_report.py), then
# loaded by headless Chromium (Debian's chromium, installed here when
# missing): no console message, a screenshot that is not blank, each of the
# five sections laid out with a size, text and drawn charts, and the switch
# to end time showing the other convergence chart (measured by a harness
# page that loads the report in a frame). A page that logs an error must be
# caught by the same check.
#   usage: cli_report_browser.sh [PATH/TO/wjr]
# WJR_REPORT_DOCS=DIR also copies the page and its screenshot into DIR as
# report-example.html and report-example.png (docs/ keeps one of each).
. "$(dirname "$0")/cli_lib.sh"

if ! command -v chromium >/dev/null; then
    [[ $EUID -eq 0 ]] || fail "chromium is missing (apt-get install chromium)"
    note "installing Debian's chromium"
    apt-get install -y -o DPkg::Lock::Timeout=900 chromium >"$WORK/apt.log" 2>&1 ||
        { tail "$WORK/apt.log" >&2; fail "cannot install chromium"; }
fi

# chromium_run NAME ARGS...: headless Chromium with a fresh profile, no
# network of its own; stdout to $WORK/NAME.out, its log to $WORK/NAME.log
chromium_run() {
    local name=$1
    shift
    rm -rf "$WORK/profile"
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$WORK/profile" --enable-logging=stderr --v=0 --hide-scrollbars \
        "$@" >"$WORK/$name.out" 2>"$WORK/$name.log" || fail "chromium ($name) exited $?"
}

# ---- the study --------------------------------------------------------------
cat >"$WORK/model.sh" <<'EOS'
#!/bin/sh
# x1 above 5 fails with a message on stderr; the others run Branin
for d; do :; done
if python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["x1"] > 5)' "$d/parameters.json"; then
    sleep 1
    exec python3 "$BRANIN" "$@"
fi
echo "model: x1 is above 5, giving up" >&2
exit 3
EOS
cat >"$WORK/study.cfg" <<EOS
objective = { metrics = ( { name = "branin"; minimize = true; } ); };
parameters = {
  x1 = { type = "range"; bounds = [-5.0, 10.0]; };
  x2 = { type = "range"; bounds = [0.0, 15.0]; };
  lr = { type = "range"; bounds = [0.001, 1.0]; log_scale = true; };
  opt = { type = "choice"; values = ["a", "b"]; };
  n = { type = "range"; bounds = [1, 8]; value_type = "int"; };
};
generation_strategy = { seed = 5; steps = ( { model = "SOBOL"; num_trials = -1; } ); };
scheduler = { total_trials = 8; max_pending_trials = 4; run_trials_in_batches = true;
              tolerated_trial_failure_rate = 0.9; init_seconds_between_polls = 0.5; };
script_options = { run_model = "sh model.sh"; experiment_dir = "exp"; };
slurm = { partition = "debug"; time = "00:05:00"; cpus_per_task = 1; mem = "100M"; array_throttle = 2;
          env = ( "BRANIN=$ROOT/examples/branin/model.py" ); };
EOS
rc=0
"$WJR" run "$WORK/study.cfg" >"$WORK/run.out" 2>"$WORK/run.err" || rc=$?
[[ $rc -eq 0 ]] || { cat "$WORK/run.err" >&2; fail "wjr run exited $rc"; }
"$WJR" status --json "$WORK/exp" >"$WORK/status.json" || fail "wjr status"
python3 - "$WORK/status.json" <<'EOS' || fail "the study is not what the test needs: $(cat "$WORK/status.json")"
import json, sys
t = json.load(open(sys.argv[1]))["trials"]
assert len(t) == 8
assert any(x["status"] == "FAILED" for x in t) and any(x["status"] == "COMPLETED" for x in t)
assert all(x["submit_time"] and x["start_time"] and x["end_time"] for x in t), "times missing"
assert all(x["submit_time"] <= x["start_time"] <= x["end_time"] for x in t), "times out of order"
EOS

# ---- the page ---------------------------------------------------------------
"$WJR" report -o "$WORK/page.html" "$WORK/exp" >/dev/null || fail "wjr report"
python3 "$ROOT/tests/cli/check_report.py" "$WORK/page.html" "$WORK/status.json" ||
    fail "the page does not show the study"
grep -q "model: x1 is above 5, giving up" "$WORK/page.html" || fail "no stderr line of a failed trial"
version="$(sinfo -V | awk '{print $2}')"
grep -q "<th>Slurm version</th><td>$version</td>" "$WORK/page.html" ||
    fail "Slurm version $version not on the page"

# ---- in the browser ---------------------------------------------------------
# the console check must see a page's error
printf '<!DOCTYPE html><p>x</p><script>console.error("wjr-control-error")</script>\n' >"$WORK/bad.html"
chromium_run control --dump-dom "file://$WORK/bad.html"
grep -q 'CONSOLE.*wjr-control-error' "$WORK/control.log" ||
    fail "the console check does not see errors: $(tail -5 "$WORK/control.log")"

chromium_run page --window-size=1280,2400 --screenshot="$WORK/page.png" "file://$WORK/page.html"
[[ -s "$WORK/page.png" ]] || fail "no screenshot"
if grep -E 'CONSOLE|ERR_FILE_NOT_FOUND|net::ERR' "$WORK/page.log" >&2; then
    fail "the browser logged console messages or failed loads for the report"
fi
python3 - "$WORK/page.png" <<'EOS' || fail "the screenshot is blank or not a PNG"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", data[16:24])
assert w >= 1000 and h >= 1000, (w, h)
# distinct bytes in the decoded image: a blank page has a handful
idat, pos = b"", 8
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
assert len(set(raw[: len(raw) // 2])) > 40, "blank"
EOS

cat >"$WORK/harness.html" <<'EOS'
<!DOCTYPE html><html><body>
<iframe id="f" src="page.html" style="width:1280px;height:6000px;border:0"></iframe>
<pre id="result">not loaded</pre>
<script>
document.getElementById("f").addEventListener("load", function () {
  var d = this.contentDocument, out = [];
  if (!d) { document.getElementById("result").textContent = "no access"; return; }
  ["summary", "convergence", "parameters", "cluster", "failures"].forEach(function (id) {
    var s = d.getElementById(id);
    if (!s) { out.push("section " + id + " missing"); return; }
    var r = s.getBoundingClientRect(), svgs = 0, marks = 0;
    s.querySelectorAll("svg").forEach(function (v) {
      var b = v.getBoundingClientRect();
      if (b.width > 0 && b.height > 0) {
        svgs++;
        marks += v.querySelectorAll("circle,path").length;
      }
    });
    out.push("section " + id + " " + Math.round(r.width) + " " + Math.round(r.height) + " " +
             s.innerText.trim().length + " " + svgs + " " + marks);
  });
  // the convergence switch: by end time shows the other chart, and only it
  var shown = function (c) {
    var b = d.querySelector("." + c + " svg").getBoundingClientRect();
    return b.width > 0 && b.height > 0 ? 1 : 0;
  };
  var before = shown("by-index") + " " + shown("by-time");
  d.getElementById("cx-time").click();
  out.push("switch " + before + " " + shown("by-index") + " " + shown("by-time"));
  document.getElementById("result").textContent = out.join("\n");
});
</script></body></html>
EOS
chromium_run harness --allow-file-access-from-files --dump-dom "file://$WORK/harness.html"
sed -e 's|<pre id="result">|\n|' -e 's|</pre>.*||' "$WORK/harness.out" | grep '^section ' >"$WORK/sections.txt" || true
sed 's/^/    /' "$WORK/sections.txt" >&2
sed -e 's|<pre id="result">|\n|' -e 's|</pre>.*||' "$WORK/harness.out" | grep -qx 'switch 1 0 0 1' ||
    fail "the switch to end time does not show the other chart: $(grep switch "$WORK/harness.out")"
python3 - "$WORK/sections.txt" <<'EOS' || fail "a section is missing, empty or not drawn"
import sys
rows = [l.split() for l in open(sys.argv[1])]
names = [r[1] for r in rows]
assert names == ["summary", "convergence", "parameters", "cluster", "failures"], names
for _, name, w, h, text, svgs, marks in rows:
    assert int(w) > 300 and int(h) > 100 and int(text) > 100, (name, w, h, text)
    if name in ("convergence", "parameters", "cluster"):
        assert int(svgs) >= 1 and int(marks) >= 8, (name, svgs, marks)
# one visible convergence chart (the other view is hidden until chosen),
# one per varying parameter, the timeline and the jobs in flight
svgs = {r[1]: int(r[5]) for r in rows}
assert svgs["convergence"] == 1 and svgs["parameters"] == 5 and svgs["cluster"] == 2, svgs
EOS

if [[ -n "${WJR_REPORT_DOCS:-}" ]]; then
    sed "s|$WORK|/scratch/alice/branin|g" "$WORK/page.html" >"$WJR_REPORT_DOCS/report-example.html"
    chromium_run docs --window-size=1280,3300 --screenshot="$WJR_REPORT_DOCS/report-example.png" \
        "file://$WJR_REPORT_DOCS/report-example.html"
    note "wrote $WJR_REPORT_DOCS/report-example.html and .png"
fi
note "ok"
