#!/usr/bin/env python3
"""Write a synthetic finished-or-running study for the `wjr report` tests.

    gen_study.py DIR N SEED

DIR receives config.cfg, study.json (the format wjr writes: a WjrStudy with
its runner record) and, for some failed trials, a trial directory with a
stderr file. Parameter values, job times, statuses and stderr lines are
drawn from SEED, and some strings are hostile HTML. What the report must
show is computed here from the same data, independently of wjr, and
written as DIR/expected.json: counts, queue-wait and run-time quantiles
(nearest rank) as wjr formats durations, node-hours, the best trial.
"""
import json
import math
import os
import random
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from check_report import duration, quantile  # noqa: E402 (the same rules as the checker)

HOSTILE = '<script>alert("x")</script>&'


def main():
    out, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.cfg"), "w") as f:
        f.write(
            'objective = { metrics = ( { name = "loss"; minimize = true; } ); };\n'
            "parameters = {\n"
            '  x = { type = "range"; bounds = [-5.0, 10.0]; };\n'
            '  lr = { type = "range"; bounds = [0.0001, 1.0]; log_scale = true; };\n'
            '  layers = { type = "range"; bounds = [1, 8]; value_type = "int"; };\n'
            '  opt = { type = "choice"; values = ["adam", "sgd", "%s"]; };\n'
            "};\n"
            'generation_strategy = { seed = 3; steps = ( { model = "SOBOL"; num_trials = -1; } ); };\n'
            "scheduler = { total_trials = %d; max_pending_trials = 40; };\n"
            'script_options = { run_model = "sh model.sh"; experiment_dir = "."; };\n'
            'slurm = { partition = "batch"; time = "01:00:00"; cpus_per_task = 4; mem = "1G"; };\n'
            % (HOSTILE.replace('"', '\\"'), n)
        )
    # early enough that every job has started and the running ones run now
    t0 = int(time.time()) - 2 * n - 3700
    study_trials, runner_trials = [], []
    waits, runs = [], []
    counts = {"COMPLETED": 0, "FAILED": 0, "ABANDONED": 0, "RUNNING": 0}
    best = None
    submit = t0
    for i in range(n):
        params = {
            "x": rng.uniform(-5, 10),
            "lr": 10 ** rng.uniform(-4, 0),
            "layers": rng.randint(1, 8),
            "opt": rng.choice(["adam", "sgd", HOSTILE]),
        }
        submit += rng.randint(0, 3)
        wait = rng.randint(0, 600)
        run = rng.randint(30, 3000)
        status = rng.choices(["COMPLETED", "FAILED", "ABANDONED"], [90, 8, 2])[0]
        if i >= n - 20:
            status = "RUNNING"  # the last ones are still running, ended by nobody
        start = submit + wait
        end = start + run
        rec = {
            "index": i, "status": status, "submission": "submitted", "parameters": params,
            "key": "wjr-synth-%d" % i, "job_id": str(100000 + i), "slurm_job_id": 100000 + i,
            "submit_time": submit, "start_time": start, "partition": "batch",
            "cluster": "synthcluster", "state_word": 1, "slurm_state": "RUNNING",
        }
        counts[status] += 1
        waits.append(wait)
        if status != "RUNNING":
            rec["end_time"] = end
            runs.append(run)
        if status == "COMPLETED":
            loss = (params["x"] - 2) ** 2 + rng.random()
            rec.update(state_word=3, slurm_state="COMPLETED", exit_code=0,
                       metrics={"loss": {"mean": loss, "sem": None}})
            if best is None or loss < best[1]:
                best = (i, loss)
        elif status == "FAILED":
            code = rng.randint(1, 9)
            reason = "Slurm state FAILED, exit code %d </td><img src=x onerror=alert(1)>" % code
            if counts["FAILED"] == 1:
                reason += " caf\u00e9" * 500  # too long to show whole
            rec.update(state_word=5, slurm_state="FAILED", exit_code=code, reason=reason,
                       restarts=rng.randint(0, 2))
            d = os.path.join(out, "%06d" % i)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "slurm-%s.err" % rec["job_id"]), "w") as f:
                for k in range(8):
                    f.write("line %d of trial %d\n" % (k, i))
                f.write("Traceback: <b>boom</b> in trial %d\n" % i)
        elif status == "ABANDONED":
            rec.update(state_word=4, slurm_state="CANCELLED", reason="cancelled by the user")
        study_trials.append({"index": i, "parameters": params})
        runner_trials.append(rec)
    runner = {
        "__type": "WrappedJobRunner", "schema_version": 1, "study_id": "synth%d" % seed,
        "experiment_dir": os.path.abspath(out),
        "backend": {"type": "slurm", "settings": {
            "accounting": -1, "array_throttle": 0, "cpus_per_task": 4, "env": [], "mem": "1G",
            "partition": "batch", "requeue": -1, "rpc_timeout": 0.0, "time": "01:00:00",
            "slurm_version": "99.11.<7>"}},
        "wrapper_type": "ScriptWrapper",
        "wrapper": {"metric_names": ["loss"], "run_model": "sh model.sh"},
        "trials": runner_trials,
    }
    study = {
        "__type": "WjrStudy", "schema": 1, "config": "config.cfg",
        "config_dir": os.path.abspath(out), "state": "running",
        "generator": {"seed": 3, "drawn": n}, "trials": study_trials, "runner": runner,
    }
    with open(os.path.join(out, "study.json"), "w") as f:
        json.dump(study, f)
    expected = {
        "trials": n, "counts": counts,
        "wait_median": duration(quantile(waits, 0.5)), "wait_p90": duration(quantile(waits, 0.9)),
        "run_median": duration(quantile(runs, 0.5)), "run_p90": duration(quantile(runs, 0.9)),
        "best_index": best[0] if best else None,
        "failed_or_abandoned": counts["FAILED"] + counts["ABANDONED"],
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main()
