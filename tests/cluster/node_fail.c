/*
 * node_fail.c - the node set DOWN while a job runs, on the real cluster.
 * With requeue off (wjr_slurm_options.requeue = 0) Slurm ends the job
 * NODE_FAIL: the trial becomes FAILED and its reason says NODE_FAIL. The
 * node is resumed in the teardown, whatever happened, and the test waits
 * until it is idle again: the other tests need it.
 */
#include <stdlib.h>
#include <string.h>

#include "cluster_util.h"

static void test_node_fail(void **state)
{
    cl_env *e = *state;
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    const char *cmd = cl_model(e, "model.sh", "sh", "sleep 90\necho '{\"m\": 1}' > output.json\n");
    const wjr_trial_info *t;

    so.partition = "debug";
    so.time = "5";
    so.requeue = 0;
    cl_runner(e, cmd, &so, NULL);
    wjr_runner_set_infrastructure_retries(e->runner, 0); /* infra_retry.c retries */
    t = cl_run(e, 0, "{\"x\": 0}");
    cl_wait_slurm_state(e->runner, 0, "RUNNING", 60);

    e->resume_node = 1;
    assert_int_equal(cl_sh("timeout 20 scontrol update nodename=localhost state=down "
                           "reason=wjr-cluster-test-node-fail"),
                     0);
    cl_wait_terminal(e->runner, &t->index, 1, 60);
    cl_expect(e->runner, 0, WJR_TRIAL_FAILED);
    cl_assert_contains(t->slurm_state, "NODE_FAIL");
    cl_assert_contains(t->reason, "NODE_FAIL");
    assert_null(t->metrics_json);
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_node_fail))
