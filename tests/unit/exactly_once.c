/*
 * exactly_once.c - a trial whose submit answer was lost is never run twice,
 * even without accounting: reconcile adopts the job that the trial
 * directory shows has started (start marker, exit record, slurm-*.out)
 * when neither slurmctld nor accounting knows it, and a key is looked up
 * again across a bounded wait, as a slow controller may accept a request
 * after its answer was lost. Also: '%' in the experiment directory reaches
 * Slurm escaped in the stdout/stderr paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include "mock_slurm.h"
#include "test_util.h"
#include "util.h"

#define KEY(i) "wjr-" TU_STUDY "-" #i

/* A runner whose model writes output.json in its trial directory. */
static void runner_with_model(tu_fixture *f)
{
    char *model = tu_path(f->dir, "model.sh"), *cmd;

    tu_write(model, "#!/bin/sh\necho '{\"m\": 1}' > \"$1/output.json\"\n");
    cmd = wjr_asprintf("sh '%s'", model);
    tu_runner(f, tu_script_wrapper(cmd, NULL), NULL);
    free(cmd);
    free(model);
}

/* Submit trial @p index so that the job is accepted but the answer and the
 * look-up are lost: the trial stays 'submitting'. Returns the job id. */
static uint32_t lose_answer(tu_fixture *f, int64_t index)
{
    wjr_trial_spec spec = {index, "{}"};

    mock_submit_timeout_after_accept();
    mock_fail(MOCK_RPC_QUERY, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_ETIMEOUT);
    assert_null(wjr_runner_trial(f->runner, index)->run.job_id);
    assert_int_equal(mock_job_count(), 1);
    return mock_job_at(mock_job_count() - 1)->job_id;
}

/* Run the submitted batch script as slurmd would, with the job's id and
 * name, then let the controller forget the job (MinJobAge). */
static void run_and_purge(tu_fixture *f, uint32_t job_id, const char *name)
{
    char id_env[64], name_env[128], id[32];
    const char *env[] = {id_env, name_env, "PATH=/usr/bin:/bin", NULL};
    const mock_submission *s = mock_submission_at(mock_submission_count() - 1);

    snprintf(id_env, sizeof(id_env), "SLURM_JOB_ID=%u", (unsigned)job_id);
    snprintf(name_env, sizeof(name_env), "SLURM_JOB_NAME=%s", name);
    snprintf(id, sizeof(id), "%u", (unsigned)job_id);
    assert_int_equal(tu_run_script(f, s->script, env), 0);
    assert_int_equal(mock_purge(id), 0);
}

static void remove_trial_file(tu_fixture *f, const char *trial, const char *name)
{
    char *dir = tu_path(f->dir, trial), *path = tu_path(dir, name);

    assert_int_equal(remove(path), 0);
    free(path);
    free(dir);
}

static void assert_adopted(tu_fixture *f, int64_t index, uint32_t job_id)
{
    int64_t *unsub = NULL;
    size_t n_unsub = 99;
    char id[32];

    assert_int_equal(wjr_runner_reconcile(&unsub, &n_unsub, f->runner), 0);
    assert_int_equal(n_unsub, 0);
    assert_null(unsub);
    snprintf(id, sizeof(id), "%u", (unsigned)job_id);
    assert_non_null(wjr_runner_trial(f->runner, index)->run.job_id);
    assert_string_equal(wjr_runner_trial(f->runner, index)->run.job_id, id);
    assert_true(tu_log_find(&f->log, 0, index, "not submitting again") >= 0);
    /* and running again is refused: one submission in all */
    assert_int_equal(wjr_runner_run(NULL, f->runner, &(wjr_trial_spec){index, "{}"}), WJR_EEXISTS);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
}

/* The reproduced case: crash right after the submit RPC, no accounting,
 * the job ran and was purged. The start marker and exit record tell. */
static void test_purged_without_accounting_ran_once(void **state)
{
    tu_fixture *f = *state;
    uint32_t job_id;

    mock_set_accounting(0);
    runner_with_model(f);
    job_id = lose_answer(f, 3);
    run_and_purge(f, job_id, KEY(3));
    assert_adopted(f, 3, job_id);
    /* the poll settles it from the exit record */
    assert_int_equal(tu_poll_one(f, 3), WJR_TRIAL_COMPLETED);
}

/* The job was killed mid-run: only the start marker is left. */
static void test_start_marker_alone(void **state)
{
    tu_fixture *f = *state;
    uint32_t job_id;

    mock_set_accounting(0);
    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    job_id = lose_answer(f, 4);
    run_and_purge(f, job_id, KEY(4));
    remove_trial_file(f, "000004", "wjr_exit.json");
    assert_adopted(f, 4, job_id);
    /* nobody can tell how it ended: FAILED, never run again */
    assert_int_equal(tu_poll_one(f, 4), WJR_TRIAL_FAILED);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
}

/* The script never wrote a thing, but slurmd created slurm-<job>.out. */
static void test_slurm_output_alone(void **state)
{
    tu_fixture *f = *state;
    char *dir, *path, name[64];
    uint32_t job_id;

    mock_set_accounting(1);
    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    job_id = lose_answer(f, 5);
    snprintf(name, sizeof(name), "%u", (unsigned)job_id);
    assert_int_equal(mock_purge(name), 0);
    snprintf(name, sizeof(name), "slurm-%u.out", (unsigned)job_id);
    dir = tu_path(f->dir, "000005");
    path = tu_path(dir, name);
    tu_write(path, "");
    assert_adopted(f, 5, job_id);
    free(path);
    free(dir);
}

/* A start marker written under another key (an earlier study in the same
 * folder) is not evidence: the trial is reset and can run. */
static void test_foreign_marker_ignored(void **state)
{
    tu_fixture *f = *state;
    int64_t *unsub = NULL;
    size_t n_unsub = 0;
    uint32_t job_id;

    mock_set_accounting(0);
    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    job_id = lose_answer(f, 6);
    run_and_purge(f, job_id, "wjr-otherstudy-6");
    assert_int_equal(wjr_runner_reconcile(&unsub, &n_unsub, f->runner), 0);
    assert_int_equal(n_unsub, 1);
    assert_int_equal(unsub[0], 6);
    free(unsub);
}

/* An array task: the marker names "<array job>_<task>". */
static void test_array_task_marker(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec specs[2] = {{20, "{}"}, {21, "{}"}};
    const mock_submission *s;
    char env_a[64], env_t[64], env_id[64], env_name[128], want[64];
    const char *env[] = {env_a, env_t, env_id, env_name, "PATH=/usr/bin:/bin", NULL};
    uint32_t array_id;
    size_t n_unsub = 99;

    mock_set_accounting(0);
    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    mock_submit_timeout_after_accept();
    mock_fail(MOCK_RPC_QUERY, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 2), WJR_ETIMEOUT);
    array_id = mock_job_at(0)->job_id;
    s = mock_submission_at(0);
    snprintf(env_a, sizeof(env_a), "SLURM_ARRAY_JOB_ID=%u", (unsigned)array_id);
    snprintf(env_t, sizeof(env_t), "SLURM_ARRAY_TASK_ID=1");
    snprintf(env_id, sizeof(env_id), "SLURM_JOB_ID=%u", (unsigned)array_id + 1);
    snprintf(env_name, sizeof(env_name), "SLURM_JOB_NAME=%s", s->name);
    assert_int_equal(tu_run_script(f, s->script, env), 0);
    mock_purge_all();
    assert_int_equal(wjr_runner_reconcile(NULL, &n_unsub, f->runner), 0);
    /* task 1 ran: adopted; task 0 left no trace: reset */
    assert_int_equal(n_unsub, 1);
    snprintf(want, sizeof(want), "%u_1", (unsigned)array_id);
    assert_string_equal(wjr_runner_trial(f->runner, 21)->run.job_id, want);
    assert_null(wjr_runner_trial(f->runner, 20)->run.job_id);
}

/* A slow controller shows the job only after a few queries: the key is
 * looked up again within the wait instead of being reset. */
static void test_slow_controller_reconcile(void **state)
{
    tu_fixture *f = *state;
    uint32_t job_id;
    double t0;

    mock_set_accounting(0);
    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    job_id = lose_answer(f, 7);
    wjr_runner_set_lookup_wait(f->runner, 20);
    mock_hide_jobs(2);
    t0 = wjr_monotonic();
    assert_adopted(f, 7, job_id);
    assert_true(mock_rpc_count(MOCK_RPC_QUERY) >= 3);
    assert_true(wjr_monotonic() - t0 < 15);
    assert_int_equal(tu_poll_one(f, 7), WJR_TRIAL_RUNNING);
}

/* The same in run(): after a lost answer it must not submit again until
 * the job could not be found across the wait. */
static void test_slow_controller_submit(void **state)
{
    tu_fixture *f = *state;

    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    wjr_runner_set_lookup_wait(f->runner, 20);
    mock_submit_timeout_after_accept();
    mock_hide_jobs(2);
    tu_run(f, 8, "{}");
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
    assert_int_equal(mock_job_count(), 1);
}

/* The wait is bounded: with no job anywhere the trial is reset after it. */
static void test_wait_is_bounded(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec spec = {9, "{}"};
    size_t n_unsub = 0;
    double t0, took;

    mock_set_accounting(0);
    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    mock_fail(MOCK_RPC_SUBMIT, 1, SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT);
    mock_fail(MOCK_RPC_QUERY, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_ETIMEOUT);
    wjr_runner_set_lookup_wait(f->runner, 2);
    t0 = wjr_monotonic();
    assert_int_equal(wjr_runner_reconcile(NULL, &n_unsub, f->runner), 0);
    took = wjr_monotonic() - t0;
    assert_int_equal(n_unsub, 1);
    assert_true(took >= 0.5 && took < 10);
    assert_true(mock_rpc_count(MOCK_RPC_QUERY) >= 2);
}

/* '%' in the experiment directory is doubled in the paths given to Slurm,
 * and the mock, which expands patterns as Slurm does, writes the job's
 * output in the trial directory. */
static void test_percent_in_experiment_dir(void **state)
{
    tu_fixture *f = *state;
    char *base = f->dir, *exp = tu_path(base, "run%u%j%%x"), *dir, *want, *out;
    const mock_submission *s;
    char name[64];

    assert_int_equal(mkdir(exp, 0755), 0);
    f->dir = exp;
    runner_with_model(f);
    f->dir = base;
    mock_set_exec(1, 0);
    tu_run(f, 0, "{}");
    s = mock_submission_at(0);
    want = tu_path(base, "run%%u%%j%%%%x/000000/slurm-%j.out");
    assert_string_equal(s->std_out, want);
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_COMPLETED);
    dir = tu_path(exp, "000000");
    snprintf(name, sizeof(name), "slurm-%u.out", (unsigned)mock_job_at(0)->job_id);
    out = tu_path(dir, name);
    assert_true(tu_exists(out));
    free(out);
    free(dir);
    free(want);
    free(exp);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)
    const struct CMUnitTest tests[] = {
        T(test_purged_without_accounting_ran_once),
        T(test_start_marker_alone),
        T(test_slurm_output_alone),
        T(test_foreign_marker_ignored),
        T(test_array_task_marker),
        T(test_slow_controller_reconcile),
        T(test_slow_controller_submit),
        T(test_wait_is_bounded),
        T(test_percent_in_experiment_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
