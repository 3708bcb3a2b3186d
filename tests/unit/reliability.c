/*
 * reliability.c - the smaller defects of a reliability audit, each pinned:
 * integer overflow in Slurm time and memory texts, int bounds and
 * num_trials sums, rpc_timeout read from a study's state; an error message
 * built from the previous one; a repeated "trials" key; folder syncing
 * that reports its errors; hooks with a time limit, stopped by
 * wjr_interrupt(), with close-on-exec pipes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include <slurm/slurm.h>

#include "backend.h"
#include "jsontext.h"
#include "mock_slurm.h"
#include "proc.h"
#include "slurm_values.h"
#include "test_util.h"
#include "util.h"

/* ---- integers ---------------------------------------------------------------- */

static void test_slurm_time_overflow(void **state)
{
    uint32_t m = 0;

    (void)state;
    /* found by fuzzing: strtol saturates at LONG_MAX with ERANGE */
    assert_int_equal(wjr_slurm_parse_time(&m, "02:03:09999999999999999994"), WJR_EINVALID);
    assert_int_equal(wjr_slurm_parse_time(&m, "99999999999999999999"), WJR_EINVALID);
    assert_int_equal(wjr_slurm_parse_time(&m, "9999999999-0"), WJR_EINVALID);
    assert_int_equal(wjr_slurm_parse_time(&m, "4294967295"), WJR_EINVALID);
    /* what Slurm reads stays as it was */
    assert_int_equal(wjr_slurm_parse_time(&m, "1-02:03:04"), 0);
    assert_int_equal(m, 1 * 1440 + 2 * 60 + 3 + 1);
    assert_int_equal(wjr_slurm_parse_time(&m, "90"), 0);
    assert_int_equal(m, 90);
    assert_int_equal(wjr_slurm_parse_time(&m, "999999999"), 0);
    assert_int_equal(m, 999999999u);
}

static void test_slurm_mem_overflow(void **state)
{
    uint64_t mb = 0;

    (void)state;
    assert_int_equal(wjr_slurm_parse_mem(&mb, "99999999999999999999999"), WJR_EINVALID);
    assert_int_equal(wjr_slurm_parse_mem(&mb, "18014398509481984T"), WJR_EINVALID);
    assert_int_equal(wjr_slurm_parse_mem(&mb, "4G"), 0);
    assert_int_equal(mb, 4096);
}

static void test_rpc_timeout_bounds(void **state)
{
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    wjr_backend *b = NULL;

    (void)state;
    so.rpc_timeout = 1e300;
    assert_int_equal(wjr_backend_slurm_new(&b, &so), WJR_ECONFIG);
    assert_null(b);
    so.rpc_timeout = -1;
    assert_int_equal(wjr_backend_slurm_new(&b, &so), WJR_ECONFIG);
    /* and from a study's saved state */
    assert_true(wjr_backend_from_json(&b, "slurm", "{\"rpc_timeout\": 1e300}") < 0);
    assert_null(b);
    assert_int_equal(wjr_backend_from_json(&b, "slurm", "{\"rpc_timeout\": 12.5}"), 0);
    wjr_backend_free(b);
}

/* Load a configuration text; returns the error code (0: loaded). */
static int load_config(const char *text)
{
    char *dir = tu_mkdtemp(), *path = tu_path(dir, "c.cfg");
    wjr_study_config *cfg = NULL;
    int rc;

    tu_write(path, text);
    rc = wjr_study_config_load(&cfg, path);
    wjr_study_config_free(cfg);
    tu_rm_rf(dir);
    free(path);
    free(dir);
    return rc;
}

static void test_int_bounds_and_trial_sums(void **state)
{
    static const char tail[] =
        "script_options = { run_model = \"true\"; experiment_dir = \"runs\"; };\n";
    char text[1024];

    (void)state;
    snprintf(text, sizeof(text),
             "parameters = { n = { type = \"range\"; bounds = [0.0, 1e300]; "
             "value_type = \"int\"; }; };\n%s",
             tail);
    assert_int_equal(load_config(text), WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "2^53"));
    snprintf(text, sizeof(text),
             "parameters = { n = { type = \"range\"; bounds = [0, 100]; }; };\n"
             "generation_strategy = { steps = ( { model = \"SOBOL\"; num_trials = "
             "9223372036854775807L; }, { model = \"SOBOL\"; num_trials = 9223372036854775807L; "
             "} ); };\n%s",
             tail);
    assert_int_equal(load_config(text), WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "add up"));
    /* in range: loads */
    snprintf(text, sizeof(text),
             "parameters = { n = { type = \"range\"; bounds = [0L, 9007199254740992L]; }; };\n%s",
             tail);
    if (load_config(text) != 0)
        fail_msg("%s", wjr_error_last());
}

/* ---- messages, JSON, files ----------------------------------------------------- */

static void test_error_from_previous_message(void **state)
{
    (void)state;
    wjr_error_set(WJR_EIO, "cannot write /a/very/long/path/of/some/length/study.json: No space");
    wjr_error_set(WJR_ERROR, "checkpoint: %s (and more)", wjr_error_last());
    assert_string_equal(wjr_error_last(), "checkpoint: cannot write /a/very/long/path/of/some/"
                                          "length/study.json: No space (and more)");
}

static void test_repeated_trials_key(void **state)
{
    tu_fixture *f = *state;
    char *text = NULL, *twice, *at;
    wjr_runner *back = NULL;

    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    tu_run(f, 0, "{}");
    assert_int_equal(wjr_runner_to_json(&text, f->runner), 0);
    /* a second "trials" list after the first: refused, and nothing leaks */
    at = strrchr(text, '}');
    assert_non_null(at);
    twice = wjr_asprintf("%.*s, \"trials\": [{\"index\": 5, \"status\": \"CANDIDATE\"}]}",
                         (int)(at - text), text);
    assert_int_equal(wjr_runner_from_json(&back, twice, NULL), WJR_EINVALID);
    assert_null(back);
    assert_non_null(strstr(wjr_error_last(), "twice"));
    free(twice);
    /* found by fuzzing: without "study_id" a new id was made up, and the
     * trials' keys no longer named their jobs */
    at = strstr(text, "\"study_id\"");
    assert_non_null(at);
    at[1] = 'S';
    assert_int_equal(wjr_runner_from_json(&back, text, NULL), WJR_EINVALID);
    assert_null(back);
    assert_non_null(strstr(wjr_error_last(), "no study_id"));
    free(text);
}

static void test_fsync_parent_reports(void **state)
{
    tu_fixture *f = *state;
    char *path = tu_path(f->dir, "x.json");

    assert_int_equal(wjr_fsync_parent(path), 0);
    assert_int_equal(wjr_fsync_parent("/nonexistent-wjr-folder/x.json"), WJR_EIO);
    assert_non_null(strstr(wjr_error_last(), "cannot sync folder"));
    /* wjr_runner_to_json_file syncs the folder after its rename */
    tu_runner(f, NULL, NULL);
    assert_int_equal(wjr_runner_to_json_file(f->runner, path), 0);
    assert_true(tu_exists(path));
    free(path);
}

/* ---- text that is not UTF-8 ------------------------------------------------------ */

static void test_json_text_round_trip(void **state)
{
    const char *latin1 = "/tmp/caf\xe9/r\xe9sum\xe9", *utf8 = "/tmp/caf\xc3\xa9";
    json_t *v;
    char *back;

    (void)state;
    assert_false(wjr_utf8_valid(latin1));
    assert_false(wjr_utf8_valid("\xc0\xaf"));     /* overlong '/' */
    assert_false(wjr_utf8_valid("\xed\xa0\x80")); /* a surrogate */
    assert_true(wjr_utf8_valid(utf8));
    v = wjr_json_text(latin1);
    assert_true(json_is_object(v));
    back = wjr_json_text_get(v);
    assert_string_equal(back, latin1);
    free(back);
    json_decref(v);
    v = wjr_json_text(utf8);
    assert_true(json_is_string(v));
    json_decref(v);
}

/* A Latin-1 experiment folder and a Latin-1 reason from Slurm: the
 * runner's JSON keeps both byte for byte (as {"hex": ...}). */
static void test_runner_latin1_round_trip(void **state)
{
    tu_fixture *f = *state;
    char *latin1 = tu_path(f->dir, "caf\xe9"), *text = NULL, *got, id[32];
    wjr_runner *back = NULL;
    json_t *root, *trial;
    mock_job *j;

    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    tu_run(f, 0, "{}");
    snprintf(id, sizeof(id), "%u", mock_job_at(0)->job_id);
    mock_set_state(id, JOB_FAILED, 1, 0);
    j = mock_lookup(id);
    free(j->state_desc);
    j->state_desc = strdup("node n\xe9 1 failed");
    assert_int_equal(tu_poll_one(f, 0), WJR_TRIAL_FAILED);
    assert_non_null(strstr(wjr_runner_trial(f->runner, 0)->reason, "n\xe9 1"));
    assert_int_equal(wjr_runner_to_json(&text, f->runner), 0);
    root = json_loads(text, 0, NULL);
    assert_non_null(root);
    trial = json_array_get(json_object_get(root, "trials"), 0);
    got = wjr_json_text_get(json_object_get(trial, "reason"));
    assert_non_null(got);
    assert_string_equal(got, wjr_runner_trial(f->runner, 0)->reason);
    free(got);
    /* and a Latin-1 experiment folder read back */
    json_object_set_new(root, "experiment_dir", wjr_json_text(latin1));
    free(text);
    text = json_dumps(root, 0);
    json_decref(root);
    assert_int_equal(wjr_runner_from_json(&back, text, NULL), 0);
    assert_string_equal(wjr_runner_experiment_dir(back), latin1);
    assert_string_equal(wjr_runner_trial(back, 0)->reason, wjr_runner_trial(f->runner, 0)->reason);
    wjr_runner_free(back);
    free(latin1);
    free(text);
}

/* A command that would be stored as text that is not UTF-8 is refused when
 * the configuration is read, with the key named. */
static void test_config_latin1_command_refused(void **state)
{
    (void)state;
    assert_int_equal(load_config("parameters = { n = { type = \"range\"; bounds = [0, 1]; }; };\n"
                                 "script_options = { run_model = \"echo caf\xe9\"; "
                                 "experiment_dir = \"runs\"; };\n"),
                     WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "run_model is not valid UTF-8"));
    assert_int_equal(load_config("parameters = { n = { type = \"range\"; bounds = [0, 1]; }; };\n"
                                 "script_options = { run_model = \"true\"; "
                                 "experiment_dir = \"runs/caf\xe9\"; };\n"),
                     WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "experiment_dir is not valid UTF-8"));
}

/* ---- hooks ------------------------------------------------------------------------ */

static wjr_trial_ctx hook_ctx(tu_fixture *f)
{
    wjr_trial_ctx ctx;

    memset(&ctx, 0, sizeof(ctx));
    ctx.index = 1;
    ctx.trial_dir = f->dir;
    ctx.experiment_dir = f->dir;
    ctx.log = tu_log_fn;
    ctx.log_payload = &f->log;
    return ctx;
}

static void test_hook_timeout(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_ctx ctx = hook_ctx(f);
    int status = 0;
    double t0 = wjr_monotonic();

    /* the shell's child (sleep) is killed too: its process group goes */
    assert_int_equal(wjr_proc_run_hook_timed(&status, "sleep 30; true", "x", f->dir, &ctx, 1.0),
                     WJR_ETIMEOUT);
    assert_true(wjr_monotonic() - t0 < 10);
    assert_non_null(strstr(wjr_error_last(), "did not finish within 1 s"));
    /* a quick hook is not affected */
    assert_int_equal(wjr_proc_run_hook_timed(&status, "echo hi; true", "x", f->dir, &ctx, 5.0), 0);
    assert_int_equal(status, 0);
}

static void test_hook_interrupted(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_ctx ctx = hook_ctx(f);
    int status = 0;
    double t0 = wjr_monotonic();

    wjr_interrupt(1);
    assert_true(wjr_interrupted());
    assert_int_equal(wjr_proc_run_hook_timed(&status, "sleep 30; true", "x", f->dir, &ctx, 60),
                     WJR_EINTERRUPTED);
    wjr_interrupt(0);
    assert_true(wjr_monotonic() - t0 < 10);
}

/* A poll waiting for a slow controller gives up at once after
 * wjr_interrupt(1): stale, last known statuses. */
static void test_poll_wait_interrupted(void **state)
{
    tu_fixture *f = *state;
    wjr_poll_result *res = NULL;
    struct timespec rest = {3, 500000000L};
    double t0;

    tu_runner(f, NULL, NULL);
    tu_run(f, 0, "{}");
    mock_set_query_delay_ms(3000);
    wjr_interrupt(1);
    t0 = wjr_monotonic();
    assert_int_equal(wjr_runner_poll(&res, f->runner, NULL, 0), 0);
    wjr_interrupt(0);
    assert_true(wjr_monotonic() - t0 < 1.5);
    assert_int_equal(res->stale, 1);
    assert_non_null(strstr(res->warning, "interrupted"));
    assert_int_equal(res->statuses[0], WJR_TRIAL_RUNNING);
    wjr_poll_result_free(res);
    /* let the (fake) libslurm call return before the fixture goes */
    nanosleep(&rest, NULL);
    mock_set_query_delay_ms(0);
}

/* The hook's shell holds no descriptor of wjr's but 0, 1 and 2 (and the
 * one its glob opens): the pipes' other ends and /dev/null are
 * close-on-exec. */
static void test_hook_pipes_cloexec(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_ctx ctx = hook_ctx(f);
    int status = 0;
    long extra = 0;
    size_t i;

    assert_int_equal(wjr_proc_run_hook_timed(&status,
                                             "for d in /proc/$$/fd/*; do echo \"fd ${d##*/}\"; "
                                             "done; true",
                                             "x", f->dir, &ctx, 10),
                     0);
    for (i = 0; i < f->log.count; i++) {
        const char *m = f->log.records[i].message;
        int fd = strncmp(m, "fd ", 3) == 0 ? atoi(m + 3) : -1;
        /* descriptors this process got from its own parent do not count */
        if (fd > 2 && fcntl(fd, F_GETFD) < 0) {
            extra++;
        }
    }
    assert_true(tu_log_find(&f->log, 0, 1, "fd 2") >= 0);
    if (extra > 1)
        fail_msg("the hook inherited %ld descriptors beyond 0, 1, 2", extra - 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slurm_time_overflow),
        cmocka_unit_test(test_slurm_mem_overflow),
        cmocka_unit_test(test_rpc_timeout_bounds),
        cmocka_unit_test(test_int_bounds_and_trial_sums),
        cmocka_unit_test(test_error_from_previous_message),
        T(test_repeated_trials_key),
        T(test_fsync_parent_reports),
        cmocka_unit_test(test_json_text_round_trip),
        T(test_runner_latin1_round_trip),
        cmocka_unit_test(test_config_latin1_command_refused),
        T(test_hook_timeout),
        T(test_hook_interrupted),
        T(test_hook_pipes_cloexec),
        T(test_poll_wait_interrupted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
