/*
 * infra_retry.c - what the cluster does to jobs, on the real cluster:
 * - a trial preempted by a job of partition urgent, with requeue allowed,
 *   stays RUNNING and completes once, in attempt 2 of the same job, whose
 *   output file keeps what both runs printed (open mode append);
 * - the same with requeue off: Slurm ends the job PREEMPTED, wjr submits
 *   the trial again (a second job) and it completes;
 * - the node set DOWN under a running trial (requeue off, NODE_FAIL): the
 *   trial is submitted again and completes.
 * The model sleeps on its first run and finishes at once on the next
 * (it leaves a marker in its trial directory).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_util.h"

static const char model[] = "#!/bin/sh\n"
                            "if [ -e first_run ]; then\n"
                            "    echo 'model: second run'\n"
                            "    echo '{\"m\": 1}' > output.json\n"
                            "    exit 0\n"
                            "fi\n"
                            "touch first_run\n"
                            "echo 'model: first run'\n"
                            "sleep 120\n"
                            "exit 5\n";

static void setup_runner(cl_env *e, int requeue)
{
    const char *cmd = cl_model(e, "model.sh", "sh", model);
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;

    so.partition = "debug";
    so.time = "5";
    so.requeue = requeue;
    cl_runner(e, cmd, &so, NULL);
}

/* Submit a short job to partition urgent that needs the whole node. */
static void preempt(void)
{
    char *out = cl_capture("sbatch --parsable -p urgent --exclusive -t 1 -o /dev/null "
                           "--wrap 'sleep 3' 2>&1");

    if (atoi(out) <= 0)
        fail_msg("sbatch -p urgent: %s", out);
    free(out);
}

static void test_preempted_requeued(void **state)
{
    cl_env *e = *state;
    const wjr_trial_info *t;
    long before;
    char name[64], *path, *text;

    cl_sdiag_reset();
    before = cl_sdiag_jobs_submitted();
    setup_runner(e, -1);
    t = cl_run(e, 0, "{}");
    cl_wait_slurm_state(e->runner, 0, "RUNNING", 60);
    cl_sleep(1);
    preempt();
    cl_wait_terminal(e->runner, NULL, 0, 240);
    t = cl_expect(e->runner, 0, WJR_TRIAL_COMPLETED);
    assert_int_equal(t->attempt, 2);
    /* one trial job (and the preemptor) */
    assert_int_equal(cl_sdiag_jobs_submitted() - before, 2);
    /* its output file was added to, not emptied, by the second run */
    snprintf(name, sizeof(name), "slurm-%s.out", t->run.job_id);
    path = cl_trial_file(e->runner, 0, name);
    text = cl_read(path);
    cl_assert_contains(text, "model: first run");
    cl_assert_contains(text, "model: second run");
    free(text);
    free(path);
    e->passed = 1;
}

static void test_preempted_cancelled_retried(void **state)
{
    cl_env *e = *state;
    const wjr_trial_info *t;
    char first[32];

    setup_runner(e, 0);
    t = cl_run(e, 0, "{}");
    snprintf(first, sizeof(first), "%s", t->run.job_id);
    cl_wait_slurm_state(e->runner, 0, "RUNNING", 60);
    cl_sleep(1);
    preempt();
    cl_wait_terminal(e->runner, NULL, 0, 240);
    t = cl_expect(e->runner, 0, WJR_TRIAL_COMPLETED);
    assert_string_not_equal(t->run.job_id, first);
    assert_int_equal(t->attempt, 2);
    e->passed = 1;
}

static void test_node_down_retried(void **state)
{
    cl_env *e = *state;
    const wjr_trial_info *t;
    char first[32];

    setup_runner(e, 0);
    t = cl_run(e, 0, "{}");
    snprintf(first, sizeof(first), "%s", t->run.job_id);
    cl_wait_slurm_state(e->runner, 0, "RUNNING", 60);
    cl_sleep(1);
    e->resume_node = 1;
    assert_int_equal(cl_sh("timeout 20 scontrol update nodename=localhost state=down "
                           "reason=wjr-cluster-test-infra-retry"),
                     0);
    cl_wait_terminal(e->runner, NULL, 0, 240);
    t = cl_expect(e->runner, 0, WJR_TRIAL_COMPLETED);
    assert_string_not_equal(t->run.job_id, first);
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_preempted_requeued), CL_TEST(test_preempted_cancelled_retried),
        CL_TEST(test_node_down_retried))
