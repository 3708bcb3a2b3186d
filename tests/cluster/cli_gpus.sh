#!/usr/bin/env bash
# GPU trials on the local cluster, whose node has two GPUs of type wjrgpu
# (counted by slurmctld, /dev/null for devices: slurm/gres.conf.in).
# `wjr check` shows them. A study whose gpus_per_node comes from a
# parameter (1 or 2) runs every trial to COMPLETED with that many GPUs:
# the model counts the devices in CUDA_VISIBLE_DEVICES, which slurmd sets
# from the job's allocation, and reports the count as its metric, so
# results.csv shows each trial's parameter beside what its job was given.
# Trials asking for different counts go into different job arrays, and
# two trials of two GPUs each never overlap on the node. gpus_per_task
# with a count of tasks, gpus with cpus_per_gpu and mem_per_gpu, and a
# gres of the node's type reach their jobs too. gpus_per_task alone is
# refused at load (exit 2, file:line), as slurmctld refuses the job; so
# are GPU counts at odds (gpus not a multiple of the GPUs per node or per
# task, fewer GPUs than nodes) and a GPU type beside none, each of which
# sbatch --test-only is refused too, while counts that add up pass both.
. "$(dirname "$0")/cli_lib.sh"

# The model: the number of GPUs the job sees, as metric "gpus" (BOA's
# output.json in the trial's folder, its last argument); each job also
# notes its id, devices and start and end times in gpus.log.
cat >"$WORK/gpu_model.sh" <<'EOS'
#!/bin/sh
for dir; do :; done
start="$(date +%s.%N)"
devices="${CUDA_VISIBLE_DEVICES:-}"
count=0
[ -n "$devices" ] && count="$(echo "$devices" | tr ',' '\n' | wc -l)"
sleep 2
echo "${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID}_${SLURM_ARRAY_TASK_ID:-} '$devices' $start $(date +%s.%N)" >>@LOG@
printf '{"gpus": %s}\n' "$count" >"$dir/output.json"
EOS
sed -i "s|@LOG@|'$WORK/gpus.log'|" "$WORK/gpu_model.sh"
chmod +x "$WORK/gpu_model.sh"

# write_study SLURM EXP TOTAL: a study of TOTAL trials into EXP whose slurm
# group is SLURM, its parameter g (1 or 2 GPUs) beside x
write_study() {
    cat >"$WORK/study.cfg" <<EOS
objective = { metrics = ( { name = "gpus"; minimize = true; } ); };
parameters = {
  x = { type = "range"; bounds = [0.0, 1.0]; };
  g = { type = "choice"; values = [1, 2]; };
};
generation_strategy = { seed = 5; steps = ( { model = "SOBOL"; num_trials = -1; } ); };
scheduler = { total_trials = $3; max_pending_trials = $3; run_trials_in_batches = true;
              init_seconds_between_polls = 0.5; };
script_options = { run_model = "sh gpu_model.sh"; experiment_dir = "$2"; };
slurm = { partition = "debug"; time = "00:05:00"; mem = "100M"; $1 };
EOS
}

# run_study EXP: run it; every trial must end COMPLETED
run_study() {
    "$WJR" run -q "$WORK/study.cfg" >"$WORK/$1.out" 2>"$WORK/$1.err" ||
        fail "run into $1: $(cat "$WORK/$1.err")"
    if awk -F, 'NR > 1 && $2 != "COMPLETED" { bad = 1 } END { exit !bad }' \
        "$WORK/$1/results.csv"; then
        fail "a trial did not complete: $(cat "$WORK/$1/results.csv")"
    fi
}

# column EXP NAME: results.csv's column NAME, a line per trial
column() {
    awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
                          { print $c }' "$WORK/$1/results.csv"
}

# check shows the node's GPUs
write_study 'gpus_per_node = "{{ g }}"; cpus_per_gpu = 1;' exp 4
out="$("$WJR" check "$WORK/study.cfg" 2>&1)" || fail "check: $out"
[[ "$out" == *"gres of partition debug: gpu:2, gpu:wjrgpu:2"* ]] || fail "the GPUs are not shown: $out"

# each trial gets the GPUs its parameter asks for
: >"$WORK/gpus.log"
run_study exp
paste -d' ' <(column exp g) <(column exp gpus) <(column exp job_id) >"$WORK/given.txt"
note "g, GPUs seen, job: $(tr '\n' ';' <"$WORK/given.txt")"
awk '$1 != $2 { bad = 1 } END { exit bad }' "$WORK/given.txt" ||
    fail "a trial saw another number of GPUs than it asked for: $(cat "$WORK/given.txt")"
if ! grep -q '^1 ' "$WORK/given.txt" || ! grep -q '^2 ' "$WORK/given.txt"; then
    fail "the study did not draw both counts: $(cat "$WORK/given.txt")"
fi
# one job array per count
arrays="$(awk '{ sub(/_.*/, "", $3); print $1, $3 }' "$WORK/given.txt" | sort -u)"
[[ "$(echo "$arrays" | wc -l)" -eq 2 && "$(echo "$arrays" | cut -d' ' -f2 | sort -u | wc -l)" -eq 2 ]] ||
    fail "trials asking for 1 and 2 GPUs did not go into two job arrays: $arrays"
# jobs of two GPUs each had the node's two GPUs to themselves, one after the other
grep "'0,1'" "$WORK/gpus.log" | awk '{ print $3, $4 }' | sort -n >"$WORK/two.txt"
[[ "$(wc -l <"$WORK/two.txt")" -ge 1 ]] || fail "no job saw devices 0,1: $(cat "$WORK/gpus.log")"
awk 'NR > 1 && $1 < end { bad = 1 } { end = $2 } END { exit bad }' "$WORK/two.txt" ||
    fail "jobs of two GPUs each overlapped: $(cat "$WORK/gpus.log")"

# gpus_per_task needs a count of tasks: refused at load with its line
write_study 'gpus_per_task = "1";' exp2 2
line="$(grep -n '^slurm = ' "$WORK/study.cfg" | cut -d: -f1)"
rc=0
err="$("$WJR" run -q "$WORK/study.cfg" 2>&1 >/dev/null)" || rc=$?
[[ $rc -eq 2 && "$err" == *"study.cfg:$line: slurm.gpus_per_task needs slurm.ntasks"* ]] ||
    fail "gpus_per_task alone: exit $rc: $err"
[[ ! -e "$WORK/exp2" ]] || fail "gpus_per_task alone created $WORK/exp2"
rc=0
sbatch --test-only -p debug -t 5 --gpus-per-task=1 --wrap true >"$WORK/sbatch.out" 2>&1 || rc=$?
[[ $rc -ne 0 ]] || fail "sbatch --test-only --gpus-per-task=1 was accepted: $(cat "$WORK/sbatch.out")"

# GPU counts at odds, and a type beside no type: wjr refuses each at load,
# and slurmctld refuses the same request from sbatch; what adds up passes both
# agree CONFIG SBATCH-OPTIONS WHAT: check exits 2 with WHAT (or 0 when WHAT is
# empty), and sbatch --test-only refuses (or accepts) the same request
agree() {
    local rc=0 src=0 err
    write_study "$1" exp5 1
    err="$("$WJR" check "$WORK/study.cfg" 2>&1 >/dev/null)" || rc=$?
    # shellcheck disable=SC2086 # the options are words
    sbatch --test-only -p debug -t 5 $2 --wrap true >"$WORK/sbatch.out" 2>&1 || src=$?
    if [[ -n "$3" ]]; then
        [[ $rc -eq 2 && "$err" == *"$3"* ]] || fail "$1: check exited $rc: $err"
        [[ $src -ne 0 ]] || fail "sbatch $2 was accepted: $(cat "$WORK/sbatch.out")"
        note "$1: refused, as sbatch $2: $(tail -n 1 "$WORK/sbatch.out")"
    else
        [[ $rc -eq 0 ]] || fail "$1: check exited $rc: $err"
        [[ $src -eq 0 ]] || fail "sbatch $2 was refused: $(cat "$WORK/sbatch.out")"
    fi
}
agree 'gpus = "3"; gpus_per_node = "2";' '--gpus=3 --gpus-per-node=2' \
    'is not a multiple of the 2 GPUs per node of slurm.gpus_per_node'
agree 'gpus = "3"; gpus_per_task = "2";' '--gpus=3 --gpus-per-task=2' \
    'is not a multiple of slurm.gpus_per_task'
agree 'gpus_per_node = "2"; gpus_per_task = "3"; ntasks = 1;' \
    '--gpus-per-node=2 --gpus-per-task=3 -n 1' 'are not a multiple of slurm.gpus_per_task'
agree 'gpus = "1"; nodes = "2";' '--gpus=1 -N 2' 'is fewer GPUs than the 2 nodes'
agree 'gpus = "wjrgpu:2"; gpus_per_task = "1"; ntasks = 2;' '--gpus=wjrgpu:2 --gpus-per-task=1 -n 2' \
    'asks for GPUs without a type where another GPU request names one'
agree 'gpus = "2"; gpus_per_node = "2"; gpus_per_task = "1";' \
    '--gpus=2 --gpus-per-node=2 --gpus-per-task=1' ''
agree 'gpus = "wjrgpu:2"; gpus_per_task = "wjrgpu:1"; cpus_per_gpu = 1;' \
    '--gpus=wjrgpu:2 --gpus-per-task=wjrgpu:1 --cpus-per-gpu=1' ''

# the other ways to ask for GPUs reach the job: each trial sees its count
for request in 'gpus_per_task = "1"; ntasks = 2;|2' \
    'gpus = "wjrgpu:1"; cpus_per_gpu = 1; mem_per_gpu = "50M";|1' \
    'gres = "gpu:wjrgpu:2";|2'; do
    what="${request%|*}" want="${request##*|}"
    write_study "$what" exp3 2
    [[ "$what" == *mem_per_gpu* ]] && sed -i 's/mem = "100M"; //' "$WORK/study.cfg"
    rm -rf "$WORK/exp3"
    run_study exp3
    seen="$(column exp3 gpus | sort -u | tr '\n' ' ')"
    [[ "$seen" == "$want " ]] || fail "with $what the trials saw '$seen' GPUs, not $want"
    note "$what: each trial saw $want GPU(s)"
done
note "ok"
