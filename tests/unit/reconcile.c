/*
 * reconcile.c - accounting look-ups: what reconcile does when slurmdbd
 * cannot be asked, and the exact start-time bound every look-up sends
 * (src/runner.c: wjr_runner_reconcile, settle_by_accounting;
 * src/backend_slurm.c: slurm_accounting).
 *
 * Guards two mutations:
 *  - "reconcile with slurmdbd down": an accounting error taken as "the job
 *    was never accepted", so the trial is reset and submitted a second
 *    time. Exactly-once requires that the trial stay 'submitting' and the
 *    reconcile fail until accounting answers.
 *  - "unbounded accounting lookup": the look-up sent without its start-time
 *    bound (0, which the backend turns into 1), so that a job of an old
 *    study with a reused id and name could be taken for ours. The bound is
 *    asserted exactly: the earliest submit (or announce) time less a minute.
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

/* Trial @p index is accepted by slurmctld but the answer is lost and
 * slurmctld cannot be asked: it stays 'submitting'. Its job id. */
static uint32_t accept_and_lose(tu_fixture *f, int64_t index)
{
    wjr_trial_spec spec = {index, "{}"};
    size_t before = mock_job_count();

    mock_submit_timeout_after_accept();
    mock_fail(MOCK_RPC_QUERY, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_ETIMEOUT);
    tu_assert_submission(f->runner, index, "submitting");
    assert_int_equal(mock_job_count(), before + 1);
    return mock_job_at(before)->job_id;
}

/* The job ran and slurmctld purged it; slurmdbd is down when we reconcile.
 * Whatever part of the look-up fails, the trial stays 'submitting', is not
 * reported as unsubmitted and cannot be run again; once slurmdbd is back,
 * the job is adopted. One submit RPC in all. */
static void test_dbd_down_keeps_submitting(void **state)
{
    tu_fixture *f = *state;
    const mock_rpc kinds[] = {MOCK_RPC_DB_CONNECT, MOCK_RPC_DB_JOBS};
    const int errs[] = {SLURM_COMMUNICATIONS_CONNECTION_ERROR, ESLURM_DB_CONNECTION};
    wjr_trial_spec spec = {6, "{}"};
    int64_t *unsub = NULL;
    size_t n_unsub, k;
    uint32_t job_id;
    char id[32];

    mock_set_accounting(1);
    tu_runner(f, NULL, NULL);
    job_id = accept_and_lose(f, 6);
    snprintf(id, sizeof(id), "%u", job_id);
    mock_set_state(id, WJR_JOB_COMPLETE, 0, 0);
    mock_purge(id);
    mock_add_acct(job_id, 0, MOCK_NO_TASK, "wjr-" TU_STUDY "-6", WJR_JOB_COMPLETE, 0, 0,
                  (int64_t)time(NULL), (int64_t)time(NULL));

    for (k = 0; k < 2; k++) {
        mock_fail(kinds[k], 1, errs[k]);
        n_unsub = 99;
        assert_true(wjr_runner_reconcile(&unsub, &n_unsub, f->runner) < 0);
        assert_non_null(strstr(wjr_error_last(), "accounting"));
        assert_null(unsub);
        assert_true(n_unsub == 0 || n_unsub == 99);
        tu_assert_submission(f->runner, 6, "submitting");
        assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_EEXISTS);
        assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
    }

    assert_int_equal(wjr_runner_reconcile(&unsub, &n_unsub, f->runner), 0);
    assert_int_equal(n_unsub, 0);
    assert_string_equal(wjr_runner_trial(f->runner, 6)->run.job_id, id);
    assert_int_equal(tu_poll_one(f, 6), WJR_TRIAL_COMPLETED);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
}

/* Rebuild the runner from its JSON with one trial's integer field set
 * (the runner must have a wrapper that from_json knows). */
static void rewrite_field(tu_fixture *f, int64_t index, const char *field, long long value)
{
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    char *text = NULL, *out;
    json_t *root, *trials;
    size_t i;

    assert_int_equal(wjr_runner_to_json(&text, f->runner), 0);
    root = json_loads(text, 0, NULL);
    assert_non_null(root);
    free(text);
    trials = json_object_get(root, "trials");
    for (i = 0; i < json_array_size(trials); i++) {
        json_t *t = json_array_get(trials, i);
        if (json_integer_value(json_object_get(t, "index")) == index)
            json_object_set_new(t, field, json_integer(value));
    }
    out = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    wjr_runner_free(f->runner);
    f->runner = NULL;
    ro.log = tu_log_fn;
    ro.log_payload = &f->log;
    if (wjr_runner_from_json(&f->runner, out, &ro) != 0)
        fail_msg("from_json: %s", wjr_error_last());
    /* keys are looked up once, as in tu_runner() */
    wjr_runner_set_lookup_wait(f->runner, 0);
    free(out);
    assert_int_equal(tu_trial_int(f->runner, index, field), value);
}

/* A poll that finds jobs forgotten by slurmctld asks accounting for jobs
 * that ran since the earliest of their submit times, less a minute. */
static void test_poll_lookup_bound(void **state)
{
    tu_fixture *f = *state;
    int64_t now = (int64_t)time(NULL), submit;
    uint32_t id0, id1;

    mock_set_accounting(1);
    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    id0 = tu_run(f, 0, "{}")->run.slurm_job_id;
    id1 = tu_run(f, 1, "{}")->run.slurm_job_id;
    submit = wjr_runner_trial(f->runner, 0)->run.submit_time;
    assert_true(submit > 1000000);
    /* trial 1 was submitted an hour before trial 0 */
    rewrite_field(f, 1, "submit_time", submit - 3600);
    mock_purge_all();
    mock_add_acct(id0, 0, MOCK_NO_TASK, "wjr-" TU_STUDY "-0", WJR_JOB_FAILED, 1, 0, now, now);
    mock_add_acct(id1, 0, MOCK_NO_TASK, "wjr-" TU_STUDY "-1", WJR_JOB_FAILED, 1, 0, now, now);

    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_FAILED);
    assert_int_equal(mock_acct_last_since(), submit - 60);
    assert_int_equal(mock_rpc_count(MOCK_RPC_DB_JOBS), 1);
    /* both at once: the earlier one bounds the look-up */
    assert_int_equal(tu_poll_one(f, 1), WJR_TRIAL_FAILED);
    assert_int_equal(mock_rpc_count(MOCK_RPC_DB_JOBS), 2);
    assert_int_equal(mock_acct_last_since(), submit - 3600 - 60);
}

/* Reconcile asks accounting for jobs since the earliest announce time of
 * the trials left 'submitting', less a minute. */
static void test_reconcile_lookup_bound(void **state)
{
    tu_fixture *f = *state;
    long long intent;
    char id[32];

    mock_set_accounting(1);
    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    snprintf(id, sizeof(id), "%u", accept_and_lose(f, 3));
    mock_purge(id);
    snprintf(id, sizeof(id), "%u", accept_and_lose(f, 4));
    mock_purge(id);
    intent = tu_trial_int(f->runner, 3, "intent_time");
    assert_true(intent > 1000000);
    rewrite_field(f, 4, "intent_time", intent - 7200);

    assert_int_equal(wjr_runner_reconcile(NULL, NULL, f->runner), 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_DB_JOBS), 1);
    assert_int_equal(mock_acct_last_names(), 2);
    assert_int_equal(mock_acct_last_since(), intent - 7200 - 60);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_dbd_down_keeps_submitting),
        T(test_poll_lookup_bound),
        T(test_reconcile_lookup_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
