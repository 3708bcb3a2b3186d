/*
 * hostile_job.c - hostile parameter values in real jobs, on the real
 * cluster: `$(touch /tmp/wjr-pwned-PID)`, `'; rm -rf ~ #`, a value with a
 * newline, backticks, Slurm's own %-patterns, quotes, backslashes and
 * unicode, plus a hostile parameter name, in a single job and in a job
 * array, under an experiment directory whose name holds a space, a quote
 * and a `$(...)`. The model (python3) reads parameters.json and writes the
 * parameters back into output.json next to its metric. The values arrive
 * byte-identical (parameters.json and the echo, compared with jansson),
 * the trials end COMPLETED, and nothing was executed: no pwned file
 * exists, and the jobs' HOME (a folder of the test, with a canary file,
 * in case `rm -rf ~` ever ran) is intact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cluster_util.h"

#define N_VALUES 8

static const char model[] = "import json, os, sys\n"
                            "d = sys.argv[1]\n"
                            "p = json.load(open(os.path.join(d, 'parameters.json'), "
                            "encoding='utf-8'))\n"
                            "with open(os.path.join(d, 'output.json'), 'w', encoding='utf-8') "
                            "as f:\n"
                            "    json.dump({'m': 1.5, 'echo': p, 'argv': sys.argv[1:]}, f)\n";

static char pwned[3][64];

static json_t *hostile_params(void)
{
    json_t *p = json_object();
    char buf[160], key[96];
    const char *fixed[] = {
        "'; rm -rf ~ #",
        "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac",
        "\"; exit 99; echo \"",
        "%j %A %a %x %u %% ${HOME} $HOME",
        "tab\there\\and \\\\ back\\slash 'single' \"double\"",
    };
    size_t i;

    snprintf(pwned[0], sizeof(pwned[0]), "/tmp/wjr-pwned-%ld", (long)getpid());
    snprintf(pwned[1], sizeof(pwned[1]), "/tmp/wjr-pwned2-%ld", (long)getpid());
    snprintf(pwned[2], sizeof(pwned[2]), "/tmp/wjr-pwned3-%ld", (long)getpid());
    for (i = 0; i < 3; i++)
        remove(pwned[i]);
    snprintf(buf, sizeof(buf), "$(touch %s)", pwned[0]);
    json_object_set_new(p, "dollar", json_string(buf));
    snprintf(buf, sizeof(buf), "`touch %s`", pwned[1]);
    json_object_set_new(p, "backticks", json_string(buf));
    snprintf(buf, sizeof(buf), "first line\nsecond line; touch %s\n", pwned[2]);
    json_object_set_new(p, "newline", json_string(buf));
    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        snprintf(key, sizeof(key), "v%zu", i);
        json_object_set_new(p, key, json_string(fixed[i]));
    }
    snprintf(key, sizeof(key), "$(touch %s)", pwned[0]);
    json_object_set_new(p, key, json_real(0.25));
    assert_int_equal(json_object_size(p), N_VALUES + 1);
    return p;
}

/* Compare each string value byte for byte, then the whole objects. */
static void assert_same_params(json_t *want, json_t *got, const char *where)
{
    const char *key;
    json_t *v;

    if (!json_is_object(got))
        fail_msg("%s: not a JSON object", where);
    json_object_foreach(want, key, v)
    {
        json_t *g = json_object_get(got, key);
        if (json_is_string(v) &&
            (!json_is_string(g) || json_string_length(g) != json_string_length(v) ||
             memcmp(json_string_value(g), json_string_value(v), json_string_length(v)) != 0))
            fail_msg("%s: parameter %s changed on the way", where, key);
    }
    if (!json_equal(want, got))
        fail_msg("%s: the parameters differ", where);
}

static void check_trial(cl_env *e, int64_t index, json_t *want)
{
    const wjr_trial_info *t = cl_expect(e->runner, index, WJR_TRIAL_COMPLETED);
    char *path;
    json_t *doc, *argv;
    json_error_t jerr;

    cl_assert_contains(t->metrics_json, "\"m\"");
    doc = json_loads(t->params_json, 0, &jerr);
    assert_same_params(want, doc, "the trial's params_json");
    json_decref(doc);

    path = cl_trial_file(e->runner, index, "parameters.json");
    doc = json_load_file(path, 0, &jerr);
    if (doc == NULL)
        fail_msg("%s: %s", path, jerr.text);
    assert_same_params(want, doc, "parameters.json");
    json_decref(doc);
    free(path);

    path = cl_trial_file(e->runner, index, "output.json");
    doc = json_load_file(path, 0, &jerr);
    if (doc == NULL)
        fail_msg("%s: %s", path, jerr.text);
    assert_same_params(want, json_object_get(doc, "echo"), "the model's echo in output.json");
    /* the trial directory reached the model as one argument, unchanged */
    argv = json_object_get(doc, "argv");
    assert_int_equal(json_array_size(argv), 1);
    assert_string_equal(json_string_value(json_array_get(argv, 0)), t->run.trial_dir);
    json_decref(doc);
    free(path);
}

static void test_hostile_job(void **state)
{
    cl_env *e = *state;
    wjr_slurm_options so = WJR_SLURM_OPTIONS_INIT;
    const char *metrics[] = {"m", NULL};
    const char *cmd = cl_model(e, "model.py", "python3", model);
    char *home_env, *home, *canary, *found;
    const char *env[2];
    json_t *params = hostile_params();
    char *text = json_dumps(params, JSON_COMPACT);
    wjr_trial_spec specs[2] = {{1, text}, {2, text}};
    size_t i;

    /* the jobs' HOME is ours: an injected `rm -rf ~` could only hit it */
    home = cl_write_file(e, "home-canary", "");
    remove(home);
    assert_int_equal(mkdir(home, 0755), 0);
    canary = malloc(strlen(home) + 16);
    sprintf(canary, "%s/canary", home);
    fclose(fopen(canary, "w"));
    home_env = malloc(strlen(home) + 8);
    sprintf(home_env, "HOME=%s", home);
    env[0] = home_env;
    env[1] = NULL;
    free(e->exp);
    e->exp = malloc(strlen(e->tmp) + 64);
    sprintf(e->exp, "%s/exp dir 'q' $(touch pwned4) `x`", e->tmp);

    so.partition = "debug";
    so.time = "5";
    so.env = env;
    cl_runner(e, cmd, &so, metrics);
    cl_run(e, 0, text);
    assert_int_equal(wjr_runner_run_multiple(NULL, e->runner, specs, 2), 0);
    cl_wait_terminal(e->runner, NULL, 0, 60);
    for (i = 0; i < 3; i++)
        check_trial(e, (int64_t)i, params);

    for (i = 0; i < 3; i++)
        if (cl_exists(pwned[i]))
            fail_msg("%s exists: a parameter value was executed", pwned[i]);
    found = cl_capture("find '%s' -name 'pwned*' 2>/dev/null", e->tmp);
    if (found[0] != '\0')
        fail_msg("something was executed: %s", found);
    assert_true(cl_exists(canary));
    free(found);
    free(canary);
    free(home);
    free(home_env);
    free(text);
    json_decref(params);
    e->passed = 1;
}

CL_MAIN(CL_TEST(test_hostile_job))
