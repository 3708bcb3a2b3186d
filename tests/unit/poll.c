/*
 * poll.c - what a poll must find and what it must save (src/runner.c:
 * find_record, task_str_has, wjr_runner_poll).
 *
 * Guards two mutations:
 *  - "packed pending records": the array's one record of packed pending
 *    tasks taken for any task of the array, without checking that the
 *    task is in its task string. A task that ran and was purged while its
 *    siblings are still pending would then stay RUNNING forever.
 *    The task strings are read as libslurm writes them: ranges, lists and
 *    steps ("0-8:2,9%2"), so a task between two steps is not pending.
 *  - "no checkpoint after a poll changed statuses": a poll that made a
 *    trial terminal (from slurmctld, an exit record or accounting) must
 *    call the checkpoint, and a failing checkpoint fails the poll; a poll
 *    that changed nothing writes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mock_slurm.h"
#include "state.h"
#include "test_util.h"

static wjr_trial_spec specs6[6] = {{0, "{}"}, {1, "{}"}, {2, "{}"},
                                   {3, "{}"}, {4, "{}"}, {5, "{}"}};

/* Submit trials 0-5 as one array throttled to 2: one packed record. */
static uint32_t submit_throttled(tu_fixture *f)
{
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;

    so.array_throttle = 2;
    tu_runner(f, NULL, &so);
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs6, 6), 0);
    assert_int_equal(mock_job_count(), 1);
    assert_int_equal(mock_job_at(0)->n_pending, 6);
    return mock_job_at(0)->job_id;
}

/* Task @p task starts, ends COMPLETED and is purged; its siblings stay. */
static void run_and_purge(uint32_t array_id, unsigned task)
{
    char id[32];

    snprintf(id, sizeof(id), "%u_%u", array_id, task);
    assert_int_equal(mock_set_state(id, WJR_JOB_COMPLETE, 0, 0), 0);
    assert_int_equal(mock_purge(id), 0);
}

/* No exit record and no accounting: tasks 0 and 2 are lost (FAILED), not
 * RUNNING behind the packed record "1,3-5%2" of their siblings. */
static void test_purged_task_next_to_pending(void **state)
{
    tu_fixture *f = *state;
    wjr_poll_result *res = NULL;
    uint32_t array_id = submit_throttled(f);
    size_t i;

    run_and_purge(array_id, 0);
    run_and_purge(array_id, 2);
    assert_int_equal(mock_job_count(), 1);
    assert_int_equal(mock_job_at(0)->n_pending, 4);

    assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
    assert_int_equal(res->count, 6);
    for (i = 0; i < 6; i++)
        assert_int_equal(res->statuses[i], i == 0 || i == 2 ? WJR_TRIAL_FAILED : WJR_TRIAL_RUNNING);
    wjr_poll_result_free(res);
    assert_non_null(strstr(wjr_runner_trial(f->runner, 0)->reason, "lost"));
    assert_non_null(strstr(wjr_runner_trial(f->runner, 2)->reason, "lost"));
    assert_string_equal(wjr_runner_trial(f->runner, 3)->slurm_state, "PENDING");
}

/* With accounting, the purged task gets its real outcome, its pending
 * siblings stay RUNNING. */
static void test_purged_task_from_accounting(void **state)
{
    tu_fixture *f = *state;
    int64_t now = (int64_t)time(NULL);
    uint32_t array_id;

    mock_set_accounting(1);
    array_id = submit_throttled(f);
    run_and_purge(array_id, 0);
    mock_add_acct(array_id + 50, array_id, 0, "wjr-" TU_STUDY "-a0", WJR_JOB_COMPLETE, 0, 0, now,
                  now);
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_COMPLETED);
    assert_int_equal(mock_rpc_count(MOCK_RPC_DB_JOBS), 1);
    assert_int_equal(tu_poll_one(f, 1), WJR_TRIAL_RUNNING);
    assert_int_equal(tu_poll_one(f, 5), WJR_TRIAL_RUNNING);
}

/* Task strings with steps: tasks 1, 3, 5 and 7 ran and were purged, the
 * rest wait as "0-8:2,9%2". The purged ones are lost, not pending. */
static void test_purged_tasks_between_steps(void **state)
{
    tu_fixture *f = *state;
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    wjr_trial_spec specs[10];
    wjr_poll_result *res = NULL;
    uint32_t array_id;
    unsigned task;
    size_t i;

    for (i = 0; i < 10; i++) {
        specs[i].index = (int64_t)i;
        specs[i].params_json = "{}";
    }
    mock_set_task_str_steps(1);
    so.array_throttle = 2;
    tu_runner(f, NULL, &so);
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 10), 0);
    array_id = mock_job_at(0)->job_id;
    for (task = 1; task < 8; task += 2)
        run_and_purge(array_id, task);
    assert_int_equal(mock_job_at(0)->n_pending, 6);

    assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
    assert_int_equal(res->count, 10);
    for (i = 0; i < 10; i++)
        if (res->statuses[i] != (i % 2 == 1 && i < 8 ? WJR_TRIAL_FAILED : WJR_TRIAL_RUNNING))
            fail_msg("trial %zu is %s", i, wjr_trial_status_name(res->statuses[i]));
    wjr_poll_result_free(res);
}

/* An index listed twice is polled once: one verdict, one log record. */
static void test_index_listed_twice(void **state)
{
    tu_fixture *f = *state;
    const int64_t twice[] = {0, 0};
    wjr_poll_result *res = NULL;
    size_t i, completed = 0;

    tu_runner(f, NULL, NULL);
    tu_run(f, 0, "{}");
    assert_int_equal(
        mock_set_state(wjr_runner_trial(f->runner, 0)->run.job_id, WJR_JOB_COMPLETE, 0, 0), 0);
    assert_int_equal(wjr_runner_poll(&res, f->runner, twice, 2), 0);
    assert_int_equal(res->statuses[0], WJR_TRIAL_COMPLETED);
    wjr_poll_result_free(res);
    for (i = 0; i < f->log.count; i++)
        if (f->log.records[i].trial == 0 && strstr(f->log.records[i].message, "COMPLETED"))
            completed++;
    assert_int_equal(completed, 1);
}

/* ---- checkpoints --------------------------------------------------------- */

typedef struct ckpt {
    int calls;
    int fail;
    wjr_trial_status seen; /* trial 0's status at the last call */
} ckpt;

static int count_checkpoint(wjr_runner *r, void *payload)
{
    ckpt *c = payload;
    const wjr_trial_info *t = wjr_runner_trial(r, 0);

    c->calls++;
    c->seen = t ? t->status : WJR_TRIAL_CANDIDATE;
    return c->fail ? WJR_EIO : 0;
}

static void checkpointed_runner(tu_fixture *f, ckpt *c)
{
    assert_int_equal(tu_runner_checkpointed(f, NULL, NULL, count_checkpoint, c), 0);
}

/* A status change seen in slurmctld's answer is saved before the poll
 * returns, and the save sees the new status. */
static void test_checkpoint_after_change(void **state)
{
    tu_fixture *f = *state;
    ckpt c = {0, 0, WJR_TRIAL_CANDIDATE};
    wjr_poll_result *res = NULL;
    int before;

    checkpointed_runner(f, &c);
    tu_run(f, 0, "{}");
    before = c.calls;
    assert_true(before > 0);
    /* nothing changed: nothing to save */
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_RUNNING);
    assert_int_equal(c.calls, before);

    assert_int_equal(
        mock_set_state(wjr_runner_trial(f->runner, 0)->run.job_id, WJR_JOB_COMPLETE, 0, 0), 0);
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_COMPLETED);
    assert_int_equal(c.calls, before + 1);
    assert_int_equal(c.seen, WJR_TRIAL_COMPLETED);

    /* a failing checkpoint fails the poll that needed it */
    tu_run(f, 1, "{}");
    assert_int_equal(
        mock_set_state(wjr_runner_trial(f->runner, 1)->run.job_id, WJR_JOB_FAILED, 1, 0), 0);
    c.fail = 1;
    before = c.calls;
    assert_true(wjr_runner_poll(&res, f->runner, NULL, 0) < 0);
    assert_null(res);
    assert_int_equal(c.calls, before + 1);
}

/* A job slurmctld forgot, settled through accounting, is saved too. */
static void test_checkpoint_after_accounting(void **state)
{
    tu_fixture *f = *state;
    ckpt c = {0, 0, WJR_TRIAL_CANDIDATE};
    int64_t now = (int64_t)time(NULL);
    uint32_t id;
    int before;

    mock_set_accounting(1);
    checkpointed_runner(f, &c);
    id = tu_run(f, 0, "{}")->run.slurm_job_id;
    mock_purge_all();
    mock_add_acct(id, 0, MOCK_NO_TASK, "wjr-" TU_STUDY "-0", WJR_JOB_TIMEOUT, 0, 15, now, now);
    before = c.calls;
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_FAILED);
    assert_int_equal(c.calls, before + 1);
    assert_int_equal(c.seen, WJR_TRIAL_FAILED);
}

/* A job nobody knows any more is marked lost, and that is saved too. */
static void test_checkpoint_after_lost(void **state)
{
    tu_fixture *f = *state;
    ckpt c = {0, 0, WJR_TRIAL_CANDIDATE};
    int before;

    checkpointed_runner(f, &c);
    tu_run(f, 0, "{}");
    mock_purge_all();
    before = c.calls;
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_FAILED);
    assert_int_equal(c.calls, before + 1);
    assert_int_equal(c.seen, WJR_TRIAL_FAILED);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_purged_task_next_to_pending), T(test_purged_task_from_accounting),
        T(test_purged_tasks_between_steps),  T(test_index_listed_twice),
        T(test_checkpoint_after_change),     T(test_checkpoint_after_accounting),
        T(test_checkpoint_after_lost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
