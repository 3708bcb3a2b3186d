/*
 * study_gpei.c - the study driver's GPEI step: builds a GPEI optimizer
 * (optimizer.c) from the configuration's parameters and constraints, tells
 * it every trial the study has recorded (completed ones with their
 * objective and constrained metrics, failed and abandoned ones as failed,
 * the others as pending) and turns its suggestions into parameters objects.
 *
 * It keeps nothing between calls: the optimizer is rebuilt from the record
 * each time, so a resumed study suggests what an uninterrupted one would
 * have, given the same outcomes. The seed is the study's seed, the step and
 * the index of the first trial asked for. This file reads the study's
 * record; it changes nothing and contacts no cluster.
 *
 * Choices are modelled as Ax models them: an ordered choice on one axis,
 * the positions of its values (sorted when they are numbers), as an
 * integer range (Ax's OrderedChoiceToIntegerRange); an unordered one
 * one-hot. Unset, is_ordered is true unless the values are strings and
 * more than two (Ax's default), and two values are always ordered.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "study_view.h"
#include "util.h"
#include "wjr/optimizer.h"

typedef struct gpei_ctx {
    const wjr_study_config *cfg;
    wjr_optimizer *opt;
    size_t dims;  /* varying parameters */
    size_t n_obj; /* objectives (wjr__config_objectives) */
    double *x, *y, *sem;
    size_t **axis; /* [n_params]: an ordered choice's value index at each
                    * position of its axis; NULL for other parameters */
} gpei_ctx;

static int choice_ordered(const wjr_param *p)
{
    size_t k, n = json_array_size(p->values);

    if (n <= 2 || p->is_ordered == 1)
        return 1;
    if (p->is_ordered == 0)
        return 0;
    for (k = 0; k < n; k++)
        if (!json_is_number(json_array_get(p->values, k)))
            return 0;
    return 1;
}

typedef struct ranked {
    double value;
    size_t index;
} ranked;

static int by_value(const void *a, const void *b)
{
    const ranked *x = a, *y = b;

    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The axis of an ordered choice: positions as written, or by value when
 * every value is a number. NULL when out of memory. */
static size_t *ordered_axis(const wjr_param *p)
{
    size_t k, n = json_array_size(p->values), numbers = 0;
    size_t *axis = malloc((n + 1) * sizeof(size_t));
    ranked *r = malloc((n + 1) * sizeof(ranked));

    if (axis == NULL || r == NULL) {
        free(axis);
        free(r);
        return NULL;
    }
    for (k = 0; k < n; k++) {
        r[k].value = json_number_value(json_array_get(p->values, k));
        r[k].index = k;
        numbers += json_is_number(json_array_get(p->values, k));
    }
    if (numbers == n)
        qsort(r, n, sizeof(ranked), by_value);
    for (k = 0; k < n; k++)
        axis[k] = numbers == n ? r[k].index : k;
    free(r);
    return axis;
}

static int build_space(gpei_ctx *c)
{
    const wjr_study_config *cfg = c->cfg;
    double *coef = NULL;
    size_t i, k, d;
    int error = 0;

    for (i = 0, d = 0; i < cfg->n_params && error == 0; i++) {
        const wjr_param *p = &cfg->params[i];
        if (p->kind == WJR_PARAM_RANGE) {
            error = wjr_optimizer_add_range(c->opt, p->lo, p->hi,
                                            (p->is_int ? WJR_OPT_INT : 0u) |
                                                (p->log_scale ? WJR_OPT_LOG : 0u));
            if (error == 0 && p->has_digits)
                error = wjr_optimizer_set_digits(c->opt, d, p->digits);
        } else if (p->kind == WJR_PARAM_CHOICE && json_array_size(p->values) > 1 &&
                   choice_ordered(p)) {
            c->axis[i] = ordered_axis(p);
            error = c->axis[i] == NULL
                        ? wjr_error_set(WJR_ENOMEM, "out of memory")
                        : wjr_optimizer_add_range(
                              c->opt, 0.0, (double)(json_array_size(p->values) - 1), WJR_OPT_INT);
        } else if (p->kind == WJR_PARAM_CHOICE) {
            error = wjr_optimizer_add_choice(c->opt, json_array_size(p->values));
        }
        d += p->kind != WJR_PARAM_FIXED;
    }
    coef = calloc(cfg->n_params + 1, sizeof(double));
    if (coef == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (k = 0; k < cfg->n_linear && error == 0; k++) {
        for (i = 0, d = 0; i < cfg->n_params; i++)
            if (cfg->params[i].kind != WJR_PARAM_FIXED)
                coef[d++] = cfg->linear[k].coef[i];
        error = wjr_optimizer_add_linear_constraint(c->opt, coef, cfg->linear[k].bound);
    }
    for (k = 1; k < c->n_obj && error == 0; k++) {
        const wjr_metric *m = wjr__config_objective_metric(cfg, k);
        error = wjr_optimizer_add_objective(c->opt, m->minimize);
    }
    for (k = 0; k < c->n_obj && c->n_obj > 1 && error == 0; k++) {
        const wjr_metric *m = wjr__config_objective_metric(cfg, k);
        if (!isnan(m->threshold))
            error = wjr_optimizer_set_threshold(c->opt, k, m->threshold);
    }
    for (k = 0; k < cfg->n_outcome && error == 0; k++)
        error = wjr_optimizer_add_outcome_constraint(c->opt, cfg->outcome[k].upper,
                                                     cfg->outcome[k].bound);
    free(coef);
    return error;
}

/* A trial's parameters object as optimizer values; -1 when it does not fit
 * the declared parameters (an external submission may not). */
static int to_x(gpei_ctx *c, json_t *params)
{
    size_t i, d = 0, k;

    for (i = 0; i < c->cfg->n_params; i++) {
        const wjr_param *p = &c->cfg->params[i];
        json_t *v = json_object_get(params, p->name);

        if (p->kind == WJR_PARAM_FIXED)
            continue;
        if (p->kind == WJR_PARAM_RANGE) {
            if (!json_is_number(v))
                return -1;
            c->x[d++] = json_number_value(v);
            continue;
        }
        for (k = 0; k < json_array_size(p->values); k++)
            if (json_equal(json_array_get(p->values, k), v))
                break;
        if (k == json_array_size(p->values))
            return -1;
        if (c->axis[i] != NULL) { /* its position on the axis */
            size_t r = 0;
            while (c->axis[i][r] != k)
                r++;
            k = r;
        }
        c->x[d++] = (double)k;
    }
    return 0;
}

static json_t *from_x(const gpei_ctx *c, const double *x)
{
    json_t *obj = json_object();
    size_t i, d = 0;

    for (i = 0; obj != NULL && i < c->cfg->n_params; i++) {
        const wjr_param *p = &c->cfg->params[i];
        json_t *v;

        if (p->kind == WJR_PARAM_FIXED)
            v = json_incref(p->values);
        else if (p->kind == WJR_PARAM_CHOICE && c->axis[i] != NULL)
            v = json_incref(json_array_get(p->values, c->axis[i][(size_t)x[d++]]));
        else if (p->kind == WJR_PARAM_CHOICE)
            v = json_incref(json_array_get(p->values, (size_t)x[d++]));
        else if (p->is_int)
            v = json_integer((json_int_t)llround(x[d++]));
        else
            v = json_real(x[d++]);
        if (v == NULL || json_object_set_new(obj, p->name, v) != 0) {
            json_decref(obj);
            return NULL;
        }
    }
    return obj;
}

static double metric_field(json_t *metrics, const char *name, const char *field)
{
    json_t *m = json_object_get(metrics, name);
    json_t *v = json_is_object(m)            ? json_object_get(m, field)
                : strcmp(field, "mean") == 0 ? m
                                             : NULL;

    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Tell the optimizer one recorded trial: completed ones with their
 * outcomes, failed and abandoned ones as failed, the others as pending. A
 * trial whose parameters are not a point of this space (an external
 * submission may have any) teaches nothing and is skipped. */
static int tell_trial(gpei_ctx *c, const wjr_study *s, const study_trial *t)
{
    const wjr_study_config *cfg = c->cfg;
    wjr_trial_status st = wjr__study_trial_status(s, t);
    json_t *metrics, *params = wjr__study_trial_params(s, t);
    size_t k;
    int error, ok = 1, fits = params != NULL && to_x(c, params) == 0;

    json_decref(params);
    if (!fits)
        return 0;
    if (st == WJR_TRIAL_COMPLETED || st == WJR_TRIAL_EARLY_STOPPED) {
        metrics = wjr__study_trial_metrics(s, t);
        for (k = 0; k < c->n_obj; k++) {
            const wjr_metric *m = wjr__config_objective_metric(cfg, k);
            c->y[k] = wjr__study_objective_mean(cfg, metrics, k);
            c->sem[k] = m != NULL ? metric_field(metrics, m->name, "sem") : NAN;
        }
        for (k = 0; k < cfg->n_outcome; k++) {
            c->y[c->n_obj + k] = metric_field(metrics, cfg->outcome[k].metric, "mean");
            c->sem[c->n_obj + k] = metric_field(metrics, cfg->outcome[k].metric, "sem");
        }
        json_decref(metrics);
        for (k = 0; k < c->n_obj + cfg->n_outcome; k++) {
            ok &= isfinite(c->y[k]);
            if (!(isfinite(c->sem[k]) && c->sem[k] >= 0.0))
                c->sem[k] = NAN;
        }
        error = ok ? wjr_optimizer_tell(c->opt, c->x, c->y, c->sem)
                   : wjr_optimizer_tell_failed(c->opt, c->x);
    } else if (st == WJR_TRIAL_FAILED || st == WJR_TRIAL_ABANDONED) {
        error = wjr_optimizer_tell_failed(c->opt, c->x);
    } else {
        error = wjr_optimizer_tell_pending(c->opt, c->x);
    }
    return error == WJR_EINVALID ? 0 : error;
}

int wjr__study_gpei_suggest(json_t **out, const wjr_study *s, size_t step, size_t count,
                            int64_t first_index, wjr_log_fn log, void *log_payload)
{
    wjr_optimizer_options oo = WJR_OPTIMIZER_OPTIONS_INIT;
    gpei_ctx c;
    double *xs = NULL;
    size_t i;
    int error;

    memset(&c, 0, sizeof(c));
    c.cfg = s->config;
    for (i = 0; i < c.cfg->n_params; i++)
        c.dims += c.cfg->params[i].kind != WJR_PARAM_FIXED;
    oo.seed = (uint64_t)s->seed * 0x100000001b3ULL + (uint64_t)step * 0x9e3779b9ULL +
              (uint64_t)first_index;
    c.n_obj = wjr__config_objectives(c.cfg);
    if (c.n_obj == 0)
        return wjr_error_set(WJR_ESTATE, "GPEI needs a metric that is not info_only");
    oo.minimize = wjr__config_objective_minimize(c.cfg, 0);
    oo.log = log;
    oo.log_payload = log_payload;
    error = wjr_optimizer_new(&c.opt, &oo);
    if (error < 0)
        return error;
    c.x = malloc((c.dims + 1) * sizeof(double));
    c.y = malloc((c.n_obj + c.cfg->n_outcome) * sizeof(double));
    c.sem = malloc((c.n_obj + c.cfg->n_outcome) * sizeof(double));
    xs = malloc((count + 1) * (c.dims + 1) * sizeof(double));
    c.axis = calloc(c.cfg->n_params + 1, sizeof(size_t *));
    if (c.x == NULL || c.y == NULL || c.sem == NULL || xs == NULL || c.axis == NULL) {
        error = wjr_error_set(WJR_ENOMEM, "out of memory");
        goto done;
    }
    error = build_space(&c);
    for (i = 0; i < s->n_trials && error == 0; i++)
        error = tell_trial(&c, s, &s->trials[i]);
    if (error == 0)
        error = wjr_optimizer_ask(xs, c.opt, count);
    for (i = 0; i < count && error == 0; i++) {
        out[i] = from_x(&c, xs + i * c.dims);
        if (out[i] == NULL)
            error = wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    if (error < 0)
        for (i = 0; i < count; i++) {
            json_decref(out[i]);
            out[i] = NULL;
        }
done:
    for (i = 0; c.axis != NULL && i < c.cfg->n_params; i++)
        free(c.axis[i]);
    free(c.axis);
    wjr_optimizer_free(c.opt);
    free(c.x);
    free(c.y);
    free(c.sem);
    free(xs);
    return error;
}
