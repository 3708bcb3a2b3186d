/*
 * optimizer_space.c - the GPEI optimizer's search space as the model sees
 * it: parameter values to model features and back, the search cube that
 * candidates are drawn in, the linear constraints' test and region, and
 * whether a point is one already told.
 *
 * A continuous range becomes one feature in [0,1] (in log space
 * when log-scaled); an integer becomes one feature spanning [lo-0.5,
 * hi+0.5] and is rounded when decoded, and the acquisition is evaluated at
 * the rounded point, so two candidates that round alike score alike and a
 * point already tried is never proposed again; a choice becomes one-hot
 * features. Fixed parameters never reach the optimizer.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optimizer_int.h"

/* The span of a range or integer on the model's axis (log space if log). */
static void span(const opt_param *p, double *a, double *b)
{
    double lo = p->kind == OPT_INT ? p->lo - 0.5 : p->lo;
    double hi = p->kind == OPT_INT ? p->hi + 0.5 : p->hi;

    *a = p->log_scale ? log(lo) : lo;
    *b = p->log_scale ? log(hi) : hi;
}

static double clamp01(double t)
{
    return t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
}

/* unit coordinate -> the value of a range or integer; within 1e-12 of an
 * end of the axis is the bound itself (0, not 2e-22) */
static double from_axis(const opt_param *p, double t)
{
    double a, b, v;

    span(p, &a, &b);
    if (!(t > 1e-12))
        return p->lo;
    if (t > 1.0 - 1e-12)
        return p->hi;
    v = a + t * (b - a);
    v = p->log_scale ? exp(v) : v;
    if (p->kind == OPT_INT)
        v = floor(v + 0.5);
    else if (p->scale > 0.0)
        v = round(v * p->scale) / p->scale;
    return v < p->lo ? p->lo : v > p->hi ? p->hi : v;
}

static double to_axis(const opt_param *p, double v)
{
    double a, b;

    span(p, &a, &b);
    return clamp01(((p->log_scale ? log(v) : v) - a) / (b - a));
}

void wjr__opt_encode(const wjr_optimizer *opt, const double *x, double *f)
{
    size_t i, k;

    for (i = 0; i < opt->n_params; i++) {
        const opt_param *p = &opt->params[i];
        if (p->kind == OPT_CHOICE) {
            for (k = 0; k < p->n; k++)
                f[p->feature + k] = (double)k == x[i] ? 1.0 : 0.0;
        } else {
            f[p->feature] = to_axis(p, x[i]);
        }
    }
}

void wjr__opt_decode(const wjr_optimizer *opt, const double *f, double *x)
{
    size_t i, k;

    for (i = 0; i < opt->n_params; i++) {
        const opt_param *p = &opt->params[i];
        if (p->kind == OPT_CHOICE) {
            size_t best = 0;
            for (k = 1; k < p->n; k++)
                if (f[p->feature + k] > f[p->feature + best])
                    best = k;
            x[i] = (double)best;
        } else {
            x[i] = from_axis(p, f[p->feature]);
        }
    }
}

void wjr__opt_from_unit(const wjr_optimizer *opt, const double *u, double *x)
{
    size_t i;

    for (i = 0; i < opt->n_params; i++) {
        const opt_param *p = &opt->params[i];
        if (p->kind == OPT_CHOICE) {
            double k = floor(clamp01(u[i]) * (double)p->n);
            x[i] = k > p->hi ? p->hi : k;
        } else {
            x[i] = from_axis(p, u[i]);
        }
    }
}

void wjr__opt_to_unit(const wjr_optimizer *opt, const double *x, double *u)
{
    size_t i;

    for (i = 0; i < opt->n_params; i++) {
        const opt_param *p = &opt->params[i];
        u[i] = p->kind == OPT_CHOICE ? (x[i] + 0.5) / (double)p->n : to_axis(p, x[i]);
    }
}

int wjr__opt_feasible(const wjr_optimizer *opt, const double *x)
{
    size_t c;

    for (c = 0; c < opt->n_linear; c++)
        if (!wjr_linear_holds(opt->linear[c].coef, x, opt->n_params, opt->linear[c].bound))
            return 0;
    return 1;
}

int wjr__opt_region(wjr_polytope *out, const wjr_optimizer *opt)
{
    size_t c, i, np = opt->n_params;
    int error = wjr_polytope_init(out, np, opt->n_linear);

    for (c = 0; error == 0 && c < opt->n_linear; c++) {
        out->b[c] = opt->linear[c].bound;
        for (i = 0; i < np; i++) {
            double coef = opt->linear[c].coef[i], a, b;
            if (coef == 0.0) /* and always so for choices and log ranges */
                continue;
            span(&opt->params[i], &a, &b);
            out->a[c * np + i] = coef * (b - a);
            out->b[c] -= coef * a;
        }
    }
    return error;
}

/* How far a value near v may lie from it and still be the same point:
 * 1e-9 of the parameter's span on the model's axis. On a log axis that is
 * relative to v (d log v = dv / v); two whole numbers always differ. */
double wjr__opt_axis_tol(const opt_param *p, double v)
{
    double t = 1e-9 * p->width * (p->log_scale ? fabs(v) : 1.0);

    return p->kind == OPT_RANGE || t < 0.25 ? t : 0.25;
}

int wjr__opt_seen(const wjr_optimizer *opt, const opt_points *list, const double *x)
{
    size_t j, i;

    for (j = 0; j < list->n; j++) {
        const double *y = list->x + j * opt->n_params;
        for (i = 0; i < opt->n_params; i++)
            if (fabs(x[i] - y[i]) > wjr__opt_axis_tol(&opt->params[i], x[i]))
                break;
        if (i == opt->n_params)
            return 1;
    }
    return 0;
}
