/*
 * optimizer_int.h - private parts of the GPEI optimizer, shared by
 * optimizer.c (the ask/tell API), optimizer_space.c (the encoding of
 * parameters) and acquisition.c (log-EI and its optimization).
 */
#ifndef WJR_OPTIMIZER_INT_H
#define WJR_OPTIMIZER_INT_H

#include <gsl/gsl_rng.h>

#include "gp.h"
#include "polytope.h"
#include "wjr/optimizer.h"

typedef enum { OPT_RANGE, OPT_INT, OPT_CHOICE } opt_kind;

typedef struct opt_param {
    opt_kind kind;
    int log_scale;
    double lo, hi;  /* range and int bounds; choice: 0 and n-1 */
    double scale;   /* 10^digits when a float range is rounded, else 0 */
    double width;   /* hi - lo on the model's axis (log space if log) */
    size_t n;       /* choice: number of values */
    size_t feature; /* first model feature */
} opt_param;

typedef struct opt_linear {
    double *coef; /* [n_params] */
    double bound; /* sum(coef * x) <= bound */
} opt_linear;

typedef struct opt_outcome {
    int upper; /* y <= bound; 0: y >= bound */
    double bound;
} opt_outcome;

/* A list of points (parameter values), with outcomes for completed ones:
 * the objectives, then the outcome constraints' values. */
typedef struct opt_points {
    double *x; /* [n * n_params] */
    double *y; /* [n * wjr__opt_stride()] or NULL */
    double *sem;
    size_t n, cap;
} opt_points;

struct wjr_optimizer {
    wjr_optimizer_options opts;
    opt_param *params;
    size_t n_params;
    size_t n_features;
    opt_linear *linear;
    size_t n_linear;
    opt_outcome *outcomes; /* [n_outcomes - 1] constraints */
    size_t n_outcomes;     /* models: 1 (the objective, scalarized when
                            * there are several) + constraints */
    int *minimize;         /* [n_objectives]: each objective's direction */
    double *threshold;     /* [n_objectives]: objective thresholds, NaN: none */
    size_t n_objectives;
    opt_points done, failed, pending;
};

/* Values told per completed point: the objectives and the constraints. */
size_t wjr__opt_stride(const wjr_optimizer *opt);

/* x (parameter values) -> model features in [0,1] (one-hot for choices). */
void wjr__opt_encode(const wjr_optimizer *opt, const double *x, double *f);
/* model features -> x (integers rounded, choices by the largest entry). */
void wjr__opt_decode(const wjr_optimizer *opt, const double *f, double *x);
/* a point of the search cube (one coordinate per parameter) -> x */
void wjr__opt_from_unit(const wjr_optimizer *opt, const double *u, double *x);
/* x -> the search cube */
void wjr__opt_to_unit(const wjr_optimizer *opt, const double *x, double *u);
/* x satisfies every linear constraint (with a small tolerance) */
int wjr__opt_feasible(const wjr_optimizer *opt, const double *x);
/* The region the linear constraints leave on the search cube (one
 * coordinate per parameter, as wjr__opt_from_unit maps it; an integer's
 * value taken before rounding). Initializes *out, which the caller clears.
 * Returns 0 or WJR_ENOMEM (no message set). */
int wjr__opt_region(wjr_polytope *out, const wjr_optimizer *opt);
/* How far from v two values of p's are still one value. */
double wjr__opt_axis_tol(const opt_param *p, double v);
/* x is (numerically) one of the points in the list */
int wjr__opt_seen(const wjr_optimizer *opt, const opt_points *list, const double *x);
/* completed trial i satisfies the outcome constraints */
int wjr__opt_outcome_ok(const wjr_optimizer *opt, size_t i);
void wjr__opt_log(const wjr_optimizer *opt, const char *fmt, ...) WJR_FORMAT(2, 3);

/* ---- acquisition.c ------------------------------------------------------- */

/* log(phi(z) + z Phi(z)), accurate far into the lower tail. */
double wjr_log_h(double z);
/* d/dz log h(z) = Phi(z) / h(z). */
double wjr_log_h_slope(double z);
/* log Phi(z). */
double wjr_log_ncdf(double z);

/* The model an ask works with: gps[0] is the objective (to maximize, in
 * standardized units), gps[k] the outcome constraint k. */
typedef struct wjr_acq {
    const wjr_optimizer *opt;
    wjr_gp *gps;
    double best;     /* standardized incumbent of gps[0] */
    int has_best;    /* some completed trial is feasible */
    double *scratch; /* [4 * n_features] */
    int greedy;      /* the posterior mean of gps[0] stands in for log EI */
    double ucb_beta; /* > 0: mean + ucb_beta sd of gps[0] stands in for log EI */
} wjr_acq;

/* The acquisition (log EI, or the posterior mean when a->greedy, or an
 * upper confidence bound when a->ucb_beta > 0, plus log probabilities of
 * feasibility) at the features f; its gradient into grad
 * when non-NULL. */
double wjr_acq_value(const wjr_acq *a, const double *f, double *grad);

/* Choose one point x maximizing the acquisition (within the bounds and the
 * linear constraints, avoiding failed, completed and pending points).
 * Returns 0, or WJR_ESTATE when no candidate satisfies the constraints. */
int wjr_acq_optimize(double *x, const wjr_acq *a, gsl_rng *rng);

/* A quasi-random feasible point not seen before (the fallback). */
int wjr_acq_random_point(double *x, const wjr_optimizer *opt, gsl_rng *rng);

#endif
