/*
 * poll_timeout.c - tests the bounded wait of a poll: a controller that
 * does not answer within rpc_timeout gives a stale poll at once, never a
 * terminal trial; while that query is still out, the next poll fails fast
 * instead of piling a second query onto slurmctld; once it returns, polls
 * work again; and a runner freed while a query is out leaks nothing.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mock_slurm.h"
#include "test_util.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void fixture_runner(tu_fixture *f)
{
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;

    so.partition = "debug";
    so.rpc_timeout = 0.2;
    tu_runner(f, NULL, &so);
}

static void test_poll_times_out(void **state)
{
    tu_fixture *f = *state;
    wjr_poll_result *res = NULL;
    double t0;

    fixture_runner(f);
    tu_run(f, 0, "{\"x\": 1}");
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_RUNNING);

    /* the controller now takes 1.2 s to answer; the runner waits 0.2 s */
    mock_set_query_delay_ms(1200);
    t0 = now();
    assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
    assert_true(now() - t0 < 1.0);
    assert_int_equal(res->stale, 1);
    assert_non_null(strstr(res->warning, "did not answer within"));
    assert_int_equal(res->count, 1);
    assert_int_equal(res->statuses[0], WJR_TRIAL_RUNNING);
    wjr_poll_result_free(res);

    /* the first query is still out: no second one is sent */
    t0 = now();
    assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
    assert_true(now() - t0 < 0.15);
    assert_int_equal(res->stale, 1);
    assert_non_null(strstr(res->warning, "has not returned yet"));
    assert_int_equal(res->statuses[0], WJR_TRIAL_RUNNING);
    wjr_poll_result_free(res);

    /* it comes back; the next poll is answered again */
    sleep_ms(1400);
    mock_set_query_delay_ms(0);
    assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
    assert_int_equal(res->stale, 0);
    assert_int_equal(res->statuses[0], WJR_TRIAL_RUNNING);
    wjr_poll_result_free(res);
}

static void test_free_while_query_out(void **state)
{
    tu_fixture *f = *state;
    wjr_poll_result *res = NULL;

    fixture_runner(f);
    tu_run(f, 0, "{\"x\": 1}");
    mock_set_query_delay_ms(500);
    assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
    assert_int_equal(res->stale, 1);
    wjr_poll_result_free(res);
    /* the worker is inside the (fake) libslurm call: freeing must not wait
     * for it nor leak; it drops its answer when the call returns */
    wjr_runner_free(f->runner);
    f->runner = NULL;
    sleep_ms(800);
    mock_set_query_delay_ms(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_poll_times_out, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_free_while_query_out, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
