/*
 * test_config.c - the study configuration parser: the example of issue 4,
 * defaults, relative paths, and errors with file:line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config_fixture.h"
#include "study_int.h"
#include "wjr.h"

static void test_example(void **state)
{
    wjr_study_config *c = NULL;
    (void)state;

    assert_int_equal(wjr_study_config_load(&c, WJR_TEST_DATA "/branin.cfg"), 0);
    assert_int_equal(c->n_params, 4);
    assert_string_equal(c->params[0].name, "x1");
    assert_int_equal(c->params[0].is_int, 0);
    assert_true(c->params[3].is_int);
    assert_int_equal(c->params[2].kind, WJR_PARAM_CHOICE);
    assert_int_equal(c->total_trials, 12);
    assert_int_equal(c->max_pending_trials, 4);
    assert_true(c->run_trials_in_batches);
    assert_int_equal(c->seed, 7);
    assert_int_equal(c->n_metrics, 1);
    assert_true(c->metrics[0].minimize);
    assert_string_equal(c->partition, "debug");
    assert_string_equal(c->mem, "256M");
    assert_int_equal(c->cpus_per_task, 1);
    /* model.py exists next to the config: its absolute path, quoted */
    assert_string_equal(c->run_model, "python3 '" WJR_TEST_DATA "/model.py'");
    assert_string_equal(c->experiment_dir, WJR_TEST_DATA "/runs/demo");
    assert_string_equal(wjr_study_config_experiment_dir(c), WJR_TEST_DATA "/runs/demo");
    wjr_study_config_free(c);
}

static void test_log_fixed_env(void **state)
{
    wjr_study_config *c = NULL;
    (void)state;

    assert_int_equal(wjr_study_config_load(&c, WJR_TEST_DATA "/log.cfg"), 0);
    assert_true(c->params[0].log_scale);
    assert_int_equal(c->params[2].kind, WJR_PARAM_FIXED);
    assert_int_equal(c->n_steps, 2);
    assert_int_equal(c->steps[1].model, WJR_MODEL_RANDOM);
    assert_string_equal(c->env[0], "OMP_NUM_THREADS=1");
    assert_string_equal(c->env[1], "A=b c");
    assert_null(c->env[2]);
    assert_int_equal(c->requeue, 0);
    assert_int_equal(c->max_pending_trials, 10); /* default */
    assert_string_equal(c->run_model, "python3 '" WJR_TEST_DATA "/model.py' --fast");
    wjr_study_config_free(c);
}

typedef struct bad_case {
    const char *text;
    const char *message; /* after "<path>:" */
} bad_case;

static const bad_case bad_cases[] = {
    {"scheduler = { totl_trials = 3; };\n",
     "1: unknown key 'totl_trials' in scheduler (did you mean 'total_trials'?)"},
    {"paramters = {};\n", "1: unknown key 'paramters' in the top level (did you mean "
                          "'parameters'?)"},
    /* two neighbours swapped are one edit */
    {"scheduler = { totla_trials = 3; };\n",
     "1: unknown key 'totla_trials' in scheduler (did you mean 'total_trials'?)"},
    /* two edits in four letters is another word, not a typo of 'type' */
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "parameters = {\n  a = { type = \"range\"; bounds = [0.0, 1.0]; time = 3; };\n};\n",
     "3: unknown key 'time' in parameters.a"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "parameters = {\n  a = { type = \"range\"; bounds = [1.0, 2.0]; log_scale = 1; };\n};\n",
     "3: parameters.a.log_scale must be true or false"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "parameters = {\n  a = { type = \"range\"; bounds = [0.0, 2.0]; log_scale = true; };\n};\n",
     "3: log_scale parameter 'a' needs bounds above 0"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "parameters = {\n  a = { type = \"range\"; bounds = [10.0, -5.0]; };\n};\n",
     "3: bounds of 'a' must be finite with low < high, not [10, -5]"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "parameters = {\n  a = { type = \"range\"; bounds = [2.0, 2.0]; };\n};\n",
     "3: bounds of 'a' must be finite with low < high, not [2, 2]"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "parameters = { a = { type = \"choise\"; }; };\n",
     "2: parameter type must be \"range\", \"choice\" or \"fixed\", not \"choise\""},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "generation_strategy = { steps = ( { model = \"TPE\"; num_trials = -1; } ); };\n",
     "2: model \"TPE\" is not available in wjr: use \"SOBOL\", \"RANDOM\" or \"GPEI\" "
     "(\"BOTORCH_MODULAR\"), or drive the study from your optimizer with wjr init/submit"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "parameters = { a = { type = \"range\"; bounds = [0.0, 1.0]; }; };\n"
     "generation_strategy = { steps = ( { model = \"GPEI\"; num_trials = -1; } ); };\n",
     "1: GPEI needs objective = { metrics = ( { name = \"...\"; minimize = true; } ); }; to know "
     "what to optimize"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "objective = { metrics = ( { name = \"m\"; minimize = true; } ); };\n"
     "parameters = { a = { type = \"range\"; bounds = [0.0, 1.0]; };\n"
     "  b = { type = \"range\"; bounds = [1.0, 2.0]; log_scale = true; }; };\n"
     "parameter_constraints = ( \"a + 2*c <= 1\",\n  \"a + b <= 1\" );\n",
     "5: parameter_constraints[0] \"a + 2*c <= 1\": 'c' is not a declared parameter"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "objective = { metrics = ( { name = \"m\"; minimize = true; } ); };\n"
     "parameters = { a = { type = \"range\"; bounds = [0.0, 1.0]; };\n"
     "  b = { type = \"range\"; bounds = [1.0, 2.0]; log_scale = true; }; };\n"
     "parameter_constraints = ( \"a <= 1\",\n  \"a + b <= 1\" );\n",
     "5: parameter_constraints[1] \"a + b <= 1\": parameter 'b' is log-scaled: linear constraints "
     "apply to ranges on a linear scale"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "objective = { metrics = ( { name = \"m\"; minimize = true; } ); };\n"
     "parameters = { a = { type = \"range\"; bounds = [0.0, 1.0]; }; };\n"
     "parameter_constraints = ( \"a >= 2\" );\n",
     "4: parameter_constraints[0] \"a >= 2\" excludes every point within the parameters' bounds"},
    /* each leaves room, together they leave none, or only a line */
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "objective = { metrics = ( { name = \"m\"; minimize = true; } ); };\n"
     "parameters = { a = { type = \"range\"; bounds = [0.0, 1.0]; };\n"
     "  b = { type = \"range\"; bounds = [0.0, 1.0]; }; };\n"
     "parameter_constraints = (\n  \"a + b <= 0.5\",\n  \"a + b >= 0.6\" );\n",
     "5: parameter_constraints leave no room within the parameters' bounds: no point satisfies "
     "them all, or only the points of a plane (as \"x <= 0\" does for x in [0, 1], or a <= and "
     "a >= with one bound)"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "objective = { metrics = ( { name = \"m\"; minimize = true; } ); };\n"
     "parameters = { a = { type = \"range\"; bounds = [0.0, 1.0]; };\n"
     "  b = { type = \"range\"; bounds = [0.0, 1.0]; }; };\n"
     "parameter_constraints = ( \"a + b <= 0.5\", \"a + b >= 0.5\" );\n",
     "5: parameter_constraints leave no room within the parameters' bounds: no point satisfies "
     "them all, or only the points of a plane (as \"x <= 0\" does for x in [0, 1], or a <= and "
     "a >= with one bound)"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "objective = { metrics = ( { name = \"m\"; minimize = true; } );\n"
     "  outcome_constraints = ( \"c <= 1\", \"c < 2\" ); };\n",
     "3: outcome_constraints[1] \"c < 2\" must read METRIC <= NUMBER or METRIC >= NUMBER"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "objective = { metrics = ( { name = \"m\"; minimize = true; } );\n"
     "  outcome_constraints = ( \"c <= 1\" ); };\n"
     "parameters = { a = { type = \"range\"; bounds = [0.0, 1.0]; }; };\n"
     "generation_strategy = { steps = ( { model = \"SOBOL\"; num_trials = -1; } ); };\n",
     "3: outcome constraints need a GPEI step (SOBOL and RANDOM ignore outcomes)"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "scheduler = {\n  tolerated_trial_failure_rate = 1.5;\n};\n",
     "3: scheduler.tolerated_trial_failure_rate must be between 0 and 1, not 1.5"},
    {"script_options = { run_model = \"x\"; };\n",
     "1: script_options needs experiment_dir = \"path\";"},
    {"script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
     "slurm = { env = ( \"1BAD=x\" ); };\n",
     "2: environment entry \"1BAD=x\" must be NAME=VALUE with NAME made of letters, digits and _"},
    {"objective = { metrics = ( { name = \"m\"; metric = \"median\"; } ); };\n",
     "1: metric function 'median' is not available in wjr: use Mean, MeanSquaredError, "
     "RootMeanSquaredError, RSquared, NormalizedRootMeanSquaredError or PassThrough, or compute "
     "the value in your script and report it (pass-through)"},
    {"scheduler = {\n  total_trials = 3;\n  max_pending_trials = ;\n};\n", "3: syntax error"},
};

static void test_errors_name_lines(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        char what[32];

        snprintf(what, sizeof(what), "case %zu", i);
        cfx_expect_error("t.cfg", bad_cases[i].text, bad_cases[i].message, what);
    }
}

/* The strategy in words for a configuration text. */
static char *strategy_of(const char *text)
{
    wjr_study_config *c = cfx_load("t.cfg", text);
    char *out = NULL;

    assert_int_equal(wjr_study_config_strategy(&out, c), 0);
    wjr_study_config_free(c);
    return out;
}

/* BOA's default strategy, GPEI's alias, and constraints counted. */
static void test_strategy(void **state)
{
    static const char *const base =
        "script_options = { run_model = \"x\"; experiment_dir = \"d\"; };\n"
        "parameters = { a = { type = \"range\"; bounds = [0.0, 1.0]; };\n"
        "  b = { type = \"range\"; bounds = [0, 9]; };\n"
        "  c = { type = \"choice\"; values = [\"u\", \"v\"]; };\n"
        "  f = { type = \"fixed\"; value = 3; }; };\n";
    static const char *const objective =
        "objective = { metrics = ( { name = \"m\"; minimize = false; } );\n"
        "  outcome_constraints = ( \"n <= 2.5\", \"p >= -1\" ); };\n";
    char text[2048], *got;
    wjr_study_config *c = NULL;
    (void)state;

    /* three varying parameters: SOBOL for max(5, 6) trials, then GPEI */
    snprintf(text, sizeof(text), "%s%s", base, objective);
    got = strategy_of(text);
    assert_string_equal(got, "SOBOL for 6 trials, then GPEI for the rest (the default: SOBOL for "
                             "max(5, 2 x 3 searched parameters)); 2 outcome constraints");
    free(got);
    /* nothing to optimize: SOBOL throughout */
    got = strategy_of(base);
    assert_string_equal(got, "SOBOL for the rest (the default)");
    free(got);
    /* total_trials ends the study within the first step: no "for the rest" */
    snprintf(text, sizeof(text), "%s%sscheduler = { total_trials = 6; };\n", base, objective);
    got = strategy_of(text);
    assert_string_equal(got, "SOBOL for 6 trials; total_trials 6 ends the study before GPEI (the "
                             "default: SOBOL for max(5, 2 x 3 searched parameters)); 2 outcome "
                             "constraints");
    free(got);
    snprintf(text, sizeof(text),
             "%s%sparameter_constraints = ( \"a - 0.5 * b >= -2\" );\n"
             "generation_strategy = { steps = ( { model = \"sobol\"; num_trials = 1; },\n"
             "  { model = \"botorch_modular\"; num_trials = -1; } ); };\n",
             base, objective);
    got = strategy_of(text);
    assert_string_equal(got, "SOBOL for 1 trial, then GPEI for the rest; 1 parameter "
                             "constraint; 2 outcome constraints");
    free(got);
    /* the constraint as read: -a + 0.5 b <= 2; the constrained metrics are fetched too */
    c = cfx_load("t.cfg", text);
    assert_int_equal(c->n_linear, 1);
    assert_true(c->linear[0].coef[0] == -1.0 && c->linear[0].coef[1] == 0.5);
    assert_true(c->linear[0].coef[2] == 0.0 && c->linear[0].bound == 2.0);
    assert_string_equal(c->metric_names[0], "m");
    assert_string_equal(c->metric_names[1], "n");
    assert_string_equal(c->metric_names[2], "p");
    assert_null(c->metric_names[3]);
    assert_true(c->outcome[0].upper && c->outcome[0].bound == 2.5);
    assert_true(!c->outcome[1].upper && c->outcome[1].bound == -1.0);
    wjr_study_config_free(c);
    /* Ax's one-term scaled form: 2*n <= 5 is n <= 2.5, -0.5 * p <= 1 is p >= -2 */
    snprintf(text, sizeof(text),
             "%sobjective = { metrics = ( { name = \"m\"; } );\n"
             "  outcome_constraints = ( \"2*n <= 5\", \"-0.5 * p <= 1\" ); };\n",
             base);
    c = cfx_load("t.cfg", text);
    assert_string_equal(c->outcome[0].metric, "n");
    assert_true(c->outcome[0].upper && c->outcome[0].bound == 2.5);
    assert_string_equal(c->outcome[1].metric, "p");
    assert_true(!c->outcome[1].upper && c->outcome[1].bound == -2.0);
    assert_string_equal(c->outcome[1].text, "-0.5 * p <= 1");
    wjr_study_config_free(c);
    snprintf(text, sizeof(text),
             "%sobjective = { metrics = ( { name = \"m\"; } );\n"
             "  outcome_constraints = ( \"0*n <= 5\" ); };\n",
             base);
    cfx_expect_error("t.cfg", text,
                     "7: outcome_constraints[0] \"0*n <= 5\": a metric scaled by 0 constrains "
                     "nothing",
                     "zero scale");
}

static void test_missing_file(void **state)
{
    wjr_study_config *c = NULL;
    (void)state;

    assert_int_equal(wjr_study_config_load(&c, "/nonexistent/x.cfg"), WJR_ENOTFOUND);
}

static void test_check_params(void **state)
{
    wjr_study_config *c = NULL;
    json_t *p;
    (void)state;

    assert_int_equal(wjr_study_config_load(&c, WJR_TEST_DATA "/branin.cfg"), 0);
    p = json_loads("{\"x1\": 1.0, \"x2\": 2, \"opt\": \"a\", \"n\": 3}", 0, NULL);
    assert_int_equal(wjr_study_config_check_params(c, p), 0);
    json_decref(p);
    p = json_loads("{\"x1\": 11.0, \"x2\": 2, \"opt\": \"a\", \"n\": 3}", 0, NULL);
    assert_int_equal(wjr_study_config_check_params(c, p), WJR_EINVALID);
    json_decref(p);
    p = json_loads("{\"x1\": 1.0, \"x2\": 2, \"opt\": \"$(touch /tmp/pwned)\", \"n\": 3}", 0, NULL);
    assert_int_equal(wjr_study_config_check_params(c, p), WJR_EINVALID);
    json_decref(p);
    p = json_loads("{\"x1\": 1.0, \"x2\": 2, \"opt\": \"a\", \"n\": 3.5}", 0, NULL);
    assert_int_equal(wjr_study_config_check_params(c, p), WJR_EINVALID);
    json_decref(p);
    p = json_loads("[1]", 0, NULL);
    assert_int_equal(wjr_study_config_check_params(c, p), WJR_EINVALID);
    json_decref(p);
    wjr_study_config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example),           cmocka_unit_test(test_log_fixed_env),
        cmocka_unit_test(test_errors_name_lines), cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_check_params),      cmocka_unit_test(test_strategy),
    };
    return cmocka_run_group_tests(tests, cfx_setup, cfx_teardown);
}
