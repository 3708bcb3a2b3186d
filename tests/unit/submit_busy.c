/*
 * submit_busy.c - a busy slurmctld is asked again, as sbatch does
 * (src/backend_slurm.c: errno_is_busy and the retry loop of slurm_submit).
 *
 * Guards the mutation "no retry when slurmctld is busy": EAGAIN or one of
 * the controller's busy codes (ESLURM_ERROR_ON_DESC_TO_RECORD_COPY,
 * ESLURM_NODES_BUSY) returned to the caller at once, so that a trial
 * submitted while slurmctld is loaded comes back refused. Also bounds the
 * retries: they stop by the RPC timeout, and other errors are not retried.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slurm/slurm_errno.h>

#include "mock_slurm.h"
#include "test_util.h"
#include "util.h"

/* 26.05.2 removed ESLURM_ERROR_ON_DESC_TO_RECORD_COPY (src/backend_slurm.c) */
static const int busy_codes[] = {
    EAGAIN,
    ESLURM_NODES_BUSY,
#if SLURM_VERSION_NUMBER < SLURM_VERSION_NUM(26, 5, 2)
    ESLURM_ERROR_ON_DESC_TO_RECORD_COPY,
#endif
};

/* One busy answer of each kind: the job is submitted on the next try. */
static void test_busy_then_accepted(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec specs[2] = {{10, "{}"}, {11, "{}"}};
    size_t k;

    tu_runner(f, NULL, NULL);
    for (k = 0; k < sizeof(busy_codes) / sizeof(busy_codes[0]); k++) {
        mock_fail(MOCK_RPC_SUBMIT, 1, busy_codes[k]);
        tu_run(f, (int64_t)k, "{}");
        assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 2 * (k + 1));
        assert_int_equal(mock_job_count(), k + 1);
        assert_int_equal(wjr_runner_trial(f->runner, (int64_t)k)->status, WJR_TRIAL_RUNNING);
    }
    /* an array too */
    mock_fail(MOCK_RPC_SUBMIT, 1, EAGAIN);
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 2), 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 2 * k + 2);
    assert_int_equal(mock_job_count(), k + 1);
}

/* Busy for good: the retries stop by the RPC timeout, and the trial is
 * refused, not left in doubt (nothing was accepted). */
static void test_busy_gives_up(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    wjr_trial_spec spec = {0, "{}"};
    double start;

    so.rpc_timeout = 2.5;
    tu_runner(f, NULL, &so);
    mock_fail(MOCK_RPC_SUBMIT, -1, EAGAIN);
    start = wjr_now();
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_ESLURM);
    assert_true(wjr_now() - start < 5.0);
    assert_true(mock_rpc_count(MOCK_RPC_SUBMIT) >= 2);
    assert_int_equal(mock_job_count(), 0);
    assert_int_equal(wjr_runner_trial(f->runner, 0)->status, WJR_TRIAL_CANDIDATE);
    tu_assert_submission(f->runner, 0, "unsubmitted");
}

/* A refusal that is not "busy" is not retried. */
static void test_refusal_not_retried(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec spec = {0, "{}"};

    tu_runner(f, NULL, NULL);
    mock_fail(MOCK_RPC_SUBMIT, 1, ESLURM_INVALID_TIME_LIMIT);
    assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_ESLURM);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
    assert_int_equal(mock_job_count(), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_busy_then_accepted),
        T(test_busy_gives_up),
        T(test_refusal_not_retried),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
