/*
 * bad_partition.c - submission to a partition that does not exist, on the
 * real cluster, as a single job and as an array: WJR_ESLURM with Slurm's
 * message ("Invalid partition name specified"), the trials stay
 * unsubmitted (CANDIDATE, no job id) and may be run again, and slurmctld
 * accepted no job (sdiag's "Jobs submitted" stays 0 after sdiag -r, squeue
 * lists no job of the study). The error also names the partition, so that
 * a user knows which setting to fix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster_util.h"

static char partition[64];

static void bad_runner(cl_env *e)
{
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    const char *cmd = cl_model(e, "model.sh", "sh", "echo '{\"m\": 1}' > output.json\n");

    snprintf(partition, sizeof(partition), "wjr_no_such_partition_%ld", (long)getpid());
    so.partition = partition;
    so.time = "5";
    cl_runner(e, cmd, &so, NULL);
}

static void check_unsubmitted(wjr_runner *r, int64_t index)
{
    const wjr_trial_info *t = cl_trial(r, index);

    assert_int_equal(t->status, WJR_TRIAL_CANDIDATE);
    assert_null(t->run.job_id);
    assert_int_equal(t->run.slurm_job_id, 0);
    assert_int_equal(t->run.array_job_id, 0);
}

static void check_nothing_queued(cl_env *e)
{
    char *out = cl_capture("timeout 10 squeue -h -o '%%j' 2>&1");

    assert_int_equal(cl_sdiag_jobs_submitted(), 0);
    if (strstr(out, e->study_id) != NULL)
        fail_msg("squeue lists a job of study %s:\n%s", e->study_id, out);
    free(out);
}

static void test_refused(void **state)
{
    cl_env *e = *state;
    wjr_trial_spec spec = {0, "{\"x\": 1}"};
    wjr_trial_spec specs[3] = {{1, "{\"x\": 1}"}, {2, "{\"x\": 2}"}, {3, "{\"x\": 3}"}};
    const wjr_run_metadata *meta = (const wjr_run_metadata *)1;
    size_t submitted = 99;
    int rc;

    bad_runner(e);
    cl_sdiag_reset();
    rc = wjr_runner_run(&meta, e->runner, &spec);
    assert_int_equal(rc, WJR_ESLURM);
    assert_int_equal(wjr_error_last_code(), WJR_ESLURM);
    cl_assert_contains(wjr_error_last(), "Invalid partition name specified");
    assert_null(meta);
    check_unsubmitted(e->runner, 0);
    cl_assert_contains(cl_trial(e->runner, 0)->reason, "Invalid partition name specified");

    rc = wjr_runner_run_multiple(&submitted, e->runner, specs, 3);
    assert_int_equal(rc, WJR_ESLURM);
    cl_assert_contains(wjr_error_last(), "Invalid partition name specified");
    assert_int_equal(submitted, 0);
    check_unsubmitted(e->runner, 1);
    check_unsubmitted(e->runner, 2);
    check_unsubmitted(e->runner, 3);
    check_nothing_queued(e);

    /* still unsubmitted: it may be run again (and is refused again) */
    assert_int_equal(wjr_runner_run(NULL, e->runner, &spec), WJR_ESLURM);
    check_unsubmitted(e->runner, 0);
    /* a poll has nothing to ask about */
    wjr_poll_result_free(cl_poll(e->runner, NULL, 0));
    check_unsubmitted(e->runner, 0);
    check_nothing_queued(e);
    e->passed = 1;
}

static void test_error_names_partition(void **state)
{
    cl_env *e = *state;
    wjr_trial_spec spec = {0, "{\"x\": 1}"};

    bad_runner(e);
    assert_int_equal(wjr_runner_run(NULL, e->runner, &spec), WJR_ESLURM);
    cl_assert_contains(wjr_error_last(), partition);
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_refused), CL_TEST(test_error_names_partition))
