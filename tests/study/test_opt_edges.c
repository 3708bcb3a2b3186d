/*
 * test_opt_edges.c - the GPEI optimizer's public API at the edges of its
 * input, where a caller's space or outcomes are extreme:
 *  - a log-scale range spanning twenty decades tells values apart on its
 *    own axis (1e-3 told leaves 5 untried, and a minimum at 1e-6 is
 *    reached), and refuses a value below 0 as outside its bounds;
 *  - a range whose width overflows a double is refused;
 *  - digits: every suggestion is rounded, none repeats, and a space of
 *    eleven rounded values is used up after eleven;
 *  - outputs of size 1e200 give the same suggestions as the same outputs
 *    of size 1, and a huge sem leaves the suggestions finite and in bounds;
 *  - a suggestion within 1e-12 of an end of a range's axis is the bound;
 *  - linear constraints that leave 1e-8 of the box (ten weights and a
 *    count sharing one budget): quasi-random and GPEI suggestions, single
 *    and in batches, all satisfy them and move toward the minimum.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "optimizer_int.h"
#include "wjr.h"

static wjr_optimizer *new_opt(uint64_t seed)
{
    wjr_optimizer_options oo = WJR_OPTIMIZER_OPTIONS_INIT;
    wjr_optimizer *opt = NULL;

    oo.seed = seed;
    oo.minimize = 1;
    assert_int_equal(wjr_optimizer_new(&opt, &oo), 0);
    return opt;
}

static double log_bowl(double x)
{
    return (log10(x) + 6.0) * (log10(x) + 6.0);
}

static void test_log_range_axis(void **state)
{
    wjr_optimizer *opt = new_opt(1);
    double x, y, best = HUGE_VAL, probe;
    int i;
    (void)state;

    assert_int_equal(wjr_optimizer_add_range(opt, 1e-10, 1e10, WJR_OPT_LOG), 0);
    x = 1e-3;
    y = log_bowl(x);
    assert_int_equal(wjr_optimizer_tell(opt, &x, &y, NULL), 0);
    /* 1e-9 of twenty decades is a relative step, not 20 in raw units */
    probe = 5.0;
    assert_false(wjr__opt_seen(opt, &opt->done, &probe));
    probe = 1e-3 * (1.0 + 1e-12);
    assert_true(wjr__opt_seen(opt, &opt->done, &probe));
    x = -5.0;
    assert_int_equal(wjr_optimizer_tell_failed(opt, &x), WJR_EINVALID);
    for (i = 0; i < 15; i++) {
        assert_int_equal(wjr_optimizer_ask(&x, opt, 1), 0);
        y = log_bowl(x);
        best = y < best ? y : best;
        assert_int_equal(wjr_optimizer_tell(opt, &x, &y, NULL), 0);
    }
    assert_true(best < 0.01); /* within 10^0.1 of the minimum at 1e-6 */
    wjr_optimizer_free(opt);

    /* a log-scale integer: 2 is not 1 */
    opt = new_opt(1);
    assert_int_equal(wjr_optimizer_add_range(opt, 1.0, 1e10, WJR_OPT_LOG | WJR_OPT_INT), 0);
    x = 1.0;
    y = 0.0;
    assert_int_equal(wjr_optimizer_tell(opt, &x, &y, NULL), 0);
    probe = 2.0;
    assert_false(wjr__opt_seen(opt, &opt->done, &probe));
    wjr_optimizer_free(opt);
}

static void test_range_width(void **state)
{
    wjr_optimizer *opt = new_opt(1);
    (void)state;

    assert_int_equal(wjr_optimizer_add_range(opt, -1e308, 1e308, 0), WJR_EINVALID);
    assert_non_null(strstr(wjr_error_last(), "finite width"));
    assert_int_equal(wjr_optimizer_add_range(opt, -1e300, 1e300, 0), 0);
    wjr_optimizer_free(opt);
}

static void test_digits(void **state)
{
    wjr_optimizer *opt = new_opt(2);
    double x, y, seen[12];
    int n, j;
    (void)state;

    assert_int_equal(wjr_optimizer_add_range(opt, 0.0, 0.1, 0), 0);
    assert_int_equal(wjr_optimizer_set_digits(opt, 0, 16), WJR_EINVALID);
    assert_int_equal(wjr_optimizer_set_digits(opt, 1, 2), WJR_EINVALID);
    assert_int_equal(wjr_optimizer_set_digits(opt, 0, 2), 0);
    for (n = 0; n < 11; n++) {
        assert_int_equal(wjr_optimizer_ask(&x, opt, 1), 0);
        assert_true(x >= 0.0 && x <= 0.1);
        assert_true(x == round(x * 100.0) / 100.0);
        for (j = 0; j < n; j++)
            assert_true(x != seen[j]);
        seen[n] = x;
        y = (x - 0.037) * (x - 0.037);
        assert_int_equal(wjr_optimizer_tell(opt, &x, &y, NULL), 0);
    }
    /* 0.00, 0.01, ..., 0.10: all told */
    assert_int_equal(wjr_optimizer_ask(&x, opt, 1), WJR_ESTATE);
    assert_int_equal(wjr_optimizer_set_digits(opt, 0, 3), WJR_ESTATE);
    wjr_optimizer_free(opt);
}

static double bowl2(const double *x)
{
    return (x[0] - 0.3) * (x[0] - 0.3) + 2.0 * (x[1] - 0.6) * (x[1] - 0.6);
}

/* n design points told with outputs scale * bowl2 (and sem, when given, on
 * point 0 only); then q asked into out. */
static void run_scaled(double *out, double scale, double sem0, size_t q)
{
    wjr_optimizer *opt = new_opt(3);
    int i;

    assert_int_equal(wjr_optimizer_add_range(opt, 0.0, 1.0, 0), 0);
    assert_int_equal(wjr_optimizer_add_range(opt, 0.0, 1.0, 0), 0);
    for (i = 0; i < 8; i++) {
        double x[2] = {fmod(0.1 + 0.618034 * i, 1.0), fmod(0.3 + 0.414214 * i, 1.0)};
        double y = scale * bowl2(x), s = i == 0 ? sem0 : NAN;
        assert_int_equal(wjr_optimizer_tell(opt, x, &y, &s), 0);
    }
    assert_int_equal(wjr_optimizer_ask(out, opt, q), 0);
    wjr_optimizer_free(opt);
}

static void test_extreme_outputs(void **state)
{
    double a[8], b[8], c[8];
    size_t i;
    (void)state;

    run_scaled(a, 1.0, NAN, 4);
    run_scaled(b, 1e200, NAN, 4);
    run_scaled(c, -1e200, NAN, 4);
    for (i = 0; i < 8; i++)
        assert_true(fabs(a[i] - b[i]) < 1e-6);
    /* maximizing the bowl instead goes elsewhere */
    assert_true(fabs(a[0] - c[0]) + fabs(a[1] - c[1]) > 1e-3);
    /* a sem of 1e200 on outputs of size 1: that point carries nothing */
    run_scaled(c, 1.0, 1e200, 4);
    for (i = 0; i < 8; i++)
        assert_true(isfinite(c[i]) && c[i] >= 0.0 && c[i] <= 1.0);
}

/* A unit coordinate within 1e-12 of an end of the axis (as a bounded
 * polish leaves it) is the bound itself, not 2e-22. */
static void test_bound_exact(void **state)
{
    wjr_optimizer *opt = new_opt(4);
    double u[2], x[2];
    (void)state;

    assert_int_equal(wjr_optimizer_add_range(opt, 0.0, 1.0, 0), 0);
    assert_int_equal(wjr_optimizer_add_range(opt, 1e-3, 1e3, WJR_OPT_LOG), 0);
    u[0] = 2.2e-22, u[1] = 1.0 - 1e-13;
    wjr__opt_from_unit(opt, u, x);
    assert_true(x[0] == 0.0 && x[1] == 1e3);
    u[0] = 1e-6, u[1] = 1e-6;
    wjr__opt_from_unit(opt, u, x);
    assert_true(x[0] == 1e-6 && x[1] > 1e-3);
    wjr_optimizer_free(opt);
}

/* sum(w) + 0.05 k <= 1 over ten weights in [0, 1] and a count k in
 * [0, 20]; the objective wants w0 = 0.3 and w1 = 0.2 (and the others 0). */
static double budget_used(const double *x)
{
    double s = 0.05 * x[10];
    int i;

    for (i = 0; i < 10; i++)
        s += x[i];
    return s;
}

static double weights_objective(const double *x)
{
    double v = (x[0] - 0.3) * (x[0] - 0.3) + (x[1] - 0.2) * (x[1] - 0.2);
    int i;

    for (i = 2; i < 10; i++)
        v += 0.1 * x[i];
    return v + 0.01 * x[10];
}

static void test_tight_linear(void **state)
{
    wjr_optimizer *opt = new_opt(17);
    double coef[11], x[4 * 11], first = HUGE_VAL, best = HUGE_VAL;
    int i, k, round;
    (void)state;

    for (i = 0; i < 10; i++) {
        assert_int_equal(wjr_optimizer_add_range(opt, 0.0, 1.0, 0), 0);
        coef[i] = 1.0;
    }
    assert_int_equal(wjr_optimizer_add_range(opt, 0.0, 20.0, WJR_OPT_INT), 0);
    coef[10] = 0.05;
    assert_int_equal(wjr_optimizer_add_linear_constraint(opt, coef, 1.0), 0);
    for (round = 0; round < 10; round++) {
        size_t q = round < 4 ? 1 : round % 2 ? 4 : 1; /* quasi-random first */
        assert_int_equal(wjr_optimizer_ask(x, opt, q), 0);
        for (k = 0; k < (int)q; k++) {
            const double *p = x + 11 * k;
            double y = weights_objective(p);
            assert_true(budget_used(p) <= 1.0 + 1e-9);
            for (i = 0; i < 10; i++)
                assert_true(p[i] >= 0.0 && p[i] <= 1.0);
            assert_true(p[10] == floor(p[10]) && p[10] >= 0.0 && p[10] <= 20.0);
            assert_int_equal(wjr_optimizer_tell(opt, p, &y, NULL), 0);
            if (round < 4)
                first = y < first ? y : first;
            best = y < best ? y : best;
        }
    }
    assert_true(best < 0.5 * first); /* the model found better points than the design */
    wjr_optimizer_free(opt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_range_axis), cmocka_unit_test(test_range_width),
        cmocka_unit_test(test_digits),         cmocka_unit_test(test_extreme_outputs),
        cmocka_unit_test(test_bound_exact),    cmocka_unit_test(test_tight_linear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
