/*
 * purged.c - trials whose jobs slurmctld has forgotten (MinJobAge, 30 s on
 * the local cluster), on the real cluster. Six trials run (four single
 * jobs, two tasks of one array) and are not polled until `scontrol show
 * job` calls every job invalid. Then: the trials that kept their exit
 * record (wjr_exit.json) are settled from it alone, without asking
 * accounting (the backend counts one job query for that poll, two from
 * Slurm 23.11.5 on); for the others
 * the exit record is deleted first and accounting (slurmdbd) settles
 * them. Either way the statuses are right: COMPLETED with metrics when
 * the model exited 0, FAILED with "exit code 2" when it exited 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_util.h"

static const char model[] = "import json, os, sys\n"
                            "d = sys.argv[1]\n"
                            "p = json.load(open(os.path.join(d, 'parameters.json')))\n"
                            "with open(os.path.join(d, 'output.json'), 'w') as f:\n"
                            "    json.dump({'m': p['m']}, f)\n"
                            "sys.exit(p['rc'])\n";

/* index, exit code, keeps its exit record */
static const struct {
    int64_t index;
    int rc;
    int keep;
} trials[] = {{0, 0, 1}, {1, 0, 0}, {2, 2, 0}, {3, 2, 1}, {10, 0, 1}, {11, 0, 0}};

#define N_TRIALS (sizeof(trials) / sizeof(trials[0]))

#if WJR_SLURM_VERSION_NUMBER >= (23 << 16 | 11 << 8 | 5)
#define QUERY_RPCS 2
#else
#define QUERY_RPCS 1
#endif

static void check(wjr_runner *r, int64_t index, int rc, int keep)
{
    const wjr_trial_info *t = cl_expect(r, index, rc == 0 ? WJR_TRIAL_COMPLETED : WJR_TRIAL_FAILED);

    assert_int_equal(t->exit_code, rc);
    assert_true(t->end_time > 0);
    /* the start time too, from the exit record or from accounting */
    assert_true(t->start_time >= t->run.submit_time && t->start_time > 0);
    assert_true(t->start_time <= t->end_time);
    if (rc == 0) {
        cl_assert_contains(t->slurm_state, "COMPLETED");
        cl_assert_contains(t->metrics_json, "\"m\"");
        return;
    }
    cl_assert_contains(t->slurm_state, "FAILED");
    cl_assert_contains(t->reason, "exit code 2");
    if (keep)
        cl_assert_contains(t->reason, "exit record");
    assert_null(t->metrics_json);
}

/* Poll the given trials; returns how many RPCs the backend sent for it. */
static uint64_t poll_rpcs(wjr_runner *r, const int64_t *indices, size_t n)
{
    uint64_t before = wjr_backend_rpc_count(wjr_runner_backend(r));
    wjr_poll_result *res = cl_poll(r, indices, n);
    size_t i;

    assert_int_equal(res->stale, 0);
    for (i = 0; i < res->count; i++)
        if (!wjr_trial_status_is_terminal(res->statuses[i]))
            fail_msg("trial %lld is still %s after its job was purged", (long long)res->indices[i],
                     wjr_trial_status_name(res->statuses[i]));
    wjr_poll_result_free(res);
    return wjr_backend_rpc_count(wjr_runner_backend(r)) - before;
}

static void test_purged(void **state)
{
    cl_env *e = *state;
    const char *cmd = cl_model(e, "model.py", "python3", model);
    char params[64], *path;
    wjr_trial_spec specs[2] = {{10, "{\"m\": 10.5, \"rc\": 0}"}, {11, "{\"m\": 11.5, \"rc\": 0}"}};
    int64_t from_record[] = {0, 3, 10}, from_accounting[] = {1, 2, 11};
    double t0, deadline;
    size_t i;
    int age = cl_min_job_age();

    cl_runner(e, cmd, NULL, NULL);
    for (i = 0; i < 4; i++) {
        snprintf(params, sizeof(params), "{\"m\": %d.5, \"rc\": %d}", (int)trials[i].index,
                 trials[i].rc);
        cl_run(e, trials[i].index, params);
    }
    assert_int_equal(wjr_runner_run_multiple(NULL, e->runner, specs, 2), 0);

    /* no poll: wait for the exit records, then for slurmctld to forget */
    deadline = cl_now() + 60;
    for (i = 0; i < N_TRIALS; i++) {
        path = cl_trial_file(e->runner, trials[i].index, "wjr_exit.json");
        while (!cl_exists(path)) {
            if (cl_now() > deadline)
                fail_msg("trial %lld wrote no exit record in 60 s", (long long)trials[i].index);
            cl_sleep(0.5);
        }
        free(path);
    }
    t0 = cl_now();
    deadline = t0 + 2.0 * age + 40;
    for (i = 0; i < N_TRIALS; i++) {
        const wjr_trial_info *t = cl_trial(e->runner, trials[i].index);
        char id[32];
        snprintf(id, sizeof(id), "%u",
                 (unsigned)(t->run.array_job_id ? t->run.array_job_id : t->run.slurm_job_id));
        while (cl_job_known(id)) {
            if (cl_now() > deadline)
                fail_msg("slurmctld still knows job %s after %.0f s", id, cl_now() - t0);
            cl_sleep(1);
        }
    }
    print_message("slurmctld forgot the jobs %.0f s after they ended (MinJobAge %d)\n",
                  cl_now() - t0, age);
    for (i = 0; i < N_TRIALS; i++) {
        assert_int_equal(cl_trial(e->runner, trials[i].index)->status, WJR_TRIAL_RUNNING);
        if (trials[i].keep)
            continue;
        path = cl_trial_file(e->runner, trials[i].index, "wjr_exit.json");
        assert_int_equal(remove(path), 0);
        free(path);
    }

    /* the exit records settle these: one query, no accounting (from Slurm
     * 23.11.5 on, the state-only query first: the jobs missing from it are
     * then looked for in the full one) */
    assert_int_equal(poll_rpcs(e->runner, from_record, 3), QUERY_RPCS);
    /* these need accounting: the queries plus the slurmdbd look-up */
    assert_true(poll_rpcs(e->runner, from_accounting, 3) > QUERY_RPCS);
    for (i = 0; i < N_TRIALS; i++)
        check(e->runner, trials[i].index, trials[i].rc, trials[i].keep);
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_purged))
