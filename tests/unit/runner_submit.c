/*
 * runner_submit.c - tests of the WrappedJobRunner (src/runner*.c) up to and
 * through submission, over the Slurm backend (src/backend_slurm.c) and the
 * mocked controller: run() and its job description (name, script, paths,
 * environment), the checkpoint that hears of a submission before the submit
 * RPC, run_multiple() as job arrays (task to trial mapping, MaxArraySize
 * splitting, throttle, packed pending tasks, duplicate indices), refused
 * submissions, and exactly-once submission when the answer is lost (the
 * job looked up by its key, reconcile of trials left "submitting", from the
 * controller or from accounting). What follows a submission (polls, jobs
 * the controller forgot, stop(), to_json/from_json, logging) is tested in
 * runner_track.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <slurm/slurm_errno.h>

#include "mock_slurm.h"
#include "state.h"
#include "test_util.h"

/* ---- run() ------------------------------------------------------------------ */

static void test_run_one_job(void **state)
{
    tu_fixture *f = *state;
    const char *env[] = {"WJR_EXTRA=hello world", "PATH=/opt/model/bin:/usr/bin:/bin", NULL};
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    wjr_trial_spec spec = {42, "{\"lr\": 0.01}"};
    const wjr_run_metadata *meta = NULL;
    const mock_submission *s;
    const wjr_trial_info *t;
    char *dir42 = tu_path(f->dir, "000042"), *want, id[32], *json = NULL;
    int64_t before = (int64_t)time(NULL), after;

    setenv("SLURM_JOB_ID", "5", 1);
    setenv("SLURM_ARRAY_TASK_ID", "9", 1);
    setenv("SBATCH_PARTITION", "other", 1);
    mock_add_partition("debug", 60);
    so.partition = "debug";
    so.env = env;
    tu_runner(f, tu_script_wrapper("python3 model.py", NULL), &so);
    assert_int_equal(wjr_runner_run(&meta, f->runner, &spec), 0);
    after = (int64_t)time(NULL);

    /* exactly one batch job, named by its idempotency key */
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
    assert_int_equal(mock_job_count(), 1);
    s = tu_last_sub();
    assert_string_equal(s->name, "wjr-" TU_STUDY "-42");
    assert_non_null(strstr(s->comment, TU_STUDY));
    assert_null(s->array_inx);
    assert_non_null(s->script);
    assert_memory_equal(s->script, "#!/bin/sh\n", 10);
    assert_non_null(strstr(s->script, "python3 model.py \"$d\""));
    assert_string_equal(s->work_dir, dir42);
    want = tu_path(dir42, "slurm-%j.out");
    assert_string_equal(s->std_out, want);
    free(want);
    assert_non_null(s->std_err);
    assert_string_equal(s->partition, "debug");

    /* the environment: the submitter's, without inherited SLURM_* and
     * SBATCH_*, plus the configured extras, which win */
    assert_null(mock_submission_env(s, "SLURM_JOB_ID"));
    assert_null(mock_submission_env(s, "SLURM_ARRAY_TASK_ID"));
    assert_null(mock_submission_env(s, "SBATCH_PARTITION"));
    assert_string_equal(mock_submission_env(s, "WJR_EXTRA"), "hello world");
    assert_string_equal(mock_submission_env(s, "PATH"), "/opt/model/bin:/usr/bin:/bin");
    if (getenv("HOME"))
        assert_string_equal(mock_submission_env(s, "HOME"), getenv("HOME"));
    unsetenv("SLURM_JOB_ID");
    unsetenv("SLURM_ARRAY_TASK_ID");
    unsetenv("SBATCH_PARTITION");

    /* run metadata */
    assert_non_null(meta);
    snprintf(id, sizeof(id), "%u", s->job_id);
    assert_string_equal(meta->job_id, id);
    assert_int_equal(meta->slurm_job_id, s->job_id);
    assert_int_equal(meta->array_job_id, 0);
    assert_int_equal(meta->array_task_id, WJR_NO_TASK);
    assert_string_equal(meta->trial_dir, dir42);
    assert_true(meta->submit_time >= before && meta->submit_time <= after);
    assert_string_equal(meta->cluster, "mockcluster");
    assert_string_equal(meta->partition, "debug");
    assert_int_equal(wjr_run_metadata_to_json(&json, meta), 0);
    assert_non_null(strstr(json, "\"job_id\":\""));
    assert_non_null(strstr(json, "\"array_task_id\":null"));
    free(json);

    t = wjr_runner_trial(f->runner, 42);
    assert_int_equal(t->status, WJR_TRIAL_RUNNING);
    assert_string_equal(t->slurm_state, "PENDING");
    assert_string_equal(t->params_json, "{\"lr\":0.01}");
    tu_assert_submission(f->runner, 42, "submitted");

    /* a tracked trial is never submitted twice */
    assert_int_equal(wjr_runner_run(&meta, f->runner, &spec), WJR_EEXISTS);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
    free(dir42);
}

/* The checkpoint hears of the submission before the submit RPC. */
typedef struct ckpt {
    int calls;
    int saw_submitting_before_rpc;
    int fail;
} ckpt;

static int checkpoint_fn(wjr_runner *r, void *payload)
{
    ckpt *c = payload;
    char *sub = tu_trial_field(r, 1, "submission");

    c->calls++;
    if (strcmp(sub, "\"submitting\"") == 0 && mock_rpc_count(MOCK_RPC_SUBMIT) == 0)
        c->saw_submitting_before_rpc = 1;
    free(sub);
    return c->fail;
}

static void test_checkpoint_before_submit(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec spec = {1, "{}"};
    ckpt c = {0, 0, 1};

    assert_int_equal(tu_runner_checkpointed(f, NULL, NULL, checkpoint_fn, &c), 0);

    /* a failing checkpoint stops the run before anything is submitted */
    assert_true(wjr_runner_run(NULL, f->runner, &spec) < 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 0);
    assert_int_equal(wjr_runner_trial(f->runner, 1)->status, WJR_TRIAL_CANDIDATE);
    tu_assert_submission(f->runner, 1, "unsubmitted");

    c.fail = 0;
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), 0);
    assert_int_equal(c.saw_submitting_before_rpc, 1);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
}

/* ---- run_multiple() ------------------------------------------------------ */

static void test_array_task_mapping(void **state)
{
    tu_fixture *f = *state;
    const int64_t idx[] = {10, 11, 12, 20, 21, 30};
    wjr_trial_spec specs[6];
    const mock_submission *s;
    size_t i, submitted = 0;
    char want[64];

    for (i = 0; i < 6; i++) {
        specs[i].index = idx[i];
        specs[i].params_json = "{\"a\": 1}";
    }
    tu_runner(f, NULL, NULL);
    assert_int_equal(wjr_runner_run_multiple(&submitted, f->runner, specs, 6), 0);
    assert_int_equal(submitted, 6);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
    s = tu_last_sub();
    assert_string_equal(s->array_inx, "0-5");
    assert_non_null(strstr(s->comment, "10-12,20-21,30"));
    for (i = 0; i < 6; i++) {
        const wjr_trial_info *t = wjr_runner_trial(f->runner, idx[i]);
        /* array task k is the k-th trial */
        snprintf(want, sizeof(want), "%u_%zu", s->job_id, i);
        assert_string_equal(t->run.job_id, want);
        assert_int_equal(t->run.array_job_id, s->job_id);
        assert_int_equal(t->run.array_task_id, i);
        assert_int_equal(t->status, WJR_TRIAL_RUNNING);
        /* and the script runs that trial's directory for task k */
        snprintf(want, sizeof(want), "%zu) t=%06lld ;;", i, (long long)idx[i]);
        assert_non_null(strstr(s->script, want));
    }
    /* task 5 fails, task 3 runs: only trials 30 and 20 change */
    snprintf(want, sizeof(want), "%u_5", s->job_id);
    mock_set_state(want, WJR_JOB_FAILED, 1, 0);
    snprintf(want, sizeof(want), "%u_3", s->job_id);
    mock_set_state(want, WJR_JOB_RUNNING, 0, 0);
    assert_int_equal(tu_poll_one(f, 30), WJR_TRIAL_FAILED);
    assert_int_equal(tu_poll_one(f, 20), WJR_TRIAL_RUNNING);
    assert_string_equal(wjr_runner_trial(f->runner, 20)->slurm_state, "RUNNING");
    assert_string_equal(wjr_runner_trial(f->runner, 21)->slurm_state, "PENDING");
    for (i = 0; i < 5; i++)
        assert_int_equal(tu_poll_one(f, idx[i]), WJR_TRIAL_RUNNING);
}

/* Every array's task ids, checked against MaxArraySize. */
static void check_arrays(size_t n_trials, uint32_t max_array, size_t want_arrays)
{
    size_t i, total = 0;

    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), want_arrays);
    for (i = 0; i < mock_submission_count(); i++) {
        const mock_submission *s = mock_submission_at(i);
        unsigned lo, hi;
        assert_non_null(s->array_inx);
        assert_int_equal(sscanf(s->array_inx, "%u-%u", &lo, &hi), 2);
        assert_int_equal(lo, 0);
        assert_true(hi < max_array);
        assert_true(s->job_id != 0);
        total += hi + 1;
    }
    assert_int_equal(total, n_trials);
}

static void test_max_array_split(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec *specs = tu_make_specs(12, 100);
    size_t i, k, submitted = 0;

    mock_set_max_array_size(5);
    tu_runner(f, NULL, NULL);
    assert_int_equal(wjr_runner_run_multiple(&submitted, f->runner, specs, 12), 0);
    assert_int_equal(submitted, 12);
    check_arrays(12, 5, 3);
    /* every trial has its own task, and its task id is below MaxArraySize */
    for (i = 0; i < 12; i++) {
        const wjr_trial_info *a = wjr_runner_trial(f->runner, specs[i].index);
        assert_true(a->run.array_task_id < 5);
        assert_non_null(mock_lookup(a->run.job_id));
        for (k = 0; k < i; k++) {
            const wjr_trial_info *b = wjr_runner_trial(f->runner, specs[k].index);
            assert_false(a->run.array_job_id == b->run.array_job_id &&
                         a->run.array_task_id == b->run.array_task_id);
        }
    }
    /* the configuration was read once */
    assert_int_equal(mock_rpc_count(MOCK_RPC_CONF), 1);
    free(specs);
}

/* MaxArraySize bounds the task id: with 5, ids 0..4 are valid, so a batch
 * of exactly 5 trials fits one array, and 10 trials fit two. */
static void test_max_array_exact_fit(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec *specs = tu_make_specs(10, 0);
    size_t submitted = 0;

    mock_set_max_array_size(5);
    tu_runner(f, NULL, NULL);
    assert_int_equal(wjr_runner_run_multiple(&submitted, f->runner, specs, 5), 0);
    check_arrays(5, 5, 1);
    assert_int_equal(wjr_runner_trial(f->runner, 4)->run.array_task_id, 4);
    free(specs);
}

static void test_throttle_and_packed_pending(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    wjr_trial_spec *specs = tu_make_specs(10, 0);
    wjr_poll_result *res = NULL;
    const mock_submission *s;
    char id[32];
    size_t i;

    so.array_throttle = 4;
    tu_runner(f, NULL, &so);
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 10), 0);
    s = tu_last_sub();
    assert_string_equal(s->array_inx, "0-9%4");
    /* the controller answers with one packed record, "0-9%4" */
    assert_int_equal(mock_job_count(), 1);
    assert_int_equal(mock_job_at(0)->n_pending, 10);
    assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
    assert_int_equal(res->count, 10);
    assert_int_equal(res->stale, 0);
    for (i = 0; i < 10; i++)
        assert_int_equal(res->statuses[i], WJR_TRIAL_RUNNING);
    wjr_poll_result_free(res);
    /* task 2 starts and completes; the others stay packed and pending */
    snprintf(id, sizeof(id), "%u_2", s->job_id);
    mock_set_state(id, WJR_JOB_COMPLETE, 0, 0);
    assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
    for (i = 0; i < 10; i++)
        assert_int_equal(res->statuses[i], i == 2 ? WJR_TRIAL_COMPLETED : WJR_TRIAL_RUNNING);
    wjr_poll_result_free(res);
    free(specs);
}

/* The same index twice in one batch is refused, however far apart. */
static void test_duplicate_in_batch(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec *specs = tu_make_specs(70, 0);
    size_t submitted = 99;

    tu_runner(f, NULL, NULL);
    specs[1].index = 0;
    assert_int_equal(wjr_runner_run_multiple(&submitted, f->runner, specs, 70), WJR_EINVALID);
    assert_int_equal(submitted, 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 0);
    specs[1].index = 1;
    specs[69].index = 0;
    assert_int_equal(wjr_runner_run_multiple(&submitted, f->runner, specs, 70), WJR_EINVALID);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 0);
    free(specs);
}

/* ---- refused submissions ------------------------------------------------ */

static void test_invalid_partition(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    wjr_trial_spec spec = {3, "{}"};
    const wjr_trial_info *t;

    mock_add_partition("debug", 60);
    so.partition = "nope";
    tu_runner(f, NULL, &so);
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_ESLURM);
    /* Slurm's own message */
    assert_non_null(strstr(wjr_error_last(), "Invalid partition name specified"));
    assert_int_equal(mock_job_count(), 0);
    t = wjr_runner_trial(f->runner, 3);
    assert_non_null(t);
    assert_int_equal(t->status, WJR_TRIAL_CANDIDATE);
    assert_null(t->run.job_id);
    tu_assert_submission(f->runner, 3, "unsubmitted");
    /* it may be run again: refused again, not "already submitted" */
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_ESLURM);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 2);
    assert_true(tu_log_find(&f->log, WJR_LOG_ERROR, 3, "Invalid partition") >= 0);
}

static void test_refused_then_run_again(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec spec = {0, "{}"};
    const wjr_trial_info *t;

    tu_runner(f, NULL, NULL);
    mock_fail(MOCK_RPC_SUBMIT, 1, ESLURM_INVALID_PARTITION_NAME);
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_ESLURM);
    assert_int_equal(wjr_runner_trial(f->runner, 0)->status, WJR_TRIAL_CANDIDATE);
    t = tu_run(f, 0, "{}");
    assert_int_equal(t->status, WJR_TRIAL_RUNNING);
    assert_int_equal(mock_job_count(), 1);
}

static void test_qos_limit_array(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec *specs = tu_make_specs(4, 0);
    size_t i, submitted = 99;
    int codes[] = {ESLURM_ACCOUNTING_POLICY, ESLURM_QOS_THRES};
    int c;

    tu_runner(f, NULL, NULL);
    for (c = 0; c < 2; c++) {
        mock_fail(MOCK_RPC_SUBMIT, 1, codes[c]);
        assert_int_equal(wjr_runner_run_multiple(&submitted, f->runner, specs, 4), WJR_ESLURM);
        assert_int_equal(submitted, 0);
        assert_non_null(strstr(wjr_error_last(), c == 0 ? "accounting/QOS policy" : "QOS"));
        assert_int_equal(mock_job_count(), 0);
        for (i = 0; i < 4; i++) {
            const wjr_trial_info *t = wjr_runner_trial(f->runner, (int64_t)i);
            assert_int_equal(t->status, WJR_TRIAL_CANDIDATE);
            assert_null(t->run.job_id);
            tu_assert_submission(f->runner, (int64_t)i, "unsubmitted");
        }
    }
    assert_int_equal(wjr_runner_run_multiple(&submitted, f->runner, specs, 4), 0);
    assert_int_equal(submitted, 4);
    assert_int_equal(mock_job_count(), 1);
    free(specs);
}

/* ---- exactly once ------------------------------------------------------- */

static void test_timeout_after_acceptance(void **state)
{
    tu_fixture *f = *state;
    const wjr_trial_info *t;
    char id[32];

    tu_runner(f, NULL, NULL);
    mock_submit_timeout_after_accept();
    t = tu_run(f, 5, "{}");
    /* no duplicate: one submit, one job, and the trial has its id */
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
    assert_int_equal(mock_job_count(), 1);
    snprintf(id, sizeof(id), "%u", mock_job_at(0)->job_id);
    assert_string_equal(t->run.job_id, id);
    assert_int_equal(t->status, WJR_TRIAL_RUNNING);
    assert_true(tu_log_find(&f->log, WJR_LOG_WARNING, WJR_NO_TRIAL, "no answer") >= 0);
}

static void test_timeout_after_acceptance_array(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec *specs = tu_make_specs(3, 0);
    char id[32];

    tu_runner(f, NULL, NULL);
    mock_submit_timeout_after_accept();
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 3), 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
    assert_int_equal(mock_job_count(), 1);
    snprintf(id, sizeof(id), "%u_2", mock_job_at(0)->job_id);
    assert_string_equal(wjr_runner_trial(f->runner, 2)->run.job_id, id);
    free(specs);
}

/* The answer was lost and the job never arrived: a lookup finds nothing,
 * and the runner submits again, once. */
static void test_timeout_not_accepted_retried(void **state)
{
    tu_fixture *f = *state;

    tu_runner(f, NULL, NULL);
    mock_fail(MOCK_RPC_SUBMIT, 1, SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT);
    tu_run(f, 0, "{}");
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 2);
    assert_int_equal(mock_rpc_count(MOCK_RPC_QUERY), 1);
    assert_int_equal(mock_job_count(), 1);
}

static void test_timeout_unreachable_then_reconcile(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec spec = {8, "{}"};
    int64_t *unsub = NULL;
    size_t n_unsub = 99;
    const wjr_trial_info *t;
    char id[32];

    tu_runner(f, NULL, NULL);
    mock_submit_timeout_after_accept();
    mock_fail(MOCK_RPC_QUERY, -1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_ETIMEOUT);
    t = wjr_runner_trial(f->runner, 8);
    assert_null(t->run.job_id);
    assert_false(wjr_trial_status_is_terminal(t->status));
    tu_assert_submission(f->runner, 8, "submitting");
    assert_int_equal(mock_job_count(), 1);
    /* neither run again nor stopped while its fate is unknown */
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_EEXISTS);
    assert_int_equal(wjr_runner_stop(f->runner, 8, NULL), WJR_ESTATE);
    /* reconcile while still unreachable fails and changes nothing */
    assert_true(wjr_runner_reconcile(&unsub, &n_unsub, f->runner) < 0);
    tu_assert_submission(f->runner, 8, "submitting");

    mock_fail(MOCK_RPC_QUERY, 0, 0);
    assert_int_equal(wjr_runner_reconcile(&unsub, &n_unsub, f->runner), 0);
    assert_int_equal(n_unsub, 0);
    assert_null(unsub);
    t = wjr_runner_trial(f->runner, 8);
    snprintf(id, sizeof(id), "%u", mock_job_at(0)->job_id);
    assert_string_equal(t->run.job_id, id);
    assert_int_equal(t->status, WJR_TRIAL_RUNNING);
    tu_assert_submission(f->runner, 8, "submitted");
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
    assert_int_equal(mock_job_count(), 1);
    assert_int_equal(tu_poll_one(f, 8), WJR_TRIAL_RUNNING);
}

static void test_array_timeout_unreachable_then_reconcile(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec *specs = tu_make_specs(3, 20);
    size_t n_unsub = 99, i;
    char id[32];

    tu_runner(f, NULL, NULL);
    mock_submit_timeout_after_accept();
    mock_fail(MOCK_RPC_QUERY, 1, SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT);
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 3), WJR_ETIMEOUT);
    for (i = 0; i < 3; i++)
        tu_assert_submission(f->runner, 20 + (int64_t)i, "submitting");
    assert_int_equal(wjr_runner_reconcile(NULL, &n_unsub, f->runner), 0);
    assert_int_equal(n_unsub, 0);
    for (i = 0; i < 3; i++) {
        snprintf(id, sizeof(id), "%u_%zu", mock_job_at(0)->job_id, i);
        assert_string_equal(wjr_runner_trial(f->runner, 20 + (int64_t)i)->run.job_id, id);
    }
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
    free(specs);
}

static void test_never_reached_controller(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec spec = {4, "{}"};
    int64_t *unsub = NULL;
    size_t n_unsub = 0;
    int accounting;

    for (accounting = 0; accounting < 2; accounting++) {
        mock_reset();
        mock_set_accounting(accounting);
        wjr_runner_free(f->runner);
        f->runner = NULL;
        tu_runner(f, NULL, NULL);
        mock_fail(MOCK_RPC_SUBMIT, 1, SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT);
        mock_fail(MOCK_RPC_QUERY, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
        assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_ETIMEOUT);
        tu_assert_submission(f->runner, 4, "submitting");
        assert_int_equal(mock_job_count(), 0);

        assert_int_equal(wjr_runner_reconcile(&unsub, &n_unsub, f->runner), 0);
        assert_int_equal(n_unsub, 1);
        assert_int_equal(unsub[0], 4);
        free(unsub);
        unsub = NULL;
        assert_int_equal(wjr_runner_trial(f->runner, 4)->status, WJR_TRIAL_CANDIDATE);
        tu_assert_submission(f->runner, 4, "unsubmitted");
        assert_int_equal(mock_rpc_count(MOCK_RPC_DB_JOBS), (uint64_t)accounting);
        /* and it runs now, once */
        tu_run(f, 4, "{}");
        assert_int_equal(mock_job_count(), 1);
    }
}

/* The job was accepted and has ended and been purged by the time of the
 * reconcile: accounting knows it, so it is adopted, not resubmitted. */
static void test_reconcile_from_accounting(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec spec = {6, "{}"};
    const wjr_trial_info *t;
    char id[32];
    uint32_t job_id;

    mock_set_accounting(1);
    tu_runner(f, NULL, NULL);
    mock_submit_timeout_after_accept();
    mock_fail(MOCK_RPC_QUERY, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_ETIMEOUT);
    job_id = mock_job_at(0)->job_id;
    snprintf(id, sizeof(id), "%u", job_id);
    mock_purge(id);
    mock_add_acct(job_id, 0, MOCK_NO_TASK, "wjr-" TU_STUDY "-6", WJR_JOB_COMPLETE, 0, 0,
                  (int64_t)time(NULL), (int64_t)time(NULL));
    assert_int_equal(wjr_runner_reconcile(NULL, NULL, f->runner), 0);
    t = wjr_runner_trial(f->runner, 6);
    assert_string_equal(t->run.job_id, id);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
    /* the poll then settles it from accounting */
    assert_int_equal(tu_poll_one(f, 6), WJR_TRIAL_COMPLETED);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_run_one_job),
        T(test_checkpoint_before_submit),
        T(test_array_task_mapping),
        T(test_max_array_split),
        T(test_max_array_exact_fit),
        T(test_throttle_and_packed_pending),
        T(test_duplicate_in_batch),
        T(test_invalid_partition),
        T(test_refused_then_run_again),
        T(test_qos_limit_array),
        T(test_timeout_after_acceptance),
        T(test_timeout_after_acceptance_array),
        T(test_timeout_not_accepted_retried),
        T(test_timeout_unreachable_then_reconcile),
        T(test_array_timeout_unreachable_then_reconcile),
        T(test_never_reached_controller),
        T(test_reconcile_from_accounting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
