#!/usr/bin/python3
"""Compares two runs of bench_gpei seed by seed, for deciding whether a
change to the optimizer helps. Each run is one or more files of
`bench_gpei regret ...` lines (problem method q seed budget regret sec).

Seeds of one problem share their initial SOBOL design, and that design
decides much of the outcome (on Hartmann6 about 40% of the seeds stop at
the second-best basin under any variant), so its median over even 240
seeds is unsteady: its bootstrap interval spans orders of magnitude.
Paired on the seed, the comparison is far steadier: for each problem it
prints both medians with a bootstrap 95% interval, the mean over seeds of
log10(B / A), and how many seeds B leaves more than 2 times better or
worse than A; then the same over the seeds that both runs bring within
CONVERGED of the optimum, which leaves out seeds stopped in another basin
(where both regrets are alike and the ratio says nothing), with the median
of B / A and its bootstrap 95% interval.

usage: gpei_paired.py A.tsv[,A2.tsv...] B.tsv[,B2.tsv...]
"""
import math
import random
import statistics
import sys

FLOOR = 1e-12  # a regret of 0 is counted as this
CONVERGED = 0.01


def load(spec):
    runs = {}
    for path in spec.split(","):
        try:
            f = open(path, encoding="utf-8")
        except OSError as e:
            sys.exit("%s: %s" % (path, e.strerror))
        with f:
            for n, line in enumerate(f, 1):
                t = line.split("\t")
                if len(t) < 6:
                    sys.exit("%s:%d: expected bench_gpei regret lines" % (path, n))
                key = (t[0], int(t[3]))
                if key in runs:
                    sys.exit("%s:%d: %s seed %d appears twice in one run" % (path, n, *key))
                runs[key] = max(float(t[5]), FLOOR)
    return runs


def interval(values, rng, draws=2000):
    meds = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(draws))
    return meds[int(0.025 * draws)], meds[int(0.975 * draws) - 1]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    a, b = load(sys.argv[1]), load(sys.argv[2])
    problems = sorted({k[0] for k in a} & {k[0] for k in b})
    if not problems:
        sys.exit("the two runs share no problem")
    rng = random.Random(1)
    for pb in problems:
        seeds = sorted({k[1] for k in a if k[0] == pb} & {k[1] for k in b if k[0] == pb})
        if not seeds:
            print("%s: no seed in common" % pb)
            continue
        va = {s: a[(pb, s)] for s in seeds}
        vb = {s: b[(pb, s)] for s in seeds}
        d, c = log_ratios(va, vb)
        la, ha = interval(list(va.values()), rng)
        lb, hb = interval(list(vb.values()), rng)
        print(
            "%s, %d seeds: median A %.2g [%.2g, %.2g], B %.2g [%.2g, %.2g]; %s"
            % (pb, len(seeds), statistics.median(va.values()), la, ha,
               statistics.median(vb.values()), lb, hb, paired(d))
        )
        if c:
            lc, hc = interval(c, rng)
            print(
                "  %d seeds within %g both ways: %s, median B/A %.2f [%.2f, %.2f]"
                % (len(c), CONVERGED, paired(c), 10 ** statistics.median(c), 10 ** lc, 10 ** hc)
            )


def log_ratios(a, b):
    """For two {seed: regret} maps of one problem: log10(b/a) for each
    shared seed, and the same for the seeds within CONVERGED both ways."""
    seeds = sorted(set(a) & set(b))
    d = [math.log10(max(b[s], FLOOR) / max(a[s], FLOOR)) for s in seeds]
    c = [x for x, s in zip(d, seeds) if a[s] < CONVERGED and b[s] < CONVERGED]
    return d, c


def batch_cost(a, b):
    """The geometric mean of b/a over the shared seeds, and the number of
    seeds within CONVERGED both ways with the median of b/a over them
    (None when there is none)."""
    d, c = log_ratios(a, b)
    return (
        10 ** statistics.mean(d) if d else None,
        len(c),
        10 ** statistics.median(c) if c else None,
    )


def paired(d):
    two = math.log10(2)
    return "mean log10(B/A) %+.2f (B/A %.2f), B better/worse by 2x %d/%d" % (
        statistics.mean(d),
        10 ** statistics.mean(d),
        sum(1 for x in d if x < -two),
        sum(1 for x in d if x > two),
    )


if __name__ == "__main__":
    main()
