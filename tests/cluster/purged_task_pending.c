/*
 * purged_task_pending.c - an array task that ended and was purged by
 * slurmctld while its siblings still wait, packed in the array's one
 * pending record, on the real cluster.
 *
 * Guards the mutation "packed pending records" (one record counted for
 * any task of the array): the trial of the purged task must be settled
 * (here through accounting: its exit record is deleted first), not stay
 * RUNNING behind the pending record of its siblings. The array runs with
 * a throttle of 1: task 0 ends at once, task 1 sleeps until the test
 * ends, tasks 2 and 3 stay pending behind it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_util.h"

static const char model[] =
    "s=$(sed -n 's/.*\"s\": *\\([0-9]*\\).*/\\1/p' \"$1/parameters.json\")\n"
    "sleep \"${s:-0}\"\n"
    "echo '{\"m\": 1}' > \"$1/output.json\"\n";

static void test_purged_task_next_to_pending(void **state)
{
    cl_env *e = *state;
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    wjr_trial_spec specs[4] = {
        {0, "{\"s\": 0}"}, {1, "{\"s\": 600}"}, {2, "{\"s\": 0}"}, {3, "{\"s\": 0}"}};
    const wjr_trial_info *t;
    wjr_poll_result *res;
    char id[48], *path, *queue;
    double deadline;
    int age = cl_min_job_age();
    size_t i;

    so.partition = "debug";
    so.array_throttle = 1;
    cl_runner(e, cl_model(e, "model.sh", "sh", model), &so, NULL);
    assert_int_equal(wjr_runner_run_multiple(NULL, e->runner, specs, 4), 0);
    t = cl_trial(e->runner, 0);
    snprintf(id, sizeof(id), "%u_0", (unsigned)t->run.array_job_id);

    /* no poll until slurmctld has forgotten task 0 */
    path = cl_trial_file(e->runner, 0, "wjr_exit.json");
    deadline = cl_now() + 60;
    while (!cl_exists(path)) {
        if (cl_now() > deadline)
            fail_msg("task 0 wrote no exit record in 60 s");
        cl_sleep(0.5);
    }
    cl_wait_purged(id, 2.0 * age + 40);
    /* the siblings are still there: task 1 running, 2 and 3 pending */
    queue = cl_capture("timeout 20 squeue -h -r -j %u -o '%%K %%T' 2>&1",
                       (unsigned)t->run.array_job_id);
    print_message("queue of the array:\n%s", queue);
    cl_assert_contains(queue, "1 RUNNING");
    cl_assert_contains(queue, "2 PENDING");
    cl_assert_contains(queue, "3 PENDING");
    free(queue);
    /* accounting must settle it */
    assert_int_equal(remove(path), 0);
    free(path);

    res = cl_poll(e->runner, NULL, 0);
    assert_int_equal(res->stale, 0);
    assert_int_equal(res->count, 4);
    for (i = 0; i < 4; i++)
        print_message("trial %lld: %s\n", (long long)res->indices[i],
                      wjr_trial_status_name(res->statuses[i]));
    wjr_poll_result_free(res);
    t = cl_expect(e->runner, 0, WJR_TRIAL_COMPLETED);
    cl_assert_contains(t->slurm_state, "COMPLETED");
    cl_assert_contains(t->metrics_json, "\"m\"");
    cl_assert_contains(cl_expect(e->runner, 1, WJR_TRIAL_RUNNING)->slurm_state, "RUNNING");
    cl_assert_contains(cl_expect(e->runner, 2, WJR_TRIAL_RUNNING)->slurm_state, "PENDING");
    cl_assert_contains(cl_expect(e->runner, 3, WJR_TRIAL_RUNNING)->slurm_state, "PENDING");
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_purged_task_next_to_pending))
