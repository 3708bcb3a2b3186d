/*
 * runner.c - tests of the WrappedJobRunner (src/runner*.c) over the Slurm
 * backend (src/backend_slurm.c) and the mocked controller: run() and its
 * job description (name, script, paths, environment), run_multiple() as
 * job arrays (task to trial mapping, MaxArraySize splitting, throttle,
 * packed pending tasks), refused submissions, exactly-once submission
 * when the answer is lost, reconcile, the RPC count per poll, stale polls,
 * jobs the controller forgot (exit record, accounting, lost), stop(),
 * to_json/from_json, the checkpoint callback and logging capture.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <slurm/slurm_errno.h>

#include "mock_slurm.h"
#include "state.h"
#include "test_util.h"

static const mock_submission *last_sub(void)
{
    assert_true(mock_submission_count() > 0);
    return mock_submission_at(mock_submission_count() - 1);
}

static wjr_trial_spec *make_specs(size_t n, int64_t first)
{
    wjr_trial_spec *s = calloc(n, sizeof(*s));
    size_t i;

    assert_non_null(s);
    for (i = 0; i < n; i++) {
        s[i].index = first + (int64_t)i;
        s[i].params_json = "{\"x\": 0.5}";
    }
    return s;
}

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
    s = last_sub();
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
    s = last_sub();
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
    wjr_trial_spec *specs = make_specs(12, 100);
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
    wjr_trial_spec *specs = make_specs(10, 0);
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
    wjr_trial_spec *specs = make_specs(10, 0);
    wjr_poll_result *res = NULL;
    const mock_submission *s;
    char id[32];
    size_t i;

    so.array_throttle = 4;
    tu_runner(f, NULL, &so);
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 10), 0);
    s = last_sub();
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
    wjr_trial_spec *specs = make_specs(70, 0);
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
    wjr_trial_spec *specs = make_specs(4, 0);
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
    wjr_trial_spec *specs = make_specs(3, 0);
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
    wjr_trial_spec *specs = make_specs(3, 20);
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

/* ---- polling ---------------------------------------------------------------- */

static void test_poll_rpc_count_constant(void **state)
{
    tu_fixture *f = *state;
    const size_t sizes[] = {1, 100, 10000};
    uint64_t per_poll[3], expect;
    size_t k, i;

    for (k = 0; k < 3; k++) {
        size_t n = sizes[k], submitted = 0;
        wjr_trial_spec *specs = make_specs(n, 0);
        wjr_poll_result *res = NULL;
        uint64_t total, queries, backend_rpcs;
        char id[32];

        wjr_runner_free(f->runner);
        f->runner = NULL;
        mock_reset();
        tu_runner(f, NULL, NULL);
        assert_int_equal(wjr_runner_run_multiple(&submitted, f->runner, specs, n), 0);
        assert_int_equal(submitted, n);
        /* some tasks run, some ended, the rest stay packed and pending */
        for (i = 0; i < n; i += 7) {
            const wjr_trial_info *t = wjr_runner_trial(f->runner, (int64_t)i);
            snprintf(id, sizeof(id), "%s", t->run.job_id);
            mock_set_state(id, (i / 7) % 2 ? WJR_JOB_COMPLETE : WJR_JOB_RUNNING, 0, 0);
        }
        total = mock_rpc_total();
        queries = mock_rpc_count(MOCK_RPC_QUERY);
        backend_rpcs = wjr_backend_rpc_count(wjr_runner_backend(f->runner));
        assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
        assert_int_equal(res->count, n);
        assert_int_equal(res->stale, 0);
        for (i = 0; i < n; i++)
            assert_int_equal(res->statuses[i],
                             i % 7 == 0 && (i / 7) % 2 ? WJR_TRIAL_COMPLETED : WJR_TRIAL_RUNNING);
        wjr_poll_result_free(res);
        /* one query; from Slurm 23.11.5 on, a state-only query first, then
         * the full one, as the jobs changed state since the last look: at
         * most two, whatever n is */
        per_poll[k] = mock_rpc_total() - total;
        expect = MOCK_HAS_JOB_STATE ? 2 : 1;
        assert_int_equal(mock_rpc_count(MOCK_RPC_QUERY) - queries, expect);
        assert_int_equal(per_poll[k], expect);
        assert_int_equal(wjr_backend_rpc_count(wjr_runner_backend(f->runner)) - backend_rpcs,
                         expect);
        /* and again, with nothing changed (trial 0 still runs): one RPC,
         * the state-only one where Slurm has it */
        total = mock_rpc_total();
        queries = mock_rpc_count(MOCK_RPC_STATES);
        assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
        wjr_poll_result_free(res);
        assert_int_equal(mock_rpc_total() - total, 1);
        assert_int_equal(mock_rpc_count(MOCK_RPC_STATES) - queries, MOCK_HAS_JOB_STATE ? 1 : 0);
        free(specs);
    }
    assert_int_equal(per_poll[1], per_poll[2]);
}

static void test_poll_failure_is_stale(void **state)
{
    tu_fixture *f = *state;
    const int errs[] = {SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR,
                        SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT, ECONNREFUSED};
    wjr_poll_result *res = NULL;
    size_t i, e;

    tu_runner(f, NULL, NULL);
    for (i = 0; i < 3; i++) {
        const wjr_trial_info *t = tu_run(f, (int64_t)i, "{}");
        mock_set_state(t->run.job_id, WJR_JOB_FAILED, 1, 0);
    }
    for (e = 0; e < 3; e++) {
        mock_fail(MOCK_RPC_QUERY, 1, errs[e]);
        assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
        assert_int_equal(res->stale, 1);
        assert_non_null(res->warning);
        assert_non_null(strstr(res->warning, "last known"));
        assert_int_equal(res->count, 3);
        for (i = 0; i < 3; i++) {
            assert_int_equal(res->statuses[i], WJR_TRIAL_RUNNING);
            assert_int_equal(wjr_runner_trial(f->runner, (int64_t)i)->status, WJR_TRIAL_RUNNING);
        }
        wjr_poll_result_free(res);
    }
    assert_true(tu_log_find(&f->log, WJR_LOG_WARNING, WJR_NO_TRIAL, "could not poll") >= 0);
    /* the controller answers again: now they fail */
    assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
    assert_int_equal(res->stale, 0);
    assert_null(res->warning);
    for (i = 0; i < 3; i++)
        assert_int_equal(res->statuses[i], WJR_TRIAL_FAILED);
    wjr_poll_result_free(res);
}

static void test_poll_bad_indices(void **state)
{
    tu_fixture *f = *state;
    wjr_poll_result *res = NULL;
    int64_t idx[] = {0, 0, 0};

    tu_runner(f, NULL, NULL);
    tu_run(f, 0, "{}");
    idx[1] = 77;
    assert_int_equal(wjr_runner_poll(&res, f->runner, idx, 2), WJR_ENOTFOUND);
    assert_null(res);
    /* the same index listed more than once */
    idx[1] = 0;
    assert_int_equal(wjr_runner_poll(&res, f->runner, idx, 3), 0);
    assert_true(res->count >= 1);
    assert_int_equal(res->statuses[0], WJR_TRIAL_RUNNING);
    wjr_poll_result_free(res);
}

/* ---- jobs the controller forgot ---------------------------------------- */

static void write_exit_record(tu_fixture *f, int64_t index, const char *job_id, int rc)
{
    char name[64], text[160], *path;

    snprintf(name, sizeof(name), "%06lld/wjr_exit.json", (long long)index);
    path = tu_path(f->dir, name);
    snprintf(text, sizeof(text),
             "{\"exit_code\": %d, \"job_id\": \"%s\", \"end_time\": 1700000000}\n", rc, job_id);
    tu_write(path, text);
    free(path);
}

static void write_output(tu_fixture *f, int64_t index, const char *json)
{
    char name[64], *path;

    snprintf(name, sizeof(name), "%06lld/output.json", (long long)index);
    path = tu_path(f->dir, name);
    tu_write(path, json);
    free(path);
}

static void test_vanished_exit_record(void **state)
{
    tu_fixture *f = *state;
    const wjr_trial_info *t;

    mock_set_accounting(1);
    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    t = tu_run(f, 0, "{}");
    write_exit_record(f, 0, t->run.job_id, 0);
    write_output(f, 0, "{\"m\": 2}");
    t = tu_run(f, 1, "{}");
    write_exit_record(f, 1, t->run.job_id, 3);
    mock_purge_all();

    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_COMPLETED);
    t = wjr_runner_trial(f->runner, 0);
    assert_int_equal(t->exit_code, 0);
    assert_int_equal(t->end_time, 1700000000);
    assert_string_equal(t->metrics_json, "{\"m\":{\"mean\":2.0,\"sem\":null}}");
    assert_int_equal(tu_poll_one(f, 1), WJR_TRIAL_FAILED);
    t = wjr_runner_trial(f->runner, 1);
    assert_int_equal(t->exit_code, 3);
    assert_non_null(strstr(t->reason, "exit code 3"));
    /* the exit records settled both: accounting was not asked */
    assert_int_equal(mock_rpc_count(MOCK_RPC_DB_JOBS), 0);
}

static void test_vanished_foreign_exit_record(void **state)
{
    tu_fixture *f = *state;
    const wjr_trial_info *t;

    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    t = tu_run(f, 0, "{}");
    /* a record of an earlier run of the directory does not count */
    write_exit_record(f, 0, "999999", 0);
    write_output(f, 0, "{\"m\": 2}");
    mock_purge_all();
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_FAILED);
    t = wjr_runner_trial(f->runner, 0);
    assert_non_null(strstr(t->reason, "lost"));
}

static void test_vanished_accounting(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec *specs = make_specs(2, 10);
    const wjr_trial_info *t;
    int64_t now = (int64_t)time(NULL);
    uint32_t id0, array_id;

    mock_set_accounting(1);
    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    t = tu_run(f, 0, "{}");
    id0 = t->run.slurm_job_id;
    t = tu_run(f, 1, "{}");
    write_output(f, 1, "{\"m\": [1, 2, 3]}");
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 2), 0);
    array_id = wjr_runner_trial(f->runner, 10)->run.array_job_id;
    mock_purge_all();
    mock_add_acct(id0, 0, MOCK_NO_TASK, "wjr-" TU_STUDY "-0", WJR_JOB_OOM, 0, 9, now, now);
    mock_add_acct(id0 + 1, 0, MOCK_NO_TASK, "wjr-" TU_STUDY "-1", WJR_JOB_COMPLETE, 0, 0, now, now);
    mock_add_acct(array_id + 7, array_id, 1, "wjr-" TU_STUDY "-a10", WJR_JOB_TIMEOUT, 0, 15, now,
                  now);
    /* a job of another study under the same job id: not ours */
    mock_add_acct(array_id, 0, MOCK_NO_TASK, "wjr-other-a10", WJR_JOB_COMPLETE, 0, 0, now, now);

    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_FAILED);
    t = wjr_runner_trial(f->runner, 0);
    assert_non_null(strstr(t->reason, "OUT_OF_MEMORY"));
    assert_non_null(strstr(t->reason, "signal 9"));
    /* bounded by the submit time, so a reused job id cannot match */
    assert_true(mock_acct_last_since() > 0);
    assert_true(mock_acct_last_since() <= t->run.submit_time);
    assert_int_equal(tu_poll_one(f, 1), WJR_TRIAL_COMPLETED);
    assert_non_null(wjr_runner_trial(f->runner, 1)->metrics_json);
    assert_int_equal(tu_poll_one(f, 11), WJR_TRIAL_FAILED);
    assert_non_null(strstr(wjr_runner_trial(f->runner, 11)->reason, "TIMEOUT"));
    /* task 0 of the array is in neither: lost, never COMPLETED */
    assert_int_equal(tu_poll_one(f, 10), WJR_TRIAL_FAILED);
    assert_non_null(strstr(wjr_runner_trial(f->runner, 10)->reason, "lost"));
    free(specs);
}

static void test_vanished_no_accounting(void **state)
{
    tu_fixture *f = *state;
    const wjr_trial_info *t;

    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    tu_run(f, 0, "{}");
    write_output(f, 0, "{\"m\": 1}");
    mock_purge_all();
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_FAILED);
    t = wjr_runner_trial(f->runner, 0);
    assert_non_null(strstr(t->reason, "lost"));
    assert_int_equal(mock_rpc_count(MOCK_RPC_DB_CONNECT), 0);
}

/* Accounting that cannot be asked is a stale poll, not a verdict. */
static void test_vanished_accounting_unreachable(void **state)
{
    tu_fixture *f = *state;
    wjr_poll_result *res = NULL;

    mock_set_accounting(1);
    tu_runner(f, NULL, NULL);
    tu_run(f, 0, "{}");
    mock_purge_all();
    mock_fail(MOCK_RPC_DB_CONNECT, 1, SLURM_COMMUNICATIONS_CONNECTION_ERROR);
    assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
    assert_int_equal(res->stale, 1);
    assert_non_null(res->warning);
    assert_int_equal(res->statuses[0], WJR_TRIAL_RUNNING);
    wjr_poll_result_free(res);
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_FAILED);
}

/* ---- stop() ---------------------------------------------------------------- */

static void test_stop(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec *specs = make_specs(5, 10);
    const wjr_trial_info *t;
    char want[32];

    tu_runner(f, NULL, NULL);
    t = tu_run(f, 0, "{}");
    assert_int_equal(wjr_runner_stop(f->runner, 0, "not promising"), 0);
    assert_string_equal(mock_last_kill(), t->run.job_id);
    t = wjr_runner_trial(f->runner, 0);
    assert_int_equal(t->status, WJR_TRIAL_ABANDONED);
    assert_string_equal(t->reason, "not promising");
    assert_true(t->end_time > 0);
    assert_int_equal(mock_lookup(t->run.job_id)->state, WJR_JOB_CANCELLED);
    /* stopping a stopped trial sends nothing */
    assert_int_equal(wjr_runner_stop(f->runner, 0, NULL), 0);
    assert_int_equal(mock_kill_count(), 1);
    /* a later poll keeps it ABANDONED */
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_ABANDONED);

    /* an array task: "A_k" */
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 5), 0);
    assert_int_equal(wjr_runner_stop(f->runner, 14, NULL), 0);
    snprintf(want, sizeof(want), "%u_4", wjr_runner_trial(f->runner, 14)->run.array_job_id);
    assert_string_equal(mock_last_kill(), want);
    assert_int_equal(wjr_runner_trial(f->runner, 14)->status, WJR_TRIAL_ABANDONED);
    assert_int_equal(tu_poll_one(f, 13), WJR_TRIAL_RUNNING);

    /* the controller cannot be reached: an error, and the trial stays */
    mock_fail(MOCK_RPC_KILL, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    assert_true(wjr_runner_stop(f->runner, 13, NULL) < 0);
    assert_int_equal(wjr_runner_trial(f->runner, 13)->status, WJR_TRIAL_RUNNING);
    /* a job the controller has forgotten is abandoned all the same */
    mock_purge_all();
    assert_int_equal(wjr_runner_stop(f->runner, 13, NULL), 0);
    assert_int_equal(wjr_runner_trial(f->runner, 13)->status, WJR_TRIAL_ABANDONED);
    assert_int_equal(wjr_runner_stop(f->runner, 999, NULL), WJR_ENOTFOUND);
    free(specs);
}

/* ---- to_json / from_json ------------------------------------------------ */

static void test_json_round_trip(void **state)
{
    tu_fixture *f = *state;
    const char *env[] = {"A=1", "B=two words", NULL};
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    wjr_trial_spec *specs = make_specs(2, 4), spec;
    wjr_runner *back = NULL;
    char *one = NULL, *two = NULL, id[32];
    const wjr_trial_info *t;
    json_t *root;

    so.partition = "debug";
    so.time = "1:00:00";
    so.mem = "2G";
    so.env = env;
    so.array_throttle = 3;
    so.requeue = 0;
    tu_runner(f, tu_script_wrapper("python3 m.py", "echo configs"), &so);
    t = tu_run(f, 0, "{\"x\": 1.5, \"name\": \"a\\nb\"}");
    t = tu_run(f, 1, "{}");
    mock_set_state(t->run.job_id, WJR_JOB_FAILED, 2, 0);
    assert_int_equal(tu_poll_one(f, 1), WJR_TRIAL_FAILED);
    /* trial 2: left "submitting" */
    mock_submit_timeout_after_accept();
    mock_fail(MOCK_RPC_QUERY, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    spec.index = 2;
    spec.params_json = "{\"y\": [1, 2]}";
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_ETIMEOUT);
    /* trial 3: refused, unsubmitted with a reason */
    mock_fail(MOCK_RPC_SUBMIT, 1, ESLURM_INVALID_PARTITION_NAME);
    spec.index = 3;
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_ESLURM);
    /* trials 4 and 5: array tasks, 4 completed with metrics */
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 2), 0);
    write_output(f, 4, "{\"m\": {\"mean\": 1.5, \"sem\": 0.25}}");
    snprintf(id, sizeof(id), "%s", wjr_runner_trial(f->runner, 4)->run.job_id);
    mock_set_state(id, WJR_JOB_COMPLETE, 0, 0);
    assert_int_equal(tu_poll_one(f, 4), WJR_TRIAL_COMPLETED);
    /* trials 6 and 7: an array left "submitting", with planned tasks */
    specs[0].index = 6;
    specs[1].index = 7;
    mock_submit_timeout_after_accept();
    mock_fail(MOCK_RPC_QUERY, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 2), WJR_ETIMEOUT);

    assert_int_equal(wjr_runner_to_json(&one, f->runner), 0);
    root = json_loads(one, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "__type")), "WrappedJobRunner");
    assert_true(json_is_integer(json_object_get(root, "schema_version")));
    assert_int_equal(json_array_size(json_object_get(root, "trials")), 8);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(root, "trials"), 7), "planned_task")),
                     1);
    json_decref(root);

    ro.log = tu_log_fn;
    ro.log_payload = &f->log;
    assert_int_equal(wjr_runner_from_json(&back, one, &ro), 0);
    assert_int_equal(wjr_runner_to_json(&two, back), 0);
    assert_string_equal(one, two);
    assert_string_equal(wjr_runner_study_id(back), TU_STUDY);
    assert_string_equal(wjr_runner_experiment_dir(back), f->dir);

    /* fields, one by one */
    t = wjr_runner_trial(back, 0);
    assert_string_equal(t->params_json, "{\"x\":1.5,\"name\":\"a\\nb\"}");
    assert_string_equal(t->run.job_id, wjr_runner_trial(f->runner, 0)->run.job_id);
    assert_string_equal(t->run.partition, "debug");
    assert_string_equal(t->run.cluster, "mockcluster");
    assert_int_equal(t->run.submit_time, wjr_runner_trial(f->runner, 0)->run.submit_time);
    t = wjr_runner_trial(back, 1);
    assert_int_equal(t->status, WJR_TRIAL_FAILED);
    assert_int_equal(t->exit_code, 2);
    assert_string_equal(t->reason, wjr_runner_trial(f->runner, 1)->reason);
    assert_string_equal(t->slurm_state, "FAILED");
    tu_assert_submission(back, 2, "submitting");
    t = wjr_runner_trial(back, 3);
    assert_int_equal(t->status, WJR_TRIAL_CANDIDATE);
    assert_non_null(strstr(t->reason, "Invalid partition"));
    t = wjr_runner_trial(back, 4);
    assert_string_equal(t->metrics_json, wjr_runner_trial(f->runner, 4)->metrics_json);
    assert_int_equal(t->run.array_task_id, 0);
    assert_int_equal(wjr_runner_trial(back, 5)->run.array_task_id, 1);

    /* the rebuilt runner finds the "submitting" jobs by their keys */
    assert_int_equal(wjr_runner_reconcile(NULL, NULL, back), 0);
    assert_non_null(wjr_runner_trial(back, 2)->run.job_id);
    assert_int_equal(wjr_runner_trial(back, 7)->run.array_task_id, 1);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 6);
    wjr_runner_free(back);
    free(one);
    free(two);
    free(specs);
}

static char *replace(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);

    assert_non_null(at);
    assert_non_null(out);
    snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return out;
}

static void test_json_rejects_bad_input(void **state)
{
    tu_fixture *f = *state;
    wjr_runner *back = NULL;
    char *text = NULL, *bad;

    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    tu_run(f, 0, "{}");
    assert_int_equal(wjr_runner_to_json(&text, f->runner), 0);

    bad = replace(text, "\"status\":\"RUNNING\"", "\"status\":\"BOGUS\"");
    assert_int_equal(wjr_runner_from_json(&back, bad, NULL), WJR_EINVALID);
    assert_null(back);
    free(bad);
    bad = replace(text, "\"schema_version\":1", "\"schema_version\":99");
    assert_int_equal(wjr_runner_from_json(&back, bad, NULL), WJR_EINVALID);
    free(bad);
    bad = replace(text, "WrappedJobRunner", "OtherRunner");
    assert_int_equal(wjr_runner_from_json(&back, bad, NULL), WJR_EINVALID);
    free(bad);
    assert_int_equal(wjr_runner_from_json(&back, "not json", NULL), WJR_EINVALID);
    assert_null(back);
    free(text);
}

/* ---- logging capture ---------------------------------------------------- */

static void test_log_capture(void **state)
{
    tu_fixture *f = *state;
    const tu_record *out, *err;
    char *dir7 = tu_path(f->dir, "000007");
    long i_out, i_err;

    tu_runner(f, tu_script_wrapper("true", "echo out; echo err >&2"), NULL);
    tu_run(f, 7, "{}");
    i_out = tu_log_find(&f->log, WJR_LOG_INFO, 7, "out");
    i_err = tu_log_find(&f->log, WJR_LOG_WARNING, 7, "err");
    assert_true(i_out >= 0);
    assert_true(i_err >= 0);
    out = &f->log.records[i_out];
    err = &f->log.records[i_err];
    assert_string_equal(out->message, "out");
    /* the hook gets the trial directory as its last argument */
    assert_memory_equal(err->message, "err ", 4);
    assert_string_equal(err->message + 4, dir7);
    assert_true(tu_log_find(&f->log, WJR_LOG_INFO, 7, "submitted as job") >= 0);
    free(dir7);
}

static void test_default_log_sink(void **state)
{
    tu_fixture *f = *state;
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    wjr_trial_spec spec = {7, "{}"};
    wjr_backend *b = NULL;
    char *path = tu_path(f->dir, "wjr.log"), *text;

    assert_int_equal(wjr_backend_slurm_new(&b, NULL), 0);
    ro.experiment_dir = f->dir;
    ro.study_id = TU_STUDY;
    assert_int_equal(
        wjr_runner_new(&f->runner, b, tu_script_wrapper("true", "echo out; echo err >&2"), &ro), 0);
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), 0);
    text = tu_read(path);
    assert_non_null(text);
    assert_non_null(strstr(text, " INFO [trial 7] out\n"));
    assert_non_null(strstr(text, " WARNING [trial 7] err "));
    assert_non_null(strstr(text, "[trial 7] submitted as job"));
    free(text);
    free(path);
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
        T(test_poll_rpc_count_constant),
        T(test_poll_failure_is_stale),
        T(test_vanished_exit_record),
        T(test_vanished_foreign_exit_record),
        T(test_vanished_accounting),
        T(test_vanished_no_accounting),
        T(test_vanished_accounting_unreachable),
        T(test_stop),
        T(test_json_round_trip),
        T(test_log_capture),
        T(test_default_log_sink),
        /* last: under AddressSanitizer each of these two aborts the program
         * until the bugs they show are fixed */
        T(test_poll_bad_indices),
        T(test_json_rejects_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
