#!/usr/bin/env bash
# The optimizer benchmark (issue 11): an in-process loop, no Slurm. Runs
# SOBOL, RANDOM and wjr's GPEI (bench_gpei.c) and, when Debian's
# python3-optuna is installed, Optuna's TPE (bench_tpe.py) on Branin/30,
# Hartmann6/60 and a mixed problem/40, at q = 1 and q = 4 (and GPEI with
# four trials in flight that finish one at a time), then times one
# GPEI suggestion at 50 and 500 observations (6 parameters), and writes the
# "Optimizer" section of BENCHMARKS.md (between its gpei markers).
#
#   usage: scripts/bench/gpei.sh
# Environment:
#   WJR_BENCH_SEEDS  seeds per case (default 240, as in BENCHMARKS.md: about 15 minutes)
#   WJR_BENCH_OUT    raw results folder (default /tmp/wjr-bench-gpei)
#   WJR_BENCH_MD     report to update (default <repo>/BENCHMARKS.md)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SEEDS="${WJR_BENCH_SEEDS:-240}"
OUT="${WJR_BENCH_OUT:-/tmp/wjr-bench-gpei}"
MD="${WJR_BENCH_MD:-$ROOT/BENCHMARKS.md}"
PY=/usr/bin/python3 # Debian's, where python3-optuna installs

log() { printf '[bench-gpei %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# shellcheck source=opt_build.sh
. "$ROOT/scripts/bench/opt_build.sh"
opt_build bench_gpei
tpe=0
if have_optuna; then
    tpe=1
else
    log "python3-optuna is not installed: no TPE column"
fi

tsv="$OUT/regret.tsv"
: >"$tsv"
for problem in branin hartmann6 mixed; do
    for q in 1 4; do
        for method in sobol random gpei; do
            log "$problem q=$q $method"
            "$OUT/bench_gpei" regret "$problem" "$method" "$q" 1 "$SEEDS" >>"$tsv"
        done
        if [[ $tpe -eq 1 ]]; then
            log "$problem q=$q tpe"
            "$PY" "$ROOT/scripts/bench/bench_tpe.py" "$problem" "$q" 1 "$SEEDS" >>"$tsv"
        fi
    done
    log "$problem 4 in flight, one at a time, gpei"
    "$OUT/bench_gpei" regret "$problem" gpei 4a 1 "$SEEDS" >>"$tsv"
done
log "time per suggestion"
{
    "$OUT/bench_gpei" timing 50 5
    "$OUT/bench_gpei" timing 500 3
} >"$OUT/timing.tsv"
"$PY" "$ROOT/scripts/bench/gpei_report.py" "$tsv" "$OUT/timing.tsv" "$SEEDS" "$MD"
log "wrote $MD"
