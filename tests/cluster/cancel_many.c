/*
 * cancel_many.c - 500 trials in two job arrays stopped at once, on the real
 * cluster: wjr_runner_stop_many() sends one kill request per array (its
 * tasks as ranges), or one in all from Slurm 24.05 on (slurm_kill_jobs),
 * counted in sdiag after sdiag -r; every trial is ABANDONED and Slurm
 * reports every task CANCELLED on the next poll, none left in the queue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_util.h"

#define N_TRIALS 500

static void test_cancel_many(void **state)
{
    cl_env *e = *state;
    const char *cmd = cl_model(e, "model.sh", "sh", "sleep 300\necho '{\"m\": 1}' > output.json\n");
    static char params[N_TRIALS][32];
    wjr_trial_spec specs[N_TRIALS / 2];
    size_t i, k, submitted = 0, stopped = 0;
    long kill, kills;
    char *left;

    cl_runner(e, cmd, NULL, NULL);
    for (k = 0; k < 2; k++) {
        for (i = 0; i < N_TRIALS / 2; i++) {
            size_t index = k * (N_TRIALS / 2) + i;
            snprintf(params[index], sizeof(params[index]), "{\"i\": %zu}", index);
            specs[i].index = (int64_t)index;
            specs[i].params_json = params[index];
        }
        assert_int_equal(wjr_runner_run_multiple(&submitted, e->runner, specs, N_TRIALS / 2), 0);
        assert_int_equal(submitted, N_TRIALS / 2);
    }
    cl_sdiag_reset();
    assert_int_equal(wjr_runner_stop_many(&stopped, e->runner, NULL, 0, "enough"), 0);
    assert_int_equal(stopped, N_TRIALS);
    kill = cl_sdiag_rpc("REQUEST_KILL_JOB");
    kills = cl_sdiag_rpc("REQUEST_KILL_JOBS");
    print_message("%d trials in 2 arrays: %ld REQUEST_KILL_JOB, %ld REQUEST_KILL_JOBS\n", N_TRIALS,
                  kill, kills);
#if WJR_SLURM_VERSION_NUMBER >= (24 << 16 | 5 << 8)
    assert_int_equal(kills, 1);
    assert_int_equal(kill, 0);
#else
    assert_int_equal(kill, 2);
#endif
    for (i = 0; i < N_TRIALS; i++)
        assert_int_equal(cl_trial(e->runner, (int64_t)i)->status, WJR_TRIAL_ABANDONED);
    /* slurmctld really cancelled them: nothing of this study stays queued */
    left = cl_capture("timeout 20 squeue -h -n wjr-%s-a0,wjr-%s-a%d -o %%i 2>&1", e->study_id,
                      e->study_id, N_TRIALS / 2);
    for (i = 0; i < 30 && left[0] != '\0'; i++) {
        free(left);
        cl_sleep(1);
        left = cl_capture("timeout 20 squeue -h -t PD,R,CG -n wjr-%s-a0,wjr-%s-a%d -o %%i 2>&1",
                          e->study_id, e->study_id, N_TRIALS / 2);
    }
    if (left[0] != '\0')
        fail_msg("still queued after the cancel: %s", left);
    free(left);
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_cancel_many))
