#!/usr/bin/env bash
# The submit, batch and poll benchmarks of scripts/bench/run.sh on every
# Slurm major wjr is tested on, side by side in BENCHMARKS.md ("Across Slurm
# majors"): the host's own Slurm natively, 24.11 and 26.05 in their test
# roots (scripts/slurm-root.sh), one after the other, each on a benchmark
# cluster of its own (ports 17817, 17827, 17837) that is wiped afterwards.
#
#   usage: scripts/bench/majors.sh [MAJOR...]      (as root; default: all)
# Environment:
#   WJR_BENCH_REPS    repetitions (default 3)
#   WJR_BENCH_DIRTY   1: run on a tree with uncommitted changes (the report
#                     names the commit as -dirty); refused otherwise
#   WJR_BENCH_MAJORS_OUT  where each major's results.tsv is kept
#                     (default /var/tmp/wjr-bench-majors)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${WJR_BENCH_MAJORS_OUT:-/var/tmp/wjr-bench-majors}"
REPS="${WJR_BENCH_REPS:-3}"
ONLY="submit batch poll"

log() { printf '[majors %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

[[ "$(id -u)" -eq 0 ]] || die "run as root (clusters, test roots)"
commit="$(git -C "$ROOT" describe --always --dirty --abbrev=7)"
if [[ "$commit" == *-dirty && "${WJR_BENCH_DIRTY:-}" != 1 ]]; then
    die "the tree has uncommitted changes: commit them first (or WJR_BENCH_DIRTY=1)"
fi
host_major() {
    local v
    v="$(sed -n 's/^#define SLURM_VERSION_NUMBER 0x\([0-9a-fA-F]*\).*/\1/p' \
        /usr/include/slurm/slurm_version.h)"
    printf '%d.%02d\n' "$((16#$v >> 16))" "$(((16#$v >> 8) & 255))"
}
"$ROOT/scripts/deps.sh"
hmaj="$(host_major)"
majors=("$@")
((${#majors[@]})) || majors=("$hmaj" $("$ROOT/scripts/slurm-root.sh" majors))
mkdir -p "$OUT"

# The benchmark inside one system (this machine or a root): a cluster of its
# own, run.sh, the cluster wiped. Its results.tsv stays in RUNDIR/out.
bench_here='
    set -euo pipefail
    port="$1" label="$2" reps="$3" only="$4"
    rundir="/tmp/wjr-bench-$label"
    scripts/cluster-down.sh --wipe "$rundir" >/dev/null 2>&1 || true
    WJR_CLUSTER_PORT_BASE="$port" scripts/cluster-up.sh "$rundir" >/dev/null
    rc=0
    WJR_BENCH_DIRTY=1 WJR_BENCH_REPS="$reps" WJR_BENCH_ONLY="$only" WJR_BENCH_OUT="$rundir/out" \
        WJR_BENCH_MD="$rundir/BENCHMARKS.md" scripts/bench/run.sh "$rundir" || rc=$?
    mkdir -p "/tmp/wjr-bench-results"
    cp "$rundir/out/results.tsv" "/tmp/wjr-bench-results/$label.tsv" || rc=1
    scripts/cluster-down.sh --wipe "$rundir" >/dev/null 2>&1 || true
    exit "$rc"
'

args=()
for m in "${majors[@]}"; do
    log "Slurm $m: benchmarks ($REPS repetitions)"
    if [[ "$m" == "$hmaj" ]]; then
        (cd "$ROOT" && bash -c "$bench_here" bash 17817 "$m" "$REPS" "$ONLY")
        cp "/tmp/wjr-bench-results/$m.tsv" "$OUT/$m.tsv"
    else
        case "$m" in
            24.11) port=17827 ;;
            26.05) port=17837 ;;
            *) die "no test root for Slurm $m (known: $("$ROOT/scripts/slurm-root.sh" majors))" ;;
        esac
        "$ROOT/scripts/slurm-root.sh" run "$m" bash -c "$bench_here" bash "$port" "$m" "$REPS" "$ONLY"
        cp "$("$ROOT/scripts/slurm-root.sh" path "$m")/tmp/wjr-bench-results/$m.tsv" "$OUT/$m.tsv"
    fi
    args+=("$m=$OUT/$m.tsv")
done
python3 "$ROOT/scripts/bench/report_majors.py" "$ROOT/BENCHMARKS.md" "$commit" "${args[@]}"
log "done: BENCHMARKS.md, section \"Across Slurm majors\" (raw figures in $OUT)"
