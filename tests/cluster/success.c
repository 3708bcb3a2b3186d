/*
 * success.c - a trial whose model succeeds, on the real cluster: the model
 * (python3) reads parameters.json and writes output.json {"m": 2x + 1};
 * the trial ends COMPLETED with that metric, exit code 0 and Slurm state
 * COMPLETED (never "+COMPLETING", even when the node's epilog still ran),
 * as a single job and as tasks of a job array.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cluster_util.h"

static const char model[] = "import json, os, sys\n"
                            "d = sys.argv[1]\n"
                            "p = json.load(open(os.path.join(d, 'parameters.json')))\n"
                            "with open(os.path.join(d, 'output.json'), 'w') as f:\n"
                            "    json.dump({'m': 2 * p['x'] + 1}, f)\n";

static void check_completed(wjr_runner *r, int64_t index, double x)
{
    const wjr_trial_info *t = cl_expect(r, index, WJR_TRIAL_COMPLETED);
    json_t *metrics, *m;

    /* the end, not the node's clean-up after it */
    assert_string_equal(t->slurm_state, "COMPLETED");
    assert_int_equal(t->exit_code, 0);
    assert_null(t->reason);
    assert_true(t->end_time > 0);
    assert_non_null(t->metrics_json);
    metrics = json_loads(t->metrics_json, 0, NULL);
    assert_non_null(metrics);
    m = json_object_get(metrics, "m");
    assert_true(json_is_number(json_object_get(m, "mean")));
    assert_true(json_number_value(json_object_get(m, "mean")) == 2 * x + 1);
    assert_true(json_is_null(json_object_get(m, "sem")));
    json_decref(metrics);
}

static void test_success(void **state)
{
    cl_env *e = *state;
    const char *cmd = cl_model(e, "model.py", "python3", model);
    wjr_trial_spec specs[2] = {{1, "{\"x\": 1.5}"}, {2, "{\"x\": -4}"}};
    size_t submitted = 0;
    const wjr_trial_info *t;

    cl_runner(e, cmd, NULL, NULL);
    t = cl_run(e, 0, "{\"x\": 0.25}");
    assert_int_equal(t->status, WJR_TRIAL_RUNNING);
    assert_int_equal(wjr_runner_run_multiple(&submitted, e->runner, specs, 2), 0);
    assert_int_equal(submitted, 2);
    assert_int_not_equal(cl_trial(e->runner, 1)->run.array_job_id, 0);

    cl_wait_terminal(e->runner, NULL, 0, 60);
    check_completed(e->runner, 0, 0.25);
    check_completed(e->runner, 1, 1.5);
    check_completed(e->runner, 2, -4);
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_success))
