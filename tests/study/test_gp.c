/*
 * test_gp.c - the GPEI optimizer: the Gaussian process posterior against a
 * two-point case worked by hand, gradients against finite differences, the
 * output warp, log-EI against the direct formula and its far tail, the
 * encoding of integer, log-scale and choice parameters, linear and outcome
 * constraints, pending and failed points, a batch's greedy last point
 * (and a single point's beside points in flight),
 * minimize/maximize, and determinism.
 */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_erf.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "optimizer_int.h"
#include "wjr.h"

static double matern(double r)
{
    return (1.0 + sqrt(5.0) * r + 5.0 / 3.0 * r * r) * exp(-sqrt(5.0) * r);
}

/* Two points, fixed hyperparameters: mean and variance by the 2x2 inverse. */
static void test_posterior_by_hand(void **state)
{
    double X[2] = {0.2, 0.8}, y[2] = {3.0, 1.0};
    double ls = 0.3, s2 = 1.5, noise = 0.01, x = 0.35, mu, var;
    double a, b, det, k1, k2, ys[2], alpha[2], w[2], mean_raw;
    wjr_gp gp;
    (void)state;

    memset(&gp, 0, sizeof(gp));
    assert_int_equal(wjr_gp_set_data(&gp, 1, X, y, NULL, 2), 0);
    /* standardization: mean 2, sample sd sqrt(2) */
    assert_true(fabs(gp.ymean - 2.0) < 1e-12);
    assert_true(fabs(gp.ystd - sqrt(2.0)) < 1e-12);
    gp.ls[0] = ls;
    gp.s2 = s2;
    gp.noise = noise;
    assert_int_equal(wjr_gp_factor(&gp), 0);
    assert_true(gp.jitter == 0.0);
    /* the constant mean 1'K^-1 y / 1'K^-1 1 of two symmetric points is the
     * mean of their standardized values, 0 */
    assert_true(fabs(gp.c) < 1e-12);
    wjr_gp_predict(&gp, &x, &mu, &var, NULL, NULL);

    a = s2 + noise;                          /* K = [[a, b], [b, a]] */
    b = s2 * matern(fabs(X[0] - X[1]) / ls); /* off-diagonal */
    det = a * a - b * b;
    k1 = s2 * matern(fabs(x - X[0]) / ls);
    k2 = s2 * matern(fabs(x - X[1]) / ls);
    ys[0] = (y[0] - 2.0) / sqrt(2.0);
    ys[1] = (y[1] - 2.0) / sqrt(2.0);
    alpha[0] = (a * ys[0] - b * ys[1]) / det;
    alpha[1] = (a * ys[1] - b * ys[0]) / det;
    w[0] = (a * k1 - b * k2) / det;
    w[1] = (a * k2 - b * k1) / det;
    assert_true(fabs(mu - (k1 * alpha[0] + k2 * alpha[1])) < 1e-12);
    assert_true(fabs(var - (s2 - k1 * w[0] - k2 * w[1])) < 1e-12);
    /* in raw units the mean lies between the two observations, nearer 3 */
    mean_raw = gp.ymean + gp.ystd * mu;
    assert_true(mean_raw > 2.0 && mean_raw < 3.0);
    /* far from the data the prior comes back */
    x = 50.0;
    wjr_gp_predict(&gp, &x, &mu, &var, NULL, NULL);
    assert_true(fabs(mu) < 1e-12 && fabs(var - s2) < 1e-12);
    /* a new point extends the factor as a full factorization would (the
     * variance does not depend on the values) */
    {
        double x3 = 0.5, mu2, var2, mu3, var3;
        wjr_gp_add(&gp, &x3, 0.25);
        x = 0.6;
        wjr_gp_predict(&gp, &x, &mu2, &var2, NULL, NULL);
        assert_int_equal(wjr_gp_factor(&gp), 0);
        wjr_gp_predict(&gp, &x, &mu3, &var3, NULL, NULL);
        assert_true(fabs(var2 - var3) < 1e-10);
    }
    wjr_gp_clear(&gp);
}

/* A reported sem is known noise: the posterior keeps its variance there
 * and no longer interpolates the value. */
static void test_known_noise(void **state)
{
    double X[3] = {0.1, 0.5, 0.9}, y[3] = {1.0, 4.0, 2.0}, sem[3] = {NAN, 1.5, NAN};
    double x = 0.5, mu0, var0, mu1, var1;
    wjr_gp a, b;
    (void)state;

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    assert_int_equal(wjr_gp_set_data(&a, 1, X, y, NULL, 3), 0);
    assert_int_equal(wjr_gp_set_data(&b, 1, X, y, sem, 3), 0);
    assert_true(b.known[0] == 0.0 && b.known[2] == 0.0);
    assert_true(fabs(b.known[1] - (1.5 / b.ystd) * (1.5 / b.ystd)) < 1e-12);
    a.ls[0] = b.ls[0] = 0.3;
    a.s2 = b.s2 = 1.0;
    a.noise = b.noise = 1e-6;
    assert_int_equal(wjr_gp_factor(&a), 0);
    assert_int_equal(wjr_gp_factor(&b), 0);
    wjr_gp_predict(&a, &x, &mu0, &var0, NULL, NULL);
    wjr_gp_predict(&b, &x, &mu1, &var1, NULL, NULL);
    assert_true(fabs(a.ymean + a.ystd * mu0 - 4.0) < 1e-3); /* interpolates */
    assert_true(var0 < 1e-5);
    assert_true(b.ymean + b.ystd * mu1 < 4.0 - 0.1); /* shrinks toward the others */
    assert_true(var1 > 100.0 * var0);
    wjr_gp_clear(&a);
    wjr_gp_clear(&b);
}

/* The constant mean is the generalized least squares one: the residual
 * weights sum to 0, and far from the data the mean returns to it. */
static void test_constant_mean(void **state)
{
    double X[3] = {0.1, 0.2, 0.9}, y[3] = {5.0, 4.0, -1.0}, x = 40.0, mu, var, sum = 0.0;
    wjr_gp gp;
    (void)state;

    memset(&gp, 0, sizeof(gp));
    assert_int_equal(wjr_gp_set_data(&gp, 1, X, y, NULL, 3), 0);
    gp.ls[0] = 0.2;
    gp.s2 = 1.0;
    gp.noise = 1e-4;
    assert_int_equal(wjr_gp_factor(&gp), 0);
    sum = gp.alpha[0] + gp.alpha[1] + gp.alpha[2];
    assert_true(fabs(sum) < 1e-9);
    /* two correlated points near 0.15 count as less than two: the constant
     * sits below the plain mean of the standardized values (0), toward the
     * lone point */
    assert_true(gp.c < 0.0 && gp.c > gp.y[2]);
    wjr_gp_predict(&gp, &x, &mu, &var, NULL, NULL);
    assert_true(fabs(mu - gp.c) < 1e-12);
    wjr_gp_clear(&gp);
}

static void fill_data(double *X, double *y, size_t n, size_t d)
{
    size_t i, k;
    for (i = 0; i < n; i++) {
        y[i] = 0.0;
        for (k = 0; k < d; k++) {
            static const double step[3] = {0.6180339887, 0.4142135624, 0.7320508076};
            X[i * d + k] = fmod(0.1 * (double)k + step[k] * (double)(i + 1), 1.0);
            y[i] += sin(3.0 * X[i * d + k] * (double)(k + 1));
        }
    }
}

/* Gradients of the posterior and of the marginal likelihood. */
static void test_gradients(void **state)
{
    double X[24 * 3], y[24], theta[5] = {log(0.4), log(0.7), log(1.1), log(1.3), log(1e-3)};
    double g[5], mu, var, dmu[3], dvar[3], x[3] = {0.3, 0.6, 0.2};
    wjr_gp gp;
    size_t k;
    (void)state;

    memset(&gp, 0, sizeof(gp));
    fill_data(X, y, 24, 3);
    assert_int_equal(wjr_gp_set_data(&gp, 3, X, y, NULL, 24), 0);
    {
        double v = wjr_gp_nll(&gp, theta, g);
        for (k = 0; k < 5; k++) {
            double t[5];
            memcpy(t, theta, sizeof(t));
            t[k] += 1e-6;
            assert_true(fabs((wjr_gp_nll(&gp, t, NULL) - v) / 1e-6 - g[k]) <
                        1e-4 * (1.0 + fabs(g[k])));
        }
    }
    gp.ls[0] = 0.4;
    gp.ls[1] = 0.7;
    gp.ls[2] = 1.1;
    gp.s2 = 1.3;
    gp.noise = 1e-3;
    assert_int_equal(wjr_gp_factor(&gp), 0);
    wjr_gp_predict(&gp, x, &mu, &var, dmu, dvar);
    for (k = 0; k < 3; k++) {
        double xs[3], m2, v2;
        memcpy(xs, x, sizeof(xs));
        xs[k] += 1e-7;
        wjr_gp_predict(&gp, xs, &m2, &v2, NULL, NULL);
        assert_true(fabs((m2 - mu) / 1e-7 - dmu[k]) < 1e-4 * (1.0 + fabs(dmu[k])));
        assert_true(fabs((v2 - var) / 1e-7 - dvar[k]) < 1e-4 * (1.0 + fabs(dvar[k])));
    }
    wjr_gp_clear(&gp);
}

/* The fit learns: on a smooth function the posterior mean predicts unseen
 * points far better than the mean of the data does. */
static void test_fit_predicts(void **state)
{
    double X[30 * 2], y[30], err_gp = 0.0, err_mean = 0.0;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    const char *why = NULL;
    wjr_gp gp;
    int i;
    (void)state;

    memset(&gp, 0, sizeof(gp));
    fill_data(X, y, 30, 2);
    assert_int_equal(wjr_gp_set_data(&gp, 2, X, y, NULL, 30), 0);
    assert_int_equal(wjr_gp_fit(&gp, rng, &why), 0);
    assert_null(why);
    assert_true(gp.fitted);
    for (i = 0; i < 50; i++) {
        double x[2] = {fmod(0.37 * i, 1.0), fmod(0.71 * i + 0.1, 1.0)}, mu, var;
        double truth = sin(3.0 * x[0]) + sin(6.0 * x[1]);
        wjr_gp_predict(&gp, x, &mu, &var, NULL, NULL);
        err_gp += fabs(gp.ymean + gp.ystd * mu - truth);
        err_mean += fabs(gp.ymean - truth);
    }
    assert_true(err_gp < 0.1 * err_mean);
    wjr_gp_clear(&gp);
    gsl_rng_free(rng);
    gsl_set_error_handler(old);
}

static double skewness(const double *v, size_t n)
{
    double m = 0.0, m2 = 0.0, m3 = 0.0;
    size_t i;

    for (i = 0; i < n; i++)
        m += v[i] / (double)n;
    for (i = 0; i < n; i++) {
        m2 += (v[i] - m) * (v[i] - m) / (double)n;
        m3 += (v[i] - m) * (v[i] - m) * (v[i] - m) / (double)n;
    }
    return m3 / pow(m2, 1.5);
}

/* The output warp: a skewed sample comes out nearly symmetric and
 * standardized, the map from raw values agrees with the warped data and
 * keeps their order, a known sem follows the map's slope, and too few or
 * equal outputs stay as they are. */
static void test_output_warp(void **state)
{
    double X[40], y[40], sem[40], u[40], mean = 0.0, ss = 0.0;
    size_t i, n = 40;
    wjr_gp gp;
    (void)state;

    memset(&gp, 0, sizeof(gp));
    for (i = 0; i < n; i++) {
        X[i] = (double)i / (double)(n - 1);
        y[i] = exp(5.0 * X[i] * X[i]); /* a long upper tail */
        sem[i] = i == 30 ? 0.5 : NAN;
    }
    for (int sign = 1; sign >= -1; sign -= 2) {
        for (i = 0; i < n; i++)
            y[i] = sign * fabs(y[i]);
        assert_int_equal(wjr_gp_set_data(&gp, 1, X, y, sem, n), 0);
        memcpy(u, gp.y, sizeof(u));
        wjr_gp_warp(&gp);
        assert_true(gp.warped);
        /* a long upper tail is pulled in (exponent below 1), a long lower
         * one pushed out (above 1) */
        assert_true(sign > 0 ? gp.lambda < 1.0 : gp.lambda > 1.0);
        assert_true(fabs(skewness(gp.y, n)) < 0.5 * fabs(skewness(u, n)));
        mean = ss = 0.0;
        for (i = 0; i < n; i++)
            mean += gp.y[i] / (double)n;
        for (i = 0; i < n; i++)
            ss += (gp.y[i] - mean) * (gp.y[i] - mean) / (double)(n - 1);
        assert_true(fabs(mean) < 1e-9 && fabs(ss - 1.0) < 1e-9);
        for (i = 0; i < n; i++)
            assert_true(fabs(wjr_gp_to_model(&gp, y[i]) - gp.y[i]) < 1e-9);
        for (i = 0; i < 400; i++) /* increasing, also past the data */
            assert_true(wjr_gp_to_model(&gp, -200.0 + (double)i) >
                        wjr_gp_to_model(&gp, -200.5 + (double)i));
        {
            double h = 1e-6,
                   slope = (wjr_gp_to_model(&gp, y[30] + h) - wjr_gp_to_model(&gp, y[30] - h)) /
                           (2.0 * h);
            double expect = (0.5 * slope) * (0.5 * slope);
            assert_true(fabs(gp.known[30] - expect) < 1e-5 * expect);
            assert_true(gp.known[29] == 0.0);
        }
    }
    /* two points, or equal outputs: no warp */
    assert_int_equal(wjr_gp_set_data(&gp, 1, X, y, NULL, 2), 0);
    memcpy(u, gp.y, 2 * sizeof(double));
    wjr_gp_warp(&gp);
    assert_false(gp.warped);
    assert_memory_equal(u, gp.y, 2 * sizeof(double));
    for (i = 0; i < n; i++)
        y[i] = 3.0;
    assert_int_equal(wjr_gp_set_data(&gp, 1, X, y, NULL, n), 0);
    wjr_gp_warp(&gp);
    assert_false(gp.warped);
    assert_true(wjr_gp_to_model(&gp, 3.0) == 0.0);
    wjr_gp_clear(&gp);
}

static void test_log_ei(void **state)
{
    double z;
    (void)state;

    /* where the direct formula is accurate */
    for (z = -5.0; z <= 5.0; z += 0.25) {
        double phi = exp(-0.5 * z * z) / sqrt(2.0 * M_PI), Phi = 0.5 * erfc(-z / sqrt(2.0));
        double direct = log(phi + z * Phi);
        assert_true(fabs(wjr_log_h(z) - direct) < 1e-10 * (1.0 + fabs(direct)));
        assert_true(fabs(wjr_log_ncdf(z) - log(Phi)) < 1e-12 * (1.0 + fabs(log(Phi))));
        /* the slope is Phi/h, and matches a finite difference */
        assert_true(fabs(wjr_log_h_slope(z) - Phi / (phi + z * Phi)) < 1e-8 * wjr_log_h_slope(z));
        assert_true(fabs((wjr_log_h(z + 1e-6) - wjr_log_h(z - 1e-6)) / 2e-6 - wjr_log_h_slope(z)) <
                    1e-5 * (1.0 + wjr_log_h_slope(z)));
    }
    /* the tail, where EI underflows in doubles: against the direct formula
     * in long double (range to e^-11000, 64-bit mantissa) ... */
    {
        static const double zs[] = {-8.0, -20.0, -39.0, -41.0, -45.0, -100.0};
        size_t i;
        for (i = 0; i < sizeof(zs) / sizeof(zs[0]); i++) {
            long double t = zs[i];
            long double h = expl(-0.5L * t * t) / sqrtl(2.0L * 3.14159265358979323846L) +
                            t * 0.5L * erfcl(-t / sqrtl(2.0L));
            double expect = (double)logl(h), got = wjr_log_h(zs[i]);
            assert_true(fabs(got - expect) < 1e-12 * fabs(expect));
        }
    }
    /* ... and beyond, against the asymptotic series
     * log h = log phi(z) - 2 log|z| + log(1 - 3/z^2 + 15/z^4 - ...) */
    {
        static const double zs[] = {-1e3, -1e6, -1e100};
        size_t i;
        for (i = 0; i < sizeof(zs) / sizeof(zs[0]); i++) {
            double t = zs[i], w = 1.0 / (t * t);
            double expect =
                -0.5 * t * t - 0.5 * log(2.0 * M_PI) - 2.0 * log(-t) + log1p(w * (-3.0 + 15.0 * w));
            double got = wjr_log_h(t);
            assert_true(isfinite(got));
            assert_true(fabs(got - expect) < 1e-12 * fabs(expect));
            assert_true(isfinite(wjr_log_h_slope(t)));
        }
    }
    /* continuous and increasing across the branches at -1 and -40 */
    for (z = -60.0; z < 3.0; z += 0.01)
        assert_true(wjr_log_h(z + 0.01) > wjr_log_h(z));
    assert_true(fabs(wjr_log_h(-1.0 - 1e-9) - wjr_log_h(-1.0 + 1e-9)) < 1e-8);
    assert_true(fabs(wjr_log_h(-40.0 - 1e-9) - wjr_log_h(-40.0 + 1e-9)) < 1e-6);
    assert_true(fabs(wjr_log_h_slope(-40.0 - 1e-9) / wjr_log_h_slope(-40.0 + 1e-9) - 1.0) < 1e-9);
    assert_true(fabs((wjr_log_h(-60.0 + 1e-5) - wjr_log_h(-60.0 - 1e-5)) / 2e-5 -
                     wjr_log_h_slope(-60.0)) < 1e-4);
}

static wjr_optimizer *new_opt(uint64_t seed, int minimize)
{
    wjr_optimizer_options oo = WJR_OPTIMIZER_OPTIONS_INIT;
    wjr_optimizer *opt = NULL;

    oo.seed = seed;
    oo.minimize = minimize;
    assert_int_equal(wjr_optimizer_new(&opt, &oo), 0);
    return opt;
}

static void test_transforms(void **state)
{
    wjr_optimizer *opt = new_opt(1, 1);
    double u[4], x[4], f[8], back[4];
    int counts[5] = {0};
    int i;
    (void)state;

    assert_int_equal(wjr_optimizer_add_range(opt, 1e-3, 10.0, WJR_OPT_LOG), 0);
    assert_int_equal(wjr_optimizer_add_range(opt, 1.0, 5.0, WJR_OPT_INT), 0);
    assert_int_equal(wjr_optimizer_add_choice(opt, 3), 0);
    assert_int_equal(wjr_optimizer_add_range(opt, -1.0, 1.0, 0), 0);
    assert_int_equal(opt->n_features, 1 + 1 + 3 + 1);
    assert_int_equal(wjr_optimizer_add_range(opt, 0.0, 1.0, WJR_OPT_LOG), WJR_EINVALID);
    assert_int_equal(wjr_optimizer_add_range(opt, 0.5, 2.0, WJR_OPT_INT), WJR_EINVALID);
    /* log scale: the middle of the cube is the geometric mean */
    u[0] = 0.5, u[1] = 0.5, u[2] = 0.5, u[3] = 0.5;
    wjr__opt_from_unit(opt, u, x);
    assert_true(fabs(x[0] - sqrt(1e-3 * 10.0)) < 1e-12);
    assert_true(x[1] == 3.0 && x[2] == 1.0 && fabs(x[3]) < 1e-15);
    /* one-hot choice, and decode(encode(x)) == x */
    wjr__opt_encode(opt, x, f);
    assert_true(f[2] == 0.0 && f[3] == 1.0 && f[4] == 0.0);
    wjr__opt_decode(opt, f, back);
    assert_memory_equal(x, back, sizeof(x));
    /* each integer owns an equal share of its axis: no value is wasted */
    for (i = 0; i < 1000; i++) {
        u[1] = (i + 0.5) / 1000.0;
        wjr__opt_from_unit(opt, u, x);
        assert_true(x[1] == floor(x[1]));
        counts[(int)x[1] - 1]++;
    }
    for (i = 0; i < 5; i++)
        assert_int_equal(counts[i], 200);
    /* points outside the space are refused */
    x[1] = 2.5;
    assert_int_equal(wjr_optimizer_tell_pending(opt, x), WJR_EINVALID);
    x[1] = 6.0;
    assert_int_equal(wjr_optimizer_tell_failed(opt, x), WJR_EINVALID);
    wjr_optimizer_free(opt);
}

/* A small discrete space: every suggestion is a point never told before,
 * and a failed point is never suggested again. */
static void test_discrete_never_repeats(void **state)
{
    wjr_optimizer *opt = new_opt(3, 1);
    double x[2], seen[9][2];
    int n = 0, i, j;
    (void)state;

    wjr_optimizer_add_range(opt, 0.0, 2.0, WJR_OPT_INT);
    wjr_optimizer_add_choice(opt, 3);
    for (n = 0; n < 9; n++) {
        assert_int_equal(wjr_optimizer_ask(x, opt, 1), 0);
        for (j = 0; j < n; j++)
            assert_false(x[0] == seen[j][0] && x[1] == seen[j][1]);
        seen[n][0] = x[0];
        seen[n][1] = x[1];
        if (n % 3 == 2) {
            assert_int_equal(wjr_optimizer_tell_failed(opt, x), 0);
        } else {
            double y = (x[0] - 1.0) * (x[0] - 1.0) + x[1];
            assert_int_equal(wjr_optimizer_tell(opt, x, &y, NULL), 0);
        }
    }
    /* all nine points are used: nothing is left to suggest */
    assert_int_equal(wjr_optimizer_ask(x, opt, 1), WJR_ESTATE);
    for (i = 0; i < 9; i++)
        assert_true(seen[i][0] >= 0 && seen[i][0] <= 2 && seen[i][1] >= 0 && seen[i][1] <= 2);
    wjr_optimizer_free(opt);
}

static double bowl(const double *x)
{
    return (x[0] - 0.3) * (x[0] - 0.3) + 2.0 * (x[1] - 0.6) * (x[1] - 0.6);
}

/* Tell n points of a quasi-random design on [0,1]^2. */
static void tell_design(wjr_optimizer *opt, int n, double sign)
{
    int i;
    for (i = 0; i < n; i++) {
        double x[2] = {fmod(0.1 + 0.618034 * i, 1.0), fmod(0.3 + 0.414214 * i, 1.0)};
        double y = sign * bowl(x);
        assert_int_equal(wjr_optimizer_tell(opt, x, &y, NULL), 0);
    }
}

/* Minimizing a bowl and maximizing its negative both head for its bottom. */
static void test_minimize_maximize(void **state)
{
    int maximize;
    (void)state;

    for (maximize = 0; maximize <= 1; maximize++) {
        wjr_optimizer *opt = new_opt(5, !maximize);
        double x[2];
        int i;

        wjr_optimizer_add_range(opt, 0.0, 1.0, 0);
        wjr_optimizer_add_range(opt, 0.0, 1.0, 0);
        tell_design(opt, 8, maximize ? -1.0 : 1.0);
        for (i = 0; i < 6; i++) {
            double y;
            assert_int_equal(wjr_optimizer_ask(x, opt, 1), 0);
            y = (maximize ? -1.0 : 1.0) * bowl(x);
            assert_int_equal(wjr_optimizer_tell(opt, x, &y, NULL), 0);
        }
        {
            int64_t b = wjr_optimizer_best(opt);
            assert_true(b >= 8); /* a suggestion beat the design */
            assert_true(bowl(opt->done.x + 2 * b) < 0.01);
        }
        wjr_optimizer_free(opt);
    }
}

/* Pending points and a batch: suggestions keep apart. */
static void test_pending_and_batches(void **state)
{
    wjr_optimizer *opt = new_opt(9, 1);
    double first[2], again[2], batch[8];
    int i, j;
    (void)state;

    wjr_optimizer_add_range(opt, 0.0, 1.0, 0);
    wjr_optimizer_add_range(opt, 0.0, 1.0, 0);
    tell_design(opt, 10, 1.0);
    assert_int_equal(wjr_optimizer_ask(first, opt, 1), 0);
    assert_int_equal(wjr_optimizer_tell_pending(opt, first), 0);
    assert_int_equal(wjr_optimizer_ask(again, opt, 1), 0);
    assert_true(hypot(first[0] - again[0], first[1] - again[1]) > 1e-3);
    wjr_optimizer_clear_pending(opt);
    assert_int_equal(wjr_optimizer_ask(again, opt, 1), 0);
    assert_memory_equal(first, again, sizeof(first)); /* nothing pending: same point */
    assert_int_equal(wjr_optimizer_ask(batch, opt, 4), 0);
    assert_memory_equal(first, batch, sizeof(first)); /* the batch starts the same */
    for (i = 0; i < 4; i++)
        for (j = 0; j < i; j++)
            assert_true(hypot(batch[2 * i] - batch[2 * j], batch[2 * i + 1] - batch[2 * j + 1]) >
                        1e-3);
    assert_int_equal(opt->pending.n, 0); /* ask leaves what was told alone */
    wjr_optimizer_free(opt);
}

/* The greedy acquisition is the posterior mean, gradient included, and
 * its maximization finds the mean's maximum. */
static void test_greedy_value(void **state)
{
    wjr_optimizer *opt = new_opt(3, 0);
    double X[3] = {0.1, 0.5, 0.9}, y[3] = {1.0, 4.0, 2.0}, scratch[8], grad[1], x, mu, var, dmu;
    double dvar;
    wjr_gp gp;
    wjr_acq a;
    (void)state;

    assert_int_equal(wjr_optimizer_add_range(opt, 0.0, 1.0, 0), 0);
    memset(&gp, 0, sizeof(gp));
    assert_int_equal(wjr_gp_set_data(&gp, 1, X, y, NULL, 3), 0);
    gp.ls[0] = 0.3;
    assert_int_equal(wjr_gp_factor(&gp), 0);
    memset(&a, 0, sizeof(a));
    a.opt = opt;
    a.gps = &gp;
    a.scratch = scratch;
    a.has_best = 1;
    a.best = gp.y[1];
    a.greedy = 1;
    for (x = 0.05; x < 1.0; x += 0.1) {
        double v = wjr_acq_value(&a, &x, grad), xp = x + 1e-6, xm = x - 1e-6;
        wjr_gp_predict(&gp, &x, &mu, &var, &dmu, &dvar);
        assert_true(fabs(v - mu) < 1e-12);
        assert_true(fabs(grad[0] - dmu) < 1e-9 * (1.0 + fabs(dmu)));
        assert_true(fabs((wjr_acq_value(&a, &xp, NULL) - wjr_acq_value(&a, &xm, NULL)) / 2e-6 -
                         grad[0]) < 1e-5 * (1.0 + fabs(grad[0])));
    }
    /* log EI at the incumbent is another quantity than its mean */
    a.greedy = 0;
    x = 0.5;
    wjr_gp_predict(&gp, &x, &mu, &var, NULL, NULL);
    assert_true(fabs(wjr_acq_value(&a, &x, NULL) - mu) > 1.0);
    /* maximized, it finds the mean's maximum (a grid's best, refined) */
    {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        double grid_best = -HUGE_VAL, grid_x = 0.0, got, got_mu, g;

        for (g = 0.0; g <= 1.0; g += 1e-4) {
            wjr_gp_predict(&gp, &g, &mu, &var, NULL, NULL);
            if (mu > grid_best) {
                grid_best = mu;
                grid_x = g;
            }
        }
        a.greedy = 1;
        assert_int_equal(wjr_acq_optimize(&got, &a, rng), 0);
        wjr_gp_predict(&gp, &got, &got_mu, &var, NULL, NULL);
        assert_true(fabs(got - grid_x) < 1e-3);
        assert_true(got_mu >= grid_best - 1e-9);
        gsl_rng_free(rng);
    }
    wjr_gp_clear(&gp);
    wjr_optimizer_free(opt);
}

/* A batch's last point is the model's best guess, not a copy of a point
 * chosen or pending: with the bottom of a bowl already pending, it goes
 * elsewhere; with nothing pending, it improves much on the design. */
static void test_batch_greedy(void **state)
{
    double x1[2], b[4], c[6], best;
    int i, j, n;
    (void)state;

    for (n = 10; n <= 16; n += 2) {
        wjr_optimizer *opt = new_opt(5, 1);

        wjr_optimizer_add_range(opt, 0.0, 1.0, 0);
        wjr_optimizer_add_range(opt, 0.0, 1.0, 0);
        tell_design(opt, n, 1.0);
        for (i = 0, best = HUGE_VAL; i < n; i++)
            best = opt->done.y[i] < best ? opt->done.y[i] : best;
        assert_int_equal(wjr_optimizer_ask(c, opt, 3), 0);
        assert_true(bowl(c + 4) < 0.1 * best);
        assert_int_equal(wjr_optimizer_ask(x1, opt, 1), 0);
        assert_int_equal(wjr_optimizer_tell_pending(opt, x1), 0);
        assert_int_equal(wjr_optimizer_ask(b, opt, 2), 0);
        for (i = 0; i < 2; i++) {
            assert_true(hypot(b[2 * i] - x1[0], b[2 * i + 1] - x1[1]) > 1e-3);
            for (j = 0; j < i; j++)
                assert_true(hypot(b[2 * i] - b[2 * j], b[2 * i + 1] - b[2 * j + 1]) > 1e-3);
        }
        wjr_optimizer_free(opt);
    }
}

/* A single point asked for beside one in flight (trials finishing one at
 * a time) is the model's best guess when the point in flight is far from
 * it: the point that a batch asked for beside the same point would end
 * with (its greedy last point), not its first (EI's choice under the same
 * model). With the best guess itself in flight, EI chooses instead. */
static void test_flight_greedy(void **state)
{
    double far = 0.98, g, b[2], e, x, y;
    int i;
    wjr_optimizer *opt = new_opt(7, 1);
    (void)state;

    wjr_optimizer_add_range(opt, 0.0, 1.0, 0);
    for (i = 0; i <= 4; i++) {
        x = 0.1 * i;
        y = -exp(-(x - 0.27) * (x - 0.27) / 0.02);
        assert_int_equal(wjr_optimizer_tell(opt, &x, &y, NULL), 0);
    }
    assert_int_equal(wjr_optimizer_tell_pending(opt, &far), 0);
    assert_int_equal(wjr_optimizer_ask(&g, opt, 1), 0);
    assert_int_equal(wjr_optimizer_ask(b, opt, 2), 0);
    assert_true(fabs(g - b[1]) < 1e-4);
    assert_true(fabs(g - b[0]) > 1e-3);
    assert_true(fabs(g - 0.27) < 0.01);
    assert_int_equal(wjr_optimizer_tell_pending(opt, &g), 0);
    assert_int_equal(wjr_optimizer_ask(&e, opt, 1), 0);
    assert_true(fabs(e - g) > 0.01);
    wjr_optimizer_free(opt);
}

/* x1 + x2 <= 0.8 holds for every suggestion; an outcome constraint steers
 * suggestions and decides the best trial. */
static void test_constraints(void **state)
{
    wjr_optimizer *opt = new_opt(11, 1);
    double coef[2] = {1.0, 1.0}, batch[8], x[2];
    int i, k;
    (void)state;

    wjr_optimizer_add_range(opt, 0.0, 1.0, 0);
    wjr_optimizer_add_range(opt, 0.0, 1.0, 0);
    assert_int_equal(wjr_optimizer_add_linear_constraint(opt, coef, 0.8), 0);
    /* objective: smaller when x2 is large; constraint c = x2 <= 0.4 */
    assert_int_equal(wjr_optimizer_add_outcome_constraint(opt, 1, 0.4), 0);
    assert_int_equal(wjr_optimizer_outcomes(opt), 2);
    for (i = 0; i < 2; i++) { /* quasi-random while the model has too little */
        double y[2];
        assert_int_equal(wjr_optimizer_ask(x, opt, 1), 0);
        assert_true(x[0] + x[1] <= 0.8 + 1e-9);
        y[0] = -x[1] + 0.1 * x[0];
        y[1] = x[1];
        assert_int_equal(wjr_optimizer_tell(opt, x, y, NULL), 0);
    }
    for (i = 0; i < 6; i++) {
        assert_int_equal(wjr_optimizer_ask(batch, opt, 2), 0);
        for (k = 0; k < 2; k++) {
            double *p = batch + 2 * k, y[2] = {-p[1] + 0.1 * p[0], p[1]};
            assert_true(p[0] + p[1] <= 0.8 + 1e-9);
            assert_int_equal(wjr_optimizer_tell(opt, p, y, NULL), 0);
        }
    }
    {
        int64_t b = wjr_optimizer_best(opt);
        const double *p = opt->done.x + 2 * b;
        assert_true(b >= 0);
        assert_true(p[1] <= 0.4); /* the best is feasible ... */
        assert_true(p[1] > 0.3);  /* ... and near the constraint's edge */
    }
    wjr_optimizer_free(opt);
}

/* The same seed and the same story give the same points. */
static void test_deterministic(void **state)
{
    double a[6], b[6];
    int round;
    (void)state;

    for (round = 0; round < 2; round++) {
        wjr_optimizer *opt = new_opt(42, 1);
        double pend[2] = {0.5, 0.5};

        wjr_optimizer_add_range(opt, 0.0, 1.0, 0);
        wjr_optimizer_add_range(opt, 0.0, 1.0, 0);
        tell_design(opt, 7, 1.0);
        wjr_optimizer_tell_pending(opt, pend);
        assert_int_equal(wjr_optimizer_ask(round == 0 ? a : b, opt, 3), 0);
        wjr_optimizer_free(opt);
    }
    assert_memory_equal(a, b, sizeof(a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_posterior_by_hand),
        cmocka_unit_test(test_known_noise),
        cmocka_unit_test(test_constant_mean),
        cmocka_unit_test(test_gradients),
        cmocka_unit_test(test_fit_predicts),
        cmocka_unit_test(test_output_warp),
        cmocka_unit_test(test_log_ei),
        cmocka_unit_test(test_transforms),
        cmocka_unit_test(test_discrete_never_repeats),
        cmocka_unit_test(test_minimize_maximize),
        cmocka_unit_test(test_pending_and_batches),
        cmocka_unit_test(test_greedy_value),
        cmocka_unit_test(test_batch_greedy),
        cmocka_unit_test(test_flight_greedy),
        cmocka_unit_test(test_constraints),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
