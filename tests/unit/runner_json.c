/*
 * runner_json.c - tests of loading a runner back (src/runner_json.c) with a
 * wrapper of the caller's own type: the wrapper factory of
 * wjr_runner_options builds it from the saved type name and settings, a
 * load without a factory fails with an error naming the type, a factory's
 * failure fails the load, built-in wrappers need no factory, and a
 * version 1 options struct is still accepted.
 */
#include <stdlib.h>
#include <string.h>

#include "mock_slurm.h"
#include "test_util.h"

#define CUSTOM_TYPE "CustomTestWrapper"

/* ---- a wrapper type the library does not know --------------------------- */

typedef struct custom_wrapper {
    wjr_wrapper parent;
    char *settings; /* what to_json writes back: the wrapper's whole state */
} custom_wrapper;

static int custom_run_model(char **out, wjr_wrapper *w, const wjr_trial_ctx *t)
{
    (void)w;
    (void)t;
    *out = strdup("true");
    return *out ? 0 : WJR_ENOMEM;
}

static int custom_to_json(char **out, const wjr_wrapper *w)
{
    *out = strdup(((const custom_wrapper *)w)->settings);
    return *out ? 0 : WJR_ENOMEM;
}

static void custom_free(wjr_wrapper *w)
{
    free(((custom_wrapper *)w)->settings);
    free(w);
}

static wjr_wrapper *custom_new(const char *settings)
{
    custom_wrapper *w = calloc(1, sizeof(*w));

    assert_non_null(w);
    w->parent.version = WJR_WRAPPER_VERSION;
    w->parent.type = CUSTOM_TYPE;
    w->parent.run_model = custom_run_model;
    w->parent.to_json = custom_to_json;
    w->parent.free = custom_free;
    w->settings = strdup(settings);
    return &w->parent;
}

/* What the factory was asked, and how it answers. */
typedef struct factory_calls {
    int calls;
    char *type;
    char *settings;
    int fail; /* the code to fail with; 0: build the wrapper */
} factory_calls;

static int custom_factory(wjr_wrapper **out, const char *type, const char *settings_json,
                          void *payload)
{
    factory_calls *c = payload;

    c->calls++;
    free(c->type);
    free(c->settings);
    c->type = strdup(type);
    c->settings = strdup(settings_json);
    if (c->fail)
        return c->fail;
    *out = custom_new(settings_json);
    return 0;
}

/* Load options logging into the fixture, with the factory when calls is set. */
static wjr_runner_options load_options(tu_fixture *f, factory_calls *calls)
{
    wjr_runner_options ro = WJR_RUNNER_OPTIONS_INIT;

    ro.log = tu_log_fn;
    ro.log_payload = &f->log;
    if (calls != NULL) {
        ro.wrapper_factory = custom_factory;
        ro.wrapper_factory_payload = calls;
    }
    return ro;
}

static void factory_calls_clear(factory_calls *c)
{
    free(c->type);
    free(c->settings);
}

/* A runner with @p wrapper and two trials, saved. */
static char *saved_runner(tu_fixture *f, wjr_wrapper *wrapper)
{
    char *text = NULL;

    tu_runner(f, wrapper, NULL);
    tu_run(f, 0, "{\"x\": 1}");
    tu_run(f, 1, "{\"x\": 2}");
    assert_int_equal(wjr_runner_to_json(&text, f->runner), 0);
    return text;
}

static char *saved_custom_runner(tu_fixture *f)
{
    char *text = saved_runner(f, custom_new("{\"model\":\"m1\",\"scale\":3}"));

    assert_non_null(strstr(text, "\"wrapper_type\":\"" CUSTOM_TYPE "\""));
    return text;
}

static void test_factory_loads_custom_wrapper(void **state)
{
    tu_fixture *f = *state;
    factory_calls calls = {0, NULL, NULL, 0};
    wjr_runner_options ro = load_options(f, &calls);
    wjr_runner *back = NULL;
    char *text = saved_custom_runner(f), *again = NULL;

    assert_int_equal(wjr_runner_from_json(&back, text, &ro), 0);
    assert_int_equal(calls.calls, 1);
    assert_string_equal(calls.type, CUSTOM_TYPE);
    assert_string_equal(calls.settings, "{\"model\":\"m1\",\"scale\":3}");
    assert_int_equal(wjr_runner_trial_count(back), 2);
    /* the same runner: its text, the wrapper's settings included, is unchanged */
    assert_int_equal(wjr_runner_to_json(&again, back), 0);
    assert_string_equal(again, text);
    /* and it works: the loaded wrapper runs the next trial */
    {
        wjr_trial_spec spec = {2, "{\"x\": 3}"};
        assert_int_equal(wjr_runner_run(NULL, back, &spec), 0);
        assert_int_equal(mock_submission_count(), 3);
        assert_non_null(wjr_runner_trial(back, 2)->run.job_id);
    }
    wjr_runner_free(back);
    free(again);
    factory_calls_clear(&calls);
    free(text);
}

static void test_no_factory_names_the_type(void **state)
{
    tu_fixture *f = *state;
    wjr_runner_options ro = load_options(f, NULL);
    wjr_runner *back = NULL;
    char *text = saved_custom_runner(f);

    assert_int_equal(wjr_runner_from_json(&back, text, &ro), WJR_EINVALID);
    assert_null(back);
    assert_non_null(strstr(wjr_error_last(), "'" CUSTOM_TYPE "'"));
    assert_non_null(strstr(wjr_error_last(), "wrapper_factory"));
    /* no options at all: the same answer */
    assert_int_equal(wjr_runner_from_json(&back, text, NULL), WJR_EINVALID);
    assert_null(back);
    assert_non_null(strstr(wjr_error_last(), "'" CUSTOM_TYPE "'"));
    free(text);
}

static void test_factory_failure_fails_the_load(void **state)
{
    tu_fixture *f = *state;
    factory_calls calls = {0, NULL, NULL, WJR_ECONFIG};
    wjr_runner_options ro = load_options(f, &calls);
    wjr_runner *back = NULL;
    char *text = saved_custom_runner(f);

    assert_int_equal(wjr_runner_from_json(&back, text, &ro), WJR_ECONFIG);
    assert_null(back);
    assert_int_equal(calls.calls, 1);
    assert_non_null(strstr(wjr_error_last(), "'" CUSTOM_TYPE "'"));
    factory_calls_clear(&calls);
    free(text);
}

static void test_builtin_wrapper_needs_no_factory(void **state)
{
    tu_fixture *f = *state;
    factory_calls calls = {0, NULL, NULL, 0};
    wjr_runner_options ro = load_options(f, &calls);
    wjr_runner *back = NULL;
    char *text = saved_runner(f, tu_script_wrapper("true", NULL));

    assert_int_equal(wjr_runner_from_json(&back, text, &ro), 0);
    assert_int_equal(calls.calls, 0); /* ScriptWrapper is built in */
    wjr_runner_free(back);
    free(text);
}

/* A caller built against the version 1 struct (no factory members). */
static void test_options_version_1(void **state)
{
    tu_fixture *f = *state;
    factory_calls calls = {0, NULL, NULL, 0};
    /* members a version 1 caller does not have are never read */
    wjr_runner_options v1 = load_options(f, &calls);
    wjr_backend *backend = NULL;
    wjr_runner *back = NULL;
    char *text = NULL;

    v1.version = 1;
    v1.experiment_dir = f->dir;
    v1.study_id = TU_STUDY;
    assert_int_equal(wjr_backend_slurm_new(&backend, NULL), 0);
    assert_int_equal(wjr_runner_new(&f->runner, backend, custom_new("{}"), &v1), 0);
    tu_run(f, 0, "{\"x\": 1}");
    assert_int_equal(wjr_runner_to_json(&text, f->runner), 0);
    assert_int_equal(wjr_runner_from_json(&back, text, &v1), WJR_EINVALID);
    assert_non_null(strstr(wjr_error_last(), "'" CUSTOM_TYPE "'"));
    assert_int_equal(calls.calls, 0);
    v1.version = 3;
    assert_int_equal(wjr_backend_slurm_new(&backend, NULL), 0);
    assert_int_equal(wjr_runner_new(&back, backend, custom_new("{}"), &v1), WJR_EINVALID);
    assert_null(back);
    free(text);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_factory_loads_custom_wrapper),
        T(test_no_factory_names_the_type),
        T(test_factory_failure_fails_the_load),
        T(test_builtin_wrapper_needs_no_factory),
        T(test_options_version_1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
