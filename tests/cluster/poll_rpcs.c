/*
 * poll_rpcs.c - the cost of a poll does not grow with the number of
 * trials, on the real cluster: 200 tracked trials (180 tasks of one job
 * array and 20 single jobs, all sleeping, most of them pending) polled 10
 * times make exactly 10 job-info RPCs (REQUEST_JOB_USER_INFO in sdiag,
 * after sdiag -r), and the backend counts 10 RPCs too. Every trial stays
 * RUNNING with a Slurm state. All jobs are cancelled at the end.
 *
 * From Slurm 23.11.5 on, the poll asks for the jobs' states alone
 * (REQUEST_JOB_STATE, no full job records), and for the full records only
 * when a job changed state since the last poll. So the test first lets the
 * node fill up (the jobs sleep for minutes: after that no job changes
 * state) and takes one look; then the 10 polls are 10 REQUEST_JOB_STATE
 * and no REQUEST_JOB_USER_INFO. Some
 * releases' libslurm asks slurmctld for the federation first
 * (REQUEST_FED_INFO): that is either no RPC or one per poll, never more,
 * and the test prints which this release does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_util.h"

#define N_ARRAY  180
#define N_SINGLE 20
#define N_POLLS  10

static void test_poll_rpcs(void **state)
{
    cl_env *e = *state;
    const char *cmd = cl_model(e, "model.sh", "sh", "sleep 300\necho '{\"m\": 1}' > output.json\n");
    static char params[N_ARRAY][32];
    wjr_trial_spec specs[N_ARRAY];
    wjr_backend *backend;
    uint64_t rpcs_before;
    long user, states, fed;
    size_t i, submitted = 0;
    int p;

    cl_runner(e, cmd, NULL, NULL);
    for (i = 0; i < N_ARRAY; i++) {
        snprintf(params[i], sizeof(params[i]), "{\"i\": %zu}", i);
        specs[i].index = (int64_t)i;
        specs[i].params_json = params[i];
    }
    assert_int_equal(wjr_runner_run_multiple(&submitted, e->runner, specs, N_ARRAY), 0);
    assert_int_equal(submitted, N_ARRAY);
    for (i = 0; i < N_SINGLE; i++)
        cl_run(e, (int64_t)(N_ARRAY + i), "{\"i\": -1}");
    assert_int_equal(wjr_runner_trial_count(e->runner), N_ARRAY + N_SINGLE);

    backend = wjr_runner_backend(e->runner);
    /* the node fills up (the scheduler runs every 2 s here), then one look */
    cl_sleep(8);
    wjr_poll_result_free(cl_poll(e->runner, NULL, 0));
    cl_sdiag_reset();
    rpcs_before = wjr_backend_rpc_count(backend);
    for (p = 0; p < N_POLLS; p++) {
        wjr_poll_result *res = cl_poll(e->runner, NULL, 0);
        assert_int_equal(res->stale, 0);
        assert_int_equal(res->count, N_ARRAY + N_SINGLE);
        for (i = 0; i < res->count; i++)
            if (res->statuses[i] != WJR_TRIAL_RUNNING)
                fail_msg("poll %d: trial %lld is %s", p, (long long)res->indices[i],
                         wjr_trial_status_name(res->statuses[i]));
        wjr_poll_result_free(res);
    }
    user = cl_sdiag_rpc("REQUEST_JOB_USER_INFO");
    states = cl_sdiag_rpc("REQUEST_JOB_STATE");
    fed = cl_sdiag_rpc("REQUEST_FED_INFO");
    print_message("%d polls: %ld REQUEST_JOB_USER_INFO, %ld REQUEST_JOB_STATE, %ld "
                  "REQUEST_FED_INFO\n",
                  N_POLLS, user, states, fed);
#if WJR_SLURM_VERSION_NUMBER >= (23 << 16 | 11 << 8 | 5)
    assert_int_equal(states, N_POLLS);
    assert_int_equal(user, 0);
#else
    assert_int_equal(user, N_POLLS);
    assert_int_equal(states, 0);
#endif
    if (fed != 0 && fed != N_POLLS)
        fail_msg("%ld REQUEST_FED_INFO for %d polls", fed, N_POLLS);
    assert_int_equal(wjr_backend_rpc_count(backend) - rpcs_before, N_POLLS);
    for (i = 0; i < N_ARRAY + N_SINGLE; i++) {
        const wjr_trial_info *t = wjr_runner_trial_at(e->runner, i);
        assert_non_null(t->slurm_state);
        if (strncmp(t->slurm_state, "PENDING", 7) != 0 &&
            strncmp(t->slurm_state, "RUNNING", 7) != 0)
            fail_msg("trial %lld: Slurm state %s", (long long)t->index, t->slurm_state);
    }
    e->passed = 1; /* the teardown cancels the jobs and waits until they are gone */
}

CL_MAIN(CL_TEST(test_poll_rpcs))
