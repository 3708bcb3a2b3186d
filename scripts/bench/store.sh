#!/usr/bin/env bash
# The study's store, measured side by side in one run, on a benchmark
# cluster of its own (scripts/cluster-up.sh, port 17847), written between
# <!-- store:begin --> and <!-- store:end --> in BENCHMARKS.md:
#   1. one `wjr submit --params` into a study that already holds N trials
#      (N = 100, 1,000, 10,000), against one `sbatch` process, interleaved,
#      with the experiment directory on the disk under RUNDIR and on tmpfs;
#   2. opening a study of 100,000 trials through the CLI (`wjr status`,
#      `wjr status --json`): the median wall time of 5 runs and the largest
#      peak RSS, as the schema-1 file of earlier versions and as the
#      snapshot of today;
#   3. `wjr run` of a study of N trivial trials (N = 1,000 and 10,000, in
#      arrays of up to 1,000): the driver's own CPU time per trial.
# The studies are synthetic (tests/cli/gen_study.py): their earlier trials'
# jobs do not exist, which a submission never looks at.
#
#   usage: scripts/bench/store.sh [RUNDIR]      (as root; default /tmp/wjr-bench-store)
# Environment: WJR_BENCH_REPS (submissions per N and method, default 30),
#   WJR_BENCH_DRIVER_NS (the study sizes of 3, default "1000 10000"),
#   WJR_BENCH_DIRTY=1 to run on a tree with uncommitted changes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNDIR="${1:-/tmp/wjr-bench-store}"
REPS="${WJR_BENCH_REPS:-30}"
MD="${WJR_BENCH_MD:-$ROOT/BENCHMARKS.md}"
BUILD="$ROOT/build-bench"
SHM="/dev/shm/wjr-bench-store"

log() { printf '[store %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}
[[ "$(id -u)" -eq 0 ]] || die "run as root (a cluster of its own)"
commit="$(git -C "$ROOT" describe --always --dirty --abbrev=7)"
[[ "$commit" != *-dirty || "${WJR_BENCH_DIRTY:-}" == 1 ]] ||
    die "the tree has uncommitted changes: commit them first (or WJR_BENCH_DIRTY=1)"

"$ROOT/scripts/deps.sh"
log "building wjr (Release)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWJR_BUILD_TESTS=OFF -DWJR_BUILD_CLI=ON >/dev/null
cmake --build "$BUILD" -j2 >/dev/null
WJR="$BUILD/wjr"

"$ROOT/scripts/cluster-down.sh" --wipe "$RUNDIR" >/dev/null 2>&1 || true
# 16 job slots: trivial jobs mostly wait on Slurm, and section 3 runs many
eval "$(WJR_CLUSTER_CPUS=16 WJR_CLUSTER_PORT_BASE=17847 "$ROOT/scripts/cluster-up.sh" "$RUNDIR" 2>/dev/null)"
export SLURM_CONF
trap '"$ROOT/scripts/cluster-down.sh" --wipe "$RUNDIR" >/dev/null 2>&1 || true; rm -rf "$SHM"' EXIT
scontrol update nodename=localhost state=drain reason=bench # the jobs stay queued
WORK="$RUNDIR/work"
mkdir -p "$WORK" "$SHM"
printf '#!/bin/sh\ntrue\n' >"$WORK/true.sh"
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.10g\\n\", $1 }"; }

# A synthetic study of N trials in DIR, for this cluster's partition.
make_study() { # DIR N
    rm -rf "$1"
    python3 "$ROOT/tests/cli/gen_study.py" "$1" "$2" 7 >/dev/null
    python3 - "$1" <<'PY'
import json, re, sys
d = sys.argv[1]
cfg = open(d + "/config.cfg").read()
cfg = re.sub(r"slurm = \{[^}]*\};", 'slurm = { partition = "debug"; time = "00:10:00"; };', cfg)
open(d + "/config.cfg", "w").write(cfg)
doc = json.load(open(d + "/study.json"))
doc["runner"]["backend"]["settings"].update(partition="debug", time="00:10:00", cpus_per_task=1)
doc["runner"]["backend"]["settings"].pop("mem", None)
json.dump(doc, open(d + "/study.json", "w"))
PY
}

# ---- 1. one submission into a study of N trials
P='{"x": 1.0, "lr": 0.1, "layers": 2, "opt": "adam"}'
for fs in disk tmpfs; do
    for n in 100 1000 10000; do
        base="$WORK"
        [[ $fs == tmpfs ]] && base="$SHM"
        dir="$base/study-$n"
        make_study "$dir" "$n"
        "$WJR" poll "$dir" >/dev/null 2>&1 || true # converts; learns the cluster
        log "1. $fs, N = $n: $REPS submissions each"
        for ((i = 0; i < REPS; i++)); do
            t0="$(now)"
            "$WJR" submit --params "$P" "$dir" >/dev/null
            t1="$(now)"
            sbatch -Q --parsable -p debug -J sb -D "$WORK" -o /dev/null "$WORK/true.sh" >/dev/null
            t2="$(now)"
            printf 'submit\t%s\t%s\twjr\t%s\n' "$fs" "$n" "$(calc "($t1 - $t0) * 1000")" >>"$RESULTS"
            printf 'submit\t%s\t%s\tsbatch\t%s\n' "$fs" "$n" "$(calc "($t2 - $t1) * 1000")" >>"$RESULTS"
        done
        scancel -u root 2>/dev/null || true
        rm -rf "$dir"
    done
done

# ---- 2. opening 100,000 trials
dir="$WORK/study-100k"
log "2. a study of 100,000 trials"
make_study "$dir" 100000
measure() { # LABEL ARGS...: median wall seconds and largest peak RSS of 5 runs of a wjr command
    local label="$1" walls=() kbs=() wall kb i
    shift
    for ((i = 0; i < 5; i++)); do
        /usr/bin/time -f '%e %M' -o "$WORK/time" "$WJR" "$@" >/dev/null 2>&1 || true
        read -r wall kb <"$WORK/time"
        walls+=("$wall")
        kbs+=("$kb")
    done
    wall="$(printf '%s\n' "${walls[@]}" | sort -g | sed -n 3p)"
    kb="$(printf '%s\n' "${kbs[@]}" | sort -g | tail -1)"
    printf 'open\t%s\t-\twall_s\t%s\nopen\t%s\t-\trss_mib\t%s\n' "$label" "$wall" "$label" \
        "$(calc "$kb / 1024")" >>"$RESULTS"
}
measure "status, schema 1" status "$dir"
measure "status --json, schema 1" status --json "$dir"
"$WJR" poll "$dir" >/dev/null 2>&1 || true # the first write converts it
measure "status, snapshot" status "$dir"
measure "status --json, snapshot" status --json "$dir"
measure "submit --params, snapshot" submit --params "$P" "$dir"
scancel -u root 2>/dev/null || true
rm -rf "$dir"

# ---- 3. the driver's CPU per trial
scontrol update nodename=localhost state=resume
for n in ${WJR_BENCH_DRIVER_NS:-1000 10000}; do
    dir="$WORK/run-$n"
    rm -rf "$dir"
    mkdir -p "$dir"
    cat >"$dir/study.cfg" <<CFG
objective = { metrics = ( { name = "m"; minimize = true; } ); };
parameters = { x1 = { type = "range"; bounds = [-5.0, 10.0]; };
               x2 = { type = "range"; bounds = [0.0, 15.0]; }; };
generation_strategy = { seed = 7; steps = ( { model = "SOBOL"; num_trials = -1; } ); };
scheduler = { total_trials = $n; max_pending_trials = 1000; run_trials_in_batches = true;
              tolerated_trial_failure_rate = 0.5; init_seconds_between_polls = 1.0; };
script_options = { run_model = "$ROOT/scripts/bench/trivial_model.sh"; experiment_dir = "study"; };
slurm = { partition = "debug"; time = "00:05:00"; cpus_per_task = 1; };
CFG
    log "3. wjr run of $n trivial trials"
    /usr/bin/time -f '%e %U %S' -o "$WORK/time" "$WJR" run -q "$dir/study.cfg" >/dev/null 2>"$WORK/run.err" ||
        die "wjr run of $n trials failed: $(tail -n 3 "$WORK/run.err")"
    read -r wall user sys <"$WORK/time"
    done_n="$(awk -F, 'NR > 1 && $2 == "COMPLETED"' "$dir/study/results.csv" | wc -l)"
    [[ "$done_n" -eq "$n" ]] || die "$done_n of $n trials completed"
    printf 'driver\t%s\t-\twall_s\t%s\ndriver\t%s\t-\tcpu_s\t%s\n' "$n" "$wall" "$n" \
        "$(calc "$user + $sys")" >>"$RESULTS"
    rm -rf "$dir"
done

log "writing $MD"
python3 - "$RESULTS" "$MD" "$commit" "$REPS" <<'PY'
import statistics, sys
results, md, commit, reps = sys.argv[1:5]
sub, opn, drv = {}, {}, {}
for line in open(results):
    kind, a, b, c, v = line.rstrip("\n").split("\t")
    if kind == "submit":
        sub.setdefault((a, int(b)), {}).setdefault(c, []).append(float(v))
    elif kind == "driver":
        drv.setdefault(int(a), {})[c] = float(v)
    else:
        opn.setdefault(a, {})[c] = float(v)
out = ["<!-- store:begin -->",
       "### 6. The study's store (scripts/bench/store.sh, commit %s)" % commit, "",
       "One `wjr submit --params` into a study that already holds N trials, against one "
       "`sbatch` process, alternated, %s of each; medians in ms. *disk* is the experiment "
       "directory on this machine's ext4 `/tmp`, *tmpfs* on `/dev/shm`." % reps, "",
       "| file system | N | wjr submit | sbatch | ratio |", "|---|---:|---:|---:|---:|"]
for (fs, n), m in sorted(sub.items()):
    w, s = statistics.median(m["wjr"]), statistics.median(m["sbatch"])
    out.append("| %s | %d | %.2f | %.2f | %.2f |" % (fs, n, w, s, w / s))
out += ["", "A study of 100,000 trials opened through the CLI (the whole command: "
        "open, render, print), 5 runs each: the median wall time, the largest peak RSS "
        "(MiB, and MB of 10^6 bytes):", "",
        "| command | wall s | peak RSS MiB | peak RSS MB |", "|---|---:|---:|---:|"]
for label, m in opn.items():
    out.append("| `wjr %s` | %.2f | %.1f | %.1f |" % (label, m["wall_s"], m["rss_mib"],
                                                     m["rss_mib"] * 1.048576))
if drv:
    out += ["", "`wjr run` of a study of N trivial trials (arrays of up to 1,000, polls from 1 s) "
            "on the same cluster (16 job slots): the driver process's own CPU time (user + "
            "system), and per trial.", "",
            "| N | wall s | driver CPU s | driver CPU per trial, ms |", "|---:|---:|---:|---:|"]
    for n, m in sorted(drv.items()):
        out.append("| %d | %.0f | %.2f | %.3f |" % (n, m["wall_s"], m["cpu_s"], 1000 * m["cpu_s"] / n))
out += ["<!-- store:end -->"]
text = open(md).read()
block = "\n".join(out)
if "<!-- store:begin -->" in text:
    head, rest = text.split("<!-- store:begin -->", 1)
    text = head + block + rest.split("<!-- store:end -->", 1)[1]
else:
    marker = "## Targets: verdicts and why"
    text = text.replace(marker, block + "\n\n" + marker, 1)
open(md, "w").write(text)
PY
log "done"
