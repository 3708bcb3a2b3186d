/*
 * job_times.c - unit tests of the times and attempts the runner keeps per
 * trial: the job's start time from the controller's record (never Slurm's
 * estimate for a pending job), from accounting for a purged job, and from
 * the exit record the batch script writes; the restart count; and all of
 * them through to_json/from_json.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "mock_slurm.h"
#include "state.h"
#include "test_util.h"

/* A job that starts between two polls gets its start time from slurmctld on
 * every release: where the poll reads states alone (Slurm 23.11.5 and
 * later), a changed state makes it read the whole records too; an unchanged
 * one costs the state-only query alone. */
static void test_start_while_running(void **state)
{
    tu_fixture *f = *state;
    const wjr_trial_info *t;
    mock_job *j;
    uint64_t q;
    int k;
    static const int full = MOCK_HAS_JOB_STATE ? 2 : 1;
    /* queries per poll: pending as submitted, unchanged, started, unchanged */
    const int want[4] = {1, 1, full, 1};

    tu_runner(f, NULL, NULL);
    t = tu_run(f, 0, "{}");
    j = mock_lookup(t->run.job_id);
    assert_non_null(j);
    for (k = 0; k < 4; k++) {
        if (k == 2) {
            j->state = WJR_JOB_RUNNING;
            j->start_time = 1700000111;
        }
        q = mock_rpc_count(MOCK_RPC_QUERY);
        assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_RUNNING);
        assert_int_equal(mock_rpc_count(MOCK_RPC_QUERY) - q, want[k]);
        t = wjr_runner_trial(f->runner, 0);
        assert_int_equal(t->start_time, k < 2 ? 0 : 1700000111);
    }
}

static void test_start_from_controller(void **state)
{
    tu_fixture *f = *state;
    const wjr_trial_info *t;
    mock_job *j;

    tu_runner(f, NULL, NULL);
    t = tu_run(f, 0, "{}");
    j = mock_lookup(t->run.job_id);
    assert_non_null(j);
    /* a pending job's start_time is the scheduler's guess: not a start */
    j->start_time = 1700000500;
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_RUNNING);
    assert_int_equal(wjr_runner_trial(f->runner, 0)->start_time, 0);
    j->state = WJR_JOB_RUNNING;
    j->start_time = 1700000100;
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_RUNNING);
    t = wjr_runner_trial(f->runner, 0);
    assert_int_equal(t->start_time, 1700000100);
    assert_int_equal(t->restarts, 0);
    /* requeued once, ran again, ended */
    j->restart_cnt = 1;
    j->start_time = 1700000200;
    j->state = WJR_JOB_FAILED;
    j->exit_code = 2u << 8;
    j->end_time = 1700000300;
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_FAILED);
    t = wjr_runner_trial(f->runner, 0);
    assert_int_equal(t->start_time, 1700000200);
    assert_int_equal(t->end_time, 1700000300);
    assert_int_equal(t->restarts, 1);
    assert_true(t->run.submit_time > 0);
}

static void test_start_from_accounting(void **state)
{
    tu_fixture *f = *state;
    const wjr_trial_info *t;
    mock_acct *a;
    int64_t now = (int64_t)time(NULL);
    uint32_t id;

    mock_set_accounting(1);
    tu_runner(f, NULL, NULL);
    t = tu_run(f, 0, "{}");
    id = t->run.slurm_job_id;
    mock_purge_all();
    a = mock_add_acct(id, 0, MOCK_NO_TASK, "wjr-" TU_STUDY "-0", WJR_JOB_FAILED, 4, 0, now,
                      now + 60);
    a->start_time = now + 10;
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_FAILED);
    t = wjr_runner_trial(f->runner, 0);
    assert_int_equal(t->start_time, now + 10);
    assert_int_equal(t->end_time, now + 60);
    assert_int_equal(t->exit_code, 4);
}

static void test_start_from_exit_record(void **state)
{
    tu_fixture *f = *state;
    const wjr_trial_info *t;
    char text[200], *path;

    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    t = tu_run(f, 0, "{}");
    snprintf(text, sizeof(text),
             "{\"exit_code\": 0, \"job_id\": \"%s\", \"start_time\": 1700000040, "
             "\"end_time\": 1700000090}\n",
             t->run.job_id);
    path = tu_path(f->dir, "000000/wjr_exit.json");
    tu_write(path, text);
    free(path);
    path = tu_path(f->dir, "000000/output.json");
    tu_write(path, "{\"m\": 1}");
    free(path);
    mock_purge_all();
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_COMPLETED);
    t = wjr_runner_trial(f->runner, 0);
    assert_int_equal(t->start_time, 1700000040);
    assert_int_equal(t->end_time, 1700000090);
}

/* The batch script records when the model started, before it ended. */
static void test_script_records_start(void **state)
{
    tu_fixture *f = *state;
    const mock_submission *s;
    const wjr_trial_info *t;
    const char *env[] = {NULL, NULL};
    char job_env[64], *path, *text;
    json_t *rec;
    int64_t before = (int64_t)time(NULL);

    tu_runner(f, tu_script_wrapper("sh -c 'sleep 1'", NULL), NULL);
    t = tu_run(f, 0, "{}");
    s = mock_submission_at(mock_submission_count() - 1);
    assert_non_null(s);
    snprintf(job_env, sizeof(job_env), "SLURM_JOB_ID=%s", t->run.job_id);
    env[0] = job_env;
    assert_int_equal(tu_run_script(f, s->script, env), 0);
    path = tu_path(f->dir, "000000/wjr_exit.json");
    text = tu_read(path);
    assert_non_null(text);
    rec = json_loads(text, 0, NULL);
    assert_non_null(rec);
    assert_true(json_integer_value(json_object_get(rec, "start_time")) >= before);
    assert_true(json_integer_value(json_object_get(rec, "end_time")) >=
                json_integer_value(json_object_get(rec, "start_time")) + 1);
    json_decref(rec);
    free(text);
    free(path);
}

static void test_times_round_trip(void **state)
{
    tu_fixture *f = *state;
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;
    wjr_runner *back = NULL;
    const wjr_trial_info *t;
    char *text = NULL;
    mock_job *j;

    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    t = tu_run(f, 3, "{}");
    j = mock_lookup(t->run.job_id);
    j->state = WJR_JOB_RUNNING;
    j->start_time = 1700000777;
    j->restart_cnt = 2;
    assert_int_equal(tu_poll_one(f, 3), WJR_TRIAL_RUNNING);
    assert_int_equal(wjr_runner_to_json(&text, f->runner), 0);
    assert_non_null(strstr(text, "\"start_time\":1700000777"));
    ro.log = tu_log_fn;
    ro.log_payload = &f->log;
    assert_int_equal(wjr_runner_from_json(&back, text, &ro), 0);
    t = wjr_runner_trial(back, 3);
    assert_non_null(t);
    assert_int_equal(t->start_time, 1700000777);
    assert_int_equal(t->restarts, 2);
    wjr_runner_free(back);
    free(text);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_start_from_controller),  T(test_start_from_accounting),
        T(test_start_from_exit_record), T(test_script_records_start),
        T(test_times_round_trip),       T(test_start_while_running),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
