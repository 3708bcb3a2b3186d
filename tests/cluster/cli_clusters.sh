#!/usr/bin/env bash
# slurm.clusters, sbatch's -M, against a second cluster (wjr2) behind the
# same slurmdbd (scripts/cluster-second.sh, brought up here and down at the
# end): `wjr check` reports wjr2's controller; `wjr run` sends every trial
# there (job ids from wjr2's FirstJobId, the jobs in `sacct -M wjr2` and
# not in the first cluster's accounting), the model sees
# SLURM_CLUSTER_NAME=wjr2 as a job of `sbatch -M wjr2` does, and `wjr
# poll` finds the jobs there; `wjr run --detach` puts the driver on wjr2,
# which drives the trials there; a name slurmdbd does not know is refused by
# `wjr check` and `wjr run` at its line, naming the clusters it knows,
# before any job or study directory is made.
. "$(dirname "$0")/cli_lib.sh"

SECOND="$ROOT/scripts/cluster-second.sh"
second_down() {
    local rc=$?
    local d
    for d in exp2 exp4; do
        if [[ -f "$WORK/$d/study.json" ]]; then "$WJR" cancel "$WORK/$d" >/dev/null 2>&1 || true; fi
    done
    bash "$SECOND" down >/dev/null 2>&1 || true
    (exit "$rc")
    cleanup
}
trap second_down EXIT
bash "$SECOND" up >"$WORK/second.out" 2>&1 || fail "cluster-second.sh up: $(tail -20 "$WORK/second.out")"

write_config 4 true 0
cat >"$WORK/slow_model.sh" <<EOS
#!/bin/sh
echo "\$SLURM_CLUSTER_NAME" >>"$WORK/cluster.wjr"
exec python3 '$ROOT/examples/branin/model.py' "\$@"
EOS
sed -i -e 's/experiment_dir = "exp"/experiment_dir = "exp2"/' \
    -e 's/^slurm = { /slurm = {\n  clusters = "wjr2";\n  /' "$WORK/study.cfg"
line="$(grep -n 'clusters = ' "$WORK/study.cfg" | cut -d: -f1)"
[[ -n "$line" ]] || fail "clusters not set: $(cat "$WORK/study.cfg")"

"$WJR" check "$WORK/study.cfg" >"$WORK/check.out" 2>&1 || fail "check: $(cat "$WORK/check.out")"
grep -q '^cluster: wjr2, Slurm ' "$WORK/check.out" || fail "check does not report wjr2: $(cat "$WORK/check.out")"
grep -q '^first trial: slurmctld would start its job' "$WORK/check.out" ||
    fail "check did not test the first trial on wjr2: $(cat "$WORK/check.out")"

"$WJR" run -q "$WORK/study.cfg" >"$WORK/run.out" 2>"$WORK/run.err" || fail "run: $(cat "$WORK/run.err")"
done_n="$(awk -F, 'NR > 1 && $2 == "COMPLETED"' "$WORK/exp2/results.csv" | wc -l)"
[[ "$done_n" == 4 ]] || fail "$done_n of 4 trials completed: $(cat "$WORK/exp2/results.csv")"
# wjr2's job ids start at 500000, the first cluster's far below
jobs="$("$WJR" status "$WORK/exp2" | awk '$2 == "COMPLETED" { print $5 }' | sort -u | tr '\n' ' ')"
[[ -n "${jobs// /}" ]] || fail "no job ids in: $("$WJR" status "$WORK/exp2")"
for j in $jobs; do
    ((${j%%_*} >= 500000)) || fail "job $j is not one of wjr2's (ids from 500000): $jobs"
done
[[ "$(sort -u "$WORK/cluster.wjr" 2>&1)" == wjr2 ]] ||
    fail "the model saw SLURM_CLUSTER_NAME '$(sort -u "$WORK/cluster.wjr" 2>&1 | tr '\n' ' ')'"

# accounting: the study's jobs are wjr2's, none is the first cluster's
sid="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["runner"]["study_id"])' \
    "$WORK/exp2/study.json")"
in_wjr2=0
for _ in $(seq 1 40); do
    in_wjr2="$(sacct -M wjr2 -X -n -a -S now-1hour -o jobname%60 2>/dev/null | grep -c "wjr-$sid" || true)"
    ((in_wjr2 >= 1)) && break
    sleep 0.5
done
((in_wjr2 >= 1)) || fail "sacct -M wjr2 shows no job of study $sid"
in_wjr="$(sacct -X -n -a -S now-1hour -o jobname%60 2>/dev/null | grep -c "wjr-$sid" || true)"
[[ "$in_wjr" == 0 ]] || fail "$in_wjr jobs of study $sid are in cluster wjr's accounting"

# wjr poll asks wjr2's controller (or its accounting) about the same jobs
"$WJR" poll "$WORK/exp2" >"$WORK/poll.out" 2>&1 || fail "poll: $(cat "$WORK/poll.out")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(len(d["COMPLETED"]) != 4)' \
    "$WORK/poll.out" || fail "poll: $(cat "$WORK/poll.out")"

# as sbatch -M: its job runs on wjr2 and sees the same cluster name
sbatch -M wjr2 --wait -p debug -t 5 -o /dev/null \
    --wrap "echo \"\$SLURM_CLUSTER_NAME\" >'$WORK/cluster.sbatch'" >"$WORK/sbatch.out" 2>&1 ||
    fail "sbatch -M wjr2: $(cat "$WORK/sbatch.out")"
grep -q 'on cluster wjr2' "$WORK/sbatch.out" || fail "sbatch -M: $(cat "$WORK/sbatch.out")"
[[ "$(cat "$WORK/cluster.sbatch" 2>&1)" == wjr2 ]] ||
    fail "sbatch -M wjr2's job saw '$(cat "$WORK/cluster.sbatch" 2>&1)'"
note "4 trials on wjr2 (jobs $jobs), as sbatch -M wjr2 sends its job"

# the detached driver goes to wjr2 too, where the study's partition is, and
# drives the trials there from its node
sed -i 's/experiment_dir = "exp2"/experiment_dir = "exp4"/' "$WORK/study.cfg"
: >"$WORK/cluster.wjr"
driver="$("$WJR" run --detach "$WORK/study.cfg" 2>"$WORK/detach.err")" ||
    fail "run --detach: $(cat "$WORK/detach.err")"
[[ "$driver" =~ ^[0-9]+$ ]] && ((driver >= 500000)) ||
    fail "run --detach printed '$driver', not a job of wjr2's"
for _ in $(seq 1 120); do
    [[ -z "$(squeue -M wjr2 -h -j "$driver" -o %T 2>/dev/null | grep -v '^CLUSTER')" ]] && break
    sleep 1
done
done_n="$(awk -F, 'NR > 1 && $2 == "COMPLETED"' "$WORK/exp4/results.csv" 2>/dev/null | wc -l)"
[[ "$done_n" == 4 ]] || fail "detached: $done_n of 4 trials completed: $(cat "$WORK/exp4/results.csv" "$WORK"/exp4/driver-*.err 2>&1)"
[[ "$(sort -u "$WORK/cluster.wjr" 2>&1)" == wjr2 ]] ||
    fail "detached: the model saw SLURM_CLUSTER_NAME '$(sort -u "$WORK/cluster.wjr" 2>&1 | tr '\n' ' ')'"
note "the detached driver, job $driver, ran on wjr2 and drove the 4 trials there"

# a cluster slurmdbd does not know: refused at its line, nothing made
sed -i 's/clusters = "wjr2"/clusters = "nosuch"/; s/experiment_dir = "exp4"/experiment_dir = "exp3"/' \
    "$WORK/study.cfg"
for cmd in check run; do
    rc=0
    "$WJR" "$cmd" "$WORK/study.cfg" >"$WORK/$cmd.out" 2>&1 || rc=$?
    ((rc != 0)) || fail "$cmd accepted clusters = \"nosuch\": $(cat "$WORK/$cmd.out")"
    grep -q "study.cfg:$line: slurm.clusters \"nosuch\": slurmdbd knows no cluster of that name" \
        "$WORK/$cmd.out" || fail "$cmd: no line or cause in: $(cat "$WORK/$cmd.out")"
    grep -q "it knows: .*wjr2" "$WORK/$cmd.out" || fail "$cmd: the known clusters are not named: $(cat "$WORK/$cmd.out")"
done
[[ ! -e "$WORK/exp3" ]] || fail "run made $WORK/exp3 for an unknown cluster"
note "ok"
