/*
 * test_config_yaml.c - BOA's YAML configurations: a study of BOA's own
 * shape read whole, BOA's defaults and key forms, errors that name
 * file:line:column, keys of BOA's documentation refused by name, template
 * variables in the file and in commands (each value one quoted shell
 * word, also for a hostile folder name), and the libconfig command path
 * resolution that must not break out of the user's quotes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config_fixture.h"
#include "study_int.h"
#include "template.h"
#include "wjr.h"

static char projdir[512]; /* a folder with a hostile name */

static int setup(void **state)
{
    if (cfx_setup(state) != 0)
        return -1;
    snprintf(projdir, sizeof(projdir), "%s/proj $(touch PWNED) 'q'", cfx_dir);
    return mkdir(projdir, 0755);
}

/* BOA's r_package_full example, with more of BOA's key forms. */
static const char boa_study[] = "objective:\n"
                                "    metrics:\n"
                                "        - name: metric\n"
                                "          metric: mean\n"
                                "          param_names: [ x0, x1 ]\n"
                                "          properties:\n"
                                "              anything: \"you want\"\n"
                                "        - metric: RMSE\n"
                                "          info_only: true\n"
                                "          noise_sd: 0.1\n"
                                "          metric_func_kwargs: {sample_weight: [1, 2]}\n"
                                "scheduler:\n"
                                "    n_trials: 15\n"
                                "    tolerated_trial_failure_rate: 0.8\n"
                                "parameters:\n"
                                "    x0:\n"
                                "        'bounds': [ 0, 1 ]\n"
                                "        'type': 'range'\n"
                                "        'value_type': 'float'\n"
                                "    x1: {type: range, bounds: [0.0, 1.0], digits: 2}\n"
                                "    x2: 4.0\n"
                                "    x3:\n"
                                "        type: choice\n"
                                "        values: [a, b]\n"
                                "        is_ordered: false\n"
                                "script_options:\n"
                                "    write_configs: Rscript write_configs.R\n"
                                "    run_cmd: Rscript run_model.R {{ trial_dir }} {{ x0 }}\n"
                                "    exp_name: r_run\n"
                                "model_options:\n"
                                "    input_size: 15\n"
                                "    model_dir: .\n";

static void test_boa_study(void **state)
{
    wjr_study_config *c = cfx_load("config.yaml", boa_study);
    char want[1024];
    size_t n;
    (void)state;

    assert_true(c->is_yaml);
    assert_int_equal(c->total_trials, 15);
    assert_int_equal(c->n_metrics, 2);
    assert_string_equal(c->metrics[0].function, "mean");
    assert_true(c->metrics[0].minimize); /* BOA's default */
    assert_string_equal(json_string_value(json_array_get(c->metrics[0].param_names, 1)), "x1");
    assert_string_equal(json_string_value(json_object_get(c->metrics[0].properties, "anything")),
                        "you want");
    assert_string_equal(c->metrics[1].name, "RMSE"); /* named after its function */
    assert_true(c->metrics[1].info_only);
    assert_true(c->metrics[1].noise_sd == 0.1);
    assert_int_equal(c->n_params, 4);
    assert_int_equal(c->params[1].has_digits, 1);
    assert_int_equal(c->params[1].digits, 2);
    assert_int_equal(c->params[2].kind, WJR_PARAM_FIXED);
    assert_true(json_real_value(c->params[2].values) == 4.0);
    assert_int_equal(c->params[3].kind, WJR_PARAM_CHOICE);
    assert_int_equal(c->params[3].is_ordered, 0);
    /* run_cmd is run_model; its templates stay for each trial */
    assert_string_equal(c->run_model, "Rscript run_model.R {{ trial_dir }} {{ x0 }}");
    assert_string_equal(c->write_configs, "Rscript write_configs.R");
    /* commands run from the configuration's folder */
    assert_string_equal(c->working_dir, cfx_dir);
    /* <config dir>/r_run_<YYYYmmddTHHMMSS> */
    snprintf(want, sizeof(want), "%s/r_run_", cfx_dir);
    n = strlen(want);
    assert_int_equal(strncmp(c->experiment_dir, want, n), 0);
    assert_int_equal(strlen(c->experiment_dir), n + 15);
    assert_int_equal(c->experiment_dir[n + 8], 'T');
    assert_int_equal(json_integer_value(json_object_get(c->model_options, "input_size")), 15);
    assert_non_null(strstr(c->model_options_json, "\"model_dir\":\".\""));
    assert_non_null(strstr(c->metrics_json, "\"metric\":\"RMSE\""));
    wjr_study_config_free(c);
}

/* A rerun makes a new directory: the taken name gets .1 */
static void test_new_directory_per_run(void **state)
{
    wjr_study_config *a = NULL, *b = NULL;
    const char *path =
        cfx_write(NULL, "again.yaml",
                  "objective: {metrics: [{name: m}]}\n"
                  "scheduler: {total_trials: 2}\n"
                  "script_options: {run_model: sh m.sh, exp_name: e, append_timestamp: false,\n"
                  "                 output_dir: runs}\n");
    char want[600];
    (void)state;

    assert_int_equal(wjr_study_config_load(&a, path), 0);
    snprintf(want, sizeof(want), "%s/runs/e", cfx_dir);
    assert_string_equal(a->experiment_dir, want);
    snprintf(want, sizeof(want), "mkdir -p '%s'", a->experiment_dir);
    assert_int_equal(system(want), 0);
    assert_int_equal(wjr_study_config_load(&b, path), 0);
    snprintf(want, sizeof(want), "%s/runs/e.1", cfx_dir);
    assert_string_equal(b->experiment_dir, want);
    wjr_study_config_free(a);
    wjr_study_config_free(b);
}

/* rel_to_launch: relative paths from where wjr starts; a resume (explicit
 * base folder) keeps the folder of the first run. */
static void test_rel_to_launch(void **state)
{
    wjr_study_config *c = NULL;
    char old[512], want[600];
    const char *path = cfx_write(NULL, "launch.yaml",
                                 "script_options: {run_model: sh m.sh, rel_to_launch: true,\n"
                                 "                 working_dir: work, experiment_dir: exp}\n");
    (void)state;

    assert_non_null(getcwd(old, sizeof(old)));
    assert_int_equal(chdir(projdir), 0);
    if (wjr_study_config_load(&c, path) != 0)
        fail_msg("%s", wjr_error_last());
    assert_int_equal(chdir(old), 0);
    snprintf(want, sizeof(want), "%s/work", projdir);
    assert_string_equal(c->working_dir, want);
    snprintf(want, sizeof(want), "%s/exp", projdir);
    assert_string_equal(c->experiment_dir, want);
    assert_string_equal(c->dir, projdir); /* what a resume is given */
    wjr_study_config_free(c);
    assert_int_equal(wjr_study_config_load_from(&c, path, "/base"), 0);
    assert_string_equal(c->working_dir, "/base/work");
    wjr_study_config_free(c);
}

/* Without declared parameters (an external optimizer), the values a
 * command template names are checked when the trial is submitted. */
static void test_external_values(void **state)
{
    wjr_study_config *c = cfx_load("ext.yaml", "script_options:\n"
                                               "  run_model: sh m.sh {{ a }} {{ trial_dir }}\n"
                                               "  experiment_dir: ext\n");
    json_t *good = json_pack("{s:i, s:i}", "a", 1, "b", 2), *bad = json_pack("{s:i}", "b", 2);
    (void)state;

    assert_int_equal(wjr_study_config_check_params(c, good), 0);
    assert_int_equal(wjr_study_config_check_params(c, bad), WJR_EINVALID);
    assert_non_null(strstr(wjr_error_last(), "names 'a'"));
    json_decref(good);
    json_decref(bad);
    wjr_study_config_free(c);
}

typedef struct bad_case {
    const char *text;
    const char *message; /* after "<path>:" */
} bad_case;

#define SCRIPT "script_options: {run_model: sh m.sh}\n"

static const bad_case bad_cases[] = {
    {"objective: {metrics: [{name: m}]}\n",
     "1: the configuration needs script_options with run_model (the command of a trial), e.g. "
     "script_options: {run_model: python3 run_model.py}"},
    {"script_options:\n  exp_name: a\n",
     "1:1: script_options needs run_model: COMMAND (or BOA's run_cmd)"},
    {"scheduler:\n    totl_trials: 3\n",
     "2:5: unknown key 'totl_trials' in scheduler (did you mean 'total_trials'?)"},
    {SCRIPT "parameters:\n  a: {type: range, bounds: [1, 2}\n",
     "3:33: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence"},
    {SCRIPT "objective:\n  metrics: [{name: m}]\n  objective_thresholds: ['m >= 1']\n",
     "4:3: objective.objective_thresholds are for several objectives (metrics without "
     "weights); use outcome_constraints to bound a metric"},
    {SCRIPT "objective:\n  metrics: [{name: m}, {name: n, minimize: false}]\n"
            "  objective_thresholds: ['m <= 1', 'n <= 2']\n",
     "4:36: objective_thresholds[1] \"n <= 2\": 'n' is maximized, so its threshold reads "
     "'n >= NUMBER'"},
    {SCRIPT "objective:\n  metrics: [{name: m}, {name: n}]\n"
            "  objective_thresholds: ['q <= 1']\n",
     "4:26: objective_thresholds[0] \"q <= 1\": 'q' is not one of the objectives"},
    {SCRIPT "scheduler:\n  timeout_hours: 3\n",
     "3:3: scheduler.timeout_hours is not supported by wjr: stop the study with wjr cancel, or "
     "give slurm.time"},
    {"script_options:\n  wrapper_path: wrapper.py\n",
     "2:3: script_options.wrapper_path is not supported by wjr: Python wrapper classes are not "
     "supported: use run_model and the other commands"},
    {SCRIPT "objective: {metrics: [{name: m, minimize: no}]}\n",
     "2:33: objective.metrics[0].minimize must be true or false: 'no' is a string in YAML 1.2, as "
     "BOA reads it (or start the file with %YAML 1.1)"},
    {SCRIPT "parameters:\n  b: {type: fixed}\n", "3:3: fixed parameter 'b' needs value: ..."},
    {SCRIPT "n_trials: 3\nscheduler: {total_trials: 4}\n",
     "2:1: n_trials is given twice (at the top level and in scheduler, or with total_trials): "
     "give it once"},
    {"script_options:\n  run_model: sh m.sh\n  run_cmd: sh n.sh\n",
     "3:3: run_cmd is another name of run_model: give one of them"},
    {"script_options:\n  run_model: sh m.sh\n  rel_to_config: true\n  rel_to_launch: true\n",
     "4:3: give rel_to_config or rel_to_launch, not both"},
    {"parameters: {x: {type: range, bounds: [0, 1]}}\n"
     "script_options:\n  run_model: sh m.sh {{ x }} {{ y }}\n",
     "3:3: unknown template variable 'y' in run_model: use a parameter's name, trial_dir, "
     "config_path, config_dir, config_dir_name or config_file_name"},
    {"script_options:\n  run_model: sh m.sh {{ x | int }}\n",
     "2:3: '{{ x | int }}' at character 9: only {{ name }} substitutions are supported (no "
     "filters or expressions)"},
    {"{% set x = 1 %}\n" SCRIPT,
     "1:1: '{%': Jinja2 blocks and comments are not supported by wjr; render the file with "
     "Jinja2 first, or use only {{ name }} substitutions"},
    {SCRIPT "objective:\n  metrics:\n    - name: m\n      metric: mean\n"
            "      metric_func_kwargs: {axis: 0}\n",
     "6:7: metric_func_kwargs: 'axis' is not an argument of Mean that wjr supports"},
    {SCRIPT "objective:\n  metrics:\n    - {name: m, metric_type: sklearn_metric}\n",
     "4:17: metric_type \"sklearn_metric\" is not supported by wjr: use BOA's own metrics "
     "(metric_type: metric), or compute the value in your script"},
    {SCRIPT "objective:\n  metrics:\n    - {name: m, param_names: [zz]}\n",
     "3:3: metric 'm' lists param_names 'zz', which is not a parameter"},
    {SCRIPT "scheduler: {total_trials: 99999999999999999999}\n",
     "2:27: integer 99999999999999999999 is out of range"},
    {SCRIPT "parameters:\n  x: {type: range, bounds: [0, 1], digits: 2}\n",
     "3:36: digits (0 to 15) applies to float range parameters only"},
    {SCRIPT "objective:\n  metrics:\n    - {name: m}\n    - {name: m}\n",
     "5:7: metric 'm' is named twice"},
    {"a: 1\na: 2\n", "2:1: key 'a' appears twice"},
};

static void test_errors_name_line_and_column(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        char what[32];

        snprintf(what, sizeof(what), "case %zu", i);
        cfx_expect_error("bad.yml", bad_cases[i].text, bad_cases[i].message, what);
    }
}

/* value_type on choice and fixed parameters makes their values that type,
 * as Ax does; a fixed parameter's bounds are dropped, as BOA drops them. */
static void test_value_types(void **state)
{
    wjr_study_config *c =
        cfx_load("types.yaml", "objective: {metrics: [{name: m}]}\n"
                               "parameters:\n"
                               "    c: {type: choice, values: [1, 2, 4], value_type: float}\n"
                               "    s: {type: choice, values: [1, 2.5, 3.0, true, b], value_type: "
                               "str}\n"
                               "    i: {type: choice, values: [1.0, 3], value_type: int}\n"
                               "    f: {type: fixed, value: 3, value_type: float, bounds: [0, 9]}\n"
                               "scheduler: {total_trials: 2}\n"
                               "script_options: {run_model: sh m.sh}\n");
    const json_t *v;
    (void)state;

    v = c->params[0].values;
    assert_true(json_is_real(json_array_get(v, 1)));
    assert_true(json_real_value(json_array_get(v, 1)) == 2.0);
    v = c->params[1].values;
    assert_string_equal(json_string_value(json_array_get(v, 0)), "1");
    assert_string_equal(json_string_value(json_array_get(v, 1)), "2.5");
    assert_string_equal(json_string_value(json_array_get(v, 2)), "3.0");
    assert_string_equal(json_string_value(json_array_get(v, 3)), "True");
    assert_string_equal(json_string_value(json_array_get(v, 4)), "b");
    v = c->params[2].values;
    assert_true(json_is_integer(json_array_get(v, 0)));
    assert_int_equal(json_integer_value(json_array_get(v, 0)), 1);
    assert_int_equal(c->params[3].kind, WJR_PARAM_FIXED);
    assert_true(json_is_real(c->params[3].values));
    assert_true(json_real_value(c->params[3].values) == 3.0);
    wjr_study_config_free(c);
    cfx_expect_error("types.yaml",
                     "objective: {metrics: [{name: m}]}\n"
                     "parameters:\n"
                     "    b: {type: choice, values: [1, 1.5], value_type: int}\n",
                     "3:41: value 1.5 of 'b' is not of value_type int", "int");
    cfx_expect_error(
        "types.yaml",
        "objective: {metrics: [{name: m}]}\n"
        "parameters:\n"
        "    b: {type: fixed, value: x, value_type: long}\n",
        "3:32: value_type must be \"int\", \"float\", \"str\" or \"bool\", not \"long\"", "type");
}

/* objective.minimize without weights is the direction of the metrics that
 * give none, and contradicting a metric's own is an error. */
static void test_objective_direction(void **state)
{
    wjr_study_config *c =
        cfx_load("dir.yaml", "objective:\n"
                             "    minimize: false\n"
                             "    metrics: [{name: acc}, {name: n, info_only: true}]\n"
                             "scheduler: {total_trials: 2}\n"
                             "script_options: {run_model: sh m.sh}\n");
    (void)state;

    assert_int_equal(c->metrics[0].minimize, 0);
    assert_int_equal(c->metrics[1].minimize, 1); /* info_only: untouched */
    wjr_study_config_free(c);
    c = cfx_load("dir.yaml", "objective:\n"
                             "    minimize: false\n"
                             "    metrics: [{name: acc, lower_is_better: false}]\n"
                             "scheduler: {total_trials: 2}\n"
                             "script_options: {run_model: sh m.sh}\n");
    assert_int_equal(c->metrics[0].minimize, 0);
    wjr_study_config_free(c);
    cfx_expect_error("dir.yaml",
                     "objective:\n"
                     "    minimize: false\n"
                     "    metrics: [{name: acc, minimize: true}]\n",
                     "2:5: objective.minimize is false, but metric 'acc' has minimize: true: give "
                     "the direction once",
                     "direction");
}

/* Booleans as BOA's YAML reader (YAML 1.2) has them: yes, no, on and off
 * are strings, unless the file asks for YAML 1.1. */
static void test_yaml_12_booleans(void **state)
{
    static const char body[] = "objective: {metrics: [{name: m}]}\n"
                               "parameters:\n"
                               "    w: {type: choice, values: [yes, no, On, True, FALSE]}\n"
                               "scheduler: {total_trials: 2}\n"
                               "script_options: {run_model: sh m.sh}\n";
    char text[512];
    wjr_study_config *c = cfx_load("b12.yaml", body);
    const json_t *v = c->params[0].values;
    (void)state;

    assert_string_equal(json_string_value(json_array_get(v, 0)), "yes");
    assert_string_equal(json_string_value(json_array_get(v, 1)), "no");
    assert_string_equal(json_string_value(json_array_get(v, 2)), "On");
    assert_true(json_is_true(json_array_get(v, 3)));
    assert_true(json_is_false(json_array_get(v, 4)));
    wjr_study_config_free(c);
    snprintf(text, sizeof(text), "%%YAML 1.1\n---\n%s", body);
    c = cfx_load("b11.yaml", text);
    v = c->params[0].values;
    assert_true(json_is_true(json_array_get(v, 0)));
    assert_true(json_is_false(json_array_get(v, 1)));
    assert_true(json_is_true(json_array_get(v, 2)));
    wjr_study_config_free(c);
}

/* Aliases that expand without end, and deep nesting: refused quickly. */
static void test_hostile_yaml(void **state)
{
    char text[4096], *p = text;
    wjr_study_config *c = NULL;
    const char *path;
    int i;
    (void)state;

    p += sprintf(p, "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n");
    for (i = 1; i < 9; i++)
        p += sprintf(p, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
                     i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    path = cfx_write(NULL, "bomb.yaml", text);
    assert_int_equal(wjr_study_config_load(&c, path), WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "too many values"));
    p = text;
    p += sprintf(p, "a: ");
    for (i = 0; i < 200; i++)
        *p++ = '[';
    for (i = 0; i < 200; i++)
        *p++ = ']';
    strcpy(p, "\n");
    path = cfx_write(NULL, "deep.yaml", text);
    assert_int_equal(wjr_study_config_load(&c, path), WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "nested too deeply"));
    assert_null(c);
}

/* Run a command through /bin/sh in dir; its stdout, first line. */
static void run_in(char *out, size_t size, const char *dir, const char *cmd)
{
    size_t n = strlen(cmd) + 64;
    char *full = malloc(n);
    FILE *p;

    assert_non_null(full);
    setenv("WJR_TEST_DIR", dir, 1);
    snprintf(full, n, "cd \"$WJR_TEST_DIR\" || exit 1; %s", cmd);
    p = popen(full, "r");
    assert_non_null(p);
    out[0] = '\0';
    if (fgets(out, (int)size, p) == NULL)
        out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    pclose(p);
    free(full);
}

/* The folder's name reaches the shell only as one quoted word. */
static void test_template_vars_hostile_folder(void **state)
{
    wjr_study_config *c = NULL;
    char path[700], pwned[700], out[700];
    struct stat st;
    (void)state;

    cfx_write(projdir, "config.yaml",
              "script_options:\n"
              "  run_model: sh -c \"printf '%s|%s\\n' {{ config_dir }} {{ config_dir_name }}\"\n"
              "  write_configs: printf '%s\\n' 'in {{ config_file_name }}'\n"
              "  experiment_dir: \"{{ config_dir }}/runs\"\n");
    snprintf(path, sizeof(path), "%s/config.yaml", projdir);
    if (wjr_study_config_load(&c, path) != 0)
        fail_msg("%s", wjr_error_last());
    snprintf(pwned, sizeof(pwned), "%s/runs", projdir);
    assert_string_equal(c->experiment_dir, pwned); /* rendered as text outside commands */
    run_in(out, sizeof(out), cfx_dir, c->run_model);
    snprintf(pwned, sizeof(pwned), "%s|proj $(touch PWNED) 'q'", projdir);
    assert_string_equal(out, pwned);
    run_in(out, sizeof(out), cfx_dir, c->write_configs);
    assert_string_equal(out, "in 'config.yaml'"); /* quoted in the quotes */
    wjr_study_config_free(c);
    /* a flow mapping: the command's line is not rendered as text */
    cfx_write(projdir, "config.yaml",
              "script_options: {run_model: \"printf '%s\\n' {{ config_dir }}/m\",\n"
              "                 experiment_dir: \"{{ config_dir }}/runs\"}\n");
    if (wjr_study_config_load(&c, path) != 0)
        fail_msg("%s", wjr_error_last());
    snprintf(pwned, sizeof(pwned), "%s/runs", projdir);
    assert_string_equal(c->experiment_dir, pwned);
    run_in(out, sizeof(out), cfx_dir, c->run_model);
    snprintf(pwned, sizeof(pwned), "%s/m", projdir);
    assert_string_equal(out, pwned);
    snprintf(pwned, sizeof(pwned), "%s/PWNED", cfx_dir);
    assert_int_not_equal(stat(pwned, &st), 0);
    snprintf(pwned, sizeof(pwned), "%s/PWNED", cfx_dir);
    assert_int_not_equal(stat(pwned, &st), 0);
    assert_int_not_equal(stat("PWNED", &st), 0);
    wjr_study_config_free(c);
}

/* issue: a quoted command in a folder named `proj $(touch PWNED)` */
static void test_libconfig_quotes_kept(void **state)
{
    wjr_study_config *c = NULL;
    char path[700], want[1400], out[700], pwned[700];
    struct stat st;
    (void)state;

    cfx_write(projdir, "model.sh", "echo ran \"$@\"\n");
    cfx_write(projdir, "t.cfg",
              "script_options = { run_model = \"sh -c \\\"sh model.sh --fast\\\" && sh "
              "model.sh\"; experiment_dir = \"runs\"; };\n");
    snprintf(path, sizeof(path), "%s/t.cfg", projdir);
    if (wjr_study_config_load(&c, path) != 0)
        fail_msg("%s", wjr_error_last());
    /* the quoted word is left as written; the plain one made absolute */
    snprintf(want, sizeof(want),
             "sh -c \"sh model.sh --fast\" && sh '%s/proj $(touch PWNED) '\\''q'\\''/model.sh'",
             cfx_dir);
    assert_string_equal(c->run_model, want);
    run_in(out, sizeof(out), projdir, c->run_model);
    assert_string_equal(out, "ran --fast");
    snprintf(pwned, sizeof(pwned), "%s/PWNED", cfx_dir);
    assert_int_not_equal(stat(pwned, &st), 0);
    snprintf(pwned, sizeof(pwned), "%s/PWNED", projdir);
    assert_int_not_equal(stat(pwned, &st), 0);
    wjr_study_config_free(c);
}

static const char *lookup(void *payload, const char *name, char **owned)
{
    (void)payload;
    *owned = NULL;
    if (strcmp(name, "v") == 0)
        return "a'b \"c\" $(x) `y` \\z";
    return NULL;
}

/* A value inside each kind of quotes still reads back literally. */
static void test_template_quoting(void **state)
{
    /* a shell that reads quoted text again (sh -c) still sees one quoted word */
    const char *tmpls[] = {"printf '%s\\n' {{ v }}", "sh -c \"printf '%s\\n' {{v}}\"",
                           "sh -c 'printf \"%s\\n\" {{ v }}'", "printf '%s\\n' x{{ v }}y",
                           "printf '%s\\n' \"{{ v }}\""};
    const char *wants[] = {"a'b \"c\" $(x) `y` \\z", "a'b \"c\" $(x) `y` \\z",
                           "a'b \"c\" $(x) `y` \\z", "xa'b \"c\" $(x) `y` \\zy",
                           "'a'\\''b \"c\" $(x) `y` \\z'"};
    char *cmd = NULL, out[256];
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(tmpls) / sizeof(tmpls[0]); i++) {
        assert_int_equal(wjr_template_command(&cmd, tmpls[i], lookup, NULL, 0), 0);
        run_in(out, sizeof(out), cfx_dir, cmd);
        if (strcmp(out, wants[i]) != 0)
            fail_msg("%s -> %s printed %s", tmpls[i], cmd, out);
        free(cmd);
    }
    assert_int_equal(wjr_template_command(&cmd, "x {{ w }}", lookup, NULL, 0), WJR_ECONFIG);
    assert_non_null(strstr(wjr_error_last(), "unknown template variable 'w'"));
    assert_int_equal(wjr_template_command(&cmd, "x {{ w }}", lookup, NULL, 1), 0);
    assert_string_equal(cmd, "x {{ w }}");
    free(cmd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boa_study),
        cmocka_unit_test(test_new_directory_per_run),
        cmocka_unit_test(test_rel_to_launch),
        cmocka_unit_test(test_external_values),
        cmocka_unit_test(test_errors_name_line_and_column),
        cmocka_unit_test(test_template_vars_hostile_folder),
        cmocka_unit_test(test_libconfig_quotes_kept),
        cmocka_unit_test(test_template_quoting),
        cmocka_unit_test(test_hostile_yaml),
        cmocka_unit_test(test_value_types),
        cmocka_unit_test(test_objective_direction),
        cmocka_unit_test(test_yaml_12_booleans),
    };
    return cmocka_run_group_tests(tests, setup, cfx_teardown);
}
