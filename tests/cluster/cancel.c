/*
 * cancel.c - jobs cancelled behind the runner's back with scancel, on the
 * real cluster. A running job cancelled: ABANDONED, Slurm state CANCELLED.
 * A pending job cancelled (queued behind a job that fills the node: both
 * ask for every CPU): ABANDONED too, never FAILED, and it never ran.
 */
#include <stdlib.h>
#include <string.h>

#include "cluster_util.h"

static void check_abandoned(wjr_runner *r, int64_t index)
{
    const wjr_trial_info *t = cl_expect(r, index, WJR_TRIAL_ABANDONED);

    cl_assert_contains(t->slurm_state, "CANCELLED");
    cl_assert_contains(t->reason, "CANCELLED");
    assert_true(t->end_time > 0);
}

static int node_cpus(void)
{
    char *out = cl_capture("timeout 10 sinfo -h -N -n localhost -o '%%c'");
    int n = atoi(out);

    free(out);
    return n;
}

static void test_cancel(void **state)
{
    cl_env *e = *state;
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    const char *cmd = cl_model(e, "model.sh", "sh", "sleep 120\necho '{\"m\": 1}' > output.json\n");
    const wjr_trial_info *running, *pending;
    wjr_poll_result *res;
    char *started;
    int64_t both[2] = {0, 1};

    /* each job asks for the whole node: the second one has to wait */
    so.partition = "debug";
    so.time = "5";
    so.cpus_per_task = node_cpus();
    assert_true(so.cpus_per_task > 0);
    cl_runner(e, cmd, &so, NULL);
    running = cl_run(e, 0, "{\"x\": 0}");
    cl_wait_slurm_state(e->runner, 0, "RUNNING", 60);
    pending = cl_run(e, 1, "{\"x\": 1}");
    res = cl_poll(e->runner, both, 2);
    assert_int_equal(res->stale, 0);
    wjr_poll_result_free(res);
    cl_assert_contains(pending->slurm_state, "PENDING");
    assert_int_equal(pending->status, WJR_TRIAL_RUNNING);

    /* the pending one first, while the other still holds the node */
    assert_int_equal(cl_sh("timeout 20 scancel %s", pending->run.job_id), 0);
    cl_wait_terminal(e->runner, &both[1], 1, 30);
    check_abandoned(e->runner, 1);
    assert_int_equal(running->status, WJR_TRIAL_RUNNING);
    started = cl_trial_file(e->runner, 1, "wjr_exit.json");
    assert_false(cl_exists(started));
    free(started);

    assert_int_equal(cl_sh("timeout 20 scancel %s", running->run.job_id), 0);
    cl_wait_terminal(e->runner, both, 1, 30);
    check_abandoned(e->runner, 0);
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_cancel))
