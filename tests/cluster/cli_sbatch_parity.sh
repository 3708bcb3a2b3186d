#!/usr/bin/env bash
# A trial's job is the job sbatch makes of the same options. For each of
# nineteen sets of options below, `wjr run` runs one trial whose model records its
# SLURM_* variables, and `sbatch --wait` runs a job with the same options
# as sbatch's flags that records its own; then the two environments must
# be equal, and so must what `scontrol show job` says of the two jobs,
# field by field. Left out are what names a job (ids, name, comment,
# output files, times, the command and the line that submitted it) and the
# scheduler pass that started it; sbatch is given --open-mode=append, which
# wjr's jobs always have.
# This is how srun in a model's job gets what srun in an sbatch job gets
# (SLURM_TRES_PER_TASK and the GPU binding from 23.11, SLURM_GPUS_PER_TASK
# and SLURM_GPU_BIND on 22.05, the distribution...), on each Slurm major.
. "$(dirname "$0")/cli_lib.sh"

cat >"$WORK/env_model.sh" <<EOS
#!/bin/sh
env | grep '^SLURM_' | sort >"$WORK/env.wjr"
for d; do :; done
echo '{"y": 1}' >"\$d/output.json"
EOS
# what names a job, or is the submitting shell's (the same for both, but
# given only by sbatch: wjr's jobs pass on the driver's, tested by
# cli_job_env)
IGN_ENV='^SLURM_(JOB_ID|JOBID|JOB_SLUID|JOB_NAME|SUBMIT_DIR|TASK_PID|JOB_START_TIME|JOB_END_TIME|ARRAY_[A-Z_]*|SCRIPT_CONTEXT|PRIO_PROCESS|RLIMIT_[A-Z]*|UMASK)='
IGN_JOB='^(JobId|SLUID|JobName|SubmitLine|Priority|SubmitTime|EligibleTime|AccrueTime|StartTime|EndTime|LastSchedEval|Scheduler|Command|WorkDir|StdErr|StdOut|StdIn|RunTime|Comment|Reason|ArrayJobId|ArrayTaskId|Deadline|SuspendTime|SecsPreSuspend|PreemptEligibleTime|PreemptTime)='
n=0

# fields JOB: scontrol's Key=value words of JOB, one a line, but those of
# IGN_JOB (the words of a value with spaces, such as SubmitLine's, are
# not Key=value)
fields() {
    scontrol show job "$1" | tr ' ' '\n' | grep -E '^[A-Z][A-Za-z0-9:/_]*=' | grep -Ev "$IGN_JOB"
}

# same SLURM_GROUP -- SBATCH_FLAGS...
same() {
    local group=$1 mem='mem = "100M";' job sjob
    local -a smem=(--mem 100M)
    shift 2
    [[ "$group" == *mem_per* ]] && { mem=''; smem=(); }
    n=$((n + 1))
    cat >"$WORK/p$n.cfg" <<EOS
objective = { metrics = ( { name = "y"; minimize = true; } ); };
parameters = { x = { type = "range"; bounds = [0.0, 1.0]; }; };
scheduler = { total_trials = 1; max_pending_trials = 1; init_seconds_between_polls = 0.3; };
script_options = { run_model = "sh $WORK/env_model.sh"; experiment_dir = "exp$n"; };
slurm = { partition = "debug"; time = "00:05:00"; $mem $group };
EOS
    rm -f "$WORK/env.wjr" "$WORK/env.sbatch"
    "$WJR" run -q "$WORK/p$n.cfg" >"$WORK/p$n.out" 2>&1 || fail "run with $group: $(cat "$WORK/p$n.out")"
    job="$(awk -F, 'NR == 2 { print $3 }' "$WORK/exp$n/results.csv")"
    sjob="$(sbatch --parsable --wait -p debug -t 5 "${smem[@]}" --open-mode=append -o /dev/null "$@" \
        --wrap "env | grep '^SLURM_' | sort >'$WORK/env.sbatch'" 2>"$WORK/sbatch.err")" ||
        fail "sbatch $*: $(cat "$WORK/sbatch.err")"
    [[ -s "$WORK/env.wjr" && -s "$WORK/env.sbatch" ]] || fail "$group: an environment is missing"
    diff <(grep -Ev "$IGN_ENV" "$WORK/env.wjr") <(grep -Ev "$IGN_ENV" "$WORK/env.sbatch") \
        >"$WORK/env.diff" 2>&1 ||
        fail "$group: the model's variables (<) differ from those of sbatch $* (>): $(cat "$WORK/env.diff")"
    diff <(fields "$job") <(fields "$sjob") \
        >"$WORK/job.diff" 2>&1 ||
        fail "$group: job $job (<) differs from sbatch $*'s job $sjob (>): $(cat "$WORK/job.diff")"
    note "as sbatch $*: job $job and $sjob"
}

same 'cpus_per_task = 2;' -- -c 2
same 'ntasks = 2; cpus_per_task = 2; gpus_per_task = "1";' -- -n 2 -c 2 --gpus-per-task 1
same 'ntasks = 1; gpus_per_task = "wjrgpu:1";' -- -n 1 --gpus-per-task wjrgpu:1
same 'gpus = "1";' -- --gpus 1
same 'gpus_per_node = "1"; cpus_per_gpu = 1; mem_per_gpu = "50M";' -- \
    --gpus-per-node 1 --cpus-per-gpu 1 --mem-per-gpu 50M
same 'gres = "gpu:1";' -- --gres gpu:1
same 'ntasks = 2; ntasks_per_node = 2; mem_per_cpu = "50M";' -- -n 2 --ntasks-per-node 2 --mem-per-cpu 50M
same 'nodes = 1; exclusive = true;' -- -N 1 --exclusive
same 'hint = "nomultithread";' -- --hint nomultithread
same 'ntasks = 2; ntasks_per_core = 1; threads_per_core = 1;' -- -n 2 --ntasks-per-core 1 --threads-per-core 1
same 'ntasks = 2; sockets_per_node = 2; ntasks_per_socket = 1; distribution = "cyclic:block";' -- \
    -n 2 --sockets-per-node 2 --ntasks-per-socket 1 -m cyclic:block
# (not time_min: the backfill pass may start a job with any limit from
# time_min to time, so two jobs alike may be given two limits)
same 'nice = 5;' -- --nice=5
same 'licenses = "wjr_lic:1"; requeue = false;' -- -L wjr_lic:1 --no-requeue
same 'mail_type = "END,FAIL"; mail_user = "someone"; wckey = "w1";' -- \
    --mail-type END,FAIL --mail-user someone --wckey w1
same 'constraint = "wjr_node"; prefer = "wjr_node"; nodelist = "localhost";' -- \
    -C wjr_node --prefer wjr_node -w localhost
same 'signal = "USR1@30"; oversubscribe = true;' -- --signal B:USR1@30 --oversubscribe
same 'export = "NONE";' -- --export NONE
same 'ntasks = 2; gpus_per_task = "1"; gpu_bind = "verbose,closest";' -- \
    -n 2 --gpus-per-task 1 --gpu-bind verbose,closest
same 'gpus = "2"; gpu_bind = "map_gpu:1,0";' -- --gpus 2 --gpu-bind map_gpu:1,0
note "ok"
