#!/usr/bin/env bash
# The values of the slurm group through the CLI, without a cluster: for each
# kind of option, a bad value makes `wjr check` and `wjr run` fail with exit
# 2 and file:line (file:line:column in YAML) naming the key and the value,
# in wjr's format and in BOA's YAML, and `wjr run` creates no study
# directory; a configuration with every form Slurm reads passes `wjr check`
# against the fake controller.
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

# good FORMAT: every form at once passes `wjr check`.
good() {
    local format=$1 rc=0 out
    if [[ $format == cfg ]]; then
        cat >"good.cfg" <<'EOF'
script_options = { run_model = "true"; experiment_dir = "runs/s"; };
slurm = { partition = "debug"; time = "2-12:30:15"; time_min = 30; mem = "4G";
  gres = "gpu:a100:2,nic:1"; gpus = "a100:1"; licenses = "matlab@db:2,fluent";
  account = "proj-1"; qos = "normal"; reservation = "maint"; constraint = "intel&ib";
  nodes = "1-2"; cpus_per_task = 2; ntasks = 1; ntasks_per_node = 1; nice = -5;
  signal = "B:USR1@120"; export = "PATH,HOME"; array_throttle = 3;
  driver_time = "UNLIMITED"; };
EOF
    else
        cat >"good.yaml" <<'EOF'
script_options: {run_model: "true", experiment_dir: runs/s}
slurm:
  partition: debug
  time: "01:30:00"
  time_min: "10:00"
  mem_per_cpu: 512M
  gres: gpu
  gpus_per_task: "2"
  licenses: matlab
  nodes: 2
  signal: USR2
  export: NONE
EOF
    fi
    out="$("$WJR" check "good.$format" 2>&1)" || rc=$?
    if [[ $rc -ne 0 ]]; then
        fail "check good.$format: exit $rc: $out"
    else
        echo "ok check good.$format"
    fi
}

good cfg
good yaml
[[ -e runs ]] && fail "wjr check created $W/runs"
san_check || failures=$((failures + 1))
[[ $failures -eq 0 ]] || { echo "$failures slurm value test(s) failed" >&2; exit 1; }
