"""Branin at the trial's parameters, and a cost that grows with x1: the
outcome of a BOA study with constraints (config.yaml)."""
import json
import math
import pathlib
import sys

trial_dir = pathlib.Path(sys.argv[-1])
p = json.loads((trial_dir / "parameters.json").read_text())
x1, x2 = p["x1"], p["x2"]
b = (x2 - 5.1 / (4 * math.pi ** 2) * x1 ** 2 + 5 / math.pi * x1 - 6) ** 2
b += 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10
(trial_dir / "output.json").write_text(json.dumps({"branin": b, "cost": x1 + 5.0}))
