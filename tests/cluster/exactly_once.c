/*
 * exactly_once.c - on the real cluster, with accounting turned off: a
 * driver that crashed right after the submit RPC (its state says
 * 'submitting', with no job id) and whose job has run and been purged by
 * slurmctld (MinJobAge) must not submit the trial again. Reconcile finds
 * the job from the start marker and exit record the batch script wrote,
 * and the poll settles the trial from the exit record; slurmctld's
 * "Jobs submitted" counter grows by one in all. Also: an experiment
 * directory whose name holds '%' (which Slurm expands in output paths)
 * runs its trials, with slurm-<job>.out in the trial directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cluster_util.h"

static const char model[] = "import json, os, sys\n"
                            "d = sys.argv[1]\n"
                            "with open(os.path.join(d, 'output.json'), 'w') as f:\n"
                            "    json.dump({'m': 1.5}, f)\n";

/* The state a driver leaves when it dies between the submit RPC and the
 * checkpoint after it: trial @p index 'submitting' under its key, no job. */
static char *crash_after_submit(wjr_runner *r, int64_t index)
{
    char *text = NULL, *out;
    json_t *root, *trials;
    size_t i;

    assert_int_equal(wjr_runner_to_json(&text, r), 0);
    root = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(root);
    trials = json_object_get(root, "trials");
    for (i = 0; i < json_array_size(trials); i++) {
        json_t *t = json_array_get(trials, i);
        if (json_integer_value(json_object_get(t, "index")) != index)
            continue;
        json_object_set_new(t, "submission", json_string("submitting"));
        json_object_set_new(t, "status", json_string("CANDIDATE"));
        json_object_del(t, "job_id");
        json_object_del(t, "slurm_job_id");
        json_object_del(t, "submit_time");
        json_object_del(t, "slurm_state");
        json_object_del(t, "state_word");
    }
    out = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    assert_non_null(out);
    return out;
}

static void test_purged_without_accounting(void **state)
{
    cl_env *e = *state;
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    const char *cmd = cl_model(e, "model.py", "python3", model);
    wjr_runner *back = NULL;
    char id[32], key[64], *crashed, *path, *text;
    int64_t *unsub = NULL;
    size_t n_unsub = 99;
    long submitted;
    double deadline;

    so.partition = "debug";
    so.time = "5";
    so.accounting = 0;
    cl_runner(e, cmd, &so, NULL);
    cl_sdiag_reset();
    cl_run(e, 0, "{\"x\": 1}");
    snprintf(id, sizeof(id), "%s", cl_trial(e->runner, 0)->run.job_id);
    crashed = crash_after_submit(e->runner, 0);

    /* the job runs to its end, then slurmctld forgets it */
    path = cl_trial_file(e->runner, 0, "wjr_exit.json");
    deadline = cl_now() + 60;
    while (!cl_exists(path)) {
        if (cl_now() > deadline)
            fail_msg("job %s wrote no exit record in 60 s", id);
        cl_sleep(0.5);
    }
    free(path);
    path = cl_trial_file(e->runner, 0, "wjr_start.json");
    assert_true(cl_exists(path));
    /* the start marker names the submission (its key), as the job knows
     * SLURM_JOB_NAME as from sbatch */
    text = cl_read(path);
    snprintf(key, sizeof(key), "\"job_name\": \"wjr-%s-0\"", wjr_runner_study_id(e->runner));
    cl_assert_contains(text, key);
    free(text);
    free(path);
    deadline = cl_now() + 150;
    while (cl_job_known(id)) {
        if (cl_now() > deadline)
            fail_msg("slurmctld still knows job %s after 150 s (MinJobAge?)", id);
        cl_sleep(1);
    }

    /* the restarted driver: its state is the crashed one */
    assert_int_equal(wjr_runner_from_json(&back, crashed, NULL), 0);
    free(crashed);
    wjr_runner_free(e->runner);
    e->runner = back;
    wjr_runner_set_lookup_wait(back, 2);
    assert_int_equal(wjr_runner_reconcile(&unsub, &n_unsub, back), 0);
    assert_int_equal(n_unsub, 0);
    assert_null(unsub);
    assert_string_equal(cl_trial(back, 0)->run.job_id, id);
    cl_wait_terminal(back, NULL, 0, 60);
    cl_expect(back, 0, WJR_TRIAL_COMPLETED);
    cl_assert_contains(cl_trial(back, 0)->metrics_json, "\"m\"");
    submitted = cl_sdiag_jobs_submitted();
    if (submitted != 1)
        fail_msg("slurmctld counted %ld submissions; one was expected", submitted);
    e->passed = 1;
}

static void test_percent_in_experiment_dir(void **state)
{
    cl_env *e = *state;
    const char *cmd = cl_model(e, "model.py", "python3", model);
    char *out, name[64];
    const wjr_trial_info *t;
    wjr_trial_spec specs[2] = {{1, "{\"x\": 1}"}, {2, "{\"x\": 2}"}};

    free(e->exp);
    e->exp = cl_capture("printf '%%s' '%s/exp%%u%%j%%%%x'", e->tmp);
    cl_runner(e, cmd, NULL, NULL);
    cl_run(e, 0, "{\"x\": 0}");
    assert_int_equal(wjr_runner_run_multiple(NULL, e->runner, specs, 2), 0);
    cl_wait_terminal(e->runner, NULL, 0, 90);
    t = cl_expect(e->runner, 0, WJR_TRIAL_COMPLETED);
    cl_expect(e->runner, 1, WJR_TRIAL_COMPLETED);
    cl_expect(e->runner, 2, WJR_TRIAL_COMPLETED);
    snprintf(name, sizeof(name), "slurm-%s.out", t->run.job_id);
    out = cl_trial_file(e->runner, 0, name);
    if (!cl_exists(out))
        fail_msg("%s is missing: Slurm expanded '%%' in the output path", out);
    free(out);
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_purged_without_accounting), CL_TEST(test_percent_in_experiment_dir))
