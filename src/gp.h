/*
 * gp.h - private: a Gaussian process on the unit cube (Matern-5/2, one
 * length scale per dimension), used by the acquisition and the optimizer.
 */
#ifndef WJR_GP_H
#define WJR_GP_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <stddef.h>

typedef struct wjr_gp {
    size_t d;      /* input dimensions */
    size_t n, cap; /* points (observations, then fantasies) */
    double *X;     /* [cap * d] */
    double *y;     /* [cap] standardized outputs */
    double *known; /* [cap] known noise variance (standardized units), 0: none */
    double ymean;  /* standardization: u = (y_raw - ymean) / ystd */
    double ystd;
    int warped;    /* y = (yj(u, lambda) - wmean) / wstd; else y = u */
    double lambda; /* Yeo-Johnson exponent */
    double wmean, wstd;
    double *ls;    /* [d] length scales */
    double s2;     /* output scale */
    double noise;  /* learned noise variance */
    double c;      /* constant prior mean (standardized units), by GLS */
    double jitter; /* added to the diagonal so that the Cholesky succeeds */
    gsl_matrix *L; /* [cap x cap], lower Cholesky factor of the first n rows */
    double *alpha; /* [cap] K^-1 y */
    double *work;  /* [2 * cap] */
    int fitted;    /* hyperparameters come from a successful fit */
} wjr_gp;

/* Matern-5/2 kernel value and G = s2 * 5/3 * (1 + sqrt5 r) exp(-sqrt5 r)
 * (dk/dx_d = -G (x_d - z_d) / l_d^2) for two points. */
double wjr_gp_kernel(const wjr_gp *gp, const double *a, const double *b, double *G);

/* Set the data (raw outputs; sem may be NULL or hold NaN for unknown) and
 * standardize it. Does not fit. */
int wjr_gp_set_data(wjr_gp *gp, size_t d, const double *X, const double *y, const double *sem,
                    size_t n);

/* Warp the standardized outputs by a Yeo-Johnson power transform whose
 * exponent maximizes the normal likelihood of the warped values, and
 * standardize them again; known noise follows by the transform's slope.
 * Call after wjr_gp_set_data, before fitting. Fewer than 3 points, or
 * outputs all equal, stay as they are. */
void wjr_gp_warp(wjr_gp *gp);

/* A raw output value in the model's units (standardized, and warped when
 * the outputs were): a monotone increasing map. */
double wjr_gp_to_model(const wjr_gp *gp, double raw);

/* Fit the hyperparameters by maximizing the log marginal likelihood plus
 * log priors, from several starts drawn from rng; then factor. Returns 0,
 * or < 0 when even the fallback hyperparameters cannot be factored. Sets
 * *why to a static reason when the fit fell back. */
int wjr_gp_fit(wjr_gp *gp, gsl_rng *rng, const char **why);

/* Factor K with the current hyperparameters (escalating jitter). */
int wjr_gp_factor(wjr_gp *gp);

/* Append a point with a standardized output and extend the factor. */
int wjr_gp_add(wjr_gp *gp, const double *x, double y_std);

/* Posterior mean and variance at x in standardized units; with dmu and
 * dvar non-NULL, their gradients in x too. */
void wjr_gp_predict(const wjr_gp *gp, const double *x, double *mu, double *var, double *dmu,
                    double *dvar);

/* Negative log marginal likelihood plus priors at theta = (log ls, log s2,
 * log noise), and its gradient when grad is non-NULL; HUGE_VAL when K
 * cannot be factored. Exposed for tests. */
double wjr_gp_nll(wjr_gp *gp, const double *theta, double *grad);

void wjr_gp_clear(wjr_gp *gp);

#endif
