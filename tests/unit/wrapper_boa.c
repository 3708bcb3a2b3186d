/*
 * wrapper_boa.c - the script wrapper against BOA's conventions and a
 * hostile model: every output and status file name BOA reads, two
 * candidates refused, TrialStatus keys in any case, a model's word that
 * may only end a trial, FIFOs, links and oversized files never blocking or
 * exhausting the reader, a late output found by the bounded wait, BOA's
 * metric functions on outputs, data.json's field set, and templated
 * commands whose hostile values stay one literal word.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "test_util.h"

static wjr_wrapper *boa_wrapper(const char *metrics_json, double wait)
{
    static const char *const names[] = {"metric", NULL};
    wjr_script_options so = WJR_SCRIPT_OPTIONS_INIT;
    wjr_wrapper *w = NULL;

    so.run_model = "true";
    so.metric_names = names;
    so.metrics_json = metrics_json;
    so.output_wait_seconds = wait;
    if (wjr_wrapper_script_new(&w, &so) != 0)
        fail_msg("%s", wjr_error_last());
    return w;
}

/* The status the wrapper gives a trial Slurm saw complete; *reason kept. */
static wjr_trial_status status_of(wjr_wrapper *w, const wjr_trial_ctx *ctx, char **reason)
{
    wjr_trial_status s = WJR_TRIAL_COMPLETED;

    *reason = NULL;
    assert_int_equal(w->set_trial_status(&s, reason, w, ctx), 0);
    return s;
}

static double mean_of(wjr_wrapper *w, const wjr_trial_ctx *ctx)
{
    char *out = NULL;
    json_t *m;
    double v;

    if (w->fetch_trial_data(&out, w, ctx) != 0)
        fail_msg("fetch: %s", wjr_error_last());
    m = json_loads(out, 0, NULL);
    v = json_number_value(json_object_get(json_object_get(m, "metric"), "mean"));
    json_decref(m);
    free(out);
    return v;
}

static void test_output_names(void **state)
{
    static const char *const bases[] = {"output",  "outputs", "result",
                                        "results", "metric",  "metrics"};
    static const char *const exts[] = {"json", "yml", "yaml", "JSON"};
    tu_fixture *f = *state;
    wjr_wrapper *w = boa_wrapper(NULL, 0);
    wjr_trial_ctx ctx;
    char *dir, name[64], *reason, *out = NULL;
    size_t b, e;

    tu_trial_ctx(&ctx, f, &dir);
    for (b = 0; b < 6; b++) {
        for (e = 0; e < 4; e++) {
            snprintf(name, sizeof(name), "%s.%s", bases[b], exts[e]);
            tu_put(dir, name, e == 1 || e == 2 ? "metric: 2.5\n" : "{\"metric\": 2.5}");
            assert_int_equal(status_of(w, &ctx, &reason), WJR_TRIAL_COMPLETED);
            assert_null(reason);
            if (mean_of(w, &ctx) != 2.5)
                fail_msg("%s not read", name);
            tu_put(dir, name, NULL);
        }
    }
    /* two names: the first in BOA's order wins, as in BOA */
    tu_put(dir, "results.yaml", "metric: 2\n");
    tu_put(dir, "output.json", "{\"metric\": 1}");
    assert_int_equal(status_of(w, &ctx, &reason), WJR_TRIAL_COMPLETED);
    assert_true(mean_of(w, &ctx) == 1.0);
    tu_put(dir, "output.json", NULL);
    assert_true(mean_of(w, &ctx) == 2.0);
    /* one name with two extensions: an error naming both */
    tu_put(dir, "results.JSON", "{\"metric\": 1}");
    assert_int_equal(status_of(w, &ctx, &reason), WJR_TRIAL_FAILED);
    assert_non_null(strstr(reason, "results.JSON"));
    assert_non_null(strstr(reason, "results.yaml"));
    free(reason);
    assert_int_equal(w->fetch_trial_data(&out, w, &ctx), WJR_EINVALID);
    assert_non_null(strstr(wjr_error_last(), "both"));
    tu_put(dir, "results.JSON", NULL);
    tu_put(dir, "results.yaml", NULL);
    /* a metric the output lacks: the error says what it has */
    tu_put(dir, "output.json", "{\"loss\": 1, \"x\": 2}");
    assert_int_equal(w->fetch_trial_data(&out, w, &ctx), WJR_EINVALID);
    assert_non_null(strstr(wjr_error_last(), "metric 'metric' is missing from the output (it has: "
                                             "loss, x)"));
    tu_put(dir, "output.json", "{\"Metric\": 1}");
    assert_int_equal(w->fetch_trial_data(&out, w, &ctx), WJR_EINVALID);
    assert_non_null(
        strstr(wjr_error_last(), "which has 'Metric': metric names are case-sensitive"));
    wjr_wrapper_free(w);
    free(dir);
}

static void test_status_files(void **state)
{
    const struct {
        const char *file, *text;
        wjr_trial_status want;
        const char *reason;
    } cases[] = {
        {"TrialStatus.json", "{\"TrialStatus\": [\"FAILED\"]}", WJR_TRIAL_FAILED,
         "the model marked the trial FAILED in TrialStatus.json"},
        {"trial_status.json", "{\"Trial_Status\": \"early_stopped\"}", WJR_TRIAL_EARLY_STOPPED,
         "the model marked the trial EARLY_STOPPED in trial_status.json"},
        {"trial_status.yaml", "TRIALSTATUS: 5\n", WJR_TRIAL_ABANDONED, "ABANDONED"},
        {"TrialStatus.json", "{\"trialstatus\": \"COMPLETED\"}", WJR_TRIAL_COMPLETED, NULL},
        /* the model may only end a trial: anything else is ignored */
        {"trial_status.json", "{\"trial_status\": \"RUNNING\"}", WJR_TRIAL_COMPLETED, NULL},
        {"trial_status.json", "{\"trial_status\": \"CANDIDATE\"}", WJR_TRIAL_COMPLETED, NULL},
        {"trial_status.json", "{\"trial_status\": 0}", WJR_TRIAL_COMPLETED, NULL},
        {"output.json", "{\"metric\": 1, \"trial_status\": \"STAGED\"}", WJR_TRIAL_COMPLETED, NULL},
    };
    tu_fixture *f = *state;
    wjr_wrapper *w = boa_wrapper(NULL, 0);
    wjr_trial_ctx ctx;
    char *dir, *reason;
    size_t i;

    tu_trial_ctx(&ctx, f, &dir);
    tu_put(dir, "output.json", "{\"metric\": 1}");
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        wjr_trial_status s;
        tu_log_clear(&f->log);
        tu_put(dir, cases[i].file, cases[i].text);
        s = status_of(w, &ctx, &reason);
        if (s != cases[i].want || (cases[i].reason == NULL) != (reason == NULL) ||
            (reason && !strstr(reason, cases[i].reason)))
            fail_msg("case %zu: %s, reason %s", i, wjr_trial_status_name(s),
                     reason ? reason : "none");
        if (i >= 4) /* ignored, with a warning in the log */
            assert_true(tu_log_find(&f->log, WJR_LOG_WARNING, 1, "ignored") >= 0);
        free(reason);
        if (strcmp(cases[i].file, "output.json") != 0)
            tu_put(dir, cases[i].file, NULL);
    }
    wjr_wrapper_free(w);
    free(dir);
}

/* A FIFO, links and a huge file: refused at once, never read whole. */
static void test_hostile_files(void **state)
{
    tu_fixture *f = *state;
    wjr_wrapper *w = boa_wrapper(NULL, 0);
    wjr_trial_ctx ctx;
    char *dir, *path, *reason;
    time_t start = time(NULL);
    FILE *big;

    tu_trial_ctx(&ctx, f, &dir);
    path = tu_path(dir, "output.json");
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(status_of(w, &ctx, &reason), WJR_TRIAL_FAILED);
    assert_non_null(strstr(reason, "not a regular file"));
    free(reason);
    remove(path);
    assert_int_equal(symlink("/dev/zero", path), 0);
    assert_int_equal(status_of(w, &ctx, &reason), WJR_TRIAL_FAILED);
    assert_non_null(strstr(reason, "link out of the trial directory"));
    free(reason);
    remove(path);
    /* a link that stays inside the trial directory is followed */
    tu_put(dir, "real.txt", "{\"metric\": 4}");
    assert_int_equal(symlink("real.txt", path), 0);
    assert_int_equal(status_of(w, &ctx, &reason), WJR_TRIAL_COMPLETED);
    assert_true(mean_of(w, &ctx) == 4);
    remove(path);
    big = fopen(path, "w");
    assert_non_null(big);
    assert_int_equal(ftruncate(fileno(big), 64L * 1024 * 1024), 0);
    fclose(big);
    assert_int_equal(status_of(w, &ctx, &reason), WJR_TRIAL_FAILED);
    assert_non_null(strstr(reason, "more than"));
    free(reason);
    assert_true(time(NULL) - start < 5);
    free(path);
    wjr_wrapper_free(w);
    free(dir);
}

/* NFS may show a file late: the wrapper waits, boundedly, and says so. */
static void test_late_output(void **state)
{
    tu_fixture *f = *state;
    wjr_wrapper *w = boa_wrapper(NULL, 5.0), *quick = boa_wrapper(NULL, 0.5);
    wjr_trial_ctx ctx;
    char *dir, *reason;
    pid_t pid;
    int st;

    tu_trial_ctx(&ctx, f, &dir);
    assert_int_equal(status_of(quick, &ctx, &reason), WJR_TRIAL_FAILED);
    assert_non_null(strstr(reason, "waited 0.5 s"));
    free(reason);
    /* the wait counts from the job's end: long ago, no wait at all */
    ctx.end_time = (int64_t)time(NULL) - 60;
    assert_int_equal(status_of(w, &ctx, &reason), WJR_TRIAL_FAILED);
    assert_non_null(strstr(reason, "; none 6")); /* 60 s, or 61 on a second's edge */
    assert_non_null(strstr(reason, " s after its job ended (output_wait_seconds 5)"));
    assert_non_null(strstr(reason, dir)); /* the folder it looked in */
    free(reason);
    {
        /* written where the model runs (working_dir), not in the trial
         * directory: the error says where it is */
        static const char *const names[] = {"metric", NULL};
        wjr_script_options so = WJR_SCRIPT_OPTIONS_INIT;
        wjr_wrapper *wd = NULL;
        char *stray = tu_path(f->dir, "output.json");

        assert_string_not_equal(dir, f->dir);
        so.run_model = "true";
        so.metric_names = names;
        so.work_dir = f->dir;
        assert_int_equal(wjr_wrapper_script_new(&wd, &so), 0);
        tu_put(f->dir, "output.json", "{\"metric\": 1}");
        assert_int_equal(status_of(wd, &ctx, &reason), WJR_TRIAL_FAILED);
        assert_non_null(strstr(reason, "/output.json is there, in the folder the model runs in: "
                                       "write it in the trial directory"));
        free(reason);
        assert_int_equal(unlink(stray), 0);
        assert_int_equal(status_of(wd, &ctx, &reason), WJR_TRIAL_FAILED);
        assert_null(strstr(reason, "is there"));
        free(reason);
        free(stray);
        wjr_wrapper_free(wd);
    }
    ctx.end_time = 0;
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        usleep(600000);
        tu_put(dir, "output.json", "{\"metric\": 3}");
        _exit(0);
    }
    assert_int_equal(status_of(w, &ctx, &reason), WJR_TRIAL_COMPLETED);
    assert_null(reason);
    assert_true(mean_of(w, &ctx) == 3);
    waitpid(pid, &st, 0);
    wjr_wrapper_free(w);
    wjr_wrapper_free(quick);
    free(dir);
}

static void test_metric_functions_on_outputs(void **state)
{
    tu_fixture *f = *state;
    wjr_wrapper *w = boa_wrapper("[{\"name\": \"metric\", \"metric\": \"mean\"}]", 0);
    wjr_wrapper *r =
        boa_wrapper("[{\"name\": \"metric\", \"metric\": \"RootMeanSquaredError\", "
                    "\"metric_func_kwargs\": {\"y_true\": [0, 0]}, \"noise_sd\": 0.5}]",
                    0);
    wjr_trial_ctx ctx;
    char *dir, *out = NULL;

    tu_trial_ctx(&ctx, f, &dir);
    /* BOA's own example: {"metric": {"a": [...]}} with metric: mean */
    tu_put(dir, "output.json", "{\"metric\": {\"a\": [1, 2, 6]}}");
    assert_true(mean_of(w, &ctx) == 3);
    /* the output without the metric's name is the function's data */
    tu_put(dir, "output.json", "{\"a\": [2, 4], \"trial_status\": \"COMPLETED\"}");
    assert_true(mean_of(w, &ctx) == 3);
    /* R's one-element list */
    tu_put(dir, "output.json", "{\"metric\": [5]}");
    assert_true(mean_of(w, &ctx) == 5);
    /* observations from the configuration, predictions from the model;
     * noise_sd becomes the sem */
    tu_put(dir, "output.json", "{\"metric\": {\"y_pred\": [3, 4]}}");
    assert_int_equal(r->fetch_trial_data(&out, r, &ctx), 0);
    assert_string_equal(out, "{\"metric\":{\"mean\":3.5355339059327378,\"sem\":0.5}}");
    free(out);
    wjr_wrapper_free(w);
    wjr_wrapper_free(r);
    free(dir);
}

static json_t *load(const char *dir, const char *name)
{
    char *path = tu_path(dir, name);
    json_t *v = json_load_file(path, 0, NULL);

    if (v == NULL)
        fail_msg("%s not written", path);
    free(path);
    return v;
}

static void test_data_json(void **state)
{
    tu_fixture *f = *state;
    wjr_script_options so = WJR_SCRIPT_OPTIONS_INIT;
    const char *const names[] = {"metric", "other", NULL};
    const char *names_one[] = {NULL, NULL};
    wjr_wrapper *w = NULL;
    wjr_trial_ctx ctx;
    char *dir;
    json_t *d, *t;

    so.run_model = "true";
    so.metric_names = names;
    so.metrics_json = "[{\"name\": \"metric\", \"param_names\": [\"x\"], \"properties\": "
                      "{\"anything\": \"you want\"}}, {\"name\": \"other\"}]";
    so.model_options_json = "{\"input_size\": 15}";
    assert_int_equal(wjr_wrapper_script_new(&w, &so), 0);
    tu_trial_ctx(&ctx, f, &dir);
    ctx.params_json = "{\"x\": 0.5, \"y\": 2}";
    assert_int_equal(w->write_configs(w, &ctx), 0);
    d = load(dir, "data.json");
    assert_int_equal(json_integer_value(json_object_get(d, "trial_index")), 1);
    assert_string_equal(json_string_value(json_object_get(d, "trial_dir")), dir);
    assert_true(json_real_value(json_object_get(json_object_get(d, "parameters"), "x")) == 0.5);
    assert_true(json_real_value(json_object_get(
                    json_object_get(json_object_get(d, "filtered_parameters"), "metric"), "x")) ==
                0.5);
    assert_null(
        json_object_get(json_object_get(json_object_get(d, "filtered_parameters"), "metric"), "y"));
    assert_int_equal(json_array_size(json_object_get(json_object_get(d, "param_names"), "other")),
                     0);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(d, "metric_properties"), "metric"), "anything")),
        "you want");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(d, "model_options"), "input_size")), 15);
    t = json_object_get(d, "trial");
    assert_string_equal(json_string_value(json_object_get(t, "__type")), "Trial");
    assert_true(json_equal(json_object_get(json_object_get(t, "arm"), "parameters"),
                           json_object_get(d, "parameters")));
    json_decref(d);
    d = load(dir, "filtered_parameters.json");
    assert_true(json_real_value(json_object_get(json_object_get(d, "metric"), "x")) == 0.5);
    /* a metric without param_names has {}, as BOA writes it */
    assert_true(json_is_object(json_object_get(d, "other")));
    assert_int_equal(json_object_size(json_object_get(d, "other")), 0);
    json_decref(d);
    wjr_wrapper_free(w);
    /* no metric has param_names: BOA still writes the file */
    so.metrics_json = "[{\"name\": \"metric\"}]";
    names_one[0] = "metric";
    so.metric_names = names_one;
    assert_int_equal(wjr_wrapper_script_new(&w, &so), 0);
    assert_int_equal(w->write_configs(w, &ctx), 0);
    d = load(dir, "filtered_parameters.json");
    assert_int_equal(json_object_size(json_object_get(d, "metric")), 0);
    json_decref(d);
    wjr_wrapper_free(w);
    free(dir);
}

/* `{{ name }}`: hostile values are one literal word; working_dir first. */
static void test_templated_command(void **state)
{
    tu_fixture *f = *state;
    wjr_script_options so = WJR_SCRIPT_OPTIONS_INIT;
    wjr_wrapper *w = NULL;
    wjr_trial_ctx ctx;
    char *dir, *cmd = NULL, *script, *out_path, *got, want[1024];
    int rc;

    so.run_model = "sh -c \"printf '[%s]' {{ s }}\" > out.txt; "
                   "printf '[%s]' {{ s }} {{ x }} {{ b }} {{ trial_dir }} >> out.txt; "
                   "printf '[%s]' >/dev/null";
    so.work_dir = f->dir;
    assert_int_equal(wjr_wrapper_script_new(&w, &so), 0);
    tu_trial_ctx(&ctx, f, &dir);
    ctx.params_json = "{\"s\": \"a b'\\\"$(touch PWNED)`x`\", \"x\": 1.0, \"b\": true}";
    assert_int_equal(w->run_model(&cmd, w, &ctx), 0);
    /* run it as the batch script does: "$d" appended, from the trial dir */
    script = malloc(strlen(cmd) + 64);
    sprintf(script, "cd \"$1\" && %s \"$1\"", cmd);
    {
        pid_t pid = fork();
        if (pid == 0) {
            execl("/bin/sh", "sh", "-c", script, "sh", dir, (char *)NULL);
            _exit(127);
        }
        waitpid(pid, &rc, 0);
    }
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
    out_path = tu_path(f->dir, "out.txt"); /* written in the working directory */
    got = tu_read(out_path);
    assert_non_null(got);
    snprintf(want, sizeof(want),
             "[a b'\"$(touch PWNED)`x`][a b'\"$(touch PWNED)`x`][1.0][True][%s]", dir);
    assert_string_equal(got, want);
    free(got);
    free(out_path);
    out_path = tu_path(f->dir, "PWNED");
    assert_int_not_equal(access(out_path, F_OK), 0);
    free(out_path);
    free(script);
    free(cmd);
    wjr_wrapper_free(w);
    free(dir);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_output_names),
        T(test_status_files),
        T(test_hostile_files),
        T(test_late_output),
        T(test_metric_functions_on_outputs),
        T(test_data_json),
        T(test_templated_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
