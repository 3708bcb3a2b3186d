#!/usr/bin/env bash
# wjr's benchmarks against the Slurm command-line tools (issue 5): builds
# libwjr (Release) and the programs in scripts/bench, runs each benchmark
# several times on a local cluster, and writes BENCHMARKS.md at the repo root
# (raw figures go to OUT/results.tsv).
#
#   usage: scripts/bench/run.sh [RUNDIR]          (as root, like the cluster)
#   RUNDIR: the cluster's runtime folder (default /tmp/wjr-bench). The
#           benchmark drains its node, resets its RPC statistics (sdiag -r)
#           and cancels all root jobs on it: give it a cluster of its own,
#           e.g.  WJR_CLUSTER_PORT_BASE=17817 scripts/cluster-up.sh /tmp/wjr-bench
# Environment:
#   WJR_BENCH_REPS   repetitions of the fast benchmarks (default 5)
#   WJR_BENCH_SLOW   repetitions of the slow ones (study, memory; default 3)
#   WJR_BENCH_OUT    raw results folder (default RUNDIR/bench-results)
#   WJR_BENCH_MD     report to write (default <repo>/BENCHMARKS.md)
#   WJR_BENCH_ONLY   space-separated subset of: submit batch poll memory study
#   WJR_BENCH_DIRTY  1: run on a tree with uncommitted changes anyway; the
#                    report then says in its first line that its figures
#                    belong to no commit. Without it a dirty tree is refused.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNDIR="${1:-/tmp/wjr-bench}"
REPS="${WJR_BENCH_REPS:-5}"
SLOW="${WJR_BENCH_SLOW:-3}"
OUT="${WJR_BENCH_OUT:-$RUNDIR/bench-results}"
MD="${WJR_BENCH_MD:-$ROOT/BENCHMARKS.md}"
ONLY="${WJR_BENCH_ONLY:-submit batch poll memory study}"
BUILD="$ROOT/build-bench"
BIN="$BUILD/bench"
WORK="$RUNDIR/bench-work"

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }
want() { [[ " $ONLY " == *" $1 "* ]]; }

[[ "$(id -u)" -eq 0 ]] || die "run as root (jobs are submitted and cancelled as root)"
if [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ]]; then
    [[ "${WJR_BENCH_DIRTY:-}" == 1 ]] ||
        die "the tree has uncommitted changes: commit them, so that the figures belong to a" \
            "commit (or set WJR_BENCH_DIRTY=1, and the report is marked as such)"
    log "warning: uncommitted changes; the report will say so"
fi
if [[ "$RUNDIR" == /tmp/wjr-cluster && -z "${WJR_BENCH_SHARED_OK:-}" ]]; then
    die "refusing the shared development cluster /tmp/wjr-cluster (sdiag -r, drain, scancel): " \
        "bring up a cluster of your own (see the header)"
fi
eval "$("$ROOT/scripts/cluster-env.sh" "$RUNDIR")"
sinfo -h >/dev/null 2>&1 || die "no cluster answers at $RUNDIR"

# ---------------------------------------------------------------- build
log "building libwjr (Release) and the benchmark programs"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWJR_BUILD_TESTS=OFF -DWJR_WERROR=ON -DWJR_BUILD_CLI=ON \
    >"$RUNDIR/bench-build.log" 2>&1 || die "cmake failed: see $RUNDIR/bench-build.log"
cmake --build "$BUILD" -j2 >>"$RUNDIR/bench-build.log" 2>&1 || die "build failed: see $RUNDIR/bench-build.log"
make -s -C "$ROOT/scripts/bench" BUILD="$BUILD" >>"$RUNDIR/bench-build.log" 2>&1 ||
    die "bench build failed: see $RUNDIR/bench-build.log"

mkdir -p "$OUT" "$WORK"
RESULTS="$OUT/results.tsv"
: >>"$RESULTS"
# a partial run (WJR_BENCH_ONLY) replaces only its own benchmarks' figures
awk -F'\t' -v only=" $ONLY " 'index(only, " " $1 " ") == 0' "$RESULTS" >"$RESULTS.keep"
mv -f "$RESULTS.keep" "$RESULTS"
# record BENCH CASE REP METRIC VALUE
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }

# ---------------------------------------------------------------- cluster helpers
now() { date +%s.%N; }
# arithmetic on decimals (awk: the test roots have no bc)
calc() { awk "BEGIN { printf \"%.10g\\n\", $1 }"; }
elapsed() { calc "$(now) - $1"; }
node_state() { sinfo -h -n localhost -o '%T' | head -n 1; }
drain() { scontrol update nodename=localhost state=drain reason=bench; }
resume() {
    scontrol update nodename=localhost state=resume 2>/dev/null || true
    local i
    for ((i = 0; i < 60; i++)); do
        [[ "$(node_state)" == idle ]] && return 0
        sleep 0.5
    done
    die "node did not come back idle (state $(node_state))"
}
# cancel every job of root and wait until none is pending, running or completing
clear_jobs() {
    scancel -u root 2>/dev/null || true
    local i
    for ((i = 0; i < 600; i++)); do
        [[ "$(squeue -h -u root -o %i | wc -l)" -eq 0 ]] && return 0
        sleep 0.2
    done
    die "jobs do not go away"
}
# wait until slurmctld has purged every finished job record (MinJobAge), so
# that a poll sees only the jobs of the benchmark
wait_purged() {
    local i
    for ((i = 0; i < 240; i++)); do
        [[ "$(squeue -h -t all -u root -o %i | wc -l)" -eq 0 ]] && return 0
        sleep 0.5
    done
    die "finished jobs are not purged"
}
rpc_reset() { sdiag -r >/dev/null; }
# rpc_count NAME: calls of one message type since the last reset
rpc_count() {
    sdiag | awk -v n="$1" '$1 == n { sub(/.*count:/, ""); print $1 + 0; f = 1; exit } END { if (!f) print 0 }'
}
# every client RPC since the last reset except sdiag's own
rpc_total() {
    sdiag | awk '/by message type/ { on = 1; next } /by user/ { on = 0 }
        on && /count:/ && $1 != "REQUEST_STATS_INFO" { s = $0; sub(/.*count:/, "", s); t += s + 0 }
        END { print t + 0 }'
}
# rpc_ave NAME: slurmctld's average time in µs for one message type since the
# last reset (sdiag's ave_time), 0 when there was none
rpc_ave() {
    sdiag | awk -v n="$1" '$1 == n { sub(/.*ave_time:/, ""); print $1 + 0; f = 1; exit } END { if (!f) print 0 }'
}
kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2" | head -n 1; }

printf '#!/bin/sh\ntrue\n' >"$WORK/true.sh"

# rotate REP M...: the methods M rotated by REP places, so that none always goes first
rotate() {
    local k=$(($1 % ($# - 1)))
    shift
    echo "${@:k+1}" "${@:1:k}"
}

# ---------------------------------------------------------------- 1. one by one
bench_submit_one() { # METHOD N REP
    local m="$1" n="$2" rep="$3" dir="$WORK/submit-$1-$2-$3" t0 wall out
    rm -rf "$dir"
    mkdir -p "$dir"
    clear_jobs
    rpc_reset
    case "$m" in
        wjr)
            out="$("$BIN/bench_submit" run "$n" "$dir")"
            wall="$(kv wall_s "$out")"
            ;;
        wjr_nofiles) # the breakdown: the runner without trial files
            out="$("$BIN/bench_submit" run-nofiles "$n" "$dir")"
            wall="$(kv wall_s "$out")"
            ;;
        wjr_ckpt) # with a durable checkpoint callback, as the CLI runs it
            out="$("$BIN/bench_submit" run-ckpt "$n" "$dir")"
            wall="$(kv wall_s "$out")"
            ;;
        bare)
            out="$("$BIN/bench_bare" single "$n" "$dir")"
            wall="$(kv wall_s "$out")"
            ;;
        sbatch)
            t0="$(now)"
            for ((i = 0; i < n; i++)); do
                sbatch -Q --parsable -J "sb-$i" -D "$dir" -o /dev/null "$WORK/true.sh" >/dev/null
            done
            wall="$(elapsed "$t0")"
            ;;
    esac
    record submit "$m-$n" "$rep" per_trial_ms "$(calc "$wall * 1000 / $n")"
    record submit "$m-$n" "$rep" submit_rpcs "$(rpc_count REQUEST_SUBMIT_BATCH_JOB)"
    record submit "$m-$n" "$rep" rpcs "$(rpc_total)"
}
if want submit; then
    log "1. submitting trials one by one (N = 100, 1000; $REPS repetitions)"
    drain
    for ((rep = 1; rep <= REPS; rep++)); do
        for n in 100 1000; do
            order="$(rotate "$rep" wjr wjr_ckpt wjr_nofiles sbatch bare)"
            for m in $order; do bench_submit_one "$m" "$n" "$rep"; done
        done
        log "   repetition $rep done"
    done
    clear_jobs
fi

# ---------------------------------------------------------------- 2. as one batch
bench_batch_one() { # METHOD REP
    local m="$1" rep="$2" n=1000 dir="$WORK/batch-$1-$2" t0 wall out
    rm -rf "$dir"
    mkdir -p "$dir"
    clear_jobs
    rpc_reset
    case "$m" in
        wjr)
            out="$("$BIN/bench_submit" multiple "$n" "$dir")"
            wall="$(kv wall_s "$out")"
            ;;
        wjr_nofiles) # the breakdown: the runner without trial files
            out="$("$BIN/bench_submit" multiple-nofiles "$n" "$dir")"
            wall="$(kv wall_s "$out")"
            ;;
        wjr_ckpt) # with a durable checkpoint callback, as the CLI runs it
            out="$("$BIN/bench_submit" multiple-ckpt "$n" "$dir")"
            wall="$(kv wall_s "$out")"
            ;;
        bare)
            out="$("$BIN/bench_bare" array "$n" "$dir")"
            wall="$(kv wall_s "$out")"
            ;;
        sbatch)
            t0="$(now)"
            sbatch -Q --parsable --array=0-$((n - 1)) -D "$dir" -o /dev/null "$WORK/true.sh" >/dev/null
            wall="$(elapsed "$t0")"
            ;;
    esac
    record batch "$m-$n" "$rep" ms "$(calc "$wall * 1000")"
    record batch "$m-$n" "$rep" submit_rpcs "$(rpc_count REQUEST_SUBMIT_BATCH_JOB)"
    record batch "$m-$n" "$rep" rpcs "$(rpc_total)"
}
if want batch; then
    log "2. submitting 1000 trials as one batch ($REPS repetitions)"
    drain
    for ((rep = 1; rep <= REPS; rep++)); do
        order="$(rotate "$rep" wjr wjr_ckpt wjr_nofiles sbatch bare)"
        for m in $order; do bench_batch_one "$m" "$rep"; done
    done
    clear_jobs
fi

# ---------------------------------------------------------------- 3. polling
# time_cmd FILE CMD...: "WALL_S CPU_S" of CMD (and its children) into FILE
time_cmd() {
    local f="$1" r
    shift
    r="$("$BIN/bench_time" "$@")"
    printf '%s %s\n' "$(calc "$(kv wall_ms "$r") / 1000")" "$(calc "$(kv cpu_ms "$r") / 1000")" >"$f"
}
bench_poll_n() { # N LAYOUT
    local n="$1" layout="$2" case="$1" ids="$WORK/poll-$1-$2.ids" dir="$WORK/poll-$1-$2" line
    local sample t0 wall rpcs w c rep
    [[ "$layout" == single ]] || case="$n-$layout"
    rm -rf "$dir"
    mkdir -p "$dir"
    log "   N = $n ($layout jobs): waiting for slurmctld to purge earlier jobs"
    clear_jobs
    wait_purged
    drain
    "$BIN/bench_poll" submit "$layout" "$n" "$dir" "$ids"

    # wjr_runner_poll
    rpc_reset
    while read -r line; do
        rep="$(kv rep "$line")"
        record poll "wjr-$case" "$rep" wall_ms "$(kv wall_ms "$line")"
        record poll "wjr-$case" "$rep" cpu_ms "$(kv cpu_ms "$line")"
    done < <("$BIN/bench_poll" poll "$ids" "$dir" "$REPS")
    record poll "wjr-$case" all rpcs_per_poll "$(calc "$(rpc_total) / $REPS")"
    record poll "wjr-$case" all user_info_per_poll "$(calc "$(rpc_count REQUEST_JOB_USER_INFO) / $REPS")"
    record poll "wjr-$case" all job_state_per_poll "$(calc "$(rpc_count REQUEST_JOB_STATE) / $REPS")"
    record poll "wjr-$case" all fed_info_per_poll "$(calc "$(rpc_count REQUEST_FED_INFO) / $REPS")"

    # the floor: bare slurm_load_job_user
    rpc_reset
    while read -r line; do
        rep="$(kv rep "$line")"
        record poll "floor-$case" "$rep" wall_ms "$(kv wall_ms "$line")"
        record poll "floor-$case" "$rep" cpu_ms "$(kv cpu_ms "$line")"
    done < <("$BIN/bench_poll" floor "$REPS")
    record poll "floor-$case" all rpcs_per_poll "$(calc "$(rpc_total) / $REPS")"
    record poll "floor-$case" all ctld_us "$(rpc_ave REQUEST_JOB_USER_INFO)"

    # the cheaper floor where Slurm has it (23.11.5+): slurm_load_job_state
    # of the same jobs, and slurmctld's own time for it
    rpc_reset
    while read -r line; do
        [[ "$line" == *unsupported* ]] && break
        rep="$(kv rep "$line")"
        record poll "floor_states-$case" "$rep" wall_ms "$(kv wall_ms "$line")"
        record poll "floor_states-$case" "$rep" cpu_ms "$(kv cpu_ms "$line")"
    done < <("$BIN/bench_poll" floor-states "$ids" "$REPS")
    if [[ "$(rpc_count REQUEST_JOB_STATE)" -gt 0 ]]; then
        record poll "floor_states-$case" all rpcs_per_poll "$(calc "$(rpc_total) / $REPS")"
        record poll "floor_states-$case" all ctld_us "$(rpc_ave REQUEST_JOB_STATE)"
    fi

    # one squeue for all
    rpc_reset
    for ((rep = 0; rep < REPS; rep++)); do
        time_cmd "$OUT/t" squeue -h -u root -o '%i %T'
        read -r w c <"$OUT/t"
        record poll "squeue_u-$case" "$rep" wall_ms "$(calc "$w * 1000")"
        record poll "squeue_u-$case" "$rep" cpu_ms "$(calc "$c * 1000")"
    done
    record poll "squeue_u-$case" all rpcs_per_poll "$(calc "$(rpc_total) / $REPS")"

    # one sacct for the same N jobs, named by id (an array by its array job
    # id); it asks slurmdbd, not slurmctld; with -j and no -S, sacct looks
    # at every time
    awk '{ print ($2 != 0 ? $2 : $3) }' "$ids" | sort -un | paste -sd, >"$OUT/ids.csv"
    rpc_reset
    for ((rep = 0; rep < REPS; rep++)); do
        time_cmd "$OUT/t" sacct -n -X -P -j "$(cat "$OUT/ids.csv")" -o JobID,State
        read -r w c <"$OUT/t"
        record poll "sacct-$case" "$rep" wall_ms "$(calc "$w * 1000")"
        record poll "sacct-$case" "$rep" cpu_ms "$(calc "$c * 1000")"
    done
    record poll "sacct-$case" all rpcs_per_poll "$(calc "$(rpc_total) / $REPS")"

    # one squeue -j per job: every job for N <= 1000, a sample of 1000
    # jobs otherwise (scaled up to N; marked as extrapolated)
    if [[ "$layout" == single ]]; then
        sample=$((n < 1000 ? n : 1000))
        awk -v s="$sample" 'NR <= s { print $2 }' "$ids" >"$OUT/ids.sample"
        rpc_reset
        time_cmd "$OUT/t" sh -c 'while read -r id; do squeue -h -j "$id" -o "%i %T"; done <"$1"' \
            sh "$OUT/ids.sample"
        read -r w c <"$OUT/t"
        record poll "squeue_j-$case" 0 wall_ms "$(calc "$w * 1000 * $n / $sample")"
        record poll "squeue_j-$case" 0 cpu_ms "$(calc "$c * 1000 * $n / $sample")"
        record poll "squeue_j-$case" all rpcs_per_poll "$(calc "$(rpc_total) * $n / $sample")"
        record poll "squeue_j-$case" all sampled "$sample"
    fi
    clear_jobs
}
if want poll; then
    log "3. polling N queued trials ($REPS polls each)"
    for n in 100 1000 10000; do bench_poll_n "$n" single; done
    bench_poll_n 10000 array
fi

# ---------------------------------------------------------------- 4. memory
if want memory; then
    log "4. memory of 100,000 tracked trials ($SLOW repetitions)"
    clear_jobs
    drain
    "$BIN/bench_poll" submit array 1000 "$WORK/mem" "$WORK/mem.ids"
    for total in 10000 100000; do
        for ((rep = 1; rep <= SLOW; rep++)); do
            out="$("$BIN/bench_memory" "$total" "$WORK/mem.ids" "$WORK/mem")"
            printf '%s\n' "$out" >"$OUT/memory-$total-$rep.txt"
            res="$(grep '^result' <<<"$out")"
            record memory "$total" "$rep" peak_rss_mib "$(kv peak_rss_mib "$res")"
            record memory "$total" "$rep" baseline_mib "$(kv baseline_mib "$res")"
            record memory "$total" "$rep" text_mib "$(calc "$(kv bytes "$(grep stage=text <<<"$out")") / 1048576")"
            record memory "$total" "$rep" from_json_s "$(kv seconds "$(grep stage=from_json <<<"$out")")"
            record memory "$total" "$rep" poll_s "$(kv seconds "$(grep stage=poll <<<"$out")")"
            record memory "$total" "$rep" to_json_s "$(kv seconds "$(grep stage=to_json <<<"$out")")"
        done
    done
    clear_jobs
fi

# ---------------------------------------------------------------- 5. a whole study
study_cfg() { # DIR
    cat >"$1/study.cfg" <<CFG
# 200 trivial trials, all at once as one array (scripts/bench/run.sh)
objective = { metrics = ( { name = "m"; minimize = true; } ); };
parameters = {
  x1 = { type = "range"; bounds = [-5.0, 10.0]; };
  x2 = { type = "range"; bounds = [0.0, 15.0]; };
};
generation_strategy = { seed = 7; steps = ( { model = "SOBOL"; num_trials = -1; } ); };
scheduler = { total_trials = 200; max_pending_trials = 200; run_trials_in_batches = true;
              tolerated_trial_failure_rate = 0.5; init_seconds_between_polls = 1.0; };
script_options = { run_model = "$ROOT/scripts/bench/trivial_model.sh"; experiment_dir = "study"; };
slurm = { partition = "debug"; time = "00:05:00"; cpus_per_task = 1; };
CFG
}
if want study; then
    log "5. a study of 200 trivial trials ($SLOW repetitions)"
    clear_jobs
    resume
    for ((rep = 1; rep <= SLOW; rep++)); do
        for m in wjr sbatch; do
            [[ $((rep % 2)) -eq 0 ]] && m="$([[ $m == wjr ]] && echo sbatch || echo wjr)"
            dir="$WORK/study-$m-$rep"
            rm -rf "$dir"
            mkdir -p "$dir"
            clear_jobs
            if [[ "$m" == wjr ]]; then
                study_cfg "$dir"
                time_cmd "$OUT/t" "$BUILD/wjr" run -q "$dir/study.cfg"
                read -r w c <"$OUT/t"
                record study wjr "$rep" cpu_s "$c"
                n_done="$(find "$dir/study" -name output.json | wc -l)"
            else
                # the same model per task, then one squeue per second until the array is gone
                cat >"$dir/job.sh" <<JOB
#!/bin/sh
d="$dir/\$SLURM_ARRAY_TASK_ID"
mkdir -p "\$d" && cd "\$d" && exec "$ROOT/scripts/bench/trivial_model.sh" "\$d"
JOB
                t0="$(now)"
                id="$(sbatch --parsable --array=0-199 -p debug -t 5 -D "$dir" -o /dev/null "$dir/job.sh")"
                while [[ "$(squeue -h -j "$id" -o %i | wc -l)" -gt 0 ]]; do sleep 1; done
                w="$(elapsed "$t0")"
                n_done="$(find "$dir" -name output.json | wc -l)"
            fi
            record study "$m" "$rep" wall_s "$w"
            record study "$m" "$rep" trials_done "$n_done"
            log "   $m repetition $rep: ${w}s, $n_done trials with output"
        done
    done
fi

log "writing $MD"
python3 "$ROOT/scripts/bench/report.py" "$RESULTS" "$MD" "$RUNDIR"
log "done: $MD (raw figures in $RESULTS)"
