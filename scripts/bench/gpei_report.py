#!/usr/bin/python3
"""Writes the optimizer section of BENCHMARKS.md from scripts/bench/gpei.sh's
raw results (regret.tsv, timing.tsv), between the markers
<!-- gpei:begin --> and <!-- gpei:end --> (appended when absent).

usage: gpei_report.py REGRET_TSV TIMING_TSV SEEDS BENCHMARKS_MD
"""
import os
import platform
import statistics
import sys
import time

from gpei_paired import CONVERGED, batch_cost

BEGIN, END = "<!-- gpei:begin -->", "<!-- gpei:end -->"
BUDGET = {"branin": 30, "hartmann6": 60, "mixed": 40}
METHODS = ["random", "sobol", "tpe", "gpei"]
NAMES = {"random": "RANDOM", "sobol": "SOBOL", "tpe": "Optuna TPE", "gpei": "wjr GPEI"}


def quartiles(v):
    v = sorted(v)
    if len(v) < 2:
        return v[0], v[0], v[0]
    q = statistics.quantiles(v, n=4, method="inclusive")
    return q[0], statistics.median(v), q[2]


def fmt(x):
    return "%.2g" % x if x < 0.01 else "%.3g" % x


def batch_table(by_seed):
    """GPEI's batches seed by seed (the seeds share their SOBOL design, so
    this is far steadier than a ratio of medians: gpei_paired.py)."""
    rows = []
    for problem in ["branin", "hartmann6", "mixed"]:
        one, four = by_seed.get((problem, "gpei", "1")), by_seed.get((problem, "gpei", "4"))
        flight = by_seed.get((problem, "gpei", "4a"))
        if not one or not four:
            continue
        geo, n, med = batch_cost(one, four)
        cells = ["%.2f" % geo, "%.2f (%d seeds)" % (med, n) if n else "-"]
        if flight:
            lo, mid, hi = quartiles(list(flight.values()))
            cells += ["%s [%s, %s]" % (fmt(mid), fmt(lo), fmt(hi)), "%.2f" % batch_cost(four, flight)[0]]
        else:
            cells += ["-", "-"]
        rows.append("| %s, %d | %s |" % (problem, BUDGET[problem], " | ".join(cells)))
    if not rows:
        return []
    return [
        "",
        "GPEI's batches seed by seed. Regret at q = 4 over regret at q = 1 for the "
        "same seed: its geometric mean over all seeds, and its median over the seeds "
        "that both bring within %g of the optimum (seeds stopped in another basin left "
        "out). Then four trials in flight that finish one at a time, each replaced by "
        "one suggestion asked beside the other three (`bench_gpei ... 4a`): median "
        "regret, and its geometric mean ratio to synchronous batches of 4." % CONVERGED,
        "",
        "| problem, budget | q = 4 / q = 1, all seeds | q = 4 / q = 1, median where both "
        "converge | 4 in flight, one at a time | that / q = 4, all seeds |",
        "|---|---|---|---|---|",
    ] + rows


def main():
    regret_tsv, timing_tsv, seeds, md = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    runs, secs, by_seed = {}, {}, {}
    for line in open(regret_tsv):
        problem, method, q, seed, _budget, regret, sec = line.split("\t")
        if q == "4a":  # four in flight, one asked at a time: the table below
            by_seed.setdefault((problem, method, q), {})[int(seed)] = float(regret)
            continue
        runs.setdefault((problem, method, int(q)), []).append(float(regret))
        secs.setdefault((problem, method, int(q)), []).append(float(sec))
        by_seed.setdefault((problem, method, q), {})[int(seed)] = float(regret)
    timing = [line.split("\t") for line in open(timing_tsv)]
    out = [BEGIN, "## Optimizer: GPEI against SOBOL, RANDOM and Optuna's TPE", ""]
    out.append("`scripts/bench/gpei.sh`, %s, %s, %s seeds per case, run %s. An in-process "
               "loop through the public ask/tell API (`wjr/optimizer.h`), no Slurm. GPEI runs as "
               "a study does: SOBOL for max(5, 2 x parameters) trials, then GPEI (outputs "
               "standardized, then warped by a Yeo-Johnson power transform fitted by maximum "
               "likelihood). Simple regret "
               "(best value found minus the optimum): median [first quartile, third quartile]. "
               "At q = 4, four points are asked before any is told (GPEI: kriging believer, "
               "the last point of a batch at the posterior mean's maximum; "
               "TPE: constant liar). The mixed problem is Branin plus 0.5 (k - 3)^2 for an "
               "integer k in [0, 10] plus 0, 1 or 2 for a choice among three values."
               % (platform.node() or "this machine", os.cpu_count() and "%d cores" % os.cpu_count(),
                  seeds, time.strftime("%Y-%m-%d")))
    out.append("")
    present = [m for m in METHODS if any(k[1] == m for k in runs)]
    out.append("| problem, budget | q | " + " | ".join(NAMES[m] for m in present) +
               " | TPE / GPEI (medians) |")
    out.append("|---|---|" + "---|" * len(present) + "---|")
    for problem in ["branin", "hartmann6", "mixed"]:
        for q in (1, 4):
            cells, med = [], {}
            for m in present:
                v = runs.get((problem, m, q))
                if not v:
                    cells.append("-")
                    continue
                lo, mid, hi = quartiles(v)
                med[m] = mid
                cells.append("%s [%s, %s]" % (fmt(mid), fmt(lo), fmt(hi)))
            ratio = ("%.0f" % (med["tpe"] / med["gpei"]) if "tpe" in med and med.get("gpei", 0) > 0
                     else "-")
            out.append("| %s, %d | %d | %s | %s |" % (problem, BUDGET[problem], q,
                                                    " | ".join(cells), ratio))
    out.extend(batch_table(by_seed))
    out.append("")
    out.append("Time per suggestion (wall clock, one core busy):")
    out.append("")
    out.append("| case | seconds per suggestion |")
    out.append("|---|---|")
    for _, n, sec in timing:
        out.append("| GPEI, Hartmann6 (6 parameters), %s observations | %.3f |" % (n, float(sec)))
    for problem in ["branin", "hartmann6", "mixed"]:
        for m in ("gpei", "tpe"):
            v = secs.get((problem, m, 1))
            if v:
                out.append("| %s, %s, mean over its run (q = 1) | %.4f |" % (NAMES[m], problem,
                                                                           statistics.mean(v)))
    out.append(END)
    text = open(md).read() if os.path.exists(md) else ""
    block = "\n".join(out) + "\n"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block.rstrip("\n") + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + block
    with open(md, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
