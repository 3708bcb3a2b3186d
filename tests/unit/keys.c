/*
 * keys.c - idempotency keys are matched whole, never by prefix
 * (src/runner.c: lookup_key, adopt_by_key, add_key_once).
 *
 * Guards the mutation "prefix keys": a key compared with strncmp over the
 * shorter of the two names, so that the key of trial 1 ("wjr-s1-1") matches
 * the job of trial 12 ("wjr-s1-12"), or the key of trial 20 matches the job
 * of trial 2. With it, a trial whose submission was lost would adopt
 * another trial's job and never run, and an accounting look-up would ask
 * for one name where two are needed. Every test below fails on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <slurm/slurm_errno.h>

#include "mock_slurm.h"
#include "state.h"
#include "test_util.h"

/* Leave trial @p index "submitting": the submit is lost before slurmctld
 * takes it, and slurmctld cannot be asked afterwards. */
static void lose_submission(tu_fixture *f, int64_t index)
{
    wjr_trial_spec spec = {index, "{}"};

    mock_fail(MOCK_RPC_SUBMIT, 1, SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT);
    mock_fail(MOCK_RPC_QUERY, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_ETIMEOUT);
    tu_assert_submission(f->runner, index, "submitting");
}

/* A lost submit answer: the look-up must not take another trial's job for
 * ours, whether that job's name is longer (wjr-s1-12 for key wjr-s1-1) or
 * shorter (wjr-s1-2 for key wjr-s1-20). */
static void test_submit_lookup_is_exact(void **state)
{
    tu_fixture *f = *state;
    uint32_t longer, shorter;
    const wjr_trial_info *t;

    tu_runner(f, NULL, NULL);
    longer = mock_add_job("wjr-" TU_STUDY "-12")->job_id;
    shorter = mock_add_job("wjr-" TU_STUDY "-2")->job_id;

    mock_fail(MOCK_RPC_SUBMIT, 1, SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT);
    t = tu_run(f, 1, "{}");
    assert_int_not_equal(t->run.slurm_job_id, longer);
    assert_int_not_equal(t->run.slurm_job_id, shorter);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 2);

    mock_fail(MOCK_RPC_SUBMIT, 1, SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT);
    t = tu_run(f, 20, "{}");
    assert_int_not_equal(t->run.slurm_job_id, longer);
    assert_int_not_equal(t->run.slurm_job_id, shorter);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 4);
    /* the two foreign jobs and one job for each trial */
    assert_int_equal(mock_job_count(), 4);
}

/* Reconcile: a job whose name only starts like (or is the start of) the
 * key is not the trial's; both trials were never accepted. */
static void test_reconcile_is_exact(void **state)
{
    tu_fixture *f = *state;
    int64_t *unsub = NULL;
    size_t n_unsub = 0;

    mock_set_accounting(1);
    tu_runner(f, NULL, NULL);
    lose_submission(f, 1);
    lose_submission(f, 20);
    mock_add_job("wjr-" TU_STUDY "-12");
    mock_add_job("wjr-" TU_STUDY "-2");
    /* accounting holds the same foreign names */
    mock_add_acct(500, 0, MOCK_NO_TASK, "wjr-" TU_STUDY "-12", WJR_JOB_COMPLETE, 0, 0,
                  (int64_t)time(NULL), (int64_t)time(NULL));
    mock_add_acct(501, 0, MOCK_NO_TASK, "wjr-" TU_STUDY "-2", WJR_JOB_COMPLETE, 0, 0,
                  (int64_t)time(NULL), (int64_t)time(NULL));

    assert_int_equal(wjr_runner_reconcile(&unsub, &n_unsub, f->runner), 0);
    assert_int_equal(n_unsub, 2);
    assert_int_equal(unsub[0], 1);
    assert_int_equal(unsub[1], 20);
    free(unsub);
    tu_assert_submission(f->runner, 1, "unsubmitted");
    tu_assert_submission(f->runner, 20, "unsubmitted");
    assert_null(wjr_runner_trial(f->runner, 1)->run.job_id);
    assert_null(wjr_runner_trial(f->runner, 20)->run.job_id);
}

/* The same for arrays: the key of the array starting at trial 1 is
 * wjr-s1-a1, which is a prefix of wjr-s1-a10's. */
static void test_reconcile_array_is_exact(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec specs[2] = {{1, "{}"}, {2, "{}"}};
    size_t n_unsub = 0;
    char *key;

    tu_runner(f, NULL, NULL);
    mock_fail(MOCK_RPC_SUBMIT, 1, SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT);
    mock_fail(MOCK_RPC_QUERY, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 2), WJR_ETIMEOUT);
    key = tu_trial_field(f->runner, 1, "key");
    assert_string_equal(key, "\"wjr-" TU_STUDY "-a1\"");
    free(key);
    mock_add_job("wjr-" TU_STUDY "-a10");
    assert_int_equal(wjr_runner_reconcile(NULL, &n_unsub, f->runner), 0);
    assert_int_equal(n_unsub, 2);
    tu_assert_submission(f->runner, 1, "unsubmitted");
    tu_assert_submission(f->runner, 2, "unsubmitted");
}

/* Two forgotten jobs whose keys share a prefix: accounting is asked for
 * both names, and each trial gets its own job's outcome. */
static void test_accounting_asks_every_key(void **state)
{
    tu_fixture *f = *state;
    int64_t now = (int64_t)time(NULL);
    wjr_poll_result *res = NULL;
    uint32_t id1, id10;

    mock_set_accounting(1);
    tu_runner(f, NULL, NULL);
    id1 = tu_run(f, 1, "{}")->run.slurm_job_id;
    id10 = tu_run(f, 10, "{}")->run.slurm_job_id;
    mock_purge_all();
    mock_add_acct(id1, 0, MOCK_NO_TASK, "wjr-" TU_STUDY "-1", WJR_JOB_OOM, 0, 9, now, now);
    mock_add_acct(id10, 0, MOCK_NO_TASK, "wjr-" TU_STUDY "-10", WJR_JOB_COMPLETE, 0, 0, now, now);

    assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
    assert_int_equal(res->count, 2);
    assert_int_equal(res->statuses[0], WJR_TRIAL_FAILED);
    assert_int_equal(res->statuses[1], WJR_TRIAL_COMPLETED);
    wjr_poll_result_free(res);
    assert_int_equal(mock_rpc_count(MOCK_RPC_DB_JOBS), 1);
    assert_int_equal(mock_acct_last_names(), 2);
    assert_non_null(strstr(wjr_runner_trial(f->runner, 1)->reason, "OUT_OF_MEMORY"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_submit_lookup_is_exact),
        T(test_reconcile_is_exact),
        T(test_reconcile_array_is_exact),
        T(test_accounting_asks_every_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
