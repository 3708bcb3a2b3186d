/*
 * dbd_down_resume.c - a study resumed while slurmdbd is down, on the real
 * cluster: exactly-once must hold.
 *
 * Guards the mutation "reconcile with slurmdbd down" (an accounting error
 * taken as "never accepted", so the trial is submitted again). A trial is
 * submitted, then its runner is rebuilt from JSON in which the trial is
 * still 'submitting' (the submit answer was lost before the checkpoint).
 * Its job ends and slurmctld purges it, so only accounting knows it. With
 * slurmdbd stopped, the reconcile of the resume must fail, keep the trial
 * 'submitting' and submit nothing; with slurmdbd started again, it adopts
 * the job it finds in accounting, and the trial completes without a
 * second job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cluster_util.h"

static const char model[] = "echo '{\"m\": 2}' > \"$1/output.json\"\n";

/* The runner as it was saved before the submit RPC: trial 0 'submitting'. */
static wjr_runner *rebuild_submitting(wjr_runner *r)
{
    static const char *const drop[] = {"job_id",     "slurm_job_id", "submit_time",
                                       "state_word", "slurm_state",  NULL};
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    wjr_runner *back = NULL;
    char *text = NULL, *out;
    json_t *root, *t;
    size_t i;

    assert_int_equal(wjr_runner_to_json(&text, r), 0);
    root = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(root);
    t = json_array_get(json_object_get(root, "trials"), 0);
    assert_non_null(t);
    json_object_set_new(t, "submission", json_string("submitting"));
    json_object_set_new(t, "status", json_string("CANDIDATE"));
    for (i = 0; drop[i]; i++)
        json_object_del(t, drop[i]);
    out = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (wjr_runner_from_json(&back, out, &ro) != 0)
        fail_msg("from_json: %s", wjr_error_last());
    free(out);
    return back;
}

static void test_dbd_down_resume(void **state)
{
    cl_env *e = *state;
    wjr_trial_spec spec = {0, "{}"};
    const wjr_trial_info *t;
    char job[32], *path, *acct;
    double deadline;
    long submitted;
    int64_t *unsub = NULL;
    size_t n_unsub = 0;
    int age = cl_min_job_age(), rc;

    cl_runner(e, cl_model(e, "model.sh", "sh", model), NULL, NULL);
    t = cl_run(e, 0, "{}");
    snprintf(job, sizeof(job), "%s", t->run.job_id);
    path = cl_trial_file(e->runner, 0, "wjr_exit.json");
    {
        /* the runner that resumes: it never learnt the job id */
        wjr_runner *back = rebuild_submitting(e->runner);
        wjr_runner_free(e->runner);
        e->runner = back;
    }
    deadline = cl_now() + 60;
    while (!cl_exists(path)) {
        if (cl_now() > deadline)
            fail_msg("job %s wrote no exit record in 60 s", job);
        cl_sleep(0.5);
    }
    free(path);
    cl_wait_purged(job, 2.0 * age + 40);
    /* slurmctld has sent the job's end to slurmdbd by now */
    deadline = cl_now() + 60;
    for (;;) {
        acct = cl_capture("timeout 20 sacct -n -X -P -j %s -o State 2>&1", job);
        if (strstr(acct, "COMPLETED"))
            break;
        if (cl_now() > deadline)
            fail_msg("accounting does not show job %s COMPLETED: %s", job, acct);
        free(acct);
        cl_sleep(1);
    }
    free(acct);

    e->restart_dbd = 1;
    assert_int_equal(cl_dbd(0), 0);
    submitted = cl_sdiag_jobs_submitted();
    rc = wjr_runner_reconcile(&unsub, &n_unsub, e->runner);
    print_message("reconcile with slurmdbd down: %d %s\n", rc, rc < 0 ? wjr_error_last() : "");
    assert_true(rc < 0);
    assert_null(unsub);
    assert_int_equal(n_unsub, 0);
    t = cl_trial(e->runner, 0);
    assert_null(t->run.job_id);
    assert_int_equal(wjr_runner_run(NULL, e->runner, &spec), WJR_EEXISTS);
    assert_int_equal(cl_sdiag_jobs_submitted(), submitted);

    assert_int_equal(cl_dbd(1), 0);
    e->restart_dbd = 0;
    assert_int_equal(wjr_runner_reconcile(&unsub, &n_unsub, e->runner), 0);
    assert_int_equal(n_unsub, 0);
    t = cl_trial(e->runner, 0);
    assert_non_null(t->run.job_id);
    assert_string_equal(t->run.job_id, job);
    cl_wait_terminal(e->runner, NULL, 0, 60);
    cl_assert_contains(cl_expect(e->runner, 0, WJR_TRIAL_COMPLETED)->metrics_json, "\"m\"");
    assert_int_equal(cl_sdiag_jobs_submitted(), submitted);
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_dbd_down_resume))
