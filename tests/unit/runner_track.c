/*
 * runner_track.c - tests of the WrappedJobRunner (src/runner*.c) after
 * submission, over the Slurm backend (src/backend_slurm.c) and the mocked
 * controller: the RPC count per poll (constant in the number of trials),
 * stale polls, bad poll indices, jobs the controller forgot (settled by the
 * exit record, by accounting, or lost), stop() of jobs and array tasks,
 * to_json/from_json round trip and refusal of bad input, and the capture
 * of the hooks' output into the log. Submission itself is tested in
 * runner_submit.c.
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

/* ---- polling ---------------------------------------------------------------- */

static void test_poll_rpc_count_constant(void **state)
{
    tu_fixture *f = *state;
    const size_t sizes[] = {1, 100, 10000};
    uint64_t per_poll[3], expect;
    size_t k, i;

    for (k = 0; k < 3; k++) {
        size_t n = sizes[k], submitted = 0;
        wjr_trial_spec *specs = tu_make_specs(n, 0);
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

/* A failed trial's reason ends with the last line its job wrote to
 * stderr, in its trial directory (an array task's from logs/ when it
 * wrote nothing there: slurmstepd's); blank lines are skipped, control
 * bytes made spaces, a long line cut after a whole character; R's error
 * line stands in for its closing "Execution halted". */
static void test_failure_shows_stderr(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec *specs = tu_make_specs(2, 10);
    const wjr_trial_info *t;
    char name[96], long_line[400], *path;
    const char *reason;

    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    t = tu_run(f, 0, "{}");
    snprintf(name, sizeof(name), "000000/slurm-%s.err", t->run.job_id);
    path = tu_path(f->dir, name);
    tu_write(path, "Traceback (most recent call last):\n  File \"model.py\"\n"
                   "ZeroDivisionError: \x1b[31mdivision\tby zero \xc3\xa9\xff\r\n\n   \n");
    free(path);
    assert_int_equal(mock_set_state(t->run.job_id, WJR_JOB_FAILED, 1, 0), 0);
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_FAILED);
    reason = wjr_runner_trial(f->runner, 0)->reason;
    assert_string_equal(reason, "Slurm state FAILED, exit code 1; stderr: ZeroDivisionError:  "
                                "[31mdivision by zero \xc3\xa9\xff");

    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 2), 0);
    t = wjr_runner_trial(f->runner, 11);
    assert_non_null(strchr(t->run.job_id, '_'));
    snprintf(name, sizeof(name), "000011/slurm-%s.err", t->run.job_id);
    path = tu_path(f->dir, name);
    long_line[0] = 'x'; /* then 2-byte characters, one of them across the cut */
    for (size_t k = 1; k + 2 < sizeof(long_line); k += 2)
        memcpy(long_line + k, "\xc3\xa9", 2);
    long_line[sizeof(long_line) - 1] = '\0';
    tu_write(path, long_line);
    free(path);
    /* slurmstepd's lines of a task, before the script's own, are in logs/ */
    snprintf(name, sizeof(name), "logs/slurm-%s.err", wjr_runner_trial(f->runner, 10)->run.job_id);
    path = tu_path(f->dir, name);
    tu_write(path, "slurmstepd: error: *** JOB 7 CANCELLED AT 2026-12-03T06:00:00 ***\n");
    free(path);
    assert_int_equal(mock_set_state(t->run.job_id, WJR_JOB_FAILED, 2, 0), 0);
    assert_int_equal(tu_poll_one(f, 11), WJR_TRIAL_FAILED);
    reason = wjr_runner_trial(f->runner, 11)->reason;
    assert_non_null(strstr(reason, "exit code 2; stderr: x\xc3\xa9\xc3\xa9"));
    assert_true(strlen(reason) < 250);
    assert_string_equal(reason + strlen(reason) - 5, "\xc3\xa9...");
    t = wjr_runner_trial(f->runner, 10);
    assert_int_equal(mock_set_state(t->run.job_id, WJR_JOB_TIMEOUT, 0, 15), 0);
    assert_int_equal(tu_poll_one(f, 10), WJR_TRIAL_FAILED);
    assert_non_null(strstr(wjr_runner_trial(f->runner, 10)->reason,
                           "TIMEOUT, exit code 0, signal 15; stderr: slurmstepd: error: *** JOB 7 "
                           "CANCELLED AT 2026-12-03T06:00:00 ***"));
    /* R ends with "Execution halted": its error line above says why */
    t = tu_run(f, 2, "{}");
    snprintf(name, sizeof(name), "000002/slurm-%s.err", t->run.job_id);
    path = tu_path(f->dir, name);
    tu_write(path, "Error in file(file, \"rt\") : cannot open the connection\n"
                   "Calls: read.csv -> read.table -> file\nIn addition: Warning message:\n"
                   "In file(file, \"rt\") :\n  cannot open file 'x.csv': No such file\n"
                   "Execution halted\n");
    free(path);
    assert_int_equal(mock_set_state(t->run.job_id, WJR_JOB_FAILED, 1, 0), 0);
    assert_int_equal(tu_poll_one(f, 2), WJR_TRIAL_FAILED);
    assert_string_equal(wjr_runner_trial(f->runner, 2)->reason,
                        "Slurm state FAILED, exit code 1; stderr: Error in file(file, \"rt\") : "
                        "cannot open the connection");
    /* no stderr file: the reason as it was */
    t = tu_run(f, 1, "{}");
    assert_int_equal(mock_set_state(t->run.job_id, WJR_JOB_FAILED, 2, 0), 0);
    assert_int_equal(tu_poll_one(f, 1), WJR_TRIAL_FAILED);
    assert_string_equal(wjr_runner_trial(f->runner, 1)->reason, "Slurm state FAILED, exit code 2");
    free(specs);
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
    wjr_trial_spec *specs = tu_make_specs(2, 10);
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
    wjr_trial_spec *specs = tu_make_specs(5, 10);
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
    wjr_trial_spec *specs = tu_make_specs(2, 4), spec;
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
        T(test_poll_rpc_count_constant),
        T(test_poll_failure_is_stale),
        T(test_vanished_exit_record),
        T(test_failure_shows_stderr),
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
