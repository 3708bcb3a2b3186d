#!/usr/bin/env python3
"""Branin model for wjr's example study (BOA ScriptWrapper conventions).

Usage: model.py TRIAL_DIR
Reads TRIAL_DIR/parameters.json ({"x1", "x2", "opt", "n"}), writes
TRIAL_DIR/output.json ({"branin": value}). The choice `opt` and the integer
`n` add a tiny effect so that they matter to the optimizer.
"""
import json
import math
import os
import sys


def branin(x1, x2):
    a, b, c = 1.0, 5.1 / (4 * math.pi ** 2), 5.0 / math.pi
    r, s, t = 6.0, 10.0, 1.0 / (8 * math.pi)
    return a * (x2 - b * x1 ** 2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


def main():
    trial_dir = sys.argv[-1]
    with open(os.path.join(trial_dir, "parameters.json")) as f:
        p = json.load(f)
    value = branin(float(p["x1"]), float(p["x2"]))
    value += (0.01 if p["opt"] == "b" else 0.0) + 0.001 * (int(p["n"]) - 1)
    tmp = os.path.join(trial_dir, "output.json.tmp")
    with open(tmp, "w") as f:
        json.dump({"branin": value}, f)
    os.replace(tmp, os.path.join(trial_dir, "output.json"))
    print(f"branin = {value:.6f}")


if __name__ == "__main__":
    main()
