#!/usr/bin/env bash
# The task layout options against the real controller, each beside sbatch
# with the same options: sockets_per_node, cores_per_socket,
# ntasks_per_socket and distribution reach the trial's job as sbatch's
# --sockets-per-node, --cores-per-socket, --ntasks-per-socket and
# --distribution reach its job (scontrol's ReqB:S:C:T and NtasksPerN:B:S:C
# alike), and the model sees the SLURM_DISTRIBUTION, SLURM_DIST_PLANESIZE
# and SLURM_NTASKS_PER_SOCKET that sbatch's job sees, for srun in it; more
# cores per socket than the node has (the local node has 8 sockets of one
# core) is refused by `wjr check` with slurmctld's own answer, as sbatch
# --test-only refuses it, and so are more sockets than it has.
. "$(dirname "$0")/cli_lib.sh"

write_config 1 false 0
VARS='^SLURM_(DISTRIBUTION|DIST_PLANESIZE|NTASKS_PER_SOCKET)='
cat >"$WORK/slow_model.sh" <<EOS
#!/bin/sh
env | grep -E '$VARS' | sort >"$WORK/env.wjr"
exec python3 '$ROOT/examples/branin/model.py' "\$@"
EOS
FIELDS='ReqB:S:C:T=[^ ]*\|NtasksPerN:B:S:C=[^ ]*'

# same_as_sbatch EXP GROUP SBATCH_OPTIONS...: a study with GROUP added to
# its slurm group, and sbatch with SBATCH_OPTIONS, give jobs with the same
# layout fields and environment.
same_as_sbatch() {
    local exp=$1 group=$2 job sjob wjr_fields sb_fields
    shift 2
    sed -i '/^slurm = /,$d' "$WORK/study.cfg"
    printf 'slurm = { partition = "debug"; time = "00:05:00"; mem = "100M";\n  %s };\n' "$group" \
        >>"$WORK/study.cfg"
    sed -i "s/experiment_dir = \"[a-z0-9]*\"/experiment_dir = \"$exp\"/" "$WORK/study.cfg"
    rm -f "$WORK/env.wjr" "$WORK/env.sbatch"
    "$WJR" run -q "$WORK/study.cfg" >"$WORK/$exp.out" 2>"$WORK/$exp.err" ||
        fail "run with $group: $(cat "$WORK/$exp.err")"
    [[ "$(awk -F, 'NR == 2 { print $2 }' "$WORK/$exp/results.csv")" == COMPLETED ]] ||
        fail "the trial with $group did not complete: $(cat "$WORK/$exp/results.csv")"
    job="$(awk -F, 'NR == 2 { print $3 }' "$WORK/$exp/results.csv")"
    sbatch --parsable --wait -p debug -t 5 --mem 100M -o /dev/null "$@" \
        --wrap "env | grep -E '$VARS' | sort >'$WORK/env.sbatch'" >"$WORK/sbatch.out" 2>&1 ||
        fail "sbatch $*: $(cat "$WORK/sbatch.out")"
    sjob="$(grep -o '^[0-9]*' "$WORK/sbatch.out" | head -n 1)"
    wjr_fields="$(scontrol show job "$job" 2>&1 | grep -o "$FIELDS" | tr '\n' ' ')"
    sb_fields="$(scontrol show job "$sjob" 2>&1 | grep -o "$FIELDS" | tr '\n' ' ')"
    [[ -n "$wjr_fields" && "$wjr_fields" == "$sb_fields" ]] ||
        fail "$group: wjr's job $job has '$wjr_fields', sbatch's job $sjob '$sb_fields'"
    [[ -s "$WORK/env.sbatch" ]] || fail "sbatch $*: its job exported none of the variables"
    diff "$WORK/env.wjr" "$WORK/env.sbatch" >"$WORK/env.diff" 2>&1 ||
        fail "$group: the model's variables differ from sbatch's job's: $(cat "$WORK/env.diff")"
    note "$group: job $job as sbatch's $sjob: $wjr_fields$(tr '\n' ' ' <"$WORK/env.wjr")"
}

same_as_sbatch exp1 'ntasks = 2; sockets_per_node = 2; cores_per_socket = 1; ntasks_per_socket = 1;
  distribution = "cyclic:block,pack";' \
    -n 2 --sockets-per-node 2 --cores-per-socket 1 --ntasks-per-socket 1 -m cyclic:block,pack
same_as_sbatch exp2 'ntasks = 2; distribution = "plane=2";' -n 2 -m plane=2
same_as_sbatch exp3 'distribution = "block:*:fcyclic";' -m 'block:*:fcyclic'

# two cores per socket (the node has one) or nine sockets (it has eight):
# slurmctld refuses the job, and wjr check says so, as sbatch --test-only does
refused() {
    local key=$1 value=$2 option=$3 rc=0 rc_sb=0 out sb
    sed -i '/^slurm = /,$d' "$WORK/study.cfg"
    printf 'slurm = { partition = "debug"; time = "00:05:00"; mem = "100M";\n  %s = %s; };\n' \
        "$key" "$value" >>"$WORK/study.cfg"
    out="$("$WJR" check "$WORK/study.cfg" 2>&1)" || rc=$?
    sb="$(sbatch --test-only -p debug -t 5 --mem 100M "$option" "$value" --wrap true 2>&1)" || rc_sb=$?
    ((rc_sb != 0)) || fail "sbatch --test-only accepted $option $value: $sb"
    ((rc != 0)) || fail "wjr check accepted $key = $value: $out"
    [[ "$out" == *"not available"* && "$sb" == *"not available"* ]] ||
        fail "$key = $value: wjr check: '$out'; sbatch --test-only: '$sb'"
    note "$key = $value refused: $(tail -n 1 <<<"$out")"
}
refused cores_per_socket 2 --cores-per-socket
refused sockets_per_node 9 --sockets-per-node
note "ok"
