/*
 * exit_code.c - a model that exits 3, on the real cluster: the trial ends
 * FAILED, its exit code is 3 and the reason says "exit code 3", whether
 * it ran as a single job or as an array task, and the reason ends with
 * the last line the model wrote to stderr (in the trial directory, or in
 * logs/ for a task). A model that exits 0 but writes no output.json fails
 * too, with a reason that says so, and with its stderr.
 */
#include <stdlib.h>
#include <string.h>

#include "cluster_util.h"

static const char model[] = "#!/bin/sh\n"
                            "# exits with the code in parameters.json, after a metric\n"
                            "rc=$(sed -n 's/.*\"rc\": *\\([0-9]*\\).*/\\1/p' parameters.json)\n"
                            "echo \"model: exits $rc\" >&2; echo >&2\n"
                            "[ \"$rc\" = 9 ] || echo '{\"m\": 1}' > output.json\n"
                            "[ \"$rc\" = 9 ] && rc=0\n"
                            "exit \"$rc\"\n";

static void test_exit_code(void **state)
{
    cl_env *e = *state;
    const char *cmd = cl_model(e, "model.sh", "sh", model);
    wjr_trial_spec specs[2] = {{1, "{\"rc\": 3}"}, {2, "{\"rc\": 0}"}};
    const wjr_trial_info *t;
    int64_t i;

    cl_runner(e, cmd, NULL, NULL);
    cl_run(e, 0, "{\"rc\": 3}");
    cl_run(e, 3, "{\"rc\": 9}");
    assert_int_equal(wjr_runner_run_multiple(NULL, e->runner, specs, 2), 0);
    cl_wait_terminal(e->runner, NULL, 0, 60);

    for (i = 0; i <= 1; i++) {
        t = cl_trial(e->runner, i);
        assert_int_equal(t->status, WJR_TRIAL_FAILED);
        assert_int_equal(t->exit_code, 3);
        cl_assert_contains(t->slurm_state, "FAILED");
        cl_assert_contains(t->reason, "exit code 3; stderr: model: exits 3");
        assert_null(t->metrics_json);
    }
    t = cl_trial(e->runner, 2);
    assert_int_equal(t->status, WJR_TRIAL_COMPLETED);
    /* exit 0 without output.json: FAILED, and the reason names the file */
    t = cl_trial(e->runner, 3);
    assert_int_equal(t->status, WJR_TRIAL_FAILED);
    cl_assert_contains(t->reason, "output.json");
    cl_assert_contains(t->reason, "; stderr: model: exits 9");
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_exit_code))
