/*
 * stop_many.c - tests of wjr_runner_stop_many() over the fake controller:
 * many trials are cancelled with one request per job array (its tasks as
 * ranges) and per single job, or with one request in all where libslurm
 * has slurm_kill_jobs (24.05 and later); only the trials asked for are
 * cancelled, terminal ones are left alone, the state is checkpointed once,
 * and a refused cancel marks nothing.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slurm/slurm_errno.h>

#include "mock_slurm.h"
#include "state.h"
#include "test_util.h"

#define HAS_KILL_JOBS (SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(24, 5, 0))

static int checkpoints;

static int count_checkpoint(wjr_runner *r, void *payload)
{
    (void)r;
    (void)payload;
    checkpoints++;
    return 0;
}

/* A runner whose checkpoints are counted, with trials 0-9 as one array and
 * trials 10-12 as single jobs. */
static void start(tu_fixture *f)
{
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    wjr_backend *backend = NULL;
    wjr_trial_spec specs[10];
    size_t i, submitted = 0;

    assert_int_equal(wjr_backend_slurm_new(&backend, NULL), 0);
    ro.experiment_dir = f->dir;
    ro.study_id = TU_STUDY;
    ro.log = tu_log_fn;
    ro.log_payload = &f->log;
    ro.checkpoint = count_checkpoint;
    assert_int_equal(wjr_runner_new(&f->runner, backend, tu_plain_wrapper("true"), &ro), 0);
    wjr_runner_set_lookup_wait(f->runner, 0);
    for (i = 0; i < 10; i++) {
        specs[i].index = (int64_t)i;
        specs[i].params_json = "{}";
    }
    assert_int_equal(wjr_runner_run_multiple(&submitted, f->runner, specs, 10), 0);
    assert_int_equal(submitted, 10);
    for (i = 10; i < 13; i++)
        tu_run(f, (int64_t)i, "{}");
    checkpoints = 0;
}

static uint32_t slurm_state_of(tu_fixture *f, int64_t index)
{
    const wjr_trial_info *t = wjr_runner_trial(f->runner, index);
    mock_job *j = mock_lookup(t->run.job_id);

    assert_non_null(j);
    return j->state & WJR_JOB_STATE_BASE;
}

static void test_all_in_few_requests(void **state)
{
    tu_fixture *f = *state;
    size_t stopped = 0;
    uint64_t kills;
    int64_t i;

    start(f);
    kills = mock_rpc_count(MOCK_RPC_KILL);
    assert_int_equal(wjr_runner_stop_many(&stopped, f->runner, NULL, 0, "enough"), 0);
    assert_int_equal(stopped, 13);
    /* one request for all of it, or one for the array and one per job */
    assert_int_equal(mock_rpc_count(MOCK_RPC_KILL) - kills, HAS_KILL_JOBS ? 1 : 4);
    assert_int_equal(checkpoints, 1);
    for (i = 0; i < 13; i++) {
        const wjr_trial_info *t = wjr_runner_trial(f->runner, i);
        assert_int_equal(t->status, WJR_TRIAL_ABANDONED);
        assert_string_equal(t->reason, "enough");
        assert_int_equal(slurm_state_of(f, i), WJR_JOB_CANCELLED);
    }
    /* again: nothing left to stop, no request */
    kills = mock_rpc_count(MOCK_RPC_KILL);
    assert_int_equal(wjr_runner_stop_many(&stopped, f->runner, NULL, 0, NULL), 0);
    assert_int_equal(stopped, 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_KILL), kills);
}

/* Tasks 0-2, 5 and 7 of the array and job 11: the array's tasks go as one
 * range expression; the others keep running. */
static void test_only_those_asked(void **state)
{
    tu_fixture *f = *state;
    const int64_t which[] = {7, 0, 1, 2, 5, 11, 5};
    char want[64];
    size_t stopped = 0;
    int64_t i;

    start(f);
    /* trial 12 already ended: listed or not, it is no work */
    assert_int_equal(
        mock_set_state(wjr_runner_trial(f->runner, 12)->run.job_id, WJR_JOB_COMPLETE, 0, 0), 0);
    assert_int_equal(tu_poll_one(f, 12), WJR_TRIAL_COMPLETED);
    checkpoints = 0;
    assert_int_equal(wjr_runner_stop_many(&stopped, f->runner, which, 7, "picked"), 0);
    assert_int_equal(stopped, 6);
    assert_int_equal(checkpoints, 1);
    for (i = 0; i < 13; i++) {
        int picked = i <= 2 || i == 5 || i == 7 || i == 11;
        const wjr_trial_info *t = wjr_runner_trial(f->runner, i);
        if (i == 12) {
            assert_int_equal(t->status, WJR_TRIAL_COMPLETED);
            continue;
        }
        assert_int_equal(t->status, picked ? WJR_TRIAL_ABANDONED : WJR_TRIAL_RUNNING);
        assert_int_equal(slurm_state_of(f, i), picked ? WJR_JOB_CANCELLED : WJR_JOB_PENDING);
    }
    /* the array's expression comes first (job ids sort it first) */
    snprintf(want, sizeof(want), "%u_[0-2,5,7]",
             (unsigned)wjr_runner_trial(f->runner, 0)->run.array_job_id);
    if (HAS_KILL_JOBS)
        assert_string_equal(mock_last_kill(), want);
    else
        assert_string_equal(mock_last_kill(), wjr_runner_trial(f->runner, 11)->run.job_id);
}

/* An unreachable controller: an error, and no trial is marked. */
static void test_refused_marks_nothing(void **state)
{
    tu_fixture *f = *state;
    size_t stopped = 7;
    int64_t i;

    start(f);
    mock_fail(MOCK_RPC_KILL, 1, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR);
    assert_true(wjr_runner_stop_many(&stopped, f->runner, NULL, 0, "x") < 0);
    assert_non_null(strstr(wjr_error_last(), "cannot stop 13 trial(s)"));
    assert_int_equal(stopped, 0);
    assert_int_equal(checkpoints, 0);
    for (i = 0; i < 13; i++)
        assert_int_equal(wjr_runner_trial(f->runner, i)->status, WJR_TRIAL_RUNNING);
    /* an unknown index stops nothing either */
    i = 99;
    assert_int_equal(wjr_runner_stop_many(&stopped, f->runner, &i, 1, "x"), WJR_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_all_in_few_requests, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_only_those_asked, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(test_refused_marks_nothing, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
