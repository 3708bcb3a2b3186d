/*
 * array_throttle.c - 20 trials as one job array with array_throttle 4, on
 * the real cluster: all end COMPLETED with their metric, one
 * REQUEST_SUBMIT_BATCH_JOB reaches slurmctld (sdiag), Slurm holds the
 * throttle (ArrayTaskThrottle=4), and never more than 4 tasks run at once:
 * squeue is sampled on every poll, and each model records its start and
 * end times in its trial directory, from which the test takes the largest
 * overlap. A node with 4 CPUs or fewer would bound the overlap by itself,
 * so that the test could not fail: there the test fails and says how to
 * declare more CPUs (scripts/test.sh declares 8).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_util.h"

#define N_TRIALS 20
#define THROTTLE 4

static const char model[] = "#!/bin/sh\n"
                            "date +%s.%N > start.txt\n"
                            "sleep 1\n"
                            "date +%s.%N > end.txt\n"
                            "echo '{\"m\": 7}' > output.json\n";

static double read_time(wjr_runner *r, int64_t index, const char *name)
{
    char *path = cl_trial_file(r, index, name), *text = cl_read(path);
    double v;

    if (text == NULL)
        fail_msg("trial %lld wrote no %s", (long long)index, path);
    v = strtod(text, NULL);
    free(text);
    free(path);
    return v;
}

/* The largest number of [start, end] intervals that overlap. */
static int max_overlap(const double *start, const double *end, size_t n)
{
    size_t i, k;
    int best = 0;

    for (i = 0; i < n; i++) {
        int c = 0;
        for (k = 0; k < n; k++)
            c += start[k] <= start[i] && start[i] < end[k];
        if (c > best)
            best = c;
    }
    return best;
}

static void test_array_throttle(void **state)
{
    cl_env *e = *state;
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    const char *cmd = cl_model(e, "model.sh", "sh", model);
    char *out, params[N_TRIALS][32];
    wjr_trial_spec specs[N_TRIALS];
    double start[N_TRIALS], end[N_TRIALS], deadline;
    size_t i, submitted = 0;
    uint32_t array_id;
    int max_seen = 0, overlap, cpus;

    out = cl_capture("timeout 10 sinfo -h -N -n localhost -o '%%c'");
    cpus = atoi(out);
    free(out);
    if (cpus <= THROTTLE)
        fail_msg("node localhost has %d CPUs: a throttle of %d cannot be told from the CPU limit; "
                 "start the cluster with WJR_CLUSTER_CPUS=8 (scripts/test.sh does)",
                 cpus, THROTTLE);
    so.partition = "debug";
    so.time = "5";
    so.array_throttle = THROTTLE;
    cl_runner(e, cmd, &so, NULL);
    for (i = 0; i < N_TRIALS; i++) {
        snprintf(params[i], sizeof(params[i]), "{\"i\": %zu}", i);
        specs[i].index = (int64_t)i;
        specs[i].params_json = params[i];
    }
    cl_sdiag_reset();
    assert_int_equal(wjr_runner_run_multiple(&submitted, e->runner, specs, N_TRIALS), 0);
    assert_int_equal(submitted, N_TRIALS);
    assert_int_equal(cl_sdiag_rpc("REQUEST_SUBMIT_BATCH_JOB"), 1);
    array_id = cl_trial(e->runner, 0)->run.array_job_id;
    assert_int_not_equal(array_id, 0);
    for (i = 0; i < N_TRIALS; i++) {
        const wjr_trial_info *t = cl_trial(e->runner, (int64_t)i);
        assert_int_equal(t->run.array_job_id, array_id);
        assert_int_equal(t->run.array_task_id, i);
    }
    out = cl_capture("timeout 20 scontrol show job %u 2>&1", (unsigned)array_id);
    cl_assert_contains(out, "ArrayTaskThrottle=4");
    free(out);

    deadline = cl_now() + 150;
    for (;;) {
        wjr_poll_result *res = cl_poll(e->runner, NULL, 0);
        size_t open = 0;
        int running;
        for (i = 0; i < res->count; i++)
            open += !wjr_trial_status_is_terminal(res->statuses[i]);
        wjr_poll_result_free(res);
        out = cl_capture("timeout 10 squeue -h -t R -j %u 2>/dev/null | wc -l", (unsigned)array_id);
        running = atoi(out);
        free(out);
        if (running > max_seen)
            max_seen = running;
        if (open == 0)
            break;
        if (cl_now() > deadline)
            fail_msg("%zu of %d tasks still not terminal after 150 s", open, N_TRIALS);
        cl_sleep(0.5);
    }

    for (i = 0; i < N_TRIALS; i++) {
        const wjr_trial_info *t = cl_expect(e->runner, (int64_t)i, WJR_TRIAL_COMPLETED);
        assert_non_null(t->metrics_json);
        cl_assert_contains(t->metrics_json, "\"m\"");
        start[i] = read_time(e->runner, (int64_t)i, "start.txt");
        end[i] = read_time(e->runner, (int64_t)i, "end.txt");
    }
    overlap = max_overlap(start, end, N_TRIALS);
    print_message("max tasks running at once: %d by the models' clocks, %d seen by squeue "
                  "(throttle %d, node CPUs %d)\n",
                  overlap, max_seen, THROTTLE, cpus);
    assert_true(overlap >= 1 && overlap <= THROTTLE);
    assert_true(max_seen <= THROTTLE);
    /* polling submitted nothing more */
    assert_int_equal(cl_sdiag_rpc("REQUEST_SUBMIT_BATCH_JOB"), 1);
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_array_throttle))
