#!/usr/bin/env bash
# slurm.clusters, sbatch's -M, against a second cluster (wjr2) behind the
# same slurmdbd (scripts/cluster-second.sh, brought up here and down at the
# end, also on failure): `wjr check` reports wjr2's controller and tests the
# first trial there, as sbatch -M wjr2 --test-only does; `wjr run` sends
# every trial there (job ids from wjr2's FirstJobId, the jobs in `sacct -M
# wjr2` and neither in the first cluster's accounting nor in its squeue),
# the model sees SLURM_CLUSTER_NAME=wjr2 as a job of `sbatch -M wjr2` does,
# and `wjr poll` finds the jobs there; `wjr run --detach` puts the driver on
# wjr2, which drives the trials there; a name slurmdbd does not know is
# refused by `wjr check` and `wjr run` at its line, naming the clusters it
# knows (and no line of libslurm's), before any job or study directory is
# made, as sbatch -M refuses it.
# Each part is a function, called in order at the end.
. "$(dirname "$0")/cli_lib.sh"

SECOND="$ROOT/scripts/cluster-second.sh"
CLUSTER=wjr2       # the name cluster-second.sh gives the second cluster
FIRST_JOB=500000   # its FirstJobId: the first cluster's job ids are far below
UNKNOWN=nosuch     # a name slurmdbd does not know
TOTAL=4            # trials of each study

# ---------------------------------------------------------------- wjr2
second_down() {
    local rc=$?
    local d
    for d in exp2 exp4; do
        if [[ -f "$WORK/$d/study.json" ]]; then "$WJR" cancel "$WORK/$d" >/dev/null 2>&1 || true; fi
    done
    bash "$SECOND" down >"$WORK/second-down.out" 2>&1 ||
        { echo "[$TEST_NAME] cluster-second.sh down: $(cat "$WORK/second-down.out")" >&2; rc=1; }
    (exit "$rc")
    cleanup
}
second_up() {
    trap second_down EXIT
    local t0=$SECONDS
    bash "$SECOND" up >"$WORK/second.out" 2>&1 || fail "cluster-second.sh up: $(tail -n 20 "$WORK/second.out")"
    bash "$SECOND" status >>"$WORK/second.out" 2>&1 ||
        fail "cluster-second.sh status after up: $(tail -n 20 "$WORK/second.out")"
    sacctmgr -n -P show cluster "$CLUSTER" format=controlport 2>/dev/null | grep -qx '[1-9][0-9]*' ||
        fail "slurmdbd lists no controller of $CLUSTER: $(sacctmgr -P show cluster 2>&1)"
    note "$CLUSTER up in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------- helpers
# study_on NAME DIR: the Branin study of write_config ($TOTAL trials, in
# batches) with slurm.clusters = NAME, in experiment dir DIR; the model
# appends the SLURM_CLUSTER_NAME it sees to $WORK/cluster.wjr. Sets LINE,
# the clusters line of study.cfg.
study_on() {
    write_config "$TOTAL" true 0
    cat >"$WORK/slow_model.sh" <<EOS
#!/bin/sh
echo "\$SLURM_CLUSTER_NAME" >>"$WORK/cluster.wjr"
exec python3 '$ROOT/examples/branin/model.py' "\$@"
EOS
    sed -i -e "s/experiment_dir = \"exp\"/experiment_dir = \"$2\"/" \
        -e "s/^slurm = { /slurm = {\n  clusters = \"$1\";\n  /" "$WORK/study.cfg"
    LINE="$(grep -n 'clusters = ' "$WORK/study.cfg" | cut -d: -f1)"
    [[ -n "$LINE" ]] || fail "clusters not set: $(cat "$WORK/study.cfg")"
    : >"$WORK/cluster.wjr"
}
sid_of() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["runner"]["study_id"])' \
        "$WORK/$1/study.json"
}
completed() { awk -F, 'NR > 1 && $2 == "COMPLETED"' "$WORK/$1/results.csv" 2>/dev/null | wc -l; }
# acct_count [-M NAME] PATTERN: job records (allocations) whose name holds PATTERN
acct_count() {
    local pattern="${*: -1}"
    sacct "${@:1:$#-1}" -X -n -a -S now-1hour -o jobname%60 2>/dev/null | grep -c -- "$pattern" || true
}
# The model saw SLURM_CLUSTER_NAME=wjr2, and only that.
model_saw_wjr2() {
    [[ "$(sort -u "$WORK/cluster.wjr" 2>&1)" == "$CLUSTER" ]] ||
        fail "$1: the model saw SLURM_CLUSTER_NAME '$(sort -u "$WORK/cluster.wjr" 2>&1 | tr '\n' ' ')'"
}
# The study's jobs (names holding PATTERN) are in wjr2's accounting, and in
# neither the first cluster's accounting nor its queue.
only_on_wjr2() {
    local what="$1" pattern="$2" n=0
    for _ in $(seq 1 40); do
        n="$(acct_count -M "$CLUSTER" "$pattern")"
        ((n >= 1)) && break
        sleep 0.5
    done
    ((n >= 1)) || fail "$what: sacct -M $CLUSTER shows no job named *$pattern*"
    n="$(acct_count "$pattern")"
    [[ "$n" == 0 ]] || fail "$what: $n jobs named *$pattern* are in cluster wjr's accounting"
    n="$(squeue -h -o '%j' 2>/dev/null | grep -c -- "$pattern" || true)"
    [[ "$n" == 0 ]] || fail "$what: $n jobs named *$pattern* are in cluster wjr's queue"
}

# ---------------------------------------------------------------- parts
# sbatch -M as the reference: --test-only with the study's resources is
# accepted on wjr2, and its job runs there and sees SLURM_CLUSTER_NAME=wjr2.
sbatch_reference() {
    sbatch -M "$CLUSTER" --test-only -p debug -t 5 -c 1 --mem 100M --wrap true \
        >"$WORK/testonly.out" 2>&1 || fail "sbatch -M $CLUSTER --test-only: $(cat "$WORK/testonly.out")"
    grep -q 'to start at .* on nodes localhost' "$WORK/testonly.out" ||
        fail "sbatch -M $CLUSTER --test-only: $(cat "$WORK/testonly.out")"
    sbatch -M "$CLUSTER" --wait -p debug -t 5 -o /dev/null \
        --wrap "echo \"\$SLURM_CLUSTER_NAME\" >'$WORK/cluster.sbatch'" >"$WORK/sbatch.out" 2>&1 ||
        fail "sbatch -M $CLUSTER: $(cat "$WORK/sbatch.out")"
    grep -q "on cluster $CLUSTER" "$WORK/sbatch.out" || fail "sbatch -M: $(cat "$WORK/sbatch.out")"
    [[ "$(cat "$WORK/cluster.sbatch" 2>&1)" == "$CLUSTER" ]] ||
        fail "sbatch -M $CLUSTER's job saw '$(cat "$WORK/cluster.sbatch" 2>&1)'"
}

# wjr check names wjr2's controller and tests the first trial's job there.
check_on_wjr2() {
    study_on "$CLUSTER" exp2
    "$WJR" check "$WORK/study.cfg" >"$WORK/check.out" 2>&1 || fail "check: $(cat "$WORK/check.out")"
    grep -qi "$CLUSTER" "$WORK/check.out" || fail "check does not name $CLUSTER: $(cat "$WORK/check.out")"
    grep -q "^cluster: $CLUSTER, Slurm " "$WORK/check.out" ||
        fail "check does not report $CLUSTER's controller: $(cat "$WORK/check.out")"
    grep -q '^first trial: slurmctld would start its job' "$WORK/check.out" ||
        fail "check did not test the first trial on $CLUSTER: $(cat "$WORK/check.out")"
}

# wjr run: every trial COMPLETED on wjr2, and wjr poll finds them there.
run_on_wjr2() {
    local jobs j sid
    "$WJR" run -q "$WORK/study.cfg" >"$WORK/run.out" 2>"$WORK/run.err" || fail "run: $(cat "$WORK/run.err")"
    [[ "$(completed exp2)" == "$TOTAL" ]] ||
        fail "$(completed exp2) of $TOTAL trials completed: $(cat "$WORK/exp2/results.csv")"
    jobs="$("$WJR" status "$WORK/exp2" | awk '$2 == "COMPLETED" { print $5 }' | sort -u | tr '\n' ' ')"
    [[ -n "${jobs// /}" ]] || fail "no job ids in: $("$WJR" status "$WORK/exp2")"
    for j in $jobs; do
        ((${j%%_*} >= FIRST_JOB)) || fail "job $j is not one of $CLUSTER's (ids from $FIRST_JOB): $jobs"
    done
    model_saw_wjr2 run
    sid="$(sid_of exp2)"
    only_on_wjr2 run "wjr-$sid"
    "$WJR" poll "$WORK/exp2" >"$WORK/poll.out" 2>&1 || fail "poll: $(cat "$WORK/poll.out")"
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(len(d["COMPLETED"]) != int(sys.argv[2]))' \
        "$WORK/poll.out" "$TOTAL" || fail "poll: $(cat "$WORK/poll.out")"
    note "$TOTAL trials on $CLUSTER (jobs $jobs), as sbatch -M $CLUSTER sends its job"
}

# wjr run --detach: the driver's job goes to wjr2 too, where the study's
# partition is, and drives the trials there from its node.
detached_on_wjr2() {
    local driver sid=""
    study_on "$CLUSTER" exp4
    driver="$("$WJR" run --detach "$WORK/study.cfg" 2>"$WORK/detach.err")" ||
        fail "run --detach: $(cat "$WORK/detach.err")"
    if [[ ! "$driver" =~ ^[0-9]+$ ]] || ((driver < FIRST_JOB)); then
        fail "run --detach printed '$driver', not a job of $CLUSTER's"
    fi
    for _ in $(seq 1 120); do
        if [[ -z "$sid" && -f "$WORK/exp4/study.json" ]]; then sid="$(sid_of exp4)"; fi
        if [[ -n "$sid" ]] && squeue -h -o '%j' 2>/dev/null | grep -q -- "$sid"; then
            fail "detached: a job of study $sid is in cluster wjr's queue: $(squeue 2>&1)"
        fi
        squeue -M "$CLUSTER" -h -j "$driver" -o %T 2>/dev/null | grep -qv '^CLUSTER' || break
        sleep 1
    done
    [[ "$(completed exp4)" == "$TOTAL" ]] ||
        fail "detached: $(completed exp4) of $TOTAL trials completed: $(cat "$WORK/exp4/results.csv" "$WORK"/exp4/driver-*.err 2>&1)"
    model_saw_wjr2 detached
    sid="$(sid_of exp4)"
    only_on_wjr2 "detached driver" "wjr-driver-$sid"
    only_on_wjr2 "detached trials" "wjr-$sid-"
    note "the detached driver, job $driver, ran on $CLUSTER and drove the $TOTAL trials there"
}

# A cluster slurmdbd does not know: sbatch -M refuses it, and so do wjr
# check and wjr run, at its line, naming the clusters slurmdbd knows,
# before anything is made.
unknown_cluster() {
    local cmd rc
    rc=0
    sbatch -M "$UNKNOWN" --test-only -p debug -t 5 --wrap true >"$WORK/sbatch-unknown.out" 2>&1 || rc=$?
    ((rc != 0)) || fail "sbatch -M $UNKNOWN accepted: $(cat "$WORK/sbatch-unknown.out")"
    grep -q "$UNKNOWN" "$WORK/sbatch-unknown.out" || fail "sbatch -M $UNKNOWN: $(cat "$WORK/sbatch-unknown.out")"
    study_on "$UNKNOWN" exp3
    for cmd in check run; do
        rc=0
        "$WJR" "$cmd" "$WORK/study.cfg" >"$WORK/$cmd.out" 2>&1 || rc=$?
        ((rc != 0)) || fail "$cmd accepted clusters = \"$UNKNOWN\": $(cat "$WORK/$cmd.out")"
        grep -q "$UNKNOWN" "$WORK/$cmd.out" || fail "$cmd does not name $UNKNOWN: $(cat "$WORK/$cmd.out")"
        grep -q "study.cfg:$LINE: slurm.clusters \"$UNKNOWN\": slurmdbd knows no cluster of that name" \
            "$WORK/$cmd.out" || fail "$cmd: no line or cause in: $(cat "$WORK/$cmd.out")"
        grep -q "it knows: .*$CLUSTER" "$WORK/$cmd.out" ||
            fail "$cmd: the known clusters are not named: $(cat "$WORK/$cmd.out")"
        # wjr's message only: libslurm's own line for a name it does not know is not printed
        ! grep -q "known by database" "$WORK/$cmd.out" ||
            fail "$cmd: libslurm's line is printed too: $(cat "$WORK/$cmd.out")"
    done
    [[ ! -e "$WORK/exp3" ]] || fail "run made $WORK/exp3 for an unknown cluster"
    [[ ! -s "$WORK/cluster.wjr" ]] || fail "a trial ran for an unknown cluster"
}

# ---------------------------------------------------------------- main
second_up
sbatch_reference
check_on_wjr2
run_on_wjr2
detached_on_wjr2
unknown_cluster
note "ok"
