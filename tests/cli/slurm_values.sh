#!/usr/bin/env bash
# The values of the slurm group through the CLI, without a cluster: for each
# kind of option, a bad value makes `wjr check` and `wjr run` fail with exit
# 2 and file:line (file:line:column in YAML) naming the key and the value,
# in wjr's format and in BOA's YAML, and `wjr run` creates no study
# directory; a configuration with every form Slurm reads passes `wjr check`
# against the fake controller. A well-formed reservation, license list or
# GRES/GPU request, memory, threads per core or constraint the fake cluster
# cannot satisfy fails the same way, naming what the cluster has.
#   usage: tests/cli/slurm_values.sh PATH/TO/wjr-mock
set -uo pipefail

WJR="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
W="$(mktemp -d /tmp/wjr-cli-slurm-values-XXXXXX)"
# shellcheck source=sanitizer.sh
. "$HERE/sanitizer.sh"
trap 'rm -rf "$W" "$SAN_DIR"' EXIT
cd "$W" || exit 1
# libslurm needs a configuration to load; this one names no controller (and
# every call that would reach one is wrapped by the fake).
export SLURM_CONF="$HERE/../study/data/slurm.conf"
export WJR_MOCK_PARTITIONS=debug:60
# what the fake cluster has: the check compares the options with it
export WJR_MOCK_RESERVATIONS=maint WJR_MOCK_LICENSES=matlab@db:4,fluent:1,matlab:2
export WJR_MOCK_NODE_GRES='gpu:a100:2(S:0-1),nic:1'
export WJR_MOCK_NODE_FEATURES=intel,ib WJR_MOCK_NODE_MEMORY=16000 WJR_MOCK_NODE_THREADS=2
failures=0

fail() {
    echo "FAIL $*" >&2
    failures=$((failures + 1))
}

# write FORMAT KEY VALUE: the configuration with slurm.KEY = VALUE as
# cfg.FORMAT; prints where the key lands (line, or line:column).
write() {
    local format=$1 key=$2 value=$3
    if [[ $format == cfg ]]; then
        printf '%s\n' 'script_options = { run_model = "true"; experiment_dir = "runs/s"; };' \
            'slurm = {' "  $key = $value;" '};' >"cfg.cfg"
        echo 3
    else
        printf '%s\n' 'script_options: {run_model: "true", experiment_dir: runs/s}' \
            'slurm:' "  $key: $value" >"cfg.yaml"
        echo 3:3
    fi
}

# bad KEY VALUE SHOWN: both formats, check and run, fail naming KEY and SHOWN.
bad() {
    local key=$1 value=$2 shown=$3 format where cmd rc err
    for format in cfg yaml; do
        where="$(write "$format" "$key" "$value")"
        for cmd in check run; do
            rc=0
            err="$("$WJR" "$cmd" "cfg.$format" 2>&1 >/dev/null)" || rc=$?
            # wjr's message is the last line: libslurm's time parser (begin,
            # deadline) prints its own before it
            err="${err##*$'\n'}"
            if [[ $rc -ne 2 ]]; then
                fail "$cmd $format $key=$value: exit $rc, expected 2 ($err)"
            elif [[ "$err" != "wjr $cmd: cfg.$format:$where: slurm.$key "* ]]; then
                fail "$cmd $format $key=$value: no file:line and key in: $err"
            elif [[ "$err" != *"$shown"* ]]; then
                fail "$cmd $format $key=$value: the value $shown is not named in: $err"
            else
                echo "ok $cmd $format $key=$value"
            fi
            if [[ -e runs ]]; then
                fail "$cmd $format $key=$value created $W/runs"
                rm -rf runs
            fi
        done
    done
}

bad time '"ten minutes"' '"ten minutes"'
bad time_min '"1:02:03:04"' '"1:02:03:04"'
bad mem '"4X"' '"4X"'
bad mem_per_cpu '"-1G"' '"-1G"'
bad gres '"gpu:a 100"' '"gpu:a 100"'
bad gpus '"a100:0"' '"a100:0"'
bad licenses '"matlab:two"' '"matlab:two"'
bad partition '"de bug"' '"de bug"'
bad account '"a b"' '"a b"'
bad qos '"normal "' '"normal "'
bad cpus_per_task 70000 'not 70000'
bad nodes '"4-2"' '"4-2"'
bad ntasks 0 'not 0'
bad nice 2147483647 'not 2147483647'
bad array_throttle -1 'not -1'
bad signal '"TERM@60"' '"TERM@60"'
bad export '"ALL,A=1"' '"ALL,A=1"'
bad hint '"nomultithreads"' '"nomultithreads" is not a hint'
bad threads_per_core 0 'not 0'
bad ntasks_per_core 70000 'not 70000'
bad oversubscribe '"yes"' 'true or false'
bad wckey '"a b"' '"a b"'
bad begin '"next week"' '"next week" is not a time as sbatch --begin reads it'
bad deadline '"2026-13-45"' '"2026-13-45" is not a time'
bad propagate '"STACK,STAK"' '"STAK" is not a resource limit'
bad clusters '"wjr2,wjr3"' 'name one cluster'
bad clusters '"a b"' '"a b"'
bad sockets_per_node 0 'not 0'
bad cores_per_socket 70000 'not 70000'
bad ntasks_per_socket -2 'not -2'
bad distribution '"block:spread"' 'a socket or core level must be block, cyclic, fcyclic or *'
bad distribution '"plane"' 'plane takes its size'
bad distribution '"arbitrary"' 'a host file'
bad gpu_bind '"near"' 'is not a GPU binding as sbatch reads it'

# good FORMAT: every form at once passes `wjr check`.
good() {
    local format=$1 rc=0 out
    if [[ $format == cfg ]]; then
        cat >"good.cfg" <<'EOF'
script_options = { run_model = "true"; experiment_dir = "runs/s"; };
slurm = { partition = "debug"; time = "2-12:30:15"; time_min = 30; mem = "4G";
  gres = "gpu:a100:2,nic:1"; gpus = "a100:2"; licenses = "matlab@db:2,fluent";
  account = "proj-1"; qos = "normal"; reservation = "maint"; constraint = "intel&ib";
  nodes = "1-2"; cpus_per_task = 2; ntasks = 1; ntasks_per_node = 1; nice = -5;
  signal = "B:USR1@120"; export = "PATH,HOME"; array_throttle = 3;
  driver_time = "UNLIMITED"; hint = "nomultithread,compute_bound"; oversubscribe = true;
  begin = "now+1hour"; deadline = "2031-01-01T00:00"; propagate = "STACK,NOFILE";
  ntasks_per_socket = 1; distribution = "cyclic:fcyclic,pack"; gpu_bind = "single:1"; };
EOF
    else
        cat >"good.yaml" <<'EOF'
script_options: {run_model: "true", experiment_dir: runs/s}
slurm:
  partition: debug
  time: "01:30:00"
  time_min: "10:00"
  mem_per_cpu: 512M
  gres: "gpu:2"
  gpus_per_task: "2"
  ntasks: 2
  licenses: matlab
  nodes: 2
  signal: USR2
  export: NONE
  threads_per_core: 1
  ntasks_per_core: 2
  sockets_per_node: 1
  cores_per_socket: 2
  distribution: plane=2
  begin: tomorrow
  deadline: now+7days
  propagate: NONE
EOF
    fi
    out="$("$WJR" check "good.$format" 2>&1)" || rc=$?
    if [[ $rc -ne 0 ]]; then
        fail "check good.$format: exit $rc: $out"
    elif ! grep -qxF "config: good.$format is valid: 0 parameters, total_trials unset (wjr run needs it, wjr submit does not)" <<<"$out"; then
        fail "check good.$format: no total_trials note: $out"
    else
        echo "ok check good.$format"
    fi
}

good cfg
good yaml

# every option a parameter may set, from parameters: check passes, and a
# parameter value that does not fit its option is refused with file:line
cat >per_trial.cfg <<'EOF'
parameters = { x = { type = "choice"; values = [true, false]; };
  r = { type = "choice"; values = ["maint", "maint"]; };
  e = { type = "choice"; values = ["ALL", "NONE"]; };
  h = { type = "choice"; values = ["multithread", "nomultithread"]; };
  n = { type = "range"; bounds = [1, 2]; value_type = "int"; }; };
script_options = { run_model = "true"; experiment_dir = "runs/s"; };
slurm = { exclusive = "{{ x }}"; reservation = "{{ r }}"; licenses = "{{ r }}";
  export = "{{ e }}"; nodes = "{{ n }}"; ntasks = "{{ n }}"; ntasks_per_node = "{{ n }}";
  mem_per_cpu = "{{ n }}"; gpus = "{{ n }}"; gpus_per_task = "{{ n }}"; time_min = "{{ n }}";
  nice = "{{ n }}"; cpus_per_task = "{{ n }}"; time = "{{ n }}"; hint = "{{ h }}"; };
EOF
out="$("$WJR" check per_trial.cfg 2>&1)" || fail "check per_trial.cfg: $out"
sed -i 's/"maint", "maint"/"maint", "m aint"/' per_trial.cfg
rc=0
out="$("$WJR" check per_trial.cfg 2>&1)" || rc=$?
[[ $rc -eq 2 && "$out" == *"per_trial.cfg:7: parameter 'r' can take a value that does not fit: slurm.reservation"* ]] ||
    fail "a per-trial reservation with a space: exit $rc: $out"

# absent KEY VALUE SHOWN HAS: a well-formed value the fake cluster cannot
# satisfy: check and run fail with exit 2, file:line, the key, the value
# (SHOWN) and what the cluster has (HAS); run creates nothing.
absent() {
    local key=$1 value=$2 shown=$3 has=$4 format line cmd rc err
    for format in cfg yaml; do
        line="$(write "$format" "$key" "$value")"
        line=${line%%:*}
        for cmd in check run; do
            rc=0
            err="$("$WJR" "$cmd" "cfg.$format" 2>&1 >/dev/null)" || rc=$?
            if [[ $rc -ne 2 ]]; then
                fail "$cmd $format $key=$value: exit $rc, expected 2 ($err)"
            elif [[ "$err" != "wjr $cmd: cfg.$format:$line: slurm.$key "*"$shown"*"$has"* ]]; then
                fail "$cmd $format $key=$value: expected file:line, the key, $shown and $has in: $err"
            else
                echo "ok $cmd $format $key=$value: $err"
            fi
            if [[ -e runs ]]; then
                fail "$cmd $format $key=$value created $W/runs"
                rm -rf runs
            fi
        done
    done
}

absent reservation '"maint2"' '"maint2" does not exist on cluster mockcluster' '(it has: maint)'
absent reservation '"maint,old"' '"old" does not exist' '(it has: maint)'
absent licenses '"comsol"' 'license "comsol", which cluster mockcluster does not have' \
    '(it has: matlab@db:4, fluent:1, matlab:2)'
absent licenses '"fluent,matlab:3"' 'asks for 3 of license "matlab", cluster mockcluster has 2 in all' \
    'matlab:2'
absent gres '"gpu:v100:1"' '"gpu:v100", which no node of partition debug has' \
    '(its nodes have: gpu:2, gpu:a100:2, nic:1)'
absent gres '"nic:1,gpu:3"' 'asks for 3 "gpu" per node, the most a node of partition debug has is 2' \
    'gpu:2'
absent gpus '"h100:1"' '"gpu:h100", which no node' 'gpu:a100:2'
absent gpus_per_node '"a100:4"' '4 "gpu:a100" per node' 'gpu:a100:2'
absent mem '"32G"' 'asks for 32768 MB per node' 'partition debug has is 16000 MB (RealMemory)'
absent mem_per_cpu '"20000"' 'asks for 20000 MB for each of the 1 CPUs' '16000 MB (RealMemory)'
absent prefer '"intel&infiniband"' 'feature "infiniband", which no node of partition debug' \
    '(its nodes have: intel, ib)'
absent threads_per_core 4 'asks for 4 threads per core' 'partition debug has is 2 (ThreadsPerCore)'
absent constraint '"intel&infiniband"' 'feature "infiniband", which no node of partition debug' \
    '(its nodes have: intel, ib)'

# the fake node without GPUs: any GPU request is refused
rc=0
write cfg gpus 1 >/dev/null
err="$(WJR_MOCK_NODE_GRES= "$WJR" check cfg.cfg 2>&1 >/dev/null)" || rc=$?
if [[ $rc -ne 2 || "$err" != *'"gpu", which no node of partition debug has (its nodes have: none)'* ]]; then
    fail "gpus on a partition without GPUs: exit $rc: $err"
fi
# a reservation, licenses and GRES that exist: check asks for each once
rc=0
write cfg gres '"gpu:a100:1"; reservation = "maint"; licenses = "matlab@db:4"' >/dev/null
out="$(WJR_MOCK_STATE="$W/rpc.json" "$WJR" check cfg.cfg 2>&1)" || rc=$?
if [[ $rc -ne 0 ]]; then
    fail "check of resources that exist: exit $rc: $out"
elif [[ "$(jq -c '.rpc | [.reservations, .licenses, .nodes, .submit]' "$W/rpc.json")" != "[1,1,1,0]" ]]; then
    fail "check of resources that exist: RPCs $(jq -c .rpc "$W/rpc.json")"
elif [[ "$out" != *"reservations: maint"* || "$out" != *"licenses: matlab@db:4"* ||
    "$out" != *"gres of partition debug: gpu:2, gpu:a100:2, nic:1"* ]]; then
    fail "check of resources that exist does not show them: $out"
else
    echo "ok check of resources that exist"
fi
rc=0
write cfg gres '"gpu:1"' >/dev/null
WJR_MOCK_STATE="$W/rpc2.json" "$WJR" check cfg.cfg >/dev/null 2>&1 || rc=$?
[[ $rc -eq 0 && "$(jq -c '.rpc | [.reservations, .licenses, .nodes]' "$W/rpc2.json")" == "[0,0,1]" ]] ||
    fail "check with GRES only: exit $rc, RPCs $(jq -c .rpc "$W/rpc2.json" 2>&1)"
# SLURM_CONF naming no file: said at once, as an unreachable cluster (exit
# 3), not after libslurm's minute of retries and its exit 1
rc=0
err="$(SLURM_CONF="$W/no-such.conf" "$WJR" check cfg.cfg 2>&1 >/dev/null)" || rc=$?
[[ $rc -eq 3 && "$err" == *"SLURM_CONF=$W/no-such.conf: No such file or directory: it must name the cluster's slurm.conf"* ]] ||
    fail "missing SLURM_CONF: exit $rc: $err"
[[ -e runs ]] && fail "wjr check created $W/runs"
san_check || failures=$((failures + 1))
[[ $failures -eq 0 ]] || { echo "$failures slurm value test(s) failed" >&2; exit 1; }
