#!/usr/bin/env bash
# The trial's job runs with the submitter's umask and soft resource limits,
# as a job from sbatch does (SLURM_UMASK and SLURM_RLIMIT_*, which
# slurmstepd applies under PropagateResourceLimits=ALL, Slurm's default):
# `wjr run` from a shell with umask 027, a 4 MiB stack, 200 open files and
# no core files gives the model those, files the model writes get the
# umask, and sbatch from the same shell gives its job the same. With
# propagate = "STACK" only the stack reaches the job, with "NONE" no
# limit, as with sbatch --propagate from the same shell.
. "$(dirname "$0")/cli_lib.sh"

write_config 1 false 0
cat >"$WORK/slow_model.sh" <<EOS
#!/bin/sh
echo "umask=\$(umask) stack=\$(ulimit -s) nofile=\$(ulimit -n) core=\$(ulimit -c)" >"$WORK/limits.wjr"
exec python3 '$ROOT/examples/branin/model.py' "\$@"
EOS
want="umask=0027 stack=4096 nofile=200 core=0"
# limited CMD...: CMD from a shell with those settings
limited() {
    (
        umask 027
        ulimit -S -s 4096 && ulimit -S -n 200 && ulimit -S -c 0 || exit 99
        "$@"
    )
}
limited "$WJR" run -q "$WORK/study.cfg" >"$WORK/run.out" 2>"$WORK/run.err" ||
    fail "run: $(cat "$WORK/run.err")"
[[ "$(awk -F, 'NR == 2 { print $2 }' "$WORK/exp/results.csv")" == COMPLETED ]] ||
    fail "the trial did not complete: $(cat "$WORK/exp/results.csv")"
got="$(cat "$WORK/limits.wjr" 2>&1)"
[[ "$got" == "$want" ]] || fail "the model ran with '$got', not '$want'"
# what the model wrote: group-readable, not world-readable
perms="$(stat -c %a "$WORK/exp/000000/output.json" 2>&1)"
[[ "$perms" == 640 ]] || fail "output.json has mode $perms, not 640 (umask 027)"
limited sbatch --wait -p debug -t 5 -o /dev/null \
    --wrap "echo \"umask=\$(umask) stack=\$(ulimit -s) nofile=\$(ulimit -n) core=\$(ulimit -c)\" >'$WORK/limits.sbatch'" \
    >"$WORK/sbatch.out" 2>&1 || fail "sbatch: $(cat "$WORK/sbatch.out")"
[[ "$(cat "$WORK/limits.sbatch" 2>&1)" == "$got" ]] ||
    fail "sbatch's job ran with '$(cat "$WORK/limits.sbatch" 2>&1)', wjr's with '$got'"
note "wjr's job and sbatch's: $got; output.json $perms"

# propagate, as sbatch's --propagate: STACK alone gives the job the 4 MiB
# stack and slurmd's open files; NONE gives it slurmd's limits; each as
# sbatch --propagate from the same shell
for prop in STACK NONE; do
    sed -i -e "s/^slurm = { \(propagate = \"[A-Z]*\"; \)\{0,1\}/slurm = { propagate = \"$prop\"; /" \
        -e "s/experiment_dir = \"exp[A-Z]*\"/experiment_dir = \"exp$prop\"/" "$WORK/study.cfg"
    grep -q "propagate = \"$prop\"" "$WORK/study.cfg" || fail "propagate not set: $(cat "$WORK/study.cfg")"
    rm -f "$WORK/limits.wjr"
    limited "$WJR" run -q "$WORK/study.cfg" >"$WORK/run.out" 2>"$WORK/run.err" ||
        fail "run with propagate $prop: $(cat "$WORK/run.err")"
    got="$(cat "$WORK/limits.wjr" 2>&1)"
    limited sbatch --wait -p debug -t 5 -o /dev/null --propagate="$prop" \
        --wrap "echo \"umask=\$(umask) stack=\$(ulimit -s) nofile=\$(ulimit -n) core=\$(ulimit -c)\" >'$WORK/limits.sbatch'" \
        >"$WORK/sbatch.out" 2>&1 || fail "sbatch --propagate=$prop: $(cat "$WORK/sbatch.out")"
    [[ "$(cat "$WORK/limits.sbatch" 2>&1)" == "$got" ]] ||
        fail "propagate $prop: sbatch's job ran with '$(cat "$WORK/limits.sbatch" 2>&1)', wjr's with '$got'"
    case $prop in
    STACK) [[ "$got" == "umask=0027 stack=4096 nofile="* && "$got" != *" nofile=200 "* ]] ||
        fail "propagate STACK: the model ran with '$got'" ;;
    NONE) [[ "$got" == umask=0027* && "$got" != *" stack=4096 "* && "$got" != *" nofile=200 "* ]] ||
        fail "propagate NONE: the model ran with '$got'" ;;
    esac
    note "propagate $prop: wjr's job and sbatch's: $got"
done
note "ok"
