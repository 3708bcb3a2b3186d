/*
 * gp.c - a Gaussian process regression model on the unit cube: Matern-5/2
 * kernel with one length scale per dimension, standardized outputs with a
 * constant prior mean (its generalized least squares estimate, profiled out
 * of the likelihood), learned noise plus known per-point noise (a reported
 * sem), hyperparameters fitted by maximizing the log marginal likelihood
 * with log-normal priors, from several starts, with NLopt's L-BFGS within
 * bounds.
 *
 * Linear algebra is GSL's (Cholesky with escalating jitter). The caller
 * turns GSL's error handler off around these calls (optimizer.c does), so
 * that a matrix that is not positive definite comes back as an error code.
 * This file knows nothing of parameters, acquisitions or studies; the
 * posterior it gives is in standardized units.
 *
 * Optionally (wjr_gp_warp) the standardized outputs are warped by a
 * Yeo-Johnson power transform fitted by maximum likelihood, as HEBO and
 * Ax's PowerTransformY do: an objective whose good values sit in a narrow
 * band far from its bulk (Branin's minima against values up to 300) is
 * otherwise modelled at a resolution too coarse for its last digits.
 */
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <nlopt.h>
#include <stdlib.h>
#include <string.h>

#include "gp.h"

#define SQRT5   2.2360679774997896964
#define LOG_2PI 1.8378770664093454836

/* Hyperparameter bounds (log scale) and log-normal priors. Length scales
 * (on the unit cube) have a median of 1 and a wide spread; the output
 * scale is near 1 for standardized data but may grow for heavy-tailed
 * objectives; the noise prior leans small so that deterministic objectives
 * are interpolated, and a noisy one still finds its level. (The
 * dimension-scaled prior of Hvarfner et al., 2024, which BoTorch uses,
 * did worse on this project's benchmark: longer length scales, more
 * exploitation.) */
#define LOG_LS_MIN       (-4.6) /* 0.01 */
#define LOG_LS_MAX       4.6    /* 100 */
#define LOG_S2_MIN       (-3.0)
#define LOG_S2_MAX       9.0
#define LOG_NOISE_MIN    (-20.7) /* 1e-9 */
#define LOG_NOISE_MAX    0.0
#define PRIOR_LS_SD      1.7320508075688772
#define PRIOR_S2_MEAN    0.0
#define PRIOR_S2_SD      2.0
#define PRIOR_NOISE_MEAN (-15.0)
#define PRIOR_NOISE_SD   3.0

#define FIT_MAX_POINTS 200 /* the fit sees at most this many points */
#define FIT_STARTS     32  /* starting points tried */
#define FIT_POLISHED   6   /* of which the best are polished */
#define FIT_MAX_EVAL   120

static double prior_ls_mean(size_t d)
{
    (void)d;
    return 0.0;
}

double wjr_gp_kernel(const wjr_gp *gp, const double *a, const double *b, double *G)
{
    double r2 = 0.0, r, e;
    size_t k;

    for (k = 0; k < gp->d; k++) {
        double t = (a[k] - b[k]) / gp->ls[k];
        r2 += t * t;
    }
    r = sqrt(r2);
    e = exp(-SQRT5 * r);
    if (G != NULL)
        *G = gp->s2 * (5.0 / 3.0) * (1.0 + SQRT5 * r) * e;
    return gp->s2 * (1.0 + SQRT5 * r + (5.0 / 3.0) * r2) * e;
}

static int grow(wjr_gp *gp, size_t cap)
{
    double *p;
    gsl_matrix *L;

    if (cap <= gp->cap)
        return 0;
    if ((p = realloc(gp->X, cap * gp->d * sizeof(double) + sizeof(double))) == NULL)
        return -1;
    gp->X = p;
    if ((p = realloc(gp->y, cap * sizeof(double))) == NULL)
        return -1;
    gp->y = p;
    if ((p = realloc(gp->known, cap * sizeof(double))) == NULL)
        return -1;
    gp->known = p;
    if ((p = realloc(gp->alpha, cap * sizeof(double))) == NULL)
        return -1;
    gp->alpha = p;
    if ((p = realloc(gp->work, 2 * cap * sizeof(double))) == NULL)
        return -1;
    gp->work = p;
    L = gsl_matrix_calloc(cap, cap);
    if (L == NULL)
        return -1;
    if (gp->L != NULL) {
        size_t i, j;
        for (i = 0; i < gp->n; i++)
            for (j = 0; j <= i; j++)
                gsl_matrix_set(L, i, j, gsl_matrix_get(gp->L, i, j));
        gsl_matrix_free(gp->L);
    }
    gp->L = L;
    gp->cap = cap;
    return 0;
}

void wjr_gp_clear(wjr_gp *gp)
{
    free(gp->X);
    free(gp->y);
    free(gp->known);
    free(gp->alpha);
    free(gp->work);
    free(gp->ls);
    gsl_matrix_free(gp->L);
    memset(gp, 0, sizeof(*gp));
}

/* A known noise variance above this (in standardized units) is as good as
 * no observation; capped so that a huge sem cannot overflow K. */
#define KNOWN_MAX 1e12

static double known_cap(double v)
{
    return v < KNOWN_MAX ? v : KNOWN_MAX;
}

int wjr_gp_set_data(wjr_gp *gp, size_t d, const double *X, const double *y, const double *sem,
                    size_t n)
{
    double sum = 0.0, ss = 0.0, big = 0.0;
    size_t i;

    wjr_gp_clear(gp);
    gp->d = d;
    gp->ls = calloc(d + 1, sizeof(double));
    if (gp->ls == NULL || grow(gp, n + 8) < 0)
        return -1;
    memcpy(gp->X, X, n * d * sizeof(double));
    /* mean and sd of y / big, so that outputs near DBL_MAX cannot overflow
     * (big is 1, and the arithmetic plain, for outputs of everyday size) */
    for (i = 0; i < n; i++)
        big = fabs(y[i]) > big ? fabs(y[i]) : big;
    big = big > 1e150 ? big : 1.0;
    for (i = 0; i < n; i++)
        sum += y[i] / big;
    sum = n > 0 ? sum / (double)n : 0.0;
    for (i = 0; i < n; i++)
        ss += (y[i] / big - sum) * (y[i] / big - sum);
    ss = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    if (!(ss > 1e-12 * (1.0 / big + fabs(sum))))
        ss = 1.0 / big; /* outputs all alike: sd 1 */
    gp->ymean = sum * big;
    gp->ystd = ss * big;
    for (i = 0; i < n; i++) {
        double s = sem != NULL ? sem[i] / big / ss : NAN;
        gp->y[i] = (y[i] / big - sum) / ss;
        gp->known[i] = isfinite(s) ? known_cap(s * s) : 0.0;
    }
    gp->n = n;
    for (i = 0; i < d; i++)
        gp->ls[i] = exp(prior_ls_mean(d));
    gp->s2 = 1.0;
    gp->noise = 1e-4;
    return 0;
}

/* ---- output warping ----------------------------------------------------- */

#define WARP_LAMBDA_MIN   (-2.0)
#define WARP_LAMBDA_MAX   4.0
#define WARP_GRID_STEP    0.1
#define WARP_GOLDEN_STEPS 40

/* The Yeo-Johnson transform of u with exponent l, and its slope in u. */
static double yeo_johnson(double u, double l, double *slope)
{
    if (u >= 0.0) {
        if (slope != NULL)
            *slope = pow(u + 1.0, l - 1.0);
        return fabs(l) < 1e-12 ? log1p(u) : (pow(u + 1.0, l) - 1.0) / l;
    }
    if (slope != NULL)
        *slope = pow(1.0 - u, 1.0 - l);
    return fabs(l - 2.0) < 1e-12 ? -log1p(-u) : -(pow(1.0 - u, 2.0 - l) - 1.0) / (2.0 - l);
}

/* Profile log likelihood of l: the warped values as a normal sample, plus
 * the log Jacobian of the transform. */
static double warp_loglik(const double *u, size_t n, double l)
{
    double mean = 0.0, var = 0.0, jac = 0.0;
    size_t i;

    for (i = 0; i < n; i++)
        mean += yeo_johnson(u[i], l, NULL);
    mean /= (double)n;
    for (i = 0; i < n; i++) {
        double t = yeo_johnson(u[i], l, NULL) - mean;
        var += t * t;
        jac += (u[i] >= 0.0 ? 1.0 : -1.0) * log1p(fabs(u[i]));
    }
    var /= (double)n;
    if (!(var > 0.0) || !isfinite(var))
        return -HUGE_VAL;
    return -0.5 * (double)n * log(var) + (l - 1.0) * jac;
}

/* The exponent: the best of a grid, refined by golden section. */
static double warp_lambda(const double *u, size_t n)
{
    const double g = 0.6180339887498949;
    double best = 1.0, best_ll = -HUGE_VAL, a, b, c, d, fc, fd, l;
    int k;

    for (k = 0; (l = WARP_LAMBDA_MIN + WARP_GRID_STEP * k) <= WARP_LAMBDA_MAX + 1e-9; k++) {
        double ll = warp_loglik(u, n, l);
        if (ll > best_ll) {
            best_ll = ll;
            best = l;
        }
    }
    a = best - WARP_GRID_STEP > WARP_LAMBDA_MIN ? best - WARP_GRID_STEP : WARP_LAMBDA_MIN;
    b = best + WARP_GRID_STEP < WARP_LAMBDA_MAX ? best + WARP_GRID_STEP : WARP_LAMBDA_MAX;
    c = b - g * (b - a);
    d = a + g * (b - a);
    fc = warp_loglik(u, n, c);
    fd = warp_loglik(u, n, d);
    for (k = 0; k < WARP_GOLDEN_STEPS; k++) {
        if (fc > fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = warp_loglik(u, n, c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = warp_loglik(u, n, d);
        }
    }
    l = 0.5 * (a + b);
    return warp_loglik(u, n, l) > best_ll ? l : best;
}

void wjr_gp_warp(wjr_gp *gp)
{
    double l, mean = 0.0, ss = 0.0, sd;
    size_t i, n = gp->n;

    if (n < 3 || gp->warped)
        return;
    for (i = 0; i < n; i++)
        if (gp->y[i] != gp->y[0])
            break;
    if (i == n)
        return;
    l = warp_lambda(gp->y, n);
    for (i = 0; i < n; i++)
        mean += yeo_johnson(gp->y[i], l, NULL);
    mean /= (double)n;
    for (i = 0; i < n; i++) {
        double t = yeo_johnson(gp->y[i], l, NULL) - mean;
        ss += t * t;
    }
    sd = sqrt(ss / (double)(n - 1));
    if (!(sd > 0.0) || !isfinite(sd))
        return;
    for (i = 0; i < n; i++) {
        double slope, w = yeo_johnson(gp->y[i], l, &slope);
        gp->y[i] = (w - mean) / sd;
        gp->known[i] = known_cap(gp->known[i] * (slope / sd) * (slope / sd));
    }
    gp->lambda = l;
    gp->wmean = mean;
    gp->wstd = sd;
    gp->warped = 1;
}

double wjr_gp_to_model(const wjr_gp *gp, double raw)
{
    double u = fabs(raw) < 1e150 && fabs(gp->ymean) < 1e150 ? (raw - gp->ymean) / gp->ystd
                                                            : raw / gp->ystd - gp->ymean / gp->ystd;

    return gp->warped ? (yeo_johnson(u, gp->lambda, NULL) - gp->wmean) / gp->wstd : u;
}

/* Build the first n rows of K (with noise and jitter) into the lower
 * triangle of M and factor it. Returns 0 or -1. */
static int factor_into(const wjr_gp *gp, gsl_matrix *M, size_t n, double jitter)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        for (j = 0; j < i; j++) {
            double k = wjr_gp_kernel(gp, gp->X + i * gp->d, gp->X + j * gp->d, NULL);
            gsl_matrix_set(M, i, j, k);
            gsl_matrix_set(M, j, i, k);
        }
        gsl_matrix_set(M, i, i, gp->s2 + gp->noise + gp->known[i] + jitter);
    }
    {
        gsl_matrix_view v = gsl_matrix_submatrix(M, 0, 0, n, n);
        return gsl_linalg_cholesky_decomp1(&v.matrix) == 0 ? 0 : -1;
    }
}

/* alpha = K^-1 (y - c); with estimate, c first becomes the generalized
 * least squares constant 1'K^-1 y / 1'K^-1 1. */
static void solve_alpha(wjr_gp *gp, int estimate)
{
    gsl_matrix_view L = gsl_matrix_submatrix(gp->L, 0, 0, gp->n, gp->n);
    gsl_vector_view a = gsl_vector_view_array(gp->alpha, gp->n);
    size_t i;

    if (estimate) {
        gsl_vector_view o = gsl_vector_view_array(gp->work, gp->n);
        double num = 0.0, den = 0.0;

        memcpy(gp->alpha, gp->y, gp->n * sizeof(double));
        gsl_linalg_cholesky_svx(&L.matrix, &a.vector);
        for (i = 0; i < gp->n; i++)
            gp->work[i] = 1.0;
        gsl_linalg_cholesky_svx(&L.matrix, &o.vector);
        for (i = 0; i < gp->n; i++) {
            num += gp->alpha[i];
            den += gp->work[i];
        }
        gp->c = den > 0.0 ? num / den : 0.0;
    }
    for (i = 0; i < gp->n; i++)
        gp->alpha[i] = gp->y[i] - gp->c;
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &L.matrix, &a.vector);
    gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, &L.matrix, &a.vector);
}

int wjr_gp_factor(wjr_gp *gp)
{
    static const double jitters[] = {0.0, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2};
    size_t j;

    if (gp->n == 0)
        return 0;
    for (j = 0; j < sizeof(jitters) / sizeof(jitters[0]); j++) {
        gp->jitter = jitters[j] * gp->s2;
        if (factor_into(gp, gp->L, gp->n, gp->jitter) == 0) {
            size_t i;

            solve_alpha(gp, 1);
            for (i = 0; i < gp->n; i++)
                if (!isfinite(gp->alpha[i]))
                    return -1; /* no NaN or inf reaches a decision */
            return 0;
        }
    }
    return -1;
}

int wjr_gp_add(wjr_gp *gp, const double *x, double y_std)
{
    size_t n = gp->n, i;
    double *l, diag;

    if (n + 1 > gp->cap && grow(gp, 2 * gp->cap + 8) < 0)
        return -1;
    memcpy(gp->X + n * gp->d, x, gp->d * sizeof(double));
    gp->y[n] = y_std;
    gp->known[n] = 0.0;
    /* extend the factor: l = L^-1 k, diag = sqrt(k(x,x) + noise - l'l) */
    l = gp->work;
    for (i = 0; i < n; i++)
        l[i] = wjr_gp_kernel(gp, x, gp->X + i * gp->d, NULL);
    if (n > 0) {
        gsl_matrix_view L = gsl_matrix_submatrix(gp->L, 0, 0, n, n);
        gsl_vector_view lv = gsl_vector_view_array(l, n);
        gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &L.matrix, &lv.vector);
    }
    diag = gp->s2 + gp->noise + gp->jitter;
    for (i = 0; i < n; i++) {
        diag -= l[i] * l[i];
        gsl_matrix_set(gp->L, n, i, l[i]);
    }
    if (!(diag > 1e-12 * gp->s2))
        diag = 1e-12 * gp->s2;
    gsl_matrix_set(gp->L, n, n, sqrt(diag));
    gp->n = n + 1;
    solve_alpha(gp, 0);
    return 0;
}

void wjr_gp_predict(const wjr_gp *gp, const double *x, double *mu, double *var, double *dmu,
                    double *dvar)
{
    double *k = gp->work, *w = gp->work + gp->cap;
    double m = gp->c, v = gp->s2;
    size_t i, d;

    if (dmu != NULL)
        for (d = 0; d < gp->d; d++)
            dmu[d] = dvar[d] = 0.0;
    if (gp->n == 0) {
        *mu = gp->c;
        *var = gp->s2;
        return;
    }
    for (i = 0; i < gp->n; i++) {
        k[i] = wjr_gp_kernel(gp, x, gp->X + i * gp->d, NULL);
        m += k[i] * gp->alpha[i];
    }
    {
        gsl_matrix_view L = gsl_matrix_submatrix(gp->L, 0, 0, gp->n, gp->n);
        gsl_vector_view wv = gsl_vector_view_array(w, gp->n);

        memcpy(w, k, gp->n * sizeof(double));
        gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &L.matrix, &wv.vector);
        for (i = 0; i < gp->n; i++)
            v -= w[i] * w[i];
        if (dmu != NULL) /* w = K^-1 k for the variance's gradient */
            gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, &L.matrix, &wv.vector);
    }
    *mu = m;
    *var = v > 1e-12 * gp->s2 ? v : 1e-12 * gp->s2;
    if (dmu == NULL)
        return;
    for (i = 0; i < gp->n; i++) {
        const double *xi = gp->X + i * gp->d;
        double G;

        wjr_gp_kernel(gp, x, xi, &G);
        for (d = 0; d < gp->d; d++) {
            double t = -G * (x[d] - xi[d]) / (gp->ls[d] * gp->ls[d]);
            dmu[d] += t * gp->alpha[i];
            dvar[d] -= 2.0 * t * w[i];
        }
    }
    if (!(v > 1e-12 * gp->s2))
        for (d = 0; d < gp->d; d++)
            dvar[d] = 0.0;
}

/* ---- fitting ------------------------------------------------------------- */

typedef struct fit_ctx {
    wjr_gp *gp; /* hyperparameters are written here while fitting */
    gsl_matrix *K, *G;
    double *alpha, *ones;
    int evals;
} fit_ctx;

static void set_theta(wjr_gp *gp, const double *theta)
{
    size_t k;

    for (k = 0; k < gp->d; k++)
        gp->ls[k] = exp(theta[k]);
    gp->s2 = exp(theta[gp->d]);
    gp->noise = exp(theta[gp->d + 1]);
}

static double prior_nll(const wjr_gp *gp, const double *theta, double *grad)
{
    double mls = prior_ls_mean(gp->d), s = 0.0, t;
    size_t k;

    for (k = 0; k < gp->d; k++) {
        t = (theta[k] - mls) / PRIOR_LS_SD;
        s += 0.5 * t * t;
        if (grad != NULL)
            grad[k] += t / PRIOR_LS_SD;
    }
    t = (theta[gp->d] - PRIOR_S2_MEAN) / PRIOR_S2_SD;
    s += 0.5 * t * t;
    if (grad != NULL)
        grad[gp->d] += t / PRIOR_S2_SD;
    t = (theta[gp->d + 1] - PRIOR_NOISE_MEAN) / PRIOR_NOISE_SD;
    s += 0.5 * t * t;
    if (grad != NULL)
        grad[gp->d + 1] += t / PRIOR_NOISE_SD;
    return s;
}

static double nll_with(fit_ctx *c, const double *theta, double *grad)
{
    wjr_gp *gp = c->gp;
    size_t n = gp->n, d = gp->d, i, j, k;
    gsl_matrix_view K = gsl_matrix_submatrix(c->K, 0, 0, n, n);
    gsl_vector_view a = gsl_vector_view_array(c->alpha, n);
    double nll = 0.0;

    c->evals++;
    set_theta(gp, theta);
    for (i = 0; i < n; i++) {
        for (j = 0; j < i; j++) {
            double G, kv = wjr_gp_kernel(gp, gp->X + i * d, gp->X + j * d, &G);
            gsl_matrix_set(c->K, i, j, kv);
            gsl_matrix_set(c->G, i, j, G);
        }
        gsl_matrix_set(c->K, i, i, gp->s2 + gp->noise + gp->known[i] + 1e-10 * gp->s2);
    }
    if (gsl_linalg_cholesky_decomp1(&K.matrix) != 0)
        return HUGE_VAL;
    memcpy(c->alpha, gp->y, n * sizeof(double));
    gsl_linalg_cholesky_svx(&K.matrix, &a.vector);
    {
        /* profile out the constant mean: alpha = K^-1 (y - cst); by the
         * envelope theorem the gradient below needs no term for cst */
        gsl_vector_view o = gsl_vector_view_array(c->ones, n);
        double num = 0.0, den = 0.0, cst;

        for (i = 0; i < n; i++)
            c->ones[i] = 1.0;
        gsl_linalg_cholesky_svx(&K.matrix, &o.vector);
        for (i = 0; i < n; i++) {
            num += c->alpha[i];
            den += c->ones[i];
        }
        cst = den > 0.0 ? num / den : 0.0;
        for (i = 0; i < n; i++)
            c->alpha[i] -= cst * c->ones[i];
        for (i = 0; i < n; i++)
            nll += 0.5 * (gp->y[i] - cst) * c->alpha[i];
    }
    for (i = 0; i < n; i++)
        nll += log(gsl_matrix_get(c->K, i, i));
    nll += 0.5 * (double)n * LOG_2PI;
    if (grad != NULL) {
        /* dNLL/dtheta = -1/2 tr((alpha alpha' - K^-1) dK/dtheta) */
        for (k = 0; k < d + 2; k++)
            grad[k] = 0.0;
        if (gsl_linalg_cholesky_invert(&K.matrix) != 0)
            return HUGE_VAL;
        for (i = 0; i < n; i++) {
            for (j = 0; j < i; j++) {
                double m = c->alpha[i] * c->alpha[j] - gsl_matrix_get(c->K, i, j);
                double G = gsl_matrix_get(c->G, i, j);
                double kf = wjr_gp_kernel(gp, gp->X + i * d, gp->X + j * d, NULL);

                for (k = 0; k < d; k++) {
                    double t = (gp->X[i * d + k] - gp->X[j * d + k]) / gp->ls[k];
                    grad[k] -= m * G * t * t; /* both symmetric entries */
                }
                grad[d] -= m * kf;
            }
            {
                double m = c->alpha[i] * c->alpha[i] - gsl_matrix_get(c->K, i, i);
                grad[d] -= 0.5 * m * gp->s2;
                grad[d + 1] -= 0.5 * m * gp->noise;
            }
        }
    }
    return nll + prior_nll(gp, theta, grad);
}

static double nlopt_objective(unsigned n, const double *x, double *grad, void *data)
{
    double v;

    (void)n;
    v = nll_with(data, x, grad);
    if (!isfinite(v)) {
        if (grad != NULL)
            memset(grad, 0, n * sizeof(double));
        return 1e300;
    }
    return v;
}

double wjr_gp_nll(wjr_gp *gp, const double *theta, double *grad)
{
    fit_ctx c = {gp, NULL, NULL, NULL, NULL, 0};
    double v = HUGE_VAL;

    c.K = gsl_matrix_alloc(gp->n, gp->n);
    c.G = gsl_matrix_alloc(gp->n, gp->n);
    c.alpha = malloc(gp->n * sizeof(double));
    c.ones = malloc(gp->n * sizeof(double));
    if (c.K != NULL && c.G != NULL && c.alpha != NULL && c.ones != NULL)
        v = nll_with(&c, theta, grad);
    free(c.ones);
    gsl_matrix_free(c.K);
    gsl_matrix_free(c.G);
    free(c.alpha);
    return v;
}

static void draw_start(double *theta, const wjr_gp *gp, gsl_rng *rng, int first)
{
    size_t k;
    double mls = prior_ls_mean(gp->d);

    for (k = 0; k < gp->d; k++)
        theta[k] = first ? mls : mls + gsl_ran_gaussian(rng, 0.8 * PRIOR_LS_SD);
    theta[gp->d] = first ? 0.0 : gsl_ran_gaussian(rng, 0.5);
    theta[gp->d + 1] = first ? -6.0 : -12.0 + 10.0 * gsl_rng_uniform(rng);
    for (k = 0; k < gp->d + 2; k++) {
        double lo = k < gp->d ? LOG_LS_MIN : k == gp->d ? LOG_S2_MIN : LOG_NOISE_MIN;
        double hi = k < gp->d ? LOG_LS_MAX : k == gp->d ? LOG_S2_MAX : LOG_NOISE_MAX;
        theta[k] = theta[k] < lo ? lo : theta[k] > hi ? hi : theta[k];
    }
}

/* A copy of gp's data thinned to at most FIT_MAX_POINTS (every k-th point,
 * a deterministic choice), hyperparameters shared by value. */
static int thinned(wjr_gp *out, const wjr_gp *gp)
{
    size_t m = gp->n, i, stride;

    memset(out, 0, sizeof(*out));
    if (m <= FIT_MAX_POINTS)
        return 0;
    stride = (gp->n + FIT_MAX_POINTS - 1) / FIT_MAX_POINTS;
    m = (gp->n + stride - 1) / stride;
    out->d = gp->d;
    out->n = m;
    out->X = malloc(m * gp->d * sizeof(double));
    out->y = malloc(m * sizeof(double));
    out->known = malloc(m * sizeof(double));
    out->ls = malloc(gp->d * sizeof(double));
    if (out->X == NULL || out->y == NULL || out->known == NULL || out->ls == NULL)
        return -1;
    for (i = 0; i < m; i++) {
        memcpy(out->X + i * gp->d, gp->X + i * stride * gp->d, gp->d * sizeof(double));
        out->y[i] = gp->y[i * stride];
        out->known[i] = gp->known[i * stride];
    }
    return 1;
}

int wjr_gp_fit(wjr_gp *gp, gsl_rng *rng, const char **why)
{
    size_t p = gp->d + 2, s, k;
    double *starts = NULL, *vals = NULL, *best = NULL, *lb = NULL, *ub = NULL;
    double best_val = HUGE_VAL;
    wjr_gp sub;
    fit_ctx c;
    int use_sub, error = -1;

    *why = NULL;
    gp->fitted = 0;
    use_sub = thinned(&sub, gp);
    c.gp = use_sub > 0 ? &sub : gp;
    c.K = gsl_matrix_alloc(c.gp->n, c.gp->n);
    c.G = gsl_matrix_alloc(c.gp->n, c.gp->n);
    c.alpha = malloc(c.gp->n * sizeof(double));
    c.ones = malloc(c.gp->n * sizeof(double));
    c.evals = 0;
    starts = malloc(FIT_STARTS * p * sizeof(double));
    vals = malloc(FIT_STARTS * sizeof(double));
    best = malloc(p * sizeof(double));
    lb = malloc(p * sizeof(double));
    ub = malloc(p * sizeof(double));
    if (use_sub < 0 || c.K == NULL || c.G == NULL || c.alpha == NULL || c.ones == NULL ||
        starts == NULL || vals == NULL || best == NULL || lb == NULL || ub == NULL)
        goto done;
    for (k = 0; k < p; k++) {
        lb[k] = k < gp->d ? LOG_LS_MIN : k == gp->d ? LOG_S2_MIN : LOG_NOISE_MIN;
        ub[k] = k < gp->d ? LOG_LS_MAX : k == gp->d ? LOG_S2_MAX : LOG_NOISE_MAX;
    }
    for (s = 0; s < FIT_STARTS; s++) {
        draw_start(starts + s * p, gp, rng, s == 0);
        vals[s] = nll_with(&c, starts + s * p, NULL);
    }
    for (k = 0; k < FIT_POLISHED; k++) {
        size_t pick = FIT_STARTS, j;
        nlopt_opt o;
        double fmin = HUGE_VAL;

        for (j = 0; j < FIT_STARTS; j++)
            if (isfinite(vals[j]) && (pick == FIT_STARTS || vals[j] < vals[pick]))
                pick = j;
        if (pick == FIT_STARTS)
            break;
        vals[pick] = HUGE_VAL; /* used */
        o = nlopt_create(NLOPT_LD_LBFGS, (unsigned)p);
        if (o == NULL)
            goto done;
        nlopt_set_lower_bounds(o, lb);
        nlopt_set_upper_bounds(o, ub);
        nlopt_set_min_objective(o, nlopt_objective, &c);
        nlopt_set_maxeval(o, FIT_MAX_EVAL);
        nlopt_set_ftol_rel(o, 1e-9);
        nlopt_optimize(o, starts + pick * p, &fmin);
        nlopt_destroy(o);
        if (isfinite(fmin) && fmin < best_val) {
            best_val = fmin;
            memcpy(best, starts + pick * p, p * sizeof(double));
        }
    }
    if (best_val < 1e299) {
        set_theta(gp, best);
        gp->fitted = 1;
    } else {
        *why = "the marginal likelihood could not be evaluated: prior hyperparameters used";
        draw_start(best, gp, rng, 1);
        set_theta(gp, best);
    }
    error = wjr_gp_factor(gp);
    if (error < 0)
        *why = "the kernel matrix cannot be factored even with jitter";
done:
    if (use_sub < 0)
        *why = "out of memory";
    free(sub.X);
    free(sub.y);
    free(sub.known);
    free(sub.ls);
    gsl_matrix_free(c.K);
    gsl_matrix_free(c.G);
    free(c.alpha);
    free(c.ones);
    free(starts);
    free(vals);
    free(best);
    free(lb);
    free(ub);
    return error;
}
