/*
 * test_step_gpei.c - a study's GPEI step in the driver (study_step.c,
 * study_gpei.c), against the fake controller of tests/mock/:
 *  - a discrete space with fewer untried points than a batch asks for:
 *    the batch shrinks, no point is tried twice, and once every point is
 *    tried the study ends, finished, below its total_trials, saying why
 *    (instead of failing each step with no trial made);
 *  - a float range with `digits`: GPEI's trials are rounded as SOBOL's are;
 *  - a numeric choice, its values written out of order, is ordered (Ax's
 *    default) and modelled on one axis by value: GPEI finds the best of 56
 *    values within 8 trials after 4 SOBOL ones, where one-hot features
 *    would know nothing of a value not tried.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mock_slurm.h"
#include "state.h"
#include "test_util.h"

/* Every submitted trial not yet ended completes with y = f(its `name`). */
static void end_running(tu_fixture *f, wjr_study *s, const char *name)
{
    size_t i;

    for (i = 0; i < wjr_study_trial_count(s); i++) {
        wjr_study_trial tr;
        json_t *params;
        char dir_name[64], out[96], *dir;
        double v;

        assert_int_equal(wjr_study_trial_at(&tr, s, i), 0);
        if (tr.job_id == NULL || tr.status == WJR_TRIAL_COMPLETED ||
            tr.status == WJR_TRIAL_FAILED || tr.status == WJR_TRIAL_ABANDONED)
            continue;
        params = json_loads(tr.params_json, 0, NULL);
        assert_non_null(params);
        v = json_number_value(json_object_get(params, name));
        json_decref(params);
        snprintf(dir_name, sizeof(dir_name), "exp/%06lld", (long long)tr.index);
        snprintf(out, sizeof(out), "{\"y\": %.17g}", (v - 2.2) * (v - 2.2));
        dir = tu_path(f->dir, dir_name);
        tu_put(dir, "output.json", out);
        free(dir);
        assert_int_equal(mock_set_state(tr.job_id, WJR_JOB_COMPLETE, 0, 0), 0);
    }
}

/* Create the study of cfg and step it, ending its jobs after each step,
 * until it stops running (at most `rounds` ends); returns it. */
static wjr_study *run_study(tu_fixture *f, const char *cfg, const char *name, int rounds,
                            wjr_study_progress *p)
{
    wjr_study *s = NULL;

    assert_int_equal(wjr_study_create(&s, cfg, NULL), 0);
    assert_int_equal(wjr_study_step(p, s), 0);
    while (rounds-- > 0 && p->state == WJR_STUDY_RUNNING) {
        end_running(f, s, name);
        assert_int_equal(wjr_study_step(p, s), 0);
    }
    assert_int_equal(p->state, WJR_STUDY_FINISHED);
    return s;
}

/* The parameter `name` of trial i, a number. */
static double param_of(const wjr_study *s, size_t i, const char *name, wjr_study_trial *tr)
{
    json_t *params;
    double v;

    assert_int_equal(wjr_study_trial_at(tr, s, i), 0);
    params = json_loads(tr->params_json, 0, NULL);
    assert_non_null(params);
    v = json_number_value(json_object_get(params, name));
    json_decref(params);
    return v;
}

static void used_up_space_ends_the_study(void **state)
{
    tu_fixture *f = *state;
    char *cfg = tu_study_config(
        f,
        "objective = { metrics = ( { name = \"y\"; minimize = true; } ); };\n"
        "parameters = { n = { type = \"range\"; bounds = [1, 3]; value_type = \"int\"; }; };\n"
        "generation_strategy = { seed = 5; steps = ( { model = \"SOBOL\"; num_trials = 1; },\n"
        "                                            { model = \"GPEI\"; num_trials = -1; } ); };\n"
        "scheduler = { total_trials = 10; max_pending_trials = 4;\n"
        "              tolerated_trial_failure_rate = 0.5; };\n");
    wjr_study_progress p;
    wjr_study *s = run_study(f, cfg, "n", 6, &p);
    int tried[4] = {0};
    char *log, *text;
    size_t i;

    assert_int_equal(wjr_study_trial_count(s), 3);
    for (i = 0; i < 3; i++) {
        wjr_study_trial tr;
        int n = (int)param_of(s, i, "n", &tr);

        assert_int_equal(tr.status, WJR_TRIAL_COMPLETED);
        assert_true(n >= 1 && n <= 3);
        assert_int_equal(tried[n], 0);
        tried[n] = 1;
    }
    assert_int_equal(p.best_index >= 0, 1);
    assert_true(p.best_value == (2.0 - 2.2) * (2.0 - 2.2));
    wjr_study_free(s);
    log = tu_path(f->dir, "exp/wjr.log");
    text = tu_read(log);
    assert_non_null(text);
    assert_non_null(strstr(text, "GPEI finds no point left to try"));
    free(text);
    free(log);
    free(cfg);
}

static void gpei_rounds_to_digits(void **state)
{
    tu_fixture *f = *state;
    char *cfg = tu_study_config(
        f,
        "objective = { metrics = ( { name = \"y\"; minimize = true; } ); };\n"
        "parameters = { x = { type = \"range\"; bounds = [0.0, 5.0]; digits = 2; }; };\n"
        "generation_strategy = { seed = 5; steps = ( { model = \"SOBOL\"; num_trials = 3; },\n"
        "                                            { model = \"GPEI\"; num_trials = -1; } ); };\n"
        "scheduler = { total_trials = 7; max_pending_trials = 2;\n"
        "              tolerated_trial_failure_rate = 0.5; };\n");
    wjr_study_progress p;
    wjr_study *s = run_study(f, cfg, "x", 10, &p);
    int gpei = 0;
    size_t i;

    assert_int_equal(wjr_study_trial_count(s), 7);
    for (i = 0; i < 7; i++) {
        wjr_study_trial tr;
        double x = param_of(s, i, "x", &tr);

        assert_true(x == round(x * 100.0) / 100.0);
        gpei += tr.generation != NULL && strcmp(tr.generation, "GPEI") == 0;
    }
    assert_int_equal(gpei, 4);
    wjr_study_free(s);
    free(cfg);
}

static void ordered_choice_on_one_axis(void **state)
{
    tu_fixture *f = *state;
    char values[1024], text[2048], *cfg;
    size_t len = 0, i, k;
    wjr_study_progress p;
    wjr_study *s;

    /* 0.0, 0.1, ..., 5.5, in the order 17 k mod 56 */
    for (k = 0; k < 56; k++)
        len += (size_t)snprintf(values + len, sizeof(values) - len, "%s%.1f", k ? ", " : "",
                                (double)((17 * k) % 56) / 10.0);
    snprintf(text, sizeof(text),
             "objective = { metrics = ( { name = \"y\"; minimize = true; } ); };\n"
             "parameters = { c = { type = \"choice\"; values = [%s]; }; };\n"
             "generation_strategy = { seed = 3; steps = ( { model = \"SOBOL\"; num_trials = 4; "
             "},\n  { model = \"GPEI\"; num_trials = -1; } ); };\n"
             "scheduler = { total_trials = 12; max_pending_trials = 1;\n"
             "              tolerated_trial_failure_rate = 0.5; };\n",
             values);
    cfg = tu_study_config(f, text);
    s = run_study(f, cfg, "c", 20, &p);
    assert_int_equal(wjr_study_trial_count(s), 12);
    for (i = 0; i < 12; i++) {
        wjr_study_trial tr;
        double c = param_of(s, i, "c", &tr);
        assert_true(c >= 0.0 && c <= 5.5);
    }
    assert_true(p.best_value < 1e-20); /* 2.2 itself was tried */
    wjr_study_free(s);
    free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(used_up_space_ends_the_study, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(gpei_rounds_to_digits, tu_setup, tu_teardown),
        cmocka_unit_test_setup_teardown(ordered_choice_on_one_axis, tu_setup, tu_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
