#!/usr/bin/env bash
# The multi-objective benchmark: an in-process loop, no Slurm. Runs SOBOL,
# RANDOM and wjr's optimizer with two objectives (ParEGO, bench_moo.c) and,
# when Debian's python3-optuna is installed, Optuna's TPE and NSGA-II
# (bench_moo_tpe.py) on Branin-Currin/30 and ZDT1 (4 parameters)/40, at
# q = 1 and q = 4, and writes the "Several objectives" part of
# BENCHMARKS.md (between its moo markers): the median and quartiles of the
# hypervolume regret, and the time per suggestion.
#
#   usage: scripts/bench/moo.sh
# Environment:
#   WJR_BENCH_SEEDS  seeds per case (default 10)
#   WJR_BENCH_OUT    raw results folder (default /tmp/wjr-bench-moo)
#   WJR_BENCH_MD     report to update (default <repo>/BENCHMARKS.md)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SEEDS="${WJR_BENCH_SEEDS:-10}"
OUT="${WJR_BENCH_OUT:-/tmp/wjr-bench-moo}"
MD="${WJR_BENCH_MD:-$ROOT/BENCHMARKS.md}"
PY=/usr/bin/python3            # Debian's, where python3-optuna installs

log() { printf '[bench-moo %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# shellcheck source=opt_build.sh
. "$ROOT/scripts/bench/opt_build.sh"
opt_build bench_moo
optuna=0
if have_optuna; then
    optuna=1
else
    log "python3-optuna is not installed: no TPE or NSGA-II columns"
fi

tsv="$OUT/hv.tsv"
: >"$tsv"
for problem in branin_currin zdt1; do
    true_hv="$("$OUT/bench_moo" front "$problem" | cut -f2)"
    for q in 1 4; do
        for method in sobol random parego; do
            log "$problem q=$q $method"
            "$OUT/bench_moo" hv "$problem" "$method" "$q" 1 "$SEEDS" >>"$tsv"
        done
        if [[ $optuna -eq 1 ]]; then
            for sampler in tpe nsga2; do
                log "$problem q=$q $sampler"
                "$PY" "$ROOT/scripts/bench/bench_moo_tpe.py" "$problem" "$sampler" "$q" 1 \
                    "$SEEDS" "$true_hv" >>"$tsv"
            done
        fi
    done
done

"$PY" - "$tsv" "$SEEDS" "$MD" "$(git -C "$ROOT" rev-parse --short HEAD)" <<'PYEOF'
import statistics, sys
tsv, seeds, md, commit = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
rows = {}
for line in open(tsv):
    p, m, q, _seed, budget, r, sec = line.split("\t")
    rows.setdefault((p, budget, q, m), []).append((float(r), float(sec)))
methods = [m for m in ["sobol", "random", "parego", "tpe", "nsga2"]
           if any(k[3] == m for k in rows)]
names = {"sobol": "SOBOL", "random": "RANDOM", "parego": "wjr (ParEGO)", "tpe": "Optuna TPE",
         "nsga2": "Optuna NSGA-II"}
def cell(v):
    r = sorted(x[0] for x in v)
    qs = statistics.quantiles(r, n=4) if len(r) > 1 else [r[0]] * 3
    return "%.3g [%.3g, %.3g]" % (statistics.median(r), qs[0], qs[2])
out = ["<!-- moo:begin -->",
       "Hypervolume regret (the share of the true front's hypervolume the "
       "trials' front misses; 0 is the whole front), median [quartiles] over %s seeds, "
       "commit %s, `scripts/bench/moo.sh`:" % (seeds, commit), "",
       "| problem, budget | q | " + " | ".join(names[m] for m in methods) + " |",
       "|---|---|" + "---|" * len(methods)]
cases = sorted({k[:3] for k in rows}, key=lambda k: (k[0], int(k[2])))
for p, budget, q in cases:
    out.append("| %s, %s | %s | " % (p, budget, q) +
               " | ".join(cell(rows[(p, budget, q, m)]) if (p, budget, q, m) in rows else "-"
                          for m in methods) + " |")
sec = [s for k, v in rows.items() if k[3] == "parego" for _, s in v]
out += ["", "wjr's suggestions took %.4f s each (median over every ParEGO run)."
        % statistics.median(sec), "<!-- moo:end -->"]
text = open(md).read()
a, b = text.find("<!-- moo:begin -->"), text.find("<!-- moo:end -->")
if a < 0 or b < 0:
    sys.exit("no moo markers in " + md)
open(md, "w").write(text[:a] + "\n".join(out) + text[b + len("<!-- moo:end -->"):])
PYEOF
log "wrote $MD"
