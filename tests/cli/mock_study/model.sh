#!/bin/sh
# The model of the mocked-Slurm CLI tests (tests/cli/mock_study.sh), in the
# BOA ScriptWrapper convention: reads TRIAL_DIR/parameters.json ({"x1", "x2"}),
# writes TRIAL_DIR/output.json ({"branin": value}).
#   usage: model.sh [fail|abandon] TRIAL_DIR
# With `fail`, trials whose x1 is above 5 exit 3 without an output.json;
# with `abandon`, they report themselves ABANDONED in output.json.
# Any other parameters.json (an external optimizer's) is echoed, not parsed:
# one naming "stop" reports the trial EARLY_STOPPED, one naming "crash"
# exits 3, any other completes.
for d; do :; done # the last argument
p="$(tr -d '\n' <"$d/parameters.json")"
printf 'model: %s\n' "$p"
case "$p" in *'"stop"'*) echo '{"branin": 2.0, "trial_status": "EARLY_STOPPED"}' >"$d/output.json"; exit 0 ;; esac
case "$p" in *'"crash"'*) exit 3 ;; esac
case "$p" in *'"x1"'*) ;; *) echo '{"branin": 1.0}' >"$d/output.json"; exit 0 ;; esac
printf '%s\n' "$p" | awk -v fail="$1" '{
  match($0, /"x1": *[-0-9.eE+]+/); x1 = substr($0, RSTART, RLENGTH); sub(/.*: */, "", x1);
  match($0, /"x2": *[-0-9.eE+]+/); x2 = substr($0, RSTART, RLENGTH); sub(/.*: */, "", x2);
  if (fail == "fail" && x1 + 0 > 5) { print "x1 above 5: failing" > "/dev/stderr"; exit 3 }
  if (fail == "abandon" && x1 + 0 > 5) { print "{\"trial_status\": \"ABANDONED\"}"; exit 0 }
  pi = 3.141592653589793; b = 5.1 / (4 * pi * pi); c = 5 / pi; t = 1 / (8 * pi);
  y = (x2 - b * x1 * x1 + c * x1 - 6) ^ 2 + 10 * (1 - t) * cos(x1) + 10;
  printf "{\"branin\": %.6f}\n", y }' >"$d/output.json.tmp" || exit $?
mv "$d/output.json.tmp" "$d/output.json"
