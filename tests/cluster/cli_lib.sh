# shellcheck shell=bash
# Shared by the tests/cluster/cli_*.sh tests: they drive the `wjr` CLI
# against the local Slurm cluster (scripts/cluster-up.sh). Sourced, never run.
# A test FAILS (never skips) when no cluster is reachable.
#   usage: cli_X.sh [PATH/TO/wjr]      (default: $WJR, else build/wjr)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WJR="${1:-${WJR:-$ROOT/build/wjr}}"
TEST_NAME="$(basename "$0" .sh)"

fail() {
    echo "FAIL $TEST_NAME: $*" >&2
    exit 1
}
note() { echo "[$TEST_NAME] $*" >&2; }

[[ -x "$WJR" ]] || fail "no wjr binary at $WJR"
if [[ -z "${SLURM_CONF:-}" ]]; then
    env_line="$("$ROOT/scripts/cluster-env.sh" 2>/dev/null)" ||
        fail "no local cluster: run scripts/cluster-up.sh first"
    eval "$env_line"
fi
# Only a cluster made by scripts/cluster-up.sh: never a site's own.
grep -qxF "rundir=$(dirname "$(dirname "$SLURM_CONF")")" "$(dirname "$SLURM_CONF")/wjr-cluster" 2>/dev/null ||
    fail "SLURM_CONF=$SLURM_CONF is not a cluster started by scripts/cluster-up.sh: refusing to run jobs on it"
scontrol ping >/dev/null 2>&1 || fail "the Slurm controller does not answer (SLURM_CONF=$SLURM_CONF)"
sinfo -h -p debug -o %a 2>/dev/null | grep -q up || fail "partition debug is not up"

WORK="$(mktemp -d "/tmp/wjr-$TEST_NAME-XXXXXX")"
# a sanitizer build of wjr reports into files: any report fails the test
# shellcheck source=../cli/sanitizer.sh
. "$ROOT/tests/cli/sanitizer.sh"
cleanup() {
    local rc=$?
    if [[ -n "${BG_PID:-}" ]] && kill -0 "$BG_PID" 2>/dev/null; then kill -9 "$BG_PID" || true; fi
    if [[ -f "$WORK/exp/study.json" ]]; then "$WJR" cancel "$WORK/exp" >/dev/null 2>&1 || true; fi
    san_check || rc=1
    rm -rf "$SAN_DIR"
    if [[ $rc -eq 0 ]]; then rm -rf "$WORK"; else echo "[$TEST_NAME] kept $WORK" >&2; fi
    exit "$rc"
}
trap cleanup EXIT

# write_config TOTAL BATCHES SLEEP: the Branin study, experiment dir $WORK/exp,
# the model sleeping SLEEP seconds first.
write_config() {
    cat >"$WORK/slow_model.sh" <<EOS
#!/bin/sh
sleep $3
exec python3 '$ROOT/examples/branin/model.py' "\$@"
EOS
    chmod +x "$WORK/slow_model.sh"
    cat >"$WORK/study.cfg" <<EOS
objective = { metrics = ( { name = "branin"; minimize = true; } ); };
parameters = {
  x1 = { type = "range"; bounds = [-5.0, 10.0]; };
  x2 = { type = "range"; bounds = [0.0, 15.0]; };
  opt = { type = "choice"; values = ["a", "b"]; };
  n = { type = "range"; bounds = [1, 8]; value_type = "int"; };
};
generation_strategy = { seed = 11; steps = ( { model = "SOBOL"; num_trials = -1; } ); };
scheduler = { total_trials = $1; max_pending_trials = 2; run_trials_in_batches = $2;
              tolerated_trial_failure_rate = 0.5; init_seconds_between_polls = 0.5; };
script_options = { run_model = "sh slow_model.sh"; experiment_dir = "exp"; };
slurm = { partition = "debug"; time = "00:05:00"; cpus_per_task = 1; mem = "100M"; };
EOS
}

study_id() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["runner"]["study_id"])' \
        "$WORK/exp/study.json"
}

# Wait until results.csv shows at least one job id (a submission happened).
wait_for_submission() {
    local i
    for i in $(seq 1 200); do
        if [[ -f "$WORK/exp/results.csv" ]] &&
            awk -F, 'NR > 1 && $3 != "" { found = 1 } END { exit !found }' "$WORK/exp/results.csv"; then
            return 0
        fi
        sleep 0.1
    done
    fail "no submission within 20 s"
}

# Every trial ran exactly once: the accounting holds exactly TOTAL job records
# named wjr-<study_id>-..., and the job ids in results.csv are those records.
check_exactly_once() {
    local total=$1 id n i
    id="$(study_id)"
    for i in $(seq 1 30); do
        n="$(sacct -n -X -P -S now-2hours --format=JobID,JobName | grep -c "|wjr-$id-" || true)"
        [[ "$n" -ge "$total" ]] && break
        sleep 1
    done
    sleep 2
    sacct -n -X -P -S now-2hours --format=JobID,JobName,State | grep "|wjr-$id-" >"$WORK/acct.txt" || true
    n="$(wc -l <"$WORK/acct.txt")"
    [[ "$n" -eq "$total" ]] || { cat "$WORK/acct.txt" >&2; fail "$n job records in accounting for $total trials"; }
    awk -F, 'NR > 1 { print $3 }' "$WORK/exp/results.csv" | sort >"$WORK/csv_jobs.txt"
    cut -d'|' -f1 "$WORK/acct.txt" | sort >"$WORK/acct_jobs.txt"
    diff "$WORK/csv_jobs.txt" "$WORK/acct_jobs.txt" >&2 || fail "results.csv and accounting disagree"
    [[ "$(awk -F, 'NR > 1 && $2 == "COMPLETED"' "$WORK/exp/results.csv" | wc -l)" -eq "$total" ]] ||
        fail "not every trial COMPLETED: $(cat "$WORK/exp/results.csv")"
}
