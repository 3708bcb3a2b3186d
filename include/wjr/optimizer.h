/*
 * wjr/optimizer.h - the GPEI optimizer on its own: a Gaussian process with
 * log expected improvement, driven by ask and tell, with no study, runner,
 * file or cluster behind it.
 *
 * Declare the search space (ranges, integers, log scales, choices), the
 * linear parameter constraints, any objectives beyond the first and the
 * outcome constraints; tell it the
 * trials that completed (with their objective and constraint values), the
 * ones that failed and the ones still running (pending); ask it for q
 * points. Points are arrays of doubles in the order the parameters were
 * added: a range's value, an integer's value (a whole number), a choice's
 * index (0 .. n-1).
 *
 * Determinism: ask() depends only on the options' seed and on what was told,
 * in the order it was told. A caller that rebuilds the optimizer from its
 * records gets the same suggestions.
 *
 * Ownership: wjr_optimizer_new() gives a handle freed with
 * wjr_optimizer_free(). Every array passed in is copied; arrays passed out
 * are filled by the caller's storage.
 *
 * Threads: an optimizer is not thread-safe; use one from one thread. ask()
 * turns GSL's error handler (process-wide) off while it runs and restores
 * it, so that a matrix that is not positive definite is an error code and
 * not an abort: do not run it alongside other GSL code that relies on the
 * handler.
 */
#ifndef WJR_OPTIMIZER_H
#define WJR_OPTIMIZER_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wjr_optimizer wjr_optimizer;

#define WJR_OPTIMIZER_OPTIONS_VERSION 1

typedef struct wjr_optimizer_options {
    unsigned int version; /**< WJR_OPTIMIZER_OPTIONS_VERSION */
    uint64_t seed;        /**< the random state of candidates and fits */
    int minimize;         /**< 1: smaller objective values are better */
    /** Optional log sink for fit failures and fallbacks (NULL: none). */
    wjr_log_fn log;
    void *log_payload;
} wjr_optimizer_options;

#define WJR_OPTIMIZER_OPTIONS_INIT                                                                 \
    {                                                                                              \
        WJR_OPTIMIZER_OPTIONS_VERSION, 0, 1, NULL, NULL                                            \
    }

/** Flags of a range parameter. */
enum {
    WJR_OPT_INT = 1 << 0, /**< whole numbers only */
    WJR_OPT_LOG = 1 << 1  /**< searched in log space (bounds must be > 0) */
};

/**
 * A new optimizer with an empty search space.
 * @param out receives the optimizer; free it with wjr_optimizer_free().
 * @param opts NULL for the defaults (seed 0, minimize).
 */
WJR_EXTERN(int) wjr_optimizer_new(wjr_optimizer **out, const wjr_optimizer_options *opts);

/** Free an optimizer; NULL is accepted. */
WJR_EXTERN(void) wjr_optimizer_free(wjr_optimizer *opt);

/**
 * Add a range parameter [lo, hi] (WJR_OPT_INT, WJR_OPT_LOG flags).
 * Parameters are added before anything is told.
 * @return 0, WJR_EINVALID (bad bounds), WJR_ESTATE (points were told).
 */
WJR_EXTERN(int) wjr_optimizer_add_range(wjr_optimizer *opt, double lo, double hi, unsigned flags);

/**
 * Round the values of range parameter @p param (the index it was added
 * at; a float range, not WJR_OPT_INT) to @p digits decimals, 0 to 15, as
 * Ax's `digits` does: every suggestion is rounded, then kept within the
 * bounds, so two values that round alike are the same point and none is
 * suggested twice. Call before anything is told.
 * @return 0, WJR_EINVALID (no such float range, or digits out of range),
 * WJR_ESTATE (points were told).
 */
WJR_EXTERN(int) wjr_optimizer_set_digits(wjr_optimizer *opt, size_t param, int digits);

/** Add a choice parameter with @p n_values values (its value is an index). */
WJR_EXTERN(int) wjr_optimizer_add_choice(wjr_optimizer *opt, size_t n_values);

/**
 * Add the linear constraint sum(coef[i] * x[i]) <= bound over the
 * parameters (@p coef has one entry per parameter added so far; 0 for the
 * others). Only range parameters without WJR_OPT_LOG may have a non-zero
 * coefficient. Every point ask() returns satisfies every constraint.
 */
WJR_EXTERN(int)
wjr_optimizer_add_linear_constraint(wjr_optimizer *opt, const double *coef, double bound);

/**
 * Add an objective beyond the first (whose direction is the options'
 * minimize): a multi-objective study. ask() then works by ParEGO (Knowles,
 * 2006): every ask draws weights uniformly from the simplex, scales each
 * objective to [0, 1] between the best and worst values told, and models
 * their augmented Chebyshev combination, max_j w_j f_j + 0.05 sum_j w_j
 * f_j, with one Gaussian process; as the weights change from ask to ask,
 * the suggestions spread along the Pareto front. Each point of a batch
 * has weights of its own (qParEGO), its model fitted again with the
 * batch's earlier points believed. Add objectives before the outcome
 * constraints and before anything is told.
 * @return 0, WJR_ESTATE (points were told, or constraints were added).
 */
WJR_EXTERN(int) wjr_optimizer_add_objective(wjr_optimizer *opt, int minimize);

/**
 * Set objective @p objective's threshold (Ax's objective_thresholds): the
 * worst value of interest. With several objectives, the scaling to [0, 1]
 * ends at the threshold instead of the worst value told (when the
 * threshold is the worse of the two ends), so points beyond it score worse
 * than any within it. It does not constrain suggestions.
 * @return 0, WJR_EINVALID (no such objective, or not finite).
 */
WJR_EXTERN(int) wjr_optimizer_set_threshold(wjr_optimizer *opt, size_t objective, double threshold);

/**
 * Add an outcome constraint: outcome k (numbered after the objectives, in
 * the order added) must be <= @p bound (@p upper = 1) or >= @p bound (0).
 */
WJR_EXTERN(int) wjr_optimizer_add_outcome_constraint(wjr_optimizer *opt, int upper, double bound);

/** Number of parameters; of objectives; of outcomes (objectives + outcome
 * constraints: the values tell() takes for a point). */
WJR_EXTERN(size_t) wjr_optimizer_dims(const wjr_optimizer *opt);
WJR_EXTERN(size_t) wjr_optimizer_objectives(const wjr_optimizer *opt);
WJR_EXTERN(size_t) wjr_optimizer_outcomes(const wjr_optimizer *opt);

/**
 * Tell a completed trial.
 * @param x the point (one value per parameter).
 * @param y the outcomes, wjr_optimizer_outcomes() values: the objectives
 *        first, then the constrained outcomes.
 * @param sem the standard errors of y, or NULL when unknown (then the noise
 *        level is learned); a NaN entry means unknown too.
 * @return 0, WJR_EINVALID (a value is not finite, or x is out of bounds).
 */
WJR_EXTERN(int)
wjr_optimizer_tell(wjr_optimizer *opt, const double *x, const double *y, const double *sem);

/** Tell a failed trial: left out of the model, never suggested again. */
WJR_EXTERN(int) wjr_optimizer_tell_failed(wjr_optimizer *opt, const double *x);

/** Tell a trial in flight: later suggestions keep away from it. */
WJR_EXTERN(int) wjr_optimizer_tell_pending(wjr_optimizer *opt, const double *x);

/** Forget every pending point (the completed and failed ones stay). */
WJR_EXTERN(void) wjr_optimizer_clear_pending(wjr_optimizer *opt);

/**
 * Ask for @p q points, written to @p out (q * wjr_optimizer_dims() values,
 * point after point). Each point satisfies the linear constraints and
 * avoids the pending, failed and earlier points of the batch (kriging
 * believer: each chosen point is told as pending with the model's mean
 * before the next is chosen). With fewer than two completed trials, or
 * when the model cannot be fitted, the points are quasi-random (and the
 * reason is logged).
 * @return 0, WJR_EINVALID (no parameters), WJR_ESTATE (fewer than @p q
 *         untried points found within the constraints: a used-up discrete
 *         space, or constraints that leave no room; ask for fewer), WJR_ENOMEM.
 */
WJR_EXTERN(int) wjr_optimizer_ask(double *out, wjr_optimizer *opt, size_t q);

/**
 * The best completed trial told so far that satisfies the outcome
 * constraints (by its objective value; by the first objective when there
 * are several: see wjr_optimizer_pareto()).
 * @return its position among the completed trials told, or -1.
 */
WJR_EXTERN(int64_t) wjr_optimizer_best(const wjr_optimizer *opt);

/**
 * Which completed trials are on the Pareto front: satisfy the outcome
 * constraints, and no other such trial is as good in every objective and
 * better in one. With one objective, the best trial and its ties.
 * @param front receives one flag (1 or 0) per completed trial told, in the
 *        order told; the caller's storage.
 * @return 0, WJR_ENOMEM.
 */
WJR_EXTERN(int) wjr_optimizer_pareto(unsigned char *front, const wjr_optimizer *opt);

#ifdef __cplusplus
}
#endif

#endif
