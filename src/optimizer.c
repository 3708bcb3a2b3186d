/*
 * optimizer.c - the GPEI optimizer's ask/tell API (wjr/optimizer.h): the
 * search space, the lists of completed, failed and pending points, and
 * ask(), which fits one Gaussian process per outcome (the objective, or
 * with several objectives ParEGO's scalarization of them under weights
 * drawn for each point asked for (pareto.h), and each outcome constraint,
 * its outputs standardized and warped by a fitted power transform) and
 * picks q
 * points one after the other by kriging believer: every point already
 * chosen, and every pending point, is added to the models with the model's
 * own mean as its value, which shrinks the variance there and so keeps the
 * next choice away from it. A single point maximizes EI. The last point of
 * a batch (q > 1) is greedy (and so is a single point asked for beside
 * others in flight, unless one of them is near the model's best guess
 * already): it maximizes the posterior mean rather than EI (De Ath et al.,
 * "Greed is good", 2021, found such exploitation steps competitive with
 * EI). The greedy point places the model's best guess, which is what a
 * batch loses against one-at-a-time asks: the refinement that each told
 * point would otherwise bring to the next. A batch's first point
 * maximizes EI, which keeps exploring; its middle points (q > 2) maximize
 * an upper confidence bound, mean + 0.8 sd, under the believed points
 * (GP-BUCB, Desautels et al., 2014, with a small beta): they spread
 * around the model's best guess where it is still uncertain, which
 * sharpens the model there for the next batch, where EI's points wander
 * farther from it.
 *
 * The encoding of parameters for the model is optimizer_space.c's.
 *
 * Everything ask() does is a function of the seed and what was told, so a
 * caller that rebuilds the optimizer from its records (the study driver
 * does) gets the same points again. This file holds no study, file or
 * cluster logic.
 */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optimizer_int.h"
#include "pareto.h"
#include "util.h"

void wjr__opt_log(const wjr_optimizer *opt, const char *fmt, ...)
{
    va_list ap;

    if (opt->opts.log == NULL)
        return;
    va_start(ap, fmt);
    wjr_log_emitv(opt->opts.log, opt->opts.log_payload, WJR_LOG_WARNING, WJR_NO_TRIAL, fmt, ap);
    va_end(ap);
}

int wjr_optimizer_new(wjr_optimizer **out, const wjr_optimizer_options *opts)
{
    wjr_optimizer *opt;
    wjr_optimizer_options defaults = WJR_OPTIMIZER_OPTIONS_INIT;

    *out = NULL;
    if (opts != NULL && opts->version != WJR_OPTIMIZER_OPTIONS_VERSION)
        return wjr_error_set(WJR_EINVALID, "optimizer options version %u is not %d", opts->version,
                             WJR_OPTIMIZER_OPTIONS_VERSION);
    opt = calloc(1, sizeof(*opt));
    if (opt == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    opt->opts = opts != NULL ? *opts : defaults;
    opt->n_outcomes = 1;
    opt->minimize = malloc(sizeof(int));
    opt->threshold = malloc(sizeof(double));
    if (opt->minimize == NULL || opt->threshold == NULL) {
        wjr_optimizer_free(opt);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    opt->minimize[0] = opt->opts.minimize != 0;
    opt->threshold[0] = NAN;
    opt->n_objectives = 1;
    *out = opt;
    return 0;
}

static void points_clear(opt_points *p)
{
    free(p->x);
    free(p->y);
    free(p->sem);
    memset(p, 0, sizeof(*p));
}

void wjr_optimizer_free(wjr_optimizer *opt)
{
    size_t i;

    if (opt == NULL)
        return;
    for (i = 0; i < opt->n_linear; i++)
        free(opt->linear[i].coef);
    free(opt->linear);
    free(opt->outcomes);
    free(opt->minimize);
    free(opt->threshold);
    free(opt->params);
    points_clear(&opt->done);
    points_clear(&opt->failed);
    points_clear(&opt->pending);
    free(opt);
}

static int frozen(const wjr_optimizer *opt)
{
    if (opt->done.n + opt->failed.n + opt->pending.n > 0)
        return wjr_error_set(WJR_ESTATE, "the search space cannot change once points are told");
    return 0;
}

static int add_param(wjr_optimizer *opt, const opt_param *p)
{
    opt_param *grown;
    int error = frozen(opt);

    if (error < 0)
        return error;
    if (opt->n_linear > 0)
        return wjr_error_set(WJR_ESTATE, "add every parameter before the constraints");
    grown = realloc(opt->params, (opt->n_params + 1) * sizeof(*grown));
    if (grown == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    opt->params = grown;
    grown[opt->n_params] = *p;
    grown[opt->n_params].feature = opt->n_features;
    grown[opt->n_params].width = p->log_scale ? log(p->hi) - log(p->lo) : p->hi - p->lo;
    opt->n_features += p->kind == OPT_CHOICE ? p->n : 1;
    opt->n_params++;
    return 0;
}

int wjr_optimizer_add_range(wjr_optimizer *opt, double lo, double hi, unsigned flags)
{
    opt_param p;

    memset(&p, 0, sizeof(p));
    p.kind = flags & WJR_OPT_INT ? OPT_INT : OPT_RANGE;
    p.log_scale = (flags & WJR_OPT_LOG) != 0;
    p.lo = lo;
    p.hi = hi;
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi) || !isfinite(hi - lo))
        return wjr_error_set(WJR_EINVALID,
                             "range [%g, %g] needs finite bounds, low < high, and a finite width",
                             lo, hi);
    if (p.log_scale && lo <= 0)
        return wjr_error_set(WJR_EINVALID, "a log-scale range needs bounds above 0, not %g", lo);
    if (p.kind == OPT_INT && (lo != floor(lo) || hi != floor(hi)))
        return wjr_error_set(WJR_EINVALID, "an integer range needs whole bounds, not [%g, %g]", lo,
                             hi);
    return add_param(opt, &p);
}

int wjr_optimizer_set_digits(wjr_optimizer *opt, size_t param, int digits)
{
    int error = frozen(opt);

    if (error < 0)
        return error;
    if (param >= opt->n_params || opt->params[param].kind != OPT_RANGE)
        return wjr_error_set(WJR_EINVALID, "parameter %zu is not a float range", param);
    if (digits < 0 || digits > 15)
        return wjr_error_set(WJR_EINVALID, "digits must be 0 to 15, not %d", digits);
    opt->params[param].scale = pow(10.0, digits);
    return 0;
}

int wjr_optimizer_add_choice(wjr_optimizer *opt, size_t n_values)
{
    opt_param p;

    memset(&p, 0, sizeof(p));
    p.kind = OPT_CHOICE;
    p.n = n_values;
    p.lo = 0;
    p.hi = (double)n_values - 1.0;
    if (n_values < 1 || n_values > 1000000)
        return wjr_error_set(WJR_EINVALID, "a choice needs 1 to 1000000 values, not %zu", n_values);
    return add_param(opt, &p);
}

int wjr_optimizer_add_linear_constraint(wjr_optimizer *opt, const double *coef, double bound)
{
    opt_linear *grown;
    size_t i;
    int error = frozen(opt);

    if (error < 0)
        return error;
    if (!isfinite(bound))
        return wjr_error_set(WJR_EINVALID, "a constraint's bound must be finite");
    for (i = 0; i < opt->n_params; i++) {
        if (!isfinite(coef[i]))
            return wjr_error_set(WJR_EINVALID, "coefficient %zu is not finite", i);
        if (coef[i] != 0.0 && (opt->params[i].kind == OPT_CHOICE || opt->params[i].log_scale))
            return wjr_error_set(WJR_EINVALID,
                                 "parameter %zu is a choice or log-scaled: linear constraints "
                                 "apply to linear ranges only",
                                 i);
    }
    grown = realloc(opt->linear, (opt->n_linear + 1) * sizeof(*grown));
    if (grown == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    opt->linear = grown;
    grown[opt->n_linear].coef = malloc((opt->n_params + 1) * sizeof(double));
    if (grown[opt->n_linear].coef == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    memcpy(grown[opt->n_linear].coef, coef, opt->n_params * sizeof(double));
    grown[opt->n_linear].bound = bound;
    opt->n_linear++;
    return 0;
}

int wjr_optimizer_add_outcome_constraint(wjr_optimizer *opt, int upper, double bound)
{
    opt_outcome *grown;
    int error = frozen(opt);

    if (error < 0)
        return error;
    if (!isfinite(bound))
        return wjr_error_set(WJR_EINVALID, "an outcome constraint's bound must be finite");
    grown = realloc(opt->outcomes, opt->n_outcomes * sizeof(*grown));
    if (grown == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    opt->outcomes = grown;
    grown[opt->n_outcomes - 1].upper = upper != 0;
    grown[opt->n_outcomes - 1].bound = bound;
    opt->n_outcomes++;
    return 0;
}

int wjr_optimizer_add_objective(wjr_optimizer *opt, int minimize)
{
    int *m;
    double *t;
    int error = frozen(opt);

    if (error < 0)
        return error;
    if (opt->n_outcomes > 1)
        return wjr_error_set(WJR_ESTATE, "add every objective before the outcome constraints");
    m = realloc(opt->minimize, (opt->n_objectives + 1) * sizeof(int));
    if (m != NULL)
        opt->minimize = m;
    t = m != NULL ? realloc(opt->threshold, (opt->n_objectives + 1) * sizeof(double)) : NULL;
    if (t == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    opt->threshold = t;
    m[opt->n_objectives] = minimize != 0;
    t[opt->n_objectives] = NAN;
    opt->n_objectives++;
    return 0;
}

int wjr_optimizer_set_threshold(wjr_optimizer *opt, size_t objective, double threshold)
{
    if (objective >= opt->n_objectives || !isfinite(threshold))
        return wjr_error_set(WJR_EINVALID, "objective %zu: no such objective, or %g is not finite",
                             objective, threshold);
    opt->threshold[objective] = threshold;
    return 0;
}

size_t wjr_optimizer_dims(const wjr_optimizer *opt)
{
    return opt->n_params;
}

size_t wjr_optimizer_objectives(const wjr_optimizer *opt)
{
    return opt->n_objectives;
}

size_t wjr__opt_stride(const wjr_optimizer *opt)
{
    return opt->n_objectives + opt->n_outcomes - 1;
}

size_t wjr_optimizer_outcomes(const wjr_optimizer *opt)
{
    return wjr__opt_stride(opt);
}

int wjr__opt_outcome_ok(const wjr_optimizer *opt, size_t i)
{
    const double *y = opt->done.y + i * wjr__opt_stride(opt) + opt->n_objectives - 1;
    size_t k;

    for (k = 1; k < opt->n_outcomes; k++) {
        const opt_outcome *oc = &opt->outcomes[k - 1];
        if (oc->upper ? !(y[k] <= oc->bound) : !(y[k] >= oc->bound))
            return 0;
    }
    return 1;
}

/* ---- telling ------------------------------------------------------------- */

static int check_point(const wjr_optimizer *opt, const double *x)
{
    size_t i;

    if (opt->n_params == 0)
        return wjr_error_set(WJR_EINVALID, "the optimizer has no parameters");
    for (i = 0; i < opt->n_params; i++) {
        const opt_param *p = &opt->params[i];
        if (!isfinite(x[i]) || x[i] < p->lo - wjr__opt_axis_tol(p, p->lo) ||
            x[i] > p->hi + wjr__opt_axis_tol(p, p->hi))
            return wjr_error_set(WJR_EINVALID, "parameter %zu: %g is outside [%g, %g]", i, x[i],
                                 p->lo, p->hi);
        if (p->kind != OPT_RANGE && x[i] != floor(x[i]))
            return wjr_error_set(WJR_EINVALID, "parameter %zu: %g is not a whole number", i, x[i]);
    }
    return 0;
}

static int push(const wjr_optimizer *opt, opt_points *list, const double *x, const double *y,
                const double *sem)
{
    size_t p = opt->n_params, m = wjr__opt_stride(opt), k;

    if (list->n == list->cap) {
        size_t cap = list->cap == 0 ? 16 : 2 * list->cap;
        double *nx = realloc(list->x, cap * p * sizeof(double));
        if (nx == NULL)
            return wjr_error_set(WJR_ENOMEM, "out of memory");
        list->x = nx;
        if (y != NULL || list->y != NULL) {
            double *ny = realloc(list->y, cap * m * sizeof(double));
            double *ns = ny != NULL ? realloc(list->sem, cap * m * sizeof(double)) : NULL;
            if (ny != NULL)
                list->y = ny;
            if (ns == NULL)
                return wjr_error_set(WJR_ENOMEM, "out of memory");
            list->sem = ns;
        }
        list->cap = cap;
    }
    for (k = 0; k < p; k++) /* clamp the tolerance away */
        list->x[list->n * p + k] = x[k] < opt->params[k].lo   ? opt->params[k].lo
                                   : x[k] > opt->params[k].hi ? opt->params[k].hi
                                                              : x[k];
    if (y != NULL)
        for (k = 0; k < m; k++) {
            list->y[list->n * m + k] = y[k];
            list->sem[list->n * m + k] = sem != NULL ? sem[k] : NAN;
        }
    list->n++;
    return 0;
}

int wjr_optimizer_tell(wjr_optimizer *opt, const double *x, const double *y, const double *sem)
{
    size_t k;
    int error = check_point(opt, x);

    if (error < 0)
        return error;
    for (k = 0; k < wjr__opt_stride(opt); k++) {
        if (!isfinite(y[k]))
            return wjr_error_set(WJR_EINVALID, "outcome %zu is not a finite number", k);
        if (sem != NULL && !(isnan(sem[k]) || (isfinite(sem[k]) && sem[k] >= 0)))
            return wjr_error_set(WJR_EINVALID, "the sem of outcome %zu must be >= 0 or NaN", k);
    }
    return push(opt, &opt->done, x, y, sem);
}

int wjr_optimizer_tell_failed(wjr_optimizer *opt, const double *x)
{
    int error = check_point(opt, x);

    return error < 0 ? error : push(opt, &opt->failed, x, NULL, NULL);
}

int wjr_optimizer_tell_pending(wjr_optimizer *opt, const double *x)
{
    int error = check_point(opt, x);

    return error < 0 ? error : push(opt, &opt->pending, x, NULL, NULL);
}

void wjr_optimizer_clear_pending(wjr_optimizer *opt)
{
    opt->pending.n = 0;
}

int wjr_optimizer_pareto(unsigned char *front, const wjr_optimizer *opt)
{
    size_t i, n = opt->done.n;
    unsigned char *ok = malloc(n + 1);

    if (ok == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n; i++)
        ok[i] = (unsigned char)wjr__opt_outcome_ok(opt, i);
    wjr__pareto_front(front, opt->done.y, n, wjr__opt_stride(opt), opt->n_objectives, opt->minimize,
                      ok);
    free(ok);
    return 0;
}

int64_t wjr_optimizer_best(const wjr_optimizer *opt)
{
    int64_t best = -1;
    size_t i, m = wjr__opt_stride(opt);

    for (i = 0; i < opt->done.n; i++) {
        double y = opt->done.y[i * m];
        if (!wjr__opt_outcome_ok(opt, i))
            continue;
        if (best < 0 || (opt->minimize[0] ? y < opt->done.y[(size_t)best * m]
                                          : y > opt->done.y[(size_t)best * m]))
            best = (int64_t)i;
    }
    return best;
}

/* ---- asking -------------------------------------------------------------- */

static uint64_t splitmix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* The objective's model values (to be maximized) into y: the objective,
 * or with several objectives ParEGO's scalarization under weights drawn
 * from rng (pareto.h), new for every ask, so that the asks spread over
 * the front. sem is left unknown then. */
static int objective_values(double *y, double *sem, const wjr_optimizer *opt, gsl_rng *rng)
{
    size_t n = opt->done.n, m = wjr__opt_stride(opt), j, i;
    double *w, *sum;

    if (opt->n_objectives == 1) {
        for (i = 0; i < n; i++) {
            y[i] = (opt->minimize[0] ? -1.0 : 1.0) * opt->done.y[i * m];
            sem[i] = opt->done.sem[i * m];
        }
        return 0;
    }
    w = malloc(opt->n_objectives * sizeof(double));
    sum = malloc((n + 1) * sizeof(double));
    if (w == NULL || sum == NULL) {
        free(w);
        free(sum);
        return -1;
    }
    for (j = 0; j < opt->n_objectives; j++)
        w[j] = gsl_rng_uniform_pos(rng);
    wjr__parego_weights(w, opt->n_objectives);
    wjr__parego_scalarize(y, sum, opt->done.y, n, m, opt->n_objectives, opt->minimize,
                          opt->threshold, w);
    for (i = 0; i < n; i++) {
        y[i] = -y[i];
        sem[i] = NAN;
    }
    free(w);
    free(sum);
    return 0;
}

/* Fit the first `models` models (the objective, then one per outcome
 * constraint) on the completed points; 0, or -1 (logged). */
static int fit_models(wjr_acq *a, wjr_optimizer *opt, gsl_rng *rng, double *F, size_t models)
{
    size_t n = opt->done.n, m = wjr__opt_stride(opt), nf = opt->n_features, i, k;
    double *y = malloc(n * sizeof(double)), *sem = malloc(n * sizeof(double));
    int error = 0;

    if (y == NULL || sem == NULL) {
        error = -1;
        goto done;
    }
    for (i = 0; i < n; i++)
        wjr__opt_encode(opt, opt->done.x + i * opt->n_params, F + i * nf);
    for (k = 0; k < models && error == 0; k++) {
        const char *why = NULL;
        size_t col = opt->n_objectives - 1 + k; /* constraint k's column */

        if (k == 0)
            error = objective_values(y, sem, opt, rng);
        else
            for (i = 0; i < n; i++) {
                y[i] = opt->done.y[i * m + col];
                sem[i] = opt->done.sem[i * m + col];
            }
        if (error < 0 || wjr_gp_set_data(&a->gps[k], nf, F, y, sem, n) < 0) {
            error = -1;
            break;
        }
        wjr_gp_warp(&a->gps[k]);
        error = wjr_gp_fit(&a->gps[k], rng, &why);
        if (why != NULL)
            wjr__opt_log(opt, "GPEI: outcome %zu: %s", k, why);
    }
    a->has_best = 0;
    for (i = 0; i < n && error == 0; i++) {
        if (!wjr__opt_outcome_ok(opt, i))
            continue;
        if (!a->has_best || a->gps[0].y[i] > a->best)
            a->best = a->gps[0].y[i];
        a->has_best = 1;
    }
done:
    free(y);
    free(sem);
    return error;
}

/* Add x to the first `models` models with the model's mean as its value
 * (the constraints' models, past them, only judge its feasibility). The
 * believed
 * value counts as an observation for the incumbent too (when its believed
 * constrained outcomes are feasible): otherwise a point believed better
 * than the incumbent keeps a certain improvement next to it, and the next
 * suggestion lands beside it. */
static int believe(wjr_acq *a, const wjr_optimizer *opt, const double *x, double *f, size_t models)
{
    double y0 = 0.0;
    size_t k;
    int feasible = 1;

    wjr__opt_encode(opt, x, f);
    for (k = 0; k < opt->n_outcomes; k++) {
        double mu, var;
        wjr_gp_predict(&a->gps[k], f, &mu, &var, NULL, NULL);
        if (k == 0) {
            y0 = mu;
        } else {
            const opt_outcome *oc = &opt->outcomes[k - 1];
            double b = wjr_gp_to_model(&a->gps[k], oc->bound);
            feasible &= oc->upper ? mu <= b : mu >= b;
        }
        if (k < models && wjr_gp_add(&a->gps[k], f, mu) < 0)
            return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    if (feasible && (!a->has_best || y0 > a->best)) {
        a->best = y0;
        a->has_best = 1;
    }
    return 0;
}

/* A greedy point: the posterior mean's maximizer, unless a point already
 * chosen or pending sits within min_var of it (the variance left at it
 * given that point alone, as a fraction of the prior variance), in which
 * case EI chooses. Completed points do not count: a best guess next to the
 * incumbent is the refinement that the greedy point is for.
 *
 * A batch's last point is greedy unless a point sits at the mean's
 * maximizer (GREEDY_MIN_VAR). A single point asked for beside others in
 * flight, as when trials finish one at a time, has no place in a batch, so
 * it is greedy only when no point in flight covers the maximizer already
 * (GREEDY_FLIGHT_VAR, about a quarter of a length scale): otherwise every
 * such ask would be greedy and the study would only exploit. */
#define GREEDY_MIN_VAR    1e-6
#define GREEDY_FLIGHT_VAR 0.1

/* A batch's middle points: mean + UCB_BETA sd (standardized units). */
#define UCB_BETA 0.8

static int greedy_point(double *x, wjr_acq *a, const wjr_optimizer *opt, gsl_rng *rng, double *f,
                        double min_var)
{
    const wjr_gp *gp = &a->gps[0];
    double *g = f + opt->n_features;
    size_t i;
    int error = wjr_acq_optimize(x, a, rng);

    a->greedy = 0;
    if (error < 0)
        return error;
    wjr__opt_encode(opt, x, g);
    for (i = 0; i < opt->pending.n; i++) {
        double r;

        wjr__opt_encode(opt, opt->pending.x + i * opt->n_params, f);
        r = wjr_gp_kernel(gp, g, f, NULL) / gp->s2;
        if (1.0 - r * r < min_var)
            return wjr_acq_optimize(x, a, rng);
    }
    return 0;
}

int wjr_optimizer_ask(double *out, wjr_optimizer *opt, size_t q)
{
    size_t pending0 = opt->pending.n, p = opt->n_params, i, k;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    wjr_acq a;
    double *F = NULL, *f = NULL;
    int error = 0, model = 0;
    uint64_t seed;

    memset(&a, 0, sizeof(a));
    a.opt = opt;
    if (p == 0) {
        error = wjr_error_set(WJR_EINVALID, "the optimizer has no parameters");
        goto done;
    }
    seed = splitmix(opt->opts.seed);
    seed = splitmix(seed ^ opt->done.n);
    seed = splitmix(seed ^ (opt->failed.n << 20));
    seed = splitmix(seed ^ (opt->pending.n << 40));
    a.gps = calloc(opt->n_outcomes, sizeof(wjr_gp));
    a.scratch = malloc(4 * (opt->n_features + 1) * sizeof(double));
    F = malloc((opt->done.n + 1) * opt->n_features * sizeof(double));
    f = malloc((2 * opt->n_features + 1) * sizeof(double));
    if (rng == NULL || a.gps == NULL || a.scratch == NULL || F == NULL || f == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    gsl_rng_set(rng, (unsigned long)(seed & 0xffffffffUL) ^ (unsigned long)(seed >> 32));
    if (opt->done.n >= 2) {
        model = fit_models(&a, opt, rng, F, opt->n_outcomes) == 0;
        if (!model)
            wjr__opt_log(opt, "GPEI: the model could not be fitted: quasi-random points instead");
        for (i = 0; model && i < pending0; i++)
            if (believe(&a, opt, opt->pending.x + i * p, f, opt->n_outcomes) < 0)
                model = 0;
    }
    for (k = 0; k < q && error == 0; k++) {
        double *x = out + k * p;

        /* several objectives: each point of a batch under weights of its
         * own (qParEGO), the objective's model fitted again on them and
         * the points in flight believed in it */
        if (model && k > 0 && opt->n_objectives > 1) {
            model = fit_models(&a, opt, rng, F, 1) == 0;
            for (i = 0; model && i < opt->pending.n; i++)
                if (believe(&a, opt, opt->pending.x + i * p, f, 1) < 0)
                    model = 0;
        }
        a.greedy = model && k + 1 == q && (q > 1 || pending0 > 0);
        a.ucb_beta = model && k > 0 && k + 1 < q ? UCB_BETA : 0.0;
        if (a.greedy)
            error = greedy_point(x, &a, opt, rng, f, q > 1 ? GREEDY_MIN_VAR : GREEDY_FLIGHT_VAR);
        else
            error = model ? wjr_acq_optimize(x, &a, rng) : wjr_acq_random_point(x, opt, rng);
        if (error == 0)
            error = push(opt, &opt->pending, x, NULL, NULL);
        if (error == 0 && model && k + 1 < q)
            error = believe(&a, opt, x, f, opt->n_outcomes);
    }
done:
    opt->pending.n = pending0;
    for (k = 0; a.gps != NULL && k < opt->n_outcomes; k++)
        wjr_gp_clear(&a.gps[k]);
    free(a.gps);
    free(a.scratch);
    free(F);
    free(f);
    gsl_rng_free(rng);
    gsl_set_error_handler(old);
    return error;
}
