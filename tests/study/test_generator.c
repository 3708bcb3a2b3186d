/*
 * test_generator.c - SOBOL and RANDOM generators: reproducible for a seed,
 * resumable by index, values in bounds, integers integral, log scale,
 * parameter constraints that leave too little of the box to draw and
 * reject, and SOBOL's strata: its first 2^k points one in each 2^k-th of
 * an axis (a four-valued choice takes each value in four trials), for
 * every seed, while a study made before SOBOL started at the origin goes
 * on with its old sequence.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "study_int.h"
#include "wjr.h"

static wjr_study_config *load(const char *name)
{
    wjr_study_config *c = NULL;
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", WJR_TEST_DATA, name);
    assert_int_equal(wjr_study_config_load(&c, path), 0);
    return c;
}

static char *gen(const wjr_study_config *c, int64_t i)
{
    char *out = NULL;
    assert_int_equal(wjr_study_config_generate(&out, c, i), 0);
    return out;
}

static void test_same_seed_same_points(void **state)
{
    wjr_study_config *a = load("branin.cfg"), *b = load("branin.cfg");
    int64_t i;
    (void)state;

    for (i = 0; i < 40; i++) {
        char *x = gen(a, i), *y = gen(b, i);
        assert_string_equal(x, y);
        free(x);
        free(y);
    }
    wjr_study_config_free(a);
    wjr_study_config_free(b);
}

/* A fresh generator jumping straight to index i, going backwards by
 * `stride`, gives the points seq[0..29] drawn in order; frees seq. */
static void expect_regenerated(const wjr_study_config *c, json_t **seq, int64_t stride)
{
    wjr_generator *h = NULL;
    json_t *p = NULL;
    int64_t i;

    assert_int_equal(wjr_generator_new(&h, c), 0);
    for (i = 29; i >= 0; i -= stride) {
        assert_int_equal(wjr_generator_draw(&p, h, i), 0);
        assert_true(json_equal(p, seq[i]));
        json_decref(p);
    }
    for (i = 0; i < 30; i++)
        json_decref(seq[i]);
    wjr_generator_free(h);
}

static void test_resume_by_skipping(void **state)
{
    wjr_study_config *c = load("log.cfg");
    wjr_generator *g = NULL;
    json_t *seq[30];
    int64_t i;
    (void)state;

    assert_int_equal(wjr_generator_new(&g, c), 0);
    for (i = 0; i < 30; i++)
        assert_int_equal(wjr_generator_draw(&seq[i], g, i), 0);
    /* across the SOBOL (0-4) and RANDOM (5-) steps */
    expect_regenerated(c, seq, 3);
    wjr_generator_free(g);
    wjr_study_config_free(c);
}

static void test_other_seed_other_points(void **state)
{
    wjr_study_config *a = load("branin.cfg"), *b = load("branin.cfg");
    char *x, *y;
    (void)state;

    b->seed = 8;
    x = gen(a, 0);
    y = gen(b, 0);
    assert_string_not_equal(x, y);
    free(x);
    free(y);
    wjr_study_config_free(a);
    wjr_study_config_free(b);
}

static void test_bounds_ints_choices(void **state)
{
    wjr_study_config *c = load("branin.cfg");
    int seen_n[9] = {0}, seen_a = 0, seen_b = 0;
    int64_t i;
    (void)state;

    for (i = 0; i < 256; i++) {
        char *text = gen(c, i);
        json_t *p = json_loads(text, 0, NULL);
        double x1 = json_real_value(json_object_get(p, "x1"));
        double x2 = json_real_value(json_object_get(p, "x2"));
        json_t *n = json_object_get(p, "n");
        const char *opt = json_string_value(json_object_get(p, "opt"));

        assert_true(json_is_real(json_object_get(p, "x1")));
        assert_true(x1 >= -5.0 && x1 <= 10.0);
        assert_true(x2 >= 0.0 && x2 <= 15.0);
        assert_true(json_is_integer(n));
        assert_true(json_integer_value(n) >= 1 && json_integer_value(n) <= 8);
        seen_n[json_integer_value(n)]++;
        assert_non_null(opt);
        seen_a += strcmp(opt, "a") == 0;
        seen_b += strcmp(opt, "b") == 0;
        json_decref(p);
        free(text);
    }
    for (i = 1; i <= 8; i++)
        assert_true(seen_n[i] > 0);
    /* Sobol balances a two-way choice exactly over 256 points */
    assert_true(abs(seen_a - seen_b) <= 2);
    wjr_study_config_free(c);
}

static void test_log_scale_and_fixed(void **state)
{
    wjr_study_config *c = load("log.cfg");
    int small = 0, small_layers = 0;
    int64_t i;
    (void)state;

    for (i = 0; i < 200; i++) {
        char *text = gen(c, i);
        json_t *p = json_loads(text, 0, NULL);
        double lr = json_real_value(json_object_get(p, "lr"));
        json_int_t layers = json_integer_value(json_object_get(p, "layers"));

        assert_true(lr >= 1e-4 && lr <= 1.0);
        assert_true(layers >= 1 && layers <= 1000);
        assert_string_equal(json_string_value(json_object_get(p, "act")), "relu");
        assert_true(json_is_integer(json_object_get(p, "k")));
        small += lr < 1e-2; /* half of a log-uniform [1e-4, 1], 1% of a uniform one */
        small_layers += layers < 32;
        json_decref(p);
        free(text);
    }
    assert_true(small >= 60 && small <= 140);
    assert_true(small_layers >= 60 && small_layers <= 140);
    wjr_study_config_free(c);
}

static double weights_sum(json_t *p, double *w0)
{
    double sum = 0.0;
    char name[8];
    int i;

    for (i = 0; i < 10; i++) {
        json_t *w;
        snprintf(name, sizeof(name), "w%d", i);
        w = json_object_get(p, name);
        assert_true(json_is_real(w));
        assert_true(json_real_value(w) >= 0.0 && json_real_value(w) <= 1.0);
        sum += json_real_value(w);
    }
    *w0 = json_real_value(json_object_get(p, "w0"));
    return sum;
}

/* The constraint leaves 1e-8 of the box: rejecting 100,000 draws in a row
 * gives way to a walk inside the region, and the points stay feasible,
 * spread over it, distinct, and the same when regenerated by index. */
static void test_tight_constraints(void **state)
{
    wjr_study_config *c = load("mixture.cfg");
    wjr_generator *g = NULL;
    json_t *seq[30];
    double w0_sum = 0.0, w0_max = 0.0;
    int64_t i, j, k_seen = 0;
    (void)state;

    assert_int_equal(wjr_generator_new(&g, c), 0);
    for (i = 0; i < 30; i++) {
        double w0, sum;
        json_int_t k;

        assert_int_equal(wjr_generator_draw(&seq[i], g, i), 0);
        sum = weights_sum(seq[i], &w0);
        k = json_integer_value(json_object_get(seq[i], "k"));
        assert_true(json_is_integer(json_object_get(seq[i], "k")) && k >= 0 && k <= 20);
        assert_true(sum + 0.05 * (double)k <= 1.0 + 1e-9);
        assert_string_equal(json_string_value(json_object_get(seq[i], "act")), "relu");
        assert_non_null(json_string_value(json_object_get(seq[i], "opt")));
        assert_true(wjr__config_params_feasible(c, seq[i]));
        w0_sum += w0;
        w0_max = w0 > w0_max ? w0 : w0_max;
        k_seen += k > 0;
        for (j = 0; j < i; j++)
            assert_false(json_equal(seq[i], seq[j]));
    }
    /* each weight's share of the budget: about 1/12 on average, up to a
     * good part of it at times, and the count takes part too */
    assert_true(w0_sum / 30.0 > 0.03 && w0_sum / 30.0 < 0.2);
    assert_true(w0_max > 0.15);
    assert_true(k_seen > 0);
    /* across the SOBOL (0-11) and RANDOM steps */
    expect_regenerated(c, seq, 4);
    wjr_generator_free(g);
    wjr_study_config_free(c);
}

static void strata_of(const wjr_study_config *c, int n, int *cell_c, int *cell_x)
{
    int i;

    for (i = 0; i < n; i++) {
        char *text = gen(c, i);
        json_t *p = json_loads(text, 0, NULL);
        const char *v = json_string_value(json_object_get(p, "c"));
        double x = json_number_value(json_object_get(p, "x"));

        assert_non_null(v);
        cell_c[i] = v[0] - 'a';
        cell_x[i] = (int)floor(x * n);
        json_decref(p);
        free(text);
    }
}

static void test_sobol_strata(void **state)
{
    wjr_study_config *c = load("strata.cfg");
    int cc[8], cx[8], seen_c[4], seen_x[8], i, n;
    long long seed;
    (void)state;

    for (seed = 0; seed < 20; seed++) {
        c->seed = seed;
        for (n = 4; n <= 8; n += 4) {
            memset(seen_c, 0, sizeof(seen_c));
            memset(seen_x, 0, sizeof(seen_x));
            strata_of(c, n, cc, cx);
            for (i = 0; i < n; i++) {
                assert_true(cx[i] >= 0 && cx[i] < n);
                seen_x[cx[i]]++;
                seen_c[cc[i]]++;
            }
            for (i = 0; i < n; i++)
                assert_int_equal(seen_x[i], 1); /* one point per 1/n of x */
            for (i = 0; i < 4; i++)
                assert_int_equal(seen_c[i], n / 4); /* each value n/4 times */
        }
    }
    /* a study from before: the sequence it began with, which is the new
     * one without its first point */
    c->seed = 3;
    for (i = 0; i < 6; i++) {
        char *now = gen(c, i + 1), *before;
        c->sobol_origin = 0;
        before = gen(c, i);
        c->sobol_origin = 1;
        assert_string_equal(now, before);
        free(now);
        free(before);
    }
    wjr_study_config_free(c);
}

static void test_no_parameters(void **state)
{
    wjr_study_config *c = load("branin.cfg");
    char *out = NULL;
    size_t n = c->n_params;
    (void)state;

    c->n_params = 0;
    assert_int_equal(wjr_study_config_generate(&out, c, 0), WJR_EINVALID);
    assert_null(out);
    c->n_params = n;
    wjr_study_config_free(c);
}

/* The generator tests a drawn point by its values, without building its
 * object: both tests must agree, and a value a constraint weighs that is
 * not a number breaks it. mixture.cfg: w0..w9, k, act, opt. */
static void test_values_feasible(void **state)
{
    wjr_study_config *c = load("mixture.cfg");
    double x[13];
    json_t *p = json_object();
    char name[4];
    size_t i;
    (void)state;

    assert_int_equal(c->n_params, 13);
    for (i = 0; i < 10; i++) {
        x[i] = 0.05;
        snprintf(name, sizeof(name), "w%zu", i);
        json_object_set_new(p, name, json_real(0.05));
    }
    x[10] = 10.0; /* 0.5 + 0.05 * 10: on the bound */
    json_object_set_new(p, "k", json_integer(10));
    x[11] = x[12] = NAN; /* act and opt: not weighed */
    json_object_set_new(p, "act", json_string("relu"));
    json_object_set_new(p, "opt", json_string("a"));
    assert_true(wjr__config_values_feasible(c, x));
    assert_true(wjr__config_params_feasible(c, p));
    x[10] = 11.0;
    json_object_set_new(p, "k", json_integer(11));
    assert_false(wjr__config_values_feasible(c, x));
    assert_false(wjr__config_params_feasible(c, p));
    x[10] = 0.0;
    x[3] = NAN;
    json_object_set_new(p, "k", json_integer(0));
    json_object_set_new(p, "w3", json_string("0.05"));
    assert_false(wjr__config_values_feasible(c, x));
    assert_false(wjr__config_params_feasible(c, p));
    json_decref(p);
    wjr_study_config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_points),
        cmocka_unit_test(test_resume_by_skipping),
        cmocka_unit_test(test_other_seed_other_points),
        cmocka_unit_test(test_bounds_ints_choices),
        cmocka_unit_test(test_log_scale_and_fixed),
        cmocka_unit_test(test_no_parameters),
        cmocka_unit_test(test_tight_constraints),
        cmocka_unit_test(test_values_feasible),
        cmocka_unit_test(test_sobol_strata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
