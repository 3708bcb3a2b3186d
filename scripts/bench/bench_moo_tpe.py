#!/usr/bin/python3
"""Optuna's multi-objective samplers on the problems of bench_moo.c
(scripts/bench/moo.sh): TPE (MOTPE) and NSGA-II, Optuna's default for
several objectives.

usage: bench_moo_tpe.py PROBLEM SAMPLER Q SEED0 NSEEDS TRUE_HV
One line per seed, as bench_moo prints them: problem, method, q, seed,
budget, hypervolume regret (the share of TRUE_HV the front misses, to the
problem's reference point), seconds per suggestion. With Q > 1, Q trials
are asked before any is told.
"""
import math
import sys
import time
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def branin_currin(x):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    x1, x2 = 15 * x[0] - 5, 15 * x[1]
    f1 = (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10
    z = max(x[1], 1e-12)
    f2 = ((1 - math.exp(-1 / (2 * z))) * (2300 * x[0] ** 3 + 1900 * x[0] ** 2 + 2092 * x[0] + 60)
          / (100 * x[0] ** 3 + 500 * x[0] ** 2 + 4 * x[0] + 20))
    return f1, f2


def zdt1(x):
    g = 1 + 3 * (x[1] + x[2] + x[3])
    return x[0], g * (1 - math.sqrt(x[0] / g))


PROBLEMS = {  # f, dims, budget, reference point
    "branin_currin": (branin_currin, 2, 30, (150.0, 14.0)),
    "zdt1": (zdt1, 4, 40, (1.1, 1.1)),
}


def hypervolume(points, ref):
    hv, level = 0.0, ref[1]
    for f1, f2 in sorted(points):
        if f1 >= ref[0] or f2 >= level:
            continue
        hv += (ref[0] - f1) * (level - f2)
        level = f2
    return hv


def main():
    name, sampler_name = sys.argv[1], sys.argv[2]
    q, seed0, nseeds, hv_true = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), \
        float(sys.argv[6])
    f, dims, budget, ref = PROBLEMS[name]
    for seed in range(seed0, seed0 + nseeds):
        if sampler_name == "tpe":
            sampler = optuna.samplers.TPESampler(seed=seed)
        else:
            sampler = optuna.samplers.NSGAIISampler(seed=seed)
        study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
        points, n, t_ask = [], 0, 0.0
        while n < budget:
            batch = []
            for _ in range(min(q, budget - n)):
                t0 = time.perf_counter()
                tr = study.ask()
                x = [tr.suggest_float("x%d" % j, 0, 1) for j in range(dims)]
                t_ask += time.perf_counter() - t0
                batch.append((tr, f(x)))
            for tr, y in batch:
                study.tell(tr, y)
                points.append(y)
            n += len(batch)
        print("%s\t%s\t%d\t%d\t%d\t%.6g\t%.4f" % (
            name, sampler_name, q, seed, budget,
            (hv_true - hypervolume(points, ref)) / hv_true, t_ask / budget), flush=True)


if __name__ == "__main__":
    main()
