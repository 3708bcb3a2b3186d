/*
 * test_generator.c - SOBOL and RANDOM generators: reproducible for a seed,
 * resumable by index, values in bounds, integers integral, log scale.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
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

static void test_resume_by_skipping(void **state)
{
    wjr_study_config *c = load("log.cfg");
    wjr_generator *g = NULL, *h = NULL;
    json_t *seq[30], *p = NULL;
    int64_t i;
    (void)state;

    assert_int_equal(wjr_generator_new(&g, c), 0);
    for (i = 0; i < 30; i++)
        assert_int_equal(wjr_generator_draw(&seq[i], g, i), 0);
    /* a fresh generator jumping straight to index i gives the same point,
     * across the SOBOL (0-4) and RANDOM (5-) steps, and going backwards */
    assert_int_equal(wjr_generator_new(&h, c), 0);
    for (i = 29; i >= 0; i -= 3) {
        assert_int_equal(wjr_generator_draw(&p, h, i), 0);
        assert_true(json_equal(p, seq[i]));
        json_decref(p);
    }
    for (i = 0; i < 30; i++)
        json_decref(seq[i]);
    wjr_generator_free(g);
    wjr_generator_free(h);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_points),   cmocka_unit_test(test_resume_by_skipping),
        cmocka_unit_test(test_other_seed_other_points), cmocka_unit_test(test_bounds_ints_choices),
        cmocka_unit_test(test_log_scale_and_fixed),     cmocka_unit_test(test_no_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
