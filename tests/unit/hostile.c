/*
 * hostile.c - tests that parameter values never reach a shell: values (and
 * names) such as `$(touch /tmp/wjr-pwned-N)`, `'; rm -rf ~ #`, a newline,
 * backticks and unicode arrive byte-identical in parameters.json and
 * data.json, never appear in the batch script the mocked controller
 * received, and nothing is executed when that script runs under /bin/sh,
 * for a single job and for a job array. Also: parameters that are not a
 * JSON object are refused with WJR_EINVALID and nothing is submitted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "mock_slurm.h"
#include "test_util.h"

#define N_VALUES 8

typedef struct hostile {
    char pwned[64];    /* the file a successful injection would create */
    char pwned_bt[64]; /* the same, through backticks */
    char pwned_key[64];
    char pwned_nl[64]; /* through a newline */
    char *values[N_VALUES];
    char key[96];
    json_t *params;
    char *params_json;
} hostile;

static void hostile_init(hostile *h)
{
    size_t i;
    char buf[128];

    snprintf(h->pwned, sizeof(h->pwned), "/tmp/wjr-pwned-%ld", (long)getpid());
    snprintf(h->pwned_bt, sizeof(h->pwned_bt), "/tmp/wjr-pwned-%ld-bt", (long)getpid());
    snprintf(h->pwned_key, sizeof(h->pwned_key), "/tmp/wjr-pwned-%ld-key", (long)getpid());
    snprintf(h->pwned_nl, sizeof(h->pwned_nl), "/tmp/wjr-pwned-%ld-nl", (long)getpid());
    /* a file left by an earlier run must not fail (or pass) this one */
    remove(h->pwned);
    remove(h->pwned_bt);
    remove(h->pwned_key);
    remove(h->pwned_nl);
    snprintf(buf, sizeof(buf), "$(touch %s)", h->pwned);
    h->values[0] = strdup(buf);
    h->values[1] = strdup("'; rm -rf ~ #");
    snprintf(buf, sizeof(buf), "first line\nsecond line; touch %s", h->pwned_nl);
    h->values[2] = strdup(buf);
    snprintf(buf, sizeof(buf), "`touch %s`", h->pwned_bt);
    h->values[3] = strdup(buf);
    h->values[4] = strdup("h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac");
    h->values[5] = strdup("\"; exit 99; echo \"");
    h->values[6] = strdup("%n%n%s%s ${HOME} $HOME");
    h->values[7] = strdup("tab\there\\and \\\\ back\\slash");
    snprintf(h->key, sizeof(h->key), "$(touch %s)", h->pwned_key);
    h->params = json_object();
    for (i = 0; i < N_VALUES; i++) {
        snprintf(buf, sizeof(buf), "p%zu", i);
        json_object_set_new(h->params, buf, json_string(h->values[i]));
    }
    json_object_set_new(h->params, h->key, json_real(0.5));
    h->params_json = json_dumps(h->params, JSON_INDENT(1));
    assert_non_null(h->params_json);
}

static void hostile_free(hostile *h)
{
    size_t i;

    for (i = 0; i < N_VALUES; i++)
        free(h->values[i]);
    json_decref(h->params);
    free(h->params_json);
}

static void assert_nothing_ran(const hostile *h)
{
    assert_false(tu_exists(h->pwned));
    assert_false(tu_exists(h->pwned_bt));
    assert_false(tu_exists(h->pwned_key));
    assert_false(tu_exists(h->pwned_nl));
}

/* parameters.json and data.json hold the values byte for byte. */
static void check_trial_files(tu_fixture *f, const hostile *h, int64_t index)
{
    char name[64], *path;
    json_t *v;
    size_t i;

    snprintf(name, sizeof(name), "%06lld/parameters.json", (long long)index);
    path = tu_path(f->dir, name);
    v = json_load_file(path, 0, NULL);
    assert_non_null(v);
    assert_true(json_equal(v, h->params));
    for (i = 0; i < N_VALUES; i++) {
        char key[16];
        snprintf(key, sizeof(key), "p%zu", i);
        assert_string_equal(json_string_value(json_object_get(v, key)), h->values[i]);
    }
    assert_non_null(json_object_get(v, h->key));
    json_decref(v);
    free(path);
    snprintf(name, sizeof(name), "%06lld/data.json", (long long)index);
    path = tu_path(f->dir, name);
    v = json_load_file(path, 0, NULL);
    assert_non_null(v);
    assert_true(json_equal(json_object_get(v, "parameters"), h->params));
    json_decref(v);
    free(path);
}

static void check_script_clean(const char *script, const hostile *h)
{
    size_t i;

    for (i = 0; i < N_VALUES; i++)
        if (strstr(script, h->values[i]))
            fail_msg("the batch script holds the value '%s'", h->values[i]);
    assert_null(strstr(script, h->key));
    assert_null(strstr(script, "wjr-pwned"));
}

static void test_single_job(void **state)
{
    tu_fixture *f = *state;
    hostile h;
    const wjr_trial_info *t;
    const mock_submission *s;
    char env_id[64], *exit_path, *exit_text;
    const char *env[] = {env_id, NULL};

    hostile_init(&h);
    tu_runner(f, tu_script_wrapper("true", "cat parameters.json data.json >/dev/null; true"), NULL);
    t = tu_run(f, 3, h.params_json);
    assert_nothing_ran(&h);
    check_trial_files(f, &h, 3);
    s = mock_submission_at(0);
    check_script_clean(s->script, &h);
    assert_null(strstr(s->name, "pwned"));
    assert_null(strstr(s->comment, "pwned"));

    snprintf(env_id, sizeof(env_id), "SLURM_JOB_ID=%s", t->run.job_id);
    assert_int_equal(tu_run_script(f, s->script, env), 0);
    assert_nothing_ran(&h);
    exit_path = tu_path(f->dir, "000003/wjr_exit.json");
    exit_text = tu_read(exit_path);
    assert_non_null(exit_text);
    assert_non_null(strstr(exit_text, "\"exit_code\": 0"));
    free(exit_text);
    free(exit_path);
    hostile_free(&h);
}

static void test_array(void **state)
{
    tu_fixture *f = *state;
    hostile h;
    wjr_trial_spec specs[2];
    const mock_submission *s;
    char job[32], task[32];
    const char *env[] = {job, task, NULL};
    int k;

    hostile_init(&h);
    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    specs[0].index = 10;
    specs[0].params_json = h.params_json;
    specs[1].index = 11;
    specs[1].params_json = "{\"safe\": \"value\"}";
    assert_int_equal(wjr_runner_run_multiple(NULL, f->runner, specs, 2), 0);
    check_trial_files(f, &h, 10);
    s = mock_submission_at(0);
    check_script_clean(s->script, &h);
    for (k = 0; k < 2; k++) {
        snprintf(job, sizeof(job), "SLURM_ARRAY_JOB_ID=%u", s->job_id);
        snprintf(task, sizeof(task), "SLURM_ARRAY_TASK_ID=%d", k);
        assert_int_equal(tu_run_script(f, s->script, env), 0);
    }
    assert_nothing_ran(&h);
    hostile_free(&h);
}

static void test_bad_parameters(void **state)
{
    tu_fixture *f = *state;
    const char *bad[] = {"not json",  "[1, 2]", "\"a string\"", "42", "{\"a\": 1, \"a\": 2}",
                         "{\"a\": 1", ""};
    wjr_trial_spec specs[3];
    size_t i, submitted = 9;

    tu_runner(f, tu_script_wrapper("true", NULL), NULL);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        wjr_trial_spec spec = {(int64_t)i, bad[i]};
        if (wjr_runner_run(NULL, f->runner, &spec) != WJR_EINVALID)
            fail_msg("parameters '%s' were not refused", bad[i]);
        assert_null(wjr_runner_trial(f->runner, (int64_t)i));
    }
    {
        wjr_trial_spec spec = {0, NULL};
        assert_int_equal(wjr_runner_run(NULL, f->runner, &spec), WJR_EINVALID);
    }
    /* one bad entry stops the whole batch before any submit */
    specs[0].index = 20;
    specs[0].params_json = "{\"x\": 1}";
    specs[1].index = 21;
    specs[1].params_json = "[\"x\"]";
    specs[2].index = 22;
    specs[2].params_json = "{\"x\": 3}";
    assert_int_equal(wjr_runner_run_multiple(&submitted, f->runner, specs, 3), WJR_EINVALID);
    assert_int_equal(submitted, 0);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 0);
    assert_int_equal(mock_job_count(), 0);
    /* and once fixed, the batch goes out */
    specs[1].params_json = "{\"x\": 2}";
    assert_int_equal(wjr_runner_run_multiple(&submitted, f->runner, specs, 3), 0);
    assert_int_equal(submitted, 3);
    assert_int_equal(mock_rpc_count(MOCK_RPC_SUBMIT), 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_single_job),
        T(test_array),
        T(test_bad_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
