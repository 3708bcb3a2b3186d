/*
 * wrapper_script.c - tests of the built-in script wrapper
 * (src/wrapper_script.c) against BOA's ScriptWrapper conventions: the
 * trial directory <experiment_dir>/000042 with parameters.json, data.json
 * and trial.json; hooks that get the trial directory as last argument; the
 * status from trial_status.json or output.json's trial_status (name or Ax
 * code); metrics as a number, {mean, sem} or a list; NaN, null, missing
 * metrics and a missing output.json failing the trial with a reason. The
 * end-to-end cases run through the runner and the mocked controller.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "mock_slurm.h"
#include "state.h"
#include "test_util.h"

#define make_ctx tu_trial_ctx
#define put      tu_put

static json_t *load(const char *dir, const char *name)
{
    char *path = tu_path(dir, name);
    json_error_t err;
    json_t *v = json_load_file(path, 0, &err);

    if (v == NULL)
        fail_msg("%s: %s", path, err.text);
    free(path);
    return v;
}

/* ---- files before submission ------------------------------------------ */

static void test_trial_files(void **state)
{
    tu_fixture *f = *state;
    const char *params = "{\"lr\": 0.01, \"layers\": 3, \"act\": \"relu\", \"flag\": true}";
    char *dir = tu_path(f->dir, "000042"), *arg_path, *arg;
    json_t *want = json_loads(params, 0, NULL), *v;

    tu_runner(f,
              tu_script_wrapper("python3 model.py",
                                "sh -c 'printf %s \"$1\" > hook_arg.txt; pwd > hook_cwd.txt' x"),
              NULL);
    tu_run(f, 42, params);

    v = load(dir, "parameters.json");
    assert_true(json_equal(v, want));
    json_decref(v);
    v = load(dir, "data.json");
    assert_true(json_equal(json_object_get(v, "parameters"), want));
    assert_int_equal(json_integer_value(json_object_get(v, "trial_index")), 42);
    assert_string_equal(json_string_value(json_object_get(v, "trial_dir")), dir);
    json_decref(v);
    v = load(dir, "trial.json");
    assert_int_equal(json_integer_value(json_object_get(v, "trial_index")), 42);
    assert_true(json_equal(json_object_get(json_object_get(v, "arm"), "parameters"), want));
    json_decref(v);

    /* the hook ran in the trial directory with it as last argument */
    arg_path = tu_path(dir, "hook_arg.txt");
    arg = tu_read(arg_path);
    assert_non_null(arg);
    assert_string_equal(arg, dir);
    free(arg);
    free(arg_path);
    arg_path = tu_path(dir, "hook_cwd.txt");
    arg = tu_read(arg_path);
    assert_non_null(arg);
    assert_non_null(strstr(arg, "000042"));
    free(arg);
    free(arg_path);
    json_decref(want);
    free(dir);
}

/* A failing write_configs hook stops the submission. */
static void test_write_configs_failure(void **state)
{
    tu_fixture *f = *state;
    wjr_trial_spec spec = {0, "{}"};

    tu_runner(f, tu_script_wrapper("true", "exit 4"), NULL);
    assert_true(wjr_runner_run(NULL, f->runner, &spec) < 0);
    assert_non_null(strstr(wjr_error_last(), "status 4"));
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 0);
}

/* ---- status --------------------------------------------------------------- */

typedef struct status_case {
    const char *trial_status_json; /* NULL: no such file */
    const char *output_json;       /* NULL: no such file */
    wjr_trial_status want;
    const char *reason; /* what the reason must contain, or NULL for none */
} status_case;

static const status_case status_cases[] = {
    /* BOA's format: {"trial_status": name or Ax code} */
    {"{\"trial_status\": \"FAILED\"}", "{\"m\": 1}", WJR_TRIAL_FAILED, NULL},
    {"{\"trial_status\": 2}", "{\"m\": 1}", WJR_TRIAL_FAILED, NULL},
    {"{\"trial_status\": \"abandoned\"}", "{\"m\": 1}", WJR_TRIAL_ABANDONED, NULL},
    {"{\"trial_status\": 3}", "{\"m\": 1}", WJR_TRIAL_COMPLETED, NULL},
    {"{\"trial_status\": \"WHATEVER\"}", "{\"m\": 1}", WJR_TRIAL_FAILED, "WHATEVER"},
    /* a bare name or code, which the wrapper also reads */
    {"\"ABANDONED\"\n", "{\"m\": 1}", WJR_TRIAL_ABANDONED, NULL},
    {"3", NULL, WJR_TRIAL_COMPLETED, NULL},
    /* R's jsonlite writes scalars as one-element lists; BOA takes the first */
    {"{\"trial_status\": [\"COMPLETED\"]}", "{\"m\": [1]}", WJR_TRIAL_COMPLETED, NULL},
    /* output.json's trial_status key */
    {NULL, "{\"m\": 1, \"trial_status\": \"FAILED\"}", WJR_TRIAL_FAILED, NULL},
    {NULL, "{\"m\": 1, \"trial_status\": 7}", WJR_TRIAL_EARLY_STOPPED, NULL},
    {NULL, "{\"m\": 1}", WJR_TRIAL_COMPLETED, NULL},
    {NULL, NULL, WJR_TRIAL_FAILED, "no output file"},
    {NULL, "[1, 2]", WJR_TRIAL_FAILED, "not a JSON object"},
    {NULL, "{\"m\": NaN}", WJR_TRIAL_FAILED, "NaN"},
};

static void test_status(void **state)
{
    tu_fixture *f = *state;
    wjr_wrapper *w = tu_script_wrapper("true", NULL);
    wjr_trial_ctx ctx;
    char *dir;
    size_t i, failures = 0;

    make_ctx(&ctx, f, &dir);
    for (i = 0; i < sizeof(status_cases) / sizeof(status_cases[0]); i++) {
        const status_case *c = &status_cases[i];
        wjr_trial_status s = WJR_TRIAL_COMPLETED;
        char *reason = NULL;
        put(dir, "trial_status.json", c->trial_status_json);
        put(dir, "output.json", c->output_json);
        assert_int_equal(w->set_trial_status(&s, &reason, w, &ctx), 0);
        if (s != c->want || (c->reason && (reason == NULL || !strstr(reason, c->reason)))) {
            print_error("case %zu (%s, %s): got %s, want %s (%s)\n", i,
                        c->trial_status_json ? c->trial_status_json : "-",
                        c->output_json ? c->output_json : "-", wjr_trial_status_name(s),
                        wjr_trial_status_name(c->want), reason ? reason : "");
            failures++;
        }
        free(reason);
    }
    /* a status Slurm already made terminal is left alone */
    {
        wjr_trial_status s = WJR_TRIAL_FAILED;
        char *reason = NULL;
        put(dir, "trial_status.json", "\"COMPLETED\"");
        assert_int_equal(w->set_trial_status(&s, &reason, w, &ctx), 0);
        assert_int_equal(s, WJR_TRIAL_FAILED);
        assert_null(reason);
    }
    wjr_wrapper_free(w);
    free(dir);
    assert_int_equal(failures, 0);
}

/* ---- metrics ------------------------------------------------------------ */

static void metric_of(const char *metrics_json, const char *name, double *mean, double *sem)
{
    json_t *root = json_loads(metrics_json, 0, NULL), *m, *s;

    assert_non_null(root);
    m = json_object_get(root, name);
    assert_true(json_is_object(m));
    assert_true(json_is_number(json_object_get(m, "mean")));
    *mean = json_number_value(json_object_get(m, "mean"));
    s = json_object_get(m, "sem");
    *sem = json_is_number(s) ? json_number_value(s) : NAN;
    assert_true(json_is_number(s) || json_is_null(s));
    json_decref(root);
}

static void test_metrics(void **state)
{
    tu_fixture *f = *state;
    wjr_wrapper *w = tu_script_wrapper("true", NULL);
    wjr_trial_ctx ctx;
    char *dir, *out = NULL;
    double mean, sem;

    make_ctx(&ctx, f, &dir);
    put(dir, "output.json", "{\"m\": 1.5}");
    assert_int_equal(w->fetch_trial_data(&out, w, &ctx), 0);
    metric_of(out, "m", &mean, &sem);
    assert_true(mean == 1.5 && isnan(sem));
    free(out);

    put(dir, "output.json",
        "{\"m\": {\"mean\": 1.5, \"sem\": 0.1}, \"trial_status\": \"COMPLETED\"}");
    assert_int_equal(w->fetch_trial_data(&out, w, &ctx), 0);
    metric_of(out, "m", &mean, &sem);
    assert_true(mean == 1.5 && fabs(sem - 0.1) < 1e-12);
    /* trial_status is not a metric */
    assert_null(strstr(out, "trial_status"));
    free(out);

    /* a list: its mean and standard error (sample sd / sqrt(n)) */
    put(dir, "output.json", "{\"m\": [1, 2, 3], \"n\": 4}");
    assert_int_equal(w->fetch_trial_data(&out, w, &ctx), 0);
    metric_of(out, "m", &mean, &sem);
    assert_true(fabs(mean - 2.0) < 1e-12);
    assert_true(fabs(sem - 1.0 / sqrt(3.0)) < 1e-12);
    metric_of(out, "n", &mean, &sem);
    assert_true(mean == 4.0);
    free(out);
    wjr_wrapper_free(w);
    free(dir);
}

static void test_bad_metrics(void **state)
{
    tu_fixture *f = *state;
    const char *const names[] = {"m", NULL};
    const struct {
        const char *output;
        const char *reason;
    } cases[] = {
        {"{\"m\": NaN}", "NaN"},
        {"{\"m\": null}", "null"},
        {"{\"other\": 1}", "missing"},
        {"{\"m\": {\"sem\": 0.1}}", "mean"},
        {"{\"m\": []}", "empty"},
        {"{\"m\": [1, \"x\"]}", "not a number"},
        {NULL, "no output file"},
        /* finite values whose mean is not: the mean overflows */
        {"{\"m\": [1e308, 1e308]}", "finite"},
    };
    wjr_script_options so = WJR_SCRIPT_OPTIONS_INIT;
    wjr_wrapper *w = NULL;
    wjr_trial_ctx ctx;
    char *dir, *out;
    size_t i;

    so.run_model = "true";
    so.metric_names = names;
    assert_int_equal(wjr_wrapper_script_new(&w, &so), 0);
    make_ctx(&ctx, f, &dir);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        out = NULL;
        put(dir, "output.json", cases[i].output);
        assert_int_equal(w->fetch_trial_data(&out, w, &ctx), WJR_EINVALID);
        assert_null(out);
        if (strstr(wjr_error_last(), cases[i].reason) == NULL)
            fail_msg("%s: reason '%s' lacks '%s'", cases[i].output ? cases[i].output : "(none)",
                     wjr_error_last(), cases[i].reason);
    }
    wjr_wrapper_free(w);
    free(dir);
}

/* ---- hooks ---------------------------------------------------------------- */

static void test_fetch_hook_writes_output(void **state)
{
    tu_fixture *f = *state;
    wjr_script_options so = WJR_SCRIPT_OPTIONS_INIT;
    wjr_wrapper *w = NULL;
    wjr_trial_ctx ctx;
    wjr_trial_status s = WJR_TRIAL_COMPLETED;
    char *dir, *out = NULL, *reason = NULL;
    double mean, sem;

    so.run_model = "true";
    so.fetch_trial_data = "sh -c 'printf \"{\\\"m\\\": 4}\" > \"$1/output.json\"' x";
    assert_int_equal(wjr_wrapper_script_new(&w, &so), 0);
    make_ctx(&ctx, f, &dir);
    /* no output.json yet: the fetch hook brings it */
    assert_int_equal(w->set_trial_status(&s, &reason, w, &ctx), 0);
    assert_int_equal(s, WJR_TRIAL_COMPLETED);
    assert_int_equal(w->fetch_trial_data(&out, w, &ctx), 0);
    metric_of(out, "m", &mean, &sem);
    assert_true(mean == 4.0);
    free(out);
    wjr_wrapper_free(w);
    free(dir);
}

static void test_wrapper_json_round_trip(void **state)
{
    const char *const names[] = {"loss", "acc", NULL};
    wjr_script_options so = WJR_SCRIPT_OPTIONS_INIT;
    wjr_wrapper *w = NULL, *back = NULL, *none = NULL;
    char *one = NULL, *two = NULL;

    (void)state;
    so.run_model = "Rscript model.R";
    so.write_configs = "echo 'configs'";
    so.set_trial_status = "./status.sh";
    so.fetch_trial_data = "./fetch.sh";
    so.work_dir = "/srv/model";
    so.metric_names = names;
    assert_int_equal(wjr_wrapper_script_new(&w, &so), 0);
    assert_int_equal(w->to_json(&one, w), 0);
    assert_int_equal(wjr_wrapper_from_json(&back, w->type, one), 0);
    assert_int_equal(back->to_json(&two, back), 0);
    assert_string_equal(one, two);
    assert_non_null(strstr(one, "\"metric_names\":[\"loss\",\"acc\"]"));
    assert_int_equal(wjr_wrapper_from_json(&none, "Nope", one), WJR_EINVALID);
    assert_null(none);
    wjr_wrapper_free(w);
    wjr_wrapper_free(back);
    free(one);
    free(two);
}

/* ---- through the runner --------------------------------------------------- */

static void test_completed_job_outcomes(void **state)
{
    tu_fixture *f = *state;
    const struct {
        const char *output;
        wjr_trial_status want;
        const char *reason;
    } cases[] = {
        {"{\"m\": 0.5}", WJR_TRIAL_COMPLETED, NULL},
        {"{\"m\": NaN}\n", WJR_TRIAL_FAILED, "NaN"},
        {"{\"m\": null}", WJR_TRIAL_FAILED, "null"},
        {"{\"m\": 1, \"trial_status\": \"FAILED\"}", WJR_TRIAL_FAILED, NULL},
        {NULL, WJR_TRIAL_FAILED, "no output file"},
        /* the model may only end a trial: these end COMPLETED, once */
        {"{\"m\": 0.5, \"trial_status\": \"RUNNING\"}", WJR_TRIAL_COMPLETED, NULL},
        {"{\"m\": 0.5, \"trial_status\": \"CANDIDATE\"}", WJR_TRIAL_COMPLETED, NULL},
        {"{\"m\": 0.5, \"trial_status\": 0}", WJR_TRIAL_COMPLETED, NULL},
    };
    size_t i;

    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const wjr_trial_info *t = tu_run(f, (int64_t)i, "{}");
        char name[32], *dir;
        snprintf(name, sizeof(name), "%06zu", i);
        dir = tu_path(f->dir, name);
        put(dir, "output.json", cases[i].output);
        mock_set_state(t->run.job_id, WJR_JOB_COMPLETE, 0, 0);
        assert_int_equal(tu_poll_one(f, (int64_t)i), cases[i].want);
        t = wjr_runner_trial(f->runner, (int64_t)i);
        if (cases[i].want == WJR_TRIAL_COMPLETED) {
            assert_string_equal(t->metrics_json, "{\"m\":{\"mean\":0.5,\"sem\":null}}");
            assert_null(t->reason);
        } else {
            assert_non_null(t->reason);
            if (cases[i].reason)
                assert_non_null(strstr(t->reason, cases[i].reason));
            assert_true(tu_log_find(&f->log, WJR_LOG_WARNING, (int64_t)i, "FAILED") >= 0);
        }
        free(dir);
    }
    /* terminal trials are not finalized again on later polls */
    tu_log_clear(&f->log);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(tu_poll_one(f, (int64_t)i), cases[i].want);
        assert_true(tu_log_find(&f->log, WJR_LOG_INFO, (int64_t)i, "COMPLETED") < 0);
        assert_true(tu_log_find(&f->log, WJR_LOG_WARNING, (int64_t)i, "ignored") < 0);
    }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_trial_files),
        T(test_write_configs_failure),
        T(test_status),
        T(test_metrics),
        T(test_bad_metrics),
        T(test_fetch_hook_writes_output),
        T(test_wrapper_json_round_trip),
        T(test_completed_job_outcomes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
