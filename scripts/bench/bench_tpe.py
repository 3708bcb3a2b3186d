#!/usr/bin/python3
"""Optuna's TPE on the problems of bench_gpei.c (scripts/bench/gpei.sh).

usage: bench_tpe.py PROBLEM Q SEED0 NSEEDS
One line per seed, as bench_gpei prints them:
problem, method, q, seed, budget, simple regret, seconds per suggestion.
With Q > 1, Q trials are asked before any is told (constant liar).
"""
import math
import sys
import time
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def branin(x1, x2):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
     [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
     [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
     [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
     [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]
ALPHA = [1.0, 1.2, 3.0, 3.2]


def hartmann6(x):
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6)))
                for i in range(4))


def suggest_branin(tr):
    return branin(tr.suggest_float("x1", -5, 10), tr.suggest_float("x2", 0, 15))


def suggest_hartmann(tr):
    return hartmann6([tr.suggest_float("x%d" % j, 0, 1) for j in range(6)])


def suggest_mixed(tr):
    v = branin(tr.suggest_float("x1", -5, 10), tr.suggest_float("x2", 0, 15))
    k = tr.suggest_int("k", 0, 10)
    c = tr.suggest_categorical("c", ["a", "b", "c"])
    return v + 0.5 * (k - 3) ** 2 + {"a": 1.0, "b": 0.0, "c": 2.0}[c]


PROBLEMS = {
    "branin": (suggest_branin, 30, 0.397887357729739),
    "hartmann6": (suggest_hartmann, 60, -3.322368011391339),
    "mixed": (suggest_mixed, 40, 0.397887357729739),
}


def main():
    name, q, seed0, nseeds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    f, budget, optimum = PROBLEMS[name]
    for seed in range(seed0, seed0 + nseeds):
        sampler = optuna.samplers.TPESampler(seed=seed, constant_liar=q > 1)
        study = optuna.create_study(direction="minimize", sampler=sampler)
        best, n, t_ask = math.inf, 0, 0.0
        while n < budget:
            batch = []
            for _ in range(min(q, budget - n)):
                # TPE samples when the parameters are suggested: time that
                t0 = time.perf_counter()
                tr = study.ask()
                y = f(tr)
                t_ask += time.perf_counter() - t0
                batch.append((tr, y))
            for tr, y in batch:
                study.tell(tr, y)
                best = min(best, y)
            n += len(batch)
        print("%s\ttpe\t%d\t%d\t%d\t%.6g\t%.4f" % (name, q, seed, budget, best - optimum,
                                                   t_ask / budget), flush=True)


if __name__ == "__main__":
    main()
