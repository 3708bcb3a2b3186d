#!/usr/bin/env bash
# `wjr check` against what the real controller reports: a reservation made
# here (scontrol create reservation, starting tomorrow so that it blocks
# no job) and the cluster's license (Licenses=wjr_lic:4 in the local
# slurm.conf) pass and are shown; a reservation that does not exist, more
# licenses than the cluster has, a GPU type the node lacks and more GPUs
# than its two, mem and mem_per_cpu far beyond any node's RealMemory, a
# constraint naming a feature no node has, and a partition the cluster
# does not have fail with exit 2, file:line and what the cluster has;
# sbatch --test-only agrees that slurmctld refuses such mem, mem_per_cpu,
# constraint and GPUs. A time past the MaxTime of a partition made here
# (scontrol create PartitionName=..., MaxTime=1) is refused too, and a job
# submitted so stays pending with reason PartitionTimeLimit; so is a time
# past the longest MaxTime of a list of two such partitions. A trial that
# asks for a license runs to COMPLETED, and so does one given a list of
# partitions (that one and debug), in debug; a list with a partition the
# cluster does not have is refused naming it. A nodelist reaches the job,
# and an exclude of the only node gets slurmctld's refusal (exit 3), as
# does a tmp the node has no disk for, from wjr check and before wjr run
# makes anything; mail_type, mail_user and wckey reach the job. wjr check's test of
# the first trial's job gives the node, partition and CPUs sbatch
# --test-only gives, and with the node drained it is a warning.
# hint, oversubscribe, ntasks_per_core, threads_per_core and prefer reach
# the job as sbatch's options do; two threads per core, more than the node
# has, and a preferred feature no node has, are refused by wjr check as by
# sbatch --test-only. A begin an hour ahead makes the test start the job
# when sbatch --test-only --begin says; a deadline past is refused at its
# line by wjr check and wjr run; one ahead reaches the job. The trials at
# the ends of a parameter an option takes are tested too: ntasks_per_node
# from a parameter whose upper bound is past the node's CPUs is refused at
# the option's line, with the value, as sbatch --test-only refuses it.
. "$(dirname "$0")/cli_lib.sh"

RESV="wjr_check_$$"
scontrol create reservation ReservationName="$RESV" StartTime=now+1day Duration=10 \
    Users="$(id -un)" Nodes=localhost >"$WORK/resv.out" 2>&1 ||
    fail "scontrol create reservation: $(cat "$WORK/resv.out")"
PART="wjrshort$$"
PART2="wjrshort2$$"
trap 'rc=$?; scontrol delete ReservationName="$RESV" >/dev/null 2>&1
      scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true
      scontrol delete PartitionName="$PART" >/dev/null 2>&1
      scontrol delete PartitionName="$PART2" >/dev/null 2>&1; (exit $rc); cleanup' EXIT
scontrol create PartitionName="$PART" Nodes=localhost MaxTime=1 State=UP \
    >"$WORK/part.out" 2>&1 || fail "scontrol create PartitionName: $(cat "$WORK/part.out")"
scontrol create PartitionName="$PART2" Nodes=localhost MaxTime=2 State=UP \
    >"$WORK/part.out" 2>&1 || fail "scontrol create PartitionName: $(cat "$WORK/part.out")"

write_config 1 false 0
# slurm_group TEXT: the study's slurm group with TEXT added (one line)
slurm_group() {
    sed -i '/^slurm = /,$d' "$WORK/study.cfg"
    printf 'slurm = { partition = "debug"; time = "00:05:00"; mem = "100M";\n  %s };\n' "$1" \
        >>"$WORK/study.cfg"
}

slurm_group "reservation = \"$RESV\"; licenses = \"wjr_lic:2\";"
out="$("$WJR" check "$WORK/study.cfg" 2>&1)" || fail "check of what exists: $out"
[[ "$out" == *"reservations: "*"$RESV"* ]] || fail "the reservation is not shown: $out"
[[ "$out" == *"licenses: "*"wjr_lic:4"* ]] || fail "the license is not shown: $out"
# the reservation begins tomorrow: a job in it would wait, as a warning
[[ "$out" == *"warning: slurmctld cannot start the first trial's job now: "*"reservation $RESV has not begun"* ]] ||
    fail "no warning of the reservation to come: $out"

# expect_refused LINE WHAT...: check exits 2 naming study.cfg:LINE and each WHAT
expect_refused() {
    local line=$1 rc=0 err what
    shift
    err="$("$WJR" check "$WORK/study.cfg" 2>&1 >/dev/null)" || rc=$?
    [[ $rc -eq 2 ]] || fail "check exited $rc, not 2: $err"
    [[ "$err" == *"study.cfg:$line: slurm."* ]] || fail "no study.cfg:$line in: $err"
    for what in "$@"; do
        [[ "$err" == *"$what"* ]] || fail "'$what' not in: $err"
    done
    note "refused: $err"
}
line="$(grep -n '^  reservation' "$WORK/study.cfg" | cut -d: -f1)"
slurm_group 'reservation = "wjr_no_such_reservation";'
expect_refused "$line" '"wjr_no_such_reservation" does not exist on cluster' "$RESV"
slurm_group 'licenses = "wjr_lic:5";'
expect_refused "$line" 'asks for 5 of license "wjr_lic"' 'has 4 in all' 'wjr_lic:4'
slurm_group 'licenses = "wjr_no_lic";'
expect_refused "$line" 'license "wjr_no_lic", which cluster'
# the node has two GPUs of type wjrgpu (slurm/gres.conf.in)
slurm_group 'gpus = "a100:1";'
expect_refused "$line" '"gpu:a100", which no node of partition debug has' \
    '(its nodes have: gpu:2, gpu:wjrgpu:2)'
slurm_group 'gpus_per_node = "3"; cpus_per_gpu = 2;'
expect_refused "$line" 'slurm.gpus_per_node asks for 3 "gpu" per node, the most a node of' \
    'partition debug has is 2'
# the node has one thread per core (ThreadsPerCore=1)
slurm_group 'threads_per_core = 2;'
expect_refused "$line" 'slurm.threads_per_core asks for 2 threads per core, the most a node' \
    'of partition debug has is 1 (ThreadsPerCore)'
slurm_group 'constraint = "wjr_no_such_feature";'
expect_refused "$line" 'slurm.constraint asks for feature "wjr_no_such_feature", which no node' \
    'of partition debug has' '(its nodes have: wjr_node)'
slurm_group 'prefer = "wjr_node&wjr_no_such_feature";'
expect_refused "$line" 'slurm.prefer asks for feature "wjr_no_such_feature", which no node'
# 64T: far beyond any node this test runs on
slurm_group 'cpus_per_task = 1;'
sed -i 's/mem = "100M"/mem = "64T"/' "$WORK/study.cfg"
expect_refused "$((line - 1))" 'slurm.mem asks for 67108864 MB per node, the most a node of' \
    'partition debug has is' 'MB (RealMemory)'
sed -i 's/mem = "64T"/mem_per_cpu = "64T"/' "$WORK/study.cfg"
expect_refused "$((line - 1))" 'slurm.mem_per_cpu asks for 67108864 MB for each of the 1 CPUs'
# a partition the cluster does not have: its line, and the partitions there are
sed -i 's/mem_per_cpu = "64T"/mem = "100M"/; s/partition = "debug"/partition = "wjr_no_such_partition"/' \
    "$WORK/study.cfg"
expect_refused "$((line - 1))" 'slurm.partition "wjr_no_such_partition" does not exist on cluster' \
    'it has: ' 'debug' "$PART"
# what wjr refuses, slurmctld refuses
for opt in --mem=64T --mem-per-cpu=64T --constraint=wjr_no_such_feature --gpus-per-node=3 \
    --gpus=a100:1 --threads-per-core=2 --prefer=wjr_no_such_feature; do
    rc=0
    sbatch --test-only -p debug -t 5 "$opt" --wrap true >"$WORK/sbatch.out" 2>&1 || rc=$?
    [[ $rc -ne 0 ]] || fail "sbatch --test-only $opt was accepted: $(cat "$WORK/sbatch.out")"
    note "sbatch $opt: $(cat "$WORK/sbatch.out")"
done
# a time limit past the partition's MaxTime: refused, with the line of time
slurm_group 'cpus_per_task = 1;'
sed -i "s/partition = \"debug\"/partition = \"$PART\"/" "$WORK/study.cfg"
expect_refused "$((line - 1))" 'slurm.time asks for 5 minutes, partition '"$PART"' allows 1' \
    'minutes (MaxTime)' 'reason PartitionTimeLimit'
# ... and slurmctld leaves such a job pending for that reason
# pends_past_max_time PARTITIONS: a 5-minute job there pends, PartitionTimeLimit
pends_past_max_time() {
    local job reason=""
    job="$(sbatch --parsable -p "$1" -t 5 -o /dev/null --wrap true 2>&1)" ||
        fail "sbatch -p $1 -t 5: $job"
    for _ in $(seq 1 20); do
        reason="$(squeue -h -j "$job" -o %r 2>&1 || true)"
        [[ "$reason" == PartitionTimeLimit ]] && break
        sleep 0.5
    done
    scancel "$job" 2>/dev/null || true
    [[ "$reason" == PartitionTimeLimit ]] || fail "job $job in $1 past MaxTime: reason '$reason'"
    note "job $job in $1 past MaxTime: pending, $reason"
}
pends_past_max_time "$PART"
# ... and past the longest MaxTime of a list, alike
sed -i "s/partition = \"$PART\"/partition = \"$PART,$PART2\"/" "$WORK/study.cfg"
expect_refused "$((line - 1))" \
    "slurm.time asks for 5 minutes, partitions $PART,$PART2 allow at most 2 minutes (MaxTime)"
pends_past_max_time "$PART,$PART2"
sed -i "s/partition = \"$PART,$PART2\"/partition = \"$PART\"/" "$WORK/study.cfg"

# what fits passes, and check shows the node's memory and threads per core
slurm_group 'cpus_per_task = 1; threads_per_core = 1;'
out="$("$WJR" check "$WORK/study.cfg" 2>&1)" || fail "check of mem = 100M: $out"
[[ "$out" == *"memory of partition debug: RealMemory up to "*" MB a node"* ]] ||
    fail "the memory is not shown: $out"
[[ "$out" == *"threads per core of partition debug: up to 1 a node"* ]] ||
    fail "the threads per core are not shown: $out"

# last, slurmctld's test of the first trial's job: when, where and with
# how many CPUs, as sbatch --test-only gives them for the same options
trial="$(grep '^first trial: ' <<<"$out" || true)"
[[ "$trial" =~ ^"first trial: slurmctld would start its job "(now|at\ [0-9T:-]+)", on localhost in partition debug ("([0-9]+)" CPU"s?")"$ ]] ||
    fail "no test of the first trial's job: $out"
cpus="${BASH_REMATCH[2]}"
sbatch --test-only -p debug -t 5 --mem=100M --cpus-per-task=1 --threads-per-core=1 --wrap true \
    >"$WORK/sbatch.out" 2>&1 || fail "sbatch --test-only: $(cat "$WORK/sbatch.out")"
grep -q "using $cpus processors on nodes localhost in partition debug" "$WORK/sbatch.out" ||
    fail "sbatch --test-only differs from '$trial': $(cat "$WORK/sbatch.out")"
note "$trial; $(cat "$WORK/sbatch.out")"
# a drained node: the job would wait for it, a warning; resumed, it starts
scontrol update NodeName=localhost State=DRAIN Reason=wjr_check_test >"$WORK/drain.out" 2>&1 ||
    fail "scontrol update State=DRAIN: $(cat "$WORK/drain.out")"
rc=0
out="$("$WJR" check "$WORK/study.cfg" 2>&1)" || rc=$?
scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true
[[ $rc -eq 0 ]] || fail "check with the node drained exited $rc: $out"
[[ "$out" == *"warning: slurmctld cannot start the first trial's job now: "*"1 of the 1 nodes of debug is down, drained or not responding"* ]] ||
    fail "no warning of the drained node: $out"
[[ "$out" == *"first trial: slurmctld would take its job, to start later"* ]] ||
    fail "no word on the first trial: $out"
note "drained: $(grep 'first trial\|warning' <<<"$out" | tr '\n' ' ')"

# run_trial EXP WHAT: run the study (its one trial) into EXP, which must end
# COMPLETED; sets job to the trial's job
run_trial() {
    "$WJR" run -q "$WORK/study.cfg" >"$WORK/$1.out" 2>"$WORK/$1.err" ||
        fail "run $2: $(cat "$WORK/$1.err")"
    job="$(awk -F, 'NR == 2 { print $3 }' "$WORK/$1/results.csv")"
    [[ "$(awk -F, 'NR == 2 { print $2 }' "$WORK/$1/results.csv")" == COMPLETED ]] ||
        fail "the trial $2 did not complete: $(cat "$WORK/$1/results.csv")"
}

# the license reaches the job, and the job runs
slurm_group 'licenses = "wjr_lic:1";'
run_trial exp "with a license"
lic="$(scontrol show job "$job" 2>&1 | grep -o 'Licenses=[^ ]*' || true)"
[[ "$lic" == "Licenses=wjr_lic"* ]] || fail "job $job does not hold the license: $lic"
note "job $job: $lic"

# a list of partitions, as sbatch -p takes it: checked name by name, and
# the trial runs in the one that can take it (debug: 5 minutes is past the
# other's MaxTime)
slurm_group 'licenses = "wjr_lic:1";'
sed -i -e "s/partition = \"debug\"/partition = \"$PART,debug\"/" \
    -e 's/experiment_dir = "exp"/experiment_dir = "exp2"/' "$WORK/study.cfg"
out="$("$WJR" check "$WORK/study.cfg" 2>&1)" || fail "check of partition $PART,debug: $out"
# each one's MaxTime, as the cluster has it
[[ "$out" == *"partitions: each found, MaxTime $PART: 1 minutes, debug: "* ]] ||
    fail "check of $PART,debug does not give each MaxTime: $out"
run_trial exp2 "in $PART,debug"
part="$(scontrol show job "$job" 2>&1 | grep -o ' Partition=[^ ]*' || true)"
[[ "$part" == " Partition=debug" ]] || fail "job $job ran in '$part', not debug"
note "job $job in $PART,debug:$part"
sed -i "s/partition = \"$PART,debug\"/partition = \"debug,wjr_no_such_partition\"/" \
    "$WORK/study.cfg"
expect_refused "$((line - 1))" 'slurm.partition "wjr_no_such_partition" does not exist'

# nodelist and exclude reach the job as sbatch's -w and -x; a job that
# excludes the cluster's only node is refused by slurmctld, whose message
# wjr run passes on (exit 3)
slurm_group 'nodelist = "localhost";'
sed -i 's/experiment_dir = "exp2"/experiment_dir = "exp3"/' "$WORK/study.cfg"
run_trial exp3 "with nodelist"
req="$(scontrol show job "$job" 2>&1 | grep -o 'ReqNodeList=[^ ]*' || true)"
[[ "$req" == "ReqNodeList=localhost" ]] || fail "job $job: $req, not ReqNodeList=localhost"
note "job $job: $req"
slurm_group 'exclude = "localhost";'
sed -i 's/experiment_dir = "exp3"/experiment_dir = "exp4"/' "$WORK/study.cfg"
# run_refused EXP WHAT: the run into EXP exits 3 with slurmctld's refusal
run_refused() {
    local rc=0
    "$WJR" run -q "$WORK/study.cfg" >"$WORK/$1.out" 2>"$WORK/$1.err" || rc=$?
    [[ $rc -eq 3 ]] || fail "run $2 exited $rc, not 3: $(cat "$WORK/$1.err")"
    grep -q "Requested node configuration is not available" "$WORK/$1.err" ||
        fail "Slurm's message is not in: $(cat "$WORK/$1.err")"
    note "$2: $(head -c 300 "$WORK/$1.err")"
}
run_refused exp4 "excluding the only node"
# ... before anything is made, as wjr check, which names the group's line
[[ ! -e "$WORK/exp4" ]] || fail "the refused run made $WORK/exp4"
rc=0
err="$("$WJR" check "$WORK/study.cfg" 2>&1 >/dev/null)" || rc=$?
[[ $rc -eq 3 ]] || fail "check excluding the only node exited $rc, not 3: $err"
[[ "$err" == *"study.cfg:$((line - 1)): slurm: slurmctld refuses the trials' jobs (asked as sbatch --test-only asks): Requested node configuration is not available"* ]] ||
    fail "check excluding the only node: $err"

# mail_type, mail_user and wckey (the cluster has TrackWCKey) reach the
# job; tmp too (the node has TmpDisk=0, so slurmctld refuses any)
slurm_group 'mail_type = "end,FAIL"; mail_user = "wjr-check"; wckey = "wjr_study";'
sed -i 's/experiment_dir = "exp4"/experiment_dir = "exp5"/' "$WORK/study.cfg"
run_trial exp5 "with mail_type"
mail="$(scontrol show job "$job" 2>&1 | grep -o 'Mail[A-Za-z]*=[^ ]*\|WCKey=[^ ]*' | sort | tr '\n' ' ' || true)"
[[ "$mail" == "MailType=END,FAIL MailUser=wjr-check WCKey=wjr_study " ]] || fail "job $job: '$mail'"
note "job $job: $mail"
slurm_group 'tmp = "1G";'
sed -i 's/experiment_dir = "exp5"/experiment_dir = "exp6"/' "$WORK/study.cfg"
run_refused exp6 "with tmp = 1G"

# hint reaches the job as sbatch makes it (memory_bound: one core per
# socket, one thread per core), with SLURM_HINT and SLURM_THREADS_PER_CORE
# for srun in the job, and oversubscribe too; ntasks_per_core and
# threads_per_core as well.
cat >"$WORK/slow_model.sh" <<EOS
#!/bin/sh
env | grep -E '^SLURM_([A-Z]+_PER_CORE|HINT)=' >"$WORK/env.\$SLURM_JOB_ID"
exec python3 '$ROOT/examples/branin/model.py' "\$@"
EOS
# job_has EXP WHAT FIELDS ENV: run into EXP; scontrol shows the job's
# ReqB:S:C:T, NtasksPerN:B:S:C and OverSubscribe as FIELDS (those that
# FIELDS names, in that order), and the job had ENV
job_has() {
    local keys got env_got
    sed -i "s/experiment_dir = \"[a-z0-9]*\"/experiment_dir = \"$1\"/" "$WORK/study.cfg"
    run_trial "$1" "$2"
    keys="$(sed 's/=[^ ]*//g; s/ /\\|/g; s/\\|$//' <<<"$3")"
    got="$(scontrol show job "$job" 2>&1 | grep -o "\($keys\)=[^ ]*" | tr '\n' ' ' || true)"
    [[ "$got" == "$3 " ]] || fail "job $job ($2): '$got', not '$3'"
    env_got="$(sort "$WORK/env.$job" 2>&1 | tr '\n' ' ')"
    [[ "$env_got" == "$4 " ]] || fail "job $job ($2) has: '$env_got', not '$4'"
    note "job $job: $got$env_got"
}
slurm_group 'hint = "memory_bound"; oversubscribe = true;'
job_has exp7 "with hint" "ReqB:S:C:T=0:0:1:1 OverSubscribe=YES" \
    "SLURM_HINT=memory_bound SLURM_THREADS_PER_CORE=1"
slurm_group 'ntasks_per_core = 2; threads_per_core = 1;'
job_has exp8 "with ntasks_per_core" "ReqB:S:C:T=0:0:*:1 NtasksPerN:B:S:C=0:0:*:2" \
    "SLURM_NTASKS_PER_CORE=2 SLURM_THREADS_PER_CORE=1"
# prefer reaches the job: slurmctld shows the preferred feature, met, in
# Features (22.05) or Prefer
slurm_group 'prefer = "wjr_node";'
sed -i 's/experiment_dir = "exp8"/experiment_dir = "exp9"/' "$WORK/study.cfg"
run_trial exp9 "with prefer"
got="$(scontrol show job "$job" 2>&1 | grep -o 'Features=[^ ]*\|Prefer=[^ ]*' | tr '\n' ' ' || true)"
[[ "$got" == *"=wjr_node "* ]] || fail "job $job: '$got' names no wjr_node"
note "job $job: $got"

# begin and deadline, read by libslurm as sbatch reads them: with a begin
# an hour ahead, slurmctld's test starts the first trial's job then, as
# sbatch --test-only --begin says; a deadline already past is slurmctld's
# refusal at the deadline's line (exit 3), from wjr check and before wjr
# run makes anything; a deadline ahead reaches the job, which runs.
slurm_group 'begin = "now+1hour";'
out="$("$WJR" check "$WORK/study.cfg" 2>&1)" || fail "check with a begin: $out"
[[ "$out" =~ "first trial: slurmctld would start its job at "([0-9T:-]+)", on localhost in partition debug" ]] ||
    fail "the first trial's job does not wait for its begin: $out"
at="$(date -d "${BASH_REMATCH[1]}" +%s)"
sbatch --test-only -p debug -t 5 --mem=100M --begin=now+1hour --wrap true >"$WORK/sbatch.out" 2>&1 ||
    fail "sbatch --test-only --begin: $(cat "$WORK/sbatch.out")"
sat="$(grep -o 'to start at [0-9T:-]*' "$WORK/sbatch.out" | cut -d' ' -f4)"
[[ -n "$sat" ]] || fail "sbatch --test-only --begin gives no start: $(cat "$WORK/sbatch.out")"
sat="$(date -d "$sat" +%s)"
((at >= $(date +%s) + 3500 && at - sat <= 60 && sat - at <= 60)) ||
    fail "with begin now+1hour: wjr check $at, sbatch --test-only $sat, now $(date +%s)"
note "begin now+1hour: $(grep '^first trial' <<<"$out"); $(cat "$WORK/sbatch.out")"
slurm_group 'deadline = "2020-01-01";'
sed -i 's/experiment_dir = "exp9"/experiment_dir = "exp10"/' "$WORK/study.cfg"
for cmd in check run; do
    rc=0
    err="$("$WJR" "$cmd" "$WORK/study.cfg" 2>&1 >/dev/null)" || rc=$?
    [[ $rc -eq 3 ]] || fail "$cmd with a deadline past exited $rc, not 3: $err"
    [[ "$err" == *"study.cfg:$line: slurm.deadline: slurmctld refuses the trials' jobs (asked as sbatch --test-only asks): deadline '2020-01-01' (2020-01-01T00:00:00) leaves a job no time to run: Requested time limit is invalid"* ]] ||
        fail "$cmd with a deadline past: $err"
done
[[ ! -e "$WORK/exp10" ]] || fail "the refused run made $WORK/exp10"
note "deadline past: $err"
slurm_group 'deadline = "now+1hour";'
sed -i 's/experiment_dir = "exp10"/experiment_dir = "exp11"/' "$WORK/study.cfg"
run_trial exp11 "with a deadline"
got="$(scontrol show job "$job" 2>&1 | grep -o 'Deadline=[^ ]*' || true)"
[[ "$got" =~ ^Deadline=([0-9T:-]+)$ ]] || fail "job $job has no deadline: '$got'"
dl="$(date -d "${BASH_REMATCH[1]}" +%s)"
((dl > $(date +%s) + 3000 && dl < $(date +%s) + 3700)) || fail "job $job: $got, not in an hour"
note "job $job: $got"

# The trials at the ends of a parameter an option takes: with
# ntasks_per_node from n, n's upper bound one past the node's CPUs is
# refused by slurmctld (as sbatch --test-only refuses it), at the option's
# line with n's value, from wjr check and before wjr run makes anything;
# within the node's CPUs, the ends are tested and taken.
cpus="$(scontrol show node localhost | grep -o 'CPUTot=[0-9]*' | cut -d= -f2)"
[[ "$cpus" =~ ^[0-9]+$ ]] || fail "no CPUTot for localhost: $(scontrol show node localhost)"
if sbatch --test-only -p debug -t 5 --mem=100M -N 1 --ntasks-per-node=$((cpus + 1)) --wrap true \
    >"$WORK/sbatch.out" 2>&1; then
    fail "sbatch --test-only takes $((cpus + 1)) tasks on a node of $cpus CPUs: $(cat "$WORK/sbatch.out")"
fi
sed -i "s/n = { type = \"range\"; bounds = \[1, 8\]/n = { type = \"range\"; bounds = [1, $((cpus + 1))]/" \
    "$WORK/study.cfg"
grep -q "bounds = \[1, $((cpus + 1))\]" "$WORK/study.cfg" || fail "n's bounds not set: $(cat "$WORK/study.cfg")"
slurm_group 'ntasks_per_node = "{{ n }}";'
sed -i 's/experiment_dir = "exp11"/experiment_dir = "exp12"/' "$WORK/study.cfg"
for cmd in check run; do
    rc=0
    err="$("$WJR" "$cmd" "$WORK/study.cfg" 2>&1 >/dev/null)" || rc=$?
    [[ $rc -eq 3 ]] || fail "$cmd with n up to $((cpus + 1)) tasks per node exited $rc, not 3: $err"
    [[ "$err" == *"study.cfg:$line: slurm.ntasks_per_node, a trial with n = $((cpus + 1)): slurmctld refuses the trials' jobs (asked as sbatch --test-only asks): Requested node configuration is not available"* ]] ||
        fail "$cmd with n up to $((cpus + 1)): $err"
done
[[ ! -e "$WORK/exp12" ]] || fail "the refused run made $WORK/exp12"
note "an end refused: $err; sbatch: $(cat "$WORK/sbatch.out")"
sed -i "s/bounds = \[1, $((cpus + 1))\]/bounds = [1, $cpus]/" "$WORK/study.cfg"
out="$("$WJR" check "$WORK/study.cfg" 2>&1)" || fail "check with n within the node: $out"
[[ "$out" == *"trials at the ends of the parameters the options take: "[12]" more job"*" tested, slurmctld would take "* ]] ||
    fail "no test of the ends: $out"
note "$(grep '^trials at the ends' <<<"$out")"
note "ok"
