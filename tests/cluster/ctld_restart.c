/*
 * ctld_restart.c - slurmctld going away in the middle of a run, on the
 * real cluster (scripts/cluster-ctld.sh stops and starts only slurmctld;
 * the jobs keep running under slurmd). First a restart (stop, a pause,
 * start) while trials run: polling goes on. Then slurmctld stopped while
 * a job finishes: a poll comes back stale (stale = 1, a warning) with the
 * last known statuses and nothing terminal, even for the trial whose exit
 * record is already written; that poll must come back within the RPC
 * timeout (10 s here) and a few seconds more.
 * Started again, every trial ends right: COMPLETED with its metric, or
 * FAILED with "exit code 3" for the model that exits 3. The teardown
 * starts slurmctld again whatever happened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_util.h"

#define N_TRIALS 4

static const char model[] = "import json, os, sys, time\n"
                            "d = sys.argv[1]\n"
                            "p = json.load(open(os.path.join(d, 'parameters.json')))\n"
                            "time.sleep(p['sleep'])\n"
                            "with open(os.path.join(d, 'output.json'), 'w') as f:\n"
                            "    json.dump({'m': p['m']}, f)\n"
                            "sys.exit(p['rc'])\n";

static void ctld(const char *action)
{
    int rc = cl_sh("%s/scripts/cluster-ctld.sh %s '%s' 2>&1 | sed 's/^/    /'", cl_source_dir(),
                   action, cl_cluster_dir());
    if (rc != 0)
        fail_msg("scripts/cluster-ctld.sh %s failed (%d)", action, rc);
}

static void test_ctld_restart(void **state)
{
    cl_env *e = *state;
    const char *cmd = cl_model(e, "model.py", "python3", model);
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    char *record;
    wjr_trial_spec specs[2] = {{2, "{\"sleep\": 6, \"m\": 2, \"rc\": 0}"},
                               {3, "{\"sleep\": 6, \"m\": 3, \"rc\": 0}"}};
    wjr_trial_status before[N_TRIALS];
    wjr_poll_result *res;
    double t0, took;
    int64_t i;

    so.partition = "debug";
    so.rpc_timeout = 10;
    cl_runner(e, cmd, &so, NULL);
    cl_run(e, 0, "{\"sleep\": 6, \"m\": 0, \"rc\": 0}");
    cl_run(e, 1, "{\"sleep\": 6, \"m\": 1, \"rc\": 3}");
    assert_int_equal(wjr_runner_run_multiple(NULL, e->runner, specs, 2), 0);
    cl_wait_slurm_state(e->runner, 0, "RUNNING", 60);

    /* a restart while trial 0 runs */
    e->restart_ctld = 1;
    ctld("stop");
    cl_sleep(2);
    ctld("start");
    res = cl_poll(e->runner, NULL, 0);
    assert_int_equal(res->stale, 0);
    wjr_poll_result_free(res);

    /* stopped while trial 2 runs and ends */
    cl_wait_slurm_state(e->runner, 2, "RUNNING", 60);
    res = cl_poll(e->runner, NULL, 0);
    assert_int_equal(res->stale, 0);
    for (i = 0; i < N_TRIALS; i++)
        before[i] = cl_trial(e->runner, i)->status;
    wjr_poll_result_free(res);
    assert_int_equal(before[2], WJR_TRIAL_RUNNING);
    ctld("stop");
    record = cl_trial_file(e->runner, 2, "wjr_exit.json");
    t0 = cl_now();
    while (!cl_exists(record) && cl_now() - t0 < 20)
        cl_sleep(0.5);
    assert_true(cl_exists(record));
    free(record);

    t0 = cl_now();
    res = cl_poll(e->runner, NULL, 0);
    took = cl_now() - t0;
    print_message("a poll with slurmctld down took %.1f s: stale=%d, \"%s\"\n", took, res->stale,
                  res->warning ? res->warning : "(no warning)");
    if (took > so.rpc_timeout + 5)
        fail_msg("a poll with slurmctld down took %.1f s, more than the RPC timeout of %.0f s",
                 took, so.rpc_timeout);
    assert_int_equal(res->stale, 1);
    assert_non_null(res->warning);
    assert_int_equal(res->count, N_TRIALS);
    for (i = 0; i < N_TRIALS; i++) {
        assert_int_equal(res->indices[i], i);
        if (res->statuses[i] != before[i])
            fail_msg("stale poll: trial %lld went from %s to %s", (long long)i,
                     wjr_trial_status_name(before[i]), wjr_trial_status_name(res->statuses[i]));
        assert_int_equal(cl_trial(e->runner, i)->status, before[i]);
    }
    assert_int_equal(res->statuses[2], WJR_TRIAL_RUNNING);
    wjr_poll_result_free(res);

    ctld("start");
    e->restart_ctld = 0;
    cl_wait_terminal(e->runner, NULL, 0, 90);
    for (i = 0; i < N_TRIALS; i++) {
        const wjr_trial_info *t =
            cl_expect(e->runner, i, i == 1 ? WJR_TRIAL_FAILED : WJR_TRIAL_COMPLETED);
        if (i == 1)
            cl_assert_contains(t->reason, "exit code 3");
        else
            cl_assert_contains(t->metrics_json, "\"m\"");
    }
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_ctld_restart))
