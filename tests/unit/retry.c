/*
 * retry.c - unit tests of resubmission after the cluster's failures:
 * NODE_FAIL, BOOT_FAIL, PREEMPTED without requeue and a failed launch are
 * submitted again as the same trial, under a key of their own, up to the
 * limit; the final reason names every attempt. Failures of the model are
 * never retried.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slurm/slurm_errno.h>

#include "mock_slurm.h"
#include "retry.h"
#include "state.h"
#include "test_util.h"

/* End the trial's current job in @p state and poll once. */
static wjr_trial_status end_job(tu_fixture *f, int64_t index, uint32_t state, int requeue)
{
    const wjr_trial_info *t = wjr_runner_trial(f->runner, index);
    mock_job *j = mock_lookup(t->run.job_id);

    assert_non_null(j);
    j->requeue = requeue;
    assert_int_equal(mock_set_state(t->run.job_id, state, 0, 9), 0);
    return tu_poll_one(f, index);
}

static void classification(void **state)
{
    (void)state;
    assert_true(wjr_retry_is_infrastructure(WJR_JOB_NODE_FAIL));
    assert_true(wjr_retry_is_infrastructure(WJR_JOB_BOOT_FAIL));
    assert_true(wjr_retry_is_infrastructure(WJR_JOB_PREEMPTED));
    assert_true(wjr_retry_is_infrastructure(WJR_JOB_FAILED | WJR_JOBF_LAUNCH_FAILED));
    assert_false(wjr_retry_is_infrastructure(WJR_JOB_FAILED));
    assert_false(wjr_retry_is_infrastructure(WJR_JOB_OOM));
    assert_false(wjr_retry_is_infrastructure(WJR_JOB_TIMEOUT));
    assert_false(wjr_retry_is_infrastructure(WJR_JOB_CANCELLED));
    assert_false(wjr_retry_is_infrastructure(WJR_JOB_DEADLINE));
    assert_false(wjr_retry_is_infrastructure(WJR_JOB_COMPLETE));
}

static void node_fail_is_retried_then_fails_naming_each_attempt(void **state)
{
    tu_fixture *f = *state;
    const wjr_trial_info *t;
    char first[32], second[32];

    tu_runner(f, NULL, NULL); /* default: 2 retries */
    t = tu_run(f, 0, "{\"x\": 1}");
    snprintf(first, sizeof(first), "%s", t->run.job_id);
    assert_int_equal(end_job(f, 0, WJR_JOB_NODE_FAIL, 0), WJR_TRIAL_RUNNING);
    assert_int_equal(mock_submission_count(), 2);
    assert_string_equal(tu_last_sub()->name, "wjr-" TU_STUDY "-0-r1");
    t = wjr_runner_trial(f->runner, 0);
    assert_string_not_equal(t->run.job_id, first);
    snprintf(second, sizeof(second), "%s", t->run.job_id);
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_RUNNING);
    assert_int_equal(t->attempt, 2);

    assert_int_equal(end_job(f, 0, WJR_JOB_BOOT_FAIL, 0), WJR_TRIAL_RUNNING);
    assert_int_equal(mock_submission_count(), 3);
    assert_string_equal(tu_last_sub()->name, "wjr-" TU_STUDY "-0-r2");
    assert_int_equal(end_job(f, 0, WJR_JOB_NODE_FAIL, 0), WJR_TRIAL_FAILED);
    assert_int_equal(mock_submission_count(), 3);
    t = wjr_runner_trial(f->runner, 0);
    assert_non_null(strstr(t->reason, "attempt 1: job "));
    assert_non_null(strstr(t->reason, first));
    assert_non_null(strstr(t->reason, "NODE_FAIL; attempt 2: job "));
    assert_non_null(strstr(t->reason, second));
    assert_non_null(strstr(t->reason, "BOOT_FAIL; attempt 3: Slurm state NODE_FAIL"));
    assert_true(tu_log_find(&f->log, WJR_LOG_WARNING, 0, "a failure of the cluster") >= 0);
}

static void model_failures_are_not_retried(void **state)
{
    tu_fixture *f = *state;
    const uint32_t states[] = {WJR_JOB_FAILED, WJR_JOB_OOM, WJR_JOB_TIMEOUT, WJR_JOB_CANCELLED};
    int64_t i;

    tu_runner(f, NULL, NULL);
    for (i = 0; i < 4; i++) {
        tu_run(f, i, "{}");
        assert_true(wjr_trial_status_is_terminal(end_job(f, i, states[i], 0)));
    }
    assert_int_equal(mock_submission_count(), 4);
}

static void preemption_with_requeue_waits_without_it_retries(void **state)
{
    tu_fixture *f = *state;

    tu_runner(f, NULL, NULL);
    tu_run(f, 0, "{}");
    assert_int_equal(end_job(f, 0, WJR_JOB_PREEMPTED, 1), WJR_TRIAL_RUNNING);
    assert_int_equal(mock_submission_count(), 1);
    assert_int_equal(end_job(f, 0, WJR_JOB_PREEMPTED, 0), WJR_TRIAL_RUNNING);
    assert_int_equal(mock_submission_count(), 2);
    assert_int_equal(end_job(f, 0, WJR_JOB_COMPLETE, 0), WJR_TRIAL_COMPLETED);
    assert_null(wjr_runner_trial(f->runner, 0)->reason);
}

static void an_array_task_is_retried_alone(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec specs[] = {{4, "{}"}, {5, "{}"}};
    const wjr_trial_info *t;

    tu_runner(f, NULL, NULL);
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 2), 0);
    assert_int_equal(tu_poll_one(f, 5), WJR_TRIAL_RUNNING);
    t = wjr_runner_trial(f->runner, 5);
    assert_int_equal(end_job(f, 5, WJR_JOB_NODE_FAIL, 0), WJR_TRIAL_RUNNING);
    assert_int_equal(mock_submission_count(), 2);
    assert_string_equal(tu_last_sub()->name, "wjr-" TU_STUDY "-5-r1");
    assert_null(tu_last_sub()->array_inx);
    assert_int_equal(t->run.array_task_id, WJR_NO_TASK);
    assert_int_equal(tu_poll_one(f, 4), WJR_TRIAL_RUNNING);
}

static void no_retries_when_set_to_zero(void **state)
{
    tu_fixture *f = *state;

    tu_runner(f, NULL, NULL);
    wjr_runner_set_infrastructure_retries(f->runner, 0);
    tu_run(f, 0, "{}");
    assert_int_equal(end_job(f, 0, WJR_JOB_NODE_FAIL, 0), WJR_TRIAL_FAILED);
    assert_int_equal(mock_submission_count(), 1);
}

static void refused_resubmission_fails_the_trial(void **state)
{
    tu_fixture *f = *state;
    const wjr_trial_info *t;

    tu_runner(f, NULL, NULL);
    tu_run(f, 0, "{}");
    mock_fail(MOCK_RPC_SUBMIT, 1, ESLURM_INVALID_ACCOUNT);
    assert_int_equal(end_job(f, 0, WJR_JOB_NODE_FAIL, 0), WJR_TRIAL_FAILED);
    t = wjr_runner_trial(f->runner, 0);
    assert_non_null(strstr(t->reason, "attempt 1: job "));
    assert_non_null(strstr(t->reason, "resubmission refused"));
}

static void retries_survive_to_json(void **state)
{
    tu_fixture *f = *state;
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    wjr_runner *back = NULL;
    const wjr_trial_info *t;
    char *text = NULL;

    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    wjr_runner_set_infrastructure_retries(f->runner, 1);
    tu_run(f, 0, "{}");
    assert_int_equal(end_job(f, 0, WJR_JOB_NODE_FAIL, 0), WJR_TRIAL_RUNNING);
    assert_int_equal(wjr_runner_to_json(&text, f->runner), 0);
    ro.log = tu_log_fn;
    ro.log_payload = &f->log;
    assert_int_equal(wjr_runner_from_json(&back, text, &ro), 0);
    free(text);
    /* the limit came back too: one retry done, none left */
    wjr_runner_free(f->runner);
    f->runner = back;
    assert_int_equal(end_job(f, 0, WJR_JOB_NODE_FAIL, 0), WJR_TRIAL_FAILED);
    assert_int_equal(mock_submission_count(), 2);
    t = wjr_runner_trial(f->runner, 0);
    assert_non_null(strstr(t->reason, "attempt 1: job 1000 NODE_FAIL; attempt 2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classification),
        cmocka_unit_test_setup_teardown(node_fail_is_retried_then_fails_naming_each_attempt,
                                        tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(model_failures_are_not_retried, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(preemption_with_requeue_waits_without_it_retries, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(an_array_task_is_retried_alone, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(no_retries_when_set_to_zero, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(refused_resubmission_fails_the_trial, tu_setup,
                                        tu_teardown),
        cmocka_unit_test_setup_teardown(retries_survive_to_json, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
