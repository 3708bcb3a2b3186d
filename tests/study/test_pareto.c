/*
 * test_pareto.c - several objectives: the Pareto front and ParEGO's
 * scalarization (src/pareto.c) on hand-computed cases, and the optimizer's
 * public API with two objectives:
 *  - the front of a small set, with ties, a maximized objective and points
 *    left out as infeasible;
 *  - the augmented Chebyshev values against a direct computation, with and
 *    without a threshold; the weights lie on the simplex;
 *  - objectives must come before the outcome constraints and the points;
 *    tell() takes the objectives, then the constraints;
 *  - on x^2 against (x - 1)^2, whose front is x in [0, 1], the suggestions
 *    after a quasi-random start land on the front and spread along it,
 *    and an infeasible trial is never on the optimizer's front;
 *  - a batch's points each have weights of their own, and spread along the
 *    front;
 *  - asks are a function of what was told: two optimizers told alike
 *    suggest alike.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pareto.h"
#include "wjr.h"

#define assert_near(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static void test_front(void **state)
{
    /* (minimize, maximize) */
    static const double y[] = {
        1, 5, /* 0: front */
        2, 6, /* 1: front (better in the second) */
        2, 5, /* 2: dominated by 0 */
        3, 7, /* 3: front */
        3, 7, /* 4: a tie of 3: front too */
        0, 1, /* 5: front unless left out */
        4, 6, /* 6: dominated by 3 */
    };
    static const int dir[] = {1, 0};
    unsigned char front[7], ok[7] = {1, 1, 1, 1, 1, 1, 1};
    static const unsigned char want[] = {1, 1, 0, 1, 1, 1, 0};
    int i;
    (void)state;

    wjr__pareto_front(front, y, 7, 2, 2, dir, NULL);
    for (i = 0; i < 7; i++)
        assert_int_equal(front[i], want[i]);
    /* points 0 and 1 left out: point 2 is no longer dominated, and point
     * 5, being out, is off */
    ok[0] = 0;
    ok[1] = 0;
    ok[5] = 0;
    wjr__pareto_front(front, y, 7, 2, 2, dir, ok);
    assert_int_equal(front[0], 0);
    assert_int_equal(front[1], 0);
    assert_int_equal(front[2], 1);
    assert_int_equal(front[5], 0);
    assert_int_equal(front[3], 1);
    assert_true(wjr__pareto_dominates(y + 0, y + 4, 2, dir));
    assert_false(wjr__pareto_dominates(y + 6, y + 8, 2, dir));
    assert_false(wjr__pareto_dominates(y + 6, y + 6, 2, dir));
}

static void test_parego(void **state)
{
    /* three points of (minimize, maximize) and a third column ignored */
    static const double y[] = {0, 10, 99, 4, 20, 99, 2, 0, 99};
    static const int dir[] = {1, 0};
    static const double w[] = {0.25, 0.75};
    double s[3], t[3], sum[3], th[2] = {NAN, 5.0}, u[4] = {0.1, 0.5, 0.9, 0.999};
    int i;
    (void)state;

    /* scaled: f1 = x / 4; f2 = (20 - v) / 20 */
    wjr__parego_scalarize(s, sum, y, 3, 3, 2, dir, NULL, w);
    for (i = 0; i < 3; i++) {
        double f1 = y[i * 3] / 4.0, f2 = (20.0 - y[i * 3 + 1]) / 20.0;
        double a = 0.25 * f1, b = 0.75 * f2;
        assert_near(s[i], (a > b ? a : b) + 0.05 * (a + b), 1e-12);
    }
    /* a threshold of 5 on the maximized one: the scale ends at 5, so the
     * point at 0 scores (20 - 0) / 15 > 1 */
    wjr__parego_scalarize(s, sum, y, 3, 3, 2, dir, th, w);
    assert_near(s[2], 0.75 * 20.0 / 15.0 + 0.05 * (0.25 * 0.5 + 0.75 * 20.0 / 15.0), 1e-12);
    /* a threshold better than every value told changes nothing */
    th[1] = 30.0;
    wjr__parego_scalarize(t, sum, y, 3, 3, 2, dir, th, w);
    wjr__parego_scalarize(s, sum, y, 3, 3, 2, dir, NULL, w);
    for (i = 0; i < 3; i++)
        assert_near(s[i], t[i], 1e-12);
    wjr__parego_weights(u, 4);
    assert_near(u[0] + u[1] + u[2] + u[3], 1.0, 1e-12);
    for (i = 0; i < 4; i++)
        assert_true(u[i] > 0.0);
    assert_true(u[0] > u[3]); /* -log(0.1) > -log(0.999) */
}

static wjr_optimizer *two_objectives(uint64_t seed, int constrained)
{
    wjr_optimizer_options oo = WJR_OPTIMIZER_OPTIONS_INIT;
    wjr_optimizer *opt = NULL;

    oo.seed = seed;
    oo.minimize = 1;
    assert_int_equal(wjr_optimizer_new(&opt, &oo), 0);
    assert_int_equal(wjr_optimizer_add_range(opt, -2.0, 3.0, 0), 0);
    assert_int_equal(wjr_optimizer_add_objective(opt, 1), 0);
    if (constrained)
        assert_int_equal(wjr_optimizer_add_outcome_constraint(opt, 1, 0.9), 0);
    return opt;
}

static void tell_x(wjr_optimizer *opt, double x)
{
    /* the constraint's outcome is x itself: x <= 0.9 */
    double y[3] = {x * x, (x - 1.0) * (x - 1.0), x};
    assert_int_equal(wjr_optimizer_tell(opt, &x, y, NULL), 0);
}

static void test_api_order(void **state)
{
    wjr_optimizer *opt = two_objectives(1, 1);
    double x = 0.5, y[2] = {0, 0};
    (void)state;

    assert_int_equal(wjr_optimizer_objectives(opt), 2);
    assert_int_equal(wjr_optimizer_outcomes(opt), 3);
    assert_int_equal(wjr_optimizer_add_objective(opt, 0), WJR_ESTATE);
    assert_int_equal(wjr_optimizer_set_threshold(opt, 2, 1.0), WJR_EINVALID);
    assert_int_equal(wjr_optimizer_set_threshold(opt, 1, NAN), WJR_EINVALID);
    assert_int_equal(wjr_optimizer_set_threshold(opt, 1, 4.0), 0);
    tell_x(opt, 0.5);
    assert_int_equal(wjr_optimizer_add_objective(opt, 1), WJR_ESTATE);
    wjr_optimizer_free(opt);

    /* without the constraint, tell takes two values */
    opt = two_objectives(1, 0);
    assert_int_equal(wjr_optimizer_outcomes(opt), 2);
    assert_int_equal(wjr_optimizer_tell(opt, &x, y, NULL), 0);
    wjr_optimizer_free(opt);
}

static void test_front_search(void **state)
{
    wjr_optimizer *opt = two_objectives(7, 1);
    static const double start[] = {-1.7, 2.6, -0.4, 1.9, 0.95};
    double x, lo = HUGE_VAL, hi = -HUGE_VAL;
    unsigned char front[32];
    int i, on = 0;
    (void)state;

    for (i = 0; i < 5; i++)
        tell_x(opt, start[i]);
    for (i = 0; i < 14; i++) {
        assert_int_equal(wjr_optimizer_ask(&x, opt, 1), 0);
        if (x >= -0.02 && x <= 0.92) { /* the front within the constraint */
            on++;
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
        }
        tell_x(opt, x);
    }
    /* most suggestions are on the front, and they cover it, not a spot */
    assert_true(on >= 11);
    assert_true(hi - lo >= 0.5);
    /* the start's points are off the front: outside [0, 1], or (0.95)
     * beyond the constraint x <= 0.9 */
    assert_int_equal(wjr_optimizer_pareto(front, opt), 0);
    for (i = 0; i < 5; i++)
        assert_int_equal(front[i], 0);
    wjr_optimizer_free(opt);
}

/* A batch of four: each point under weights of its own, so that one ask
 * covers several parts of the front, not one spot. */
static void test_batch_spreads(void **state)
{
    wjr_optimizer *opt = two_objectives(11, 0);
    static const double start[] = {-1.7, 2.6, -0.4, 1.9, 0.35, 2.2};
    double x[4];
    int i, round, spread = 0;
    (void)state;

    for (i = 0; i < 6; i++)
        tell_x(opt, start[i]);
    for (round = 0; round < 3; round++) {
        double lo = HUGE_VAL, hi = -HUGE_VAL;
        assert_int_equal(wjr_optimizer_ask(x, opt, 4), 0);
        for (i = 0; i < 4; i++) {
            lo = x[i] < lo ? x[i] : lo;
            hi = x[i] > hi ? x[i] : hi;
            tell_x(opt, x[i]);
        }
        spread += hi - lo >= 0.3;
    }
    assert_true(spread >= 2);
    wjr_optimizer_free(opt);
}

static void test_deterministic(void **state)
{
    wjr_optimizer *a = two_objectives(3, 0), *b = two_objectives(3, 0);
    static const double start[] = {-1.0, 0.3, 2.0, 1.2};
    double xa[3], xb[3];
    int i;
    (void)state;

    for (i = 0; i < 4; i++) {
        tell_x(a, start[i]);
        tell_x(b, start[i]);
    }
    assert_int_equal(wjr_optimizer_ask(xa, a, 3), 0);
    assert_int_equal(wjr_optimizer_ask(xb, b, 3), 0);
    assert_memory_equal(xa, xb, sizeof(xa));
    /* the weights are drawn again for the next ask */
    tell_x(a, xa[0]);
    tell_x(b, xb[0]);
    assert_int_equal(wjr_optimizer_ask(xa, a, 1), 0);
    assert_int_equal(wjr_optimizer_ask(xb, b, 1), 0);
    assert_memory_equal(xa, xb, sizeof(double));
    wjr_optimizer_free(a);
    wjr_optimizer_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_front),         cmocka_unit_test(test_parego),
        cmocka_unit_test(test_api_order),     cmocka_unit_test(test_front_search),
        cmocka_unit_test(test_batch_spreads), cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
