/*
 * config_objective.c - the configuration's objective section: the list of
 * metrics (each read by config_boa.c with BOA's settings), names that must
 * differ, the study-wide minimize, which metrics are the objectives (one,
 * a weighted sum, or several: a multi-objective study) and their
 * objective_thresholds, and the "METRIC <= NUMBER" form that the
 * thresholds and the outcome constraints share (config_strategy.c reads
 * the outcome constraints once the metrics are known). It reads no file.
 */
#include <ctype.h>
#include <libconfig.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "util.h"

/* BOA's objective.weights: one number per metric, each the metric's
 * weight (a metric may not have its own as well). */
static int objective_weights(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    const config_setting_t *w = config_setting_get_member(g, "weights");
    size_t i;

    if (w == NULL)
        return 0;
    if (!config_setting_is_aggregate(w) || config_setting_length(w) != (int)cfg->n_metrics)
        return fail_at(ctx, w, "objective.weights needs one number per metric (%zu)",
                       cfg->n_metrics);
    for (i = 0; i < cfg->n_metrics; i++) {
        const config_setting_t *e = config_setting_get_elem(w, (unsigned)i);
        if (!is_number(e) || !isfinite(number_of(e)))
            return type_error(ctx, e, "a number");
        if (!isnan(cfg->metrics[i].weight))
            return fail_at(ctx, w,
                           "metric '%s' has a weight of its own: give objective.weights or "
                           "the metrics' weight, not both",
                           cfg->metrics[i].name);
        cfg->metrics[i].weight = number_of(e);
    }
    return 0;
}

int wjr__config_weighted(const wjr_study_config *c)
{
    size_t i;

    for (i = 0; i < c->n_metrics; i++)
        if (!c->metrics[i].info_only && !isnan(c->metrics[i].weight))
            return 1;
    return 0;
}

/* metric k is named by an outcome constraint */
static int constrained(const wjr_study_config *cfg, size_t k)
{
    size_t c;

    for (c = 0; c < cfg->n_outcome; c++)
        if (strcmp(cfg->outcome[c].metric, cfg->metrics[k].name) == 0)
            return 1;
    return 0;
}

/* The first metric not info_only, or n_metrics. */
static size_t first_ranked(const wjr_study_config *cfg)
{
    size_t i;

    for (i = 0; i < cfg->n_metrics && cfg->metrics[i].info_only; i++)
        ;
    return i;
}

int wjr__config_is_objective(const wjr_study_config *cfg, size_t k)
{
    if (k >= cfg->n_metrics || cfg->metrics[k].info_only)
        return 0;
    if (wjr__config_weighted(cfg))
        return !isnan(cfg->metrics[k].weight);
    return k == first_ranked(cfg) || !constrained(cfg, k);
}

size_t wjr__config_objectives(const wjr_study_config *cfg)
{
    size_t i, n = 0;

    if (wjr__config_weighted(cfg))
        return 1;
    for (i = 0; i < cfg->n_metrics; i++)
        n += wjr__config_is_objective(cfg, i);
    return n;
}

const wjr_metric *wjr__config_objective_metric(const wjr_study_config *c, size_t j)
{
    size_t k;

    if (wjr__config_weighted(c))
        return NULL;
    for (k = 0; k < c->n_metrics; k++)
        if (wjr__config_is_objective(c, k) && j-- == 0)
            return &c->metrics[k];
    return NULL;
}

int wjr__config_objective_minimize(const wjr_study_config *c, size_t j)
{
    const wjr_metric *m = wjr__config_objective_metric(c, j);

    if (wjr__config_weighted(c))
        return c->objective_minimize != 0;
    return m != NULL ? m->minimize : 1;
}

int wjr__cfg_comparison(char **metric, int *upper, double *bound, const char *text)
{
    const char *p = text, *start;
    double scale;
    char *end;

    *metric = NULL;
    while (isspace((unsigned char)*p))
        p++;
    /* "2*m <= 1" (Ax's one-term scaled form) is m <= 0.5 */
    scale = strtod(p, &end);
    if (end > p && isfinite(scale) && *(end += strspn(end, " \t")) == '*') {
        if (scale == 0.0)
            return wjr_error_set(WJR_EINVALID, ": a metric scaled by 0 constrains nothing");
        p = end + 1 + strspn(end + 1, " \t");
    } else {
        scale = 1.0;
    }
    start = p;
    while (*p != '\0' && !isspace((unsigned char)*p) && *p != '<' && *p != '>')
        p++;
    *metric = malloc((size_t)(p - start) + 1);
    if (*metric == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    memcpy(*metric, start, (size_t)(p - start));
    (*metric)[p - start] = '\0';
    while (isspace((unsigned char)*p))
        p++;
    if ((*metric)[0] == '\0' || (p[0] != '<' && p[0] != '>') || p[1] != '=')
        return wjr_error_set(WJR_EINVALID, " must read METRIC <= NUMBER or METRIC >= NUMBER");
    *upper = (p[0] == '<') == (scale > 0);
    *bound = strtod(p + 2, &end) / scale;
    while (isspace((unsigned char)*end))
        end++;
    if (end == p + 2 || *end != '\0' || !isfinite(*bound))
        return wjr_error_set(WJR_EINVALID, ": the bound must be a plain number (no relative %% "
                                           "bounds)");
    return 0;
}

/* objective_thresholds (Ax's, for several objectives): "METRIC <= NUMBER"
 * for a minimized objective, ">=" for a maximized one: the worst value of
 * interest. */
static int objective_thresholds(wjr_study_config *cfg, const parse_ctx *ctx,
                                const config_setting_t *g)
{
    const config_setting_t *list = config_setting_get_member(g, "objective_thresholds");
    int i, n, error;

    if (wjr__config_objectives(cfg) > WJR_MAX_OBJECTIVES)
        return fail_at(ctx, config_setting_get_member(g, "metrics"),
                       "objective: %zu objectives; a study may have at most %d (give the "
                       "others info_only, or weights)",
                       wjr__config_objectives(cfg), WJR_MAX_OBJECTIVES);
    if (list == NULL)
        return 0;
    if (!config_setting_is_aggregate(list))
        return type_error(ctx, list, "a list of \"METRIC <= NUMBER\" strings");
    if (wjr__config_objectives(cfg) < 2)
        return fail_at(ctx, list,
                       "objective.objective_thresholds are for several objectives (metrics "
                       "without weights); use outcome_constraints to bound a metric");
    n = config_setting_length(list);
    for (i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        const char *text = config_setting_get_string(e);
        char *name = NULL;
        int upper = 0;
        double bound = 0;
        size_t k;

        if (text == NULL)
            return type_error(ctx, e, "a string \"METRIC <= NUMBER\"");
        error = wjr__cfg_comparison(&name, &upper, &bound, text);
        for (k = 0; error == 0 && k < cfg->n_metrics; k++)
            if (strcmp(cfg->metrics[k].name, name) == 0)
                break;
        if (error == 0 && (k == cfg->n_metrics || !wjr__config_is_objective(cfg, k)))
            error = wjr_error_set(WJR_EINVALID, ": '%s' is not one of the objectives", name);
        else if (error == 0 && upper != cfg->metrics[k].minimize)
            error =
                wjr_error_set(WJR_EINVALID, ": '%s' is %s, so its threshold reads '%s %s NUMBER'",
                              name, upper ? "maximized" : "minimized", name, upper ? ">=" : "<=");
        else if (error == 0 && !isnan(cfg->metrics[k].threshold))
            error = wjr_error_set(WJR_EINVALID, ": '%s' has a threshold already", name);
        else if (error == 0)
            cfg->metrics[k].threshold = bound;
        free(name);
        if (error == WJR_ENOMEM)
            return error;
        if (error < 0)
            return fail_at(ctx, e, "objective_thresholds[%d] \"%s\"%s", i, text, wjr_error_last());
    }
    return 0;
}

/* What the objective is, where BOA and wjr could be read differently:
 * a weighted sum whose direction is not given is maximized, as BOA (Ax's
 * ScalarizedObjective) does with its YAML; several metrics without
 * weights are a multi-objective study, as in BOA, whose result is a Pareto
 * front rather than one best trial. */
static int objective_kind(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    size_t i, weighted = 0;

    for (i = 0; i < cfg->n_metrics; i++)
        weighted += !cfg->metrics[i].info_only && !isnan(cfg->metrics[i].weight);
    /* without weights, objective.minimize is the direction of every
     * metric that gives none of its own */
    for (i = 0; i < cfg->n_metrics && weighted == 0 && cfg->objective_minimize >= 0; i++) {
        wjr_metric *m = &cfg->metrics[i];
        if (m->info_only)
            continue;
        if (!m->minimize_given)
            m->minimize = cfg->objective_minimize;
        else if (m->minimize != cfg->objective_minimize)
            return fail_at(ctx, config_setting_get_member(g, "minimize"),
                           "objective.minimize is %s, but metric '%s' has minimize: %s: give the "
                           "direction once",
                           cfg->objective_minimize ? "true" : "false", m->name,
                           m->minimize ? "true" : "false");
    }
    if (weighted > 0 && cfg->objective_minimize < 0 && ctx->yaml) {
        cfg->objective_minimize = 0;
        return warn_at(cfg, ctx, g,
                       "objective: the weighted sum of the metrics is maximized, as BOA does "
                       "when objective.minimize is not given; give minimize: true to "
                       "minimize it");
    }
    return 0;
}

int wjr__cfg_parse_objective(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    static const char *const keys[] = {
        "metrics", "minimize", "outcome_constraints", "weights", "objective_thresholds", NULL};
    const config_setting_t *list;
    int error, i, n;

    error = need_group(ctx, g);
    if (error < 0)
        return error;
    error = check_keys(ctx, g, keys);
    if (error < 0)
        return error;
    if (config_setting_get_member(g, "minimize") != NULL) {
        error = get_bool(&cfg->objective_minimize, ctx, g, "minimize");
        if (error < 0)
            return error;
    }
    list = config_setting_get_member(g, "metrics");
    if (list == NULL)
        return fail_at(ctx, g,
                       "objective needs metrics = ( { name = \"...\"; minimize = "
                       "true; } );");
    if (config_setting_type(list) != CONFIG_TYPE_LIST || config_setting_length(list) == 0)
        return type_error(ctx, list, "a non-empty list ( { name = ...; minimize = ...; } )");
    n = config_setting_length(list);
    cfg->metrics = calloc((size_t)n, sizeof(*cfg->metrics));
    if (cfg->metrics == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(list, (unsigned)i);
        wjr_metric *metric = &cfg->metrics[cfg->n_metrics];
        size_t k;

        cfg->n_metrics++;
        error = wjr__cfg_parse_metric(metric, ctx, m, i);
        if (error < 0)
            return error;
        for (k = 0; k + 1 < cfg->n_metrics; k++)
            if (strcmp(cfg->metrics[k].name, metric->name) == 0)
                return fail_at(ctx, m, "metric '%s' is named twice", metric->name);
    }
    error = objective_weights(cfg, ctx, g);
    if (error == 0)
        error = objective_kind(cfg, ctx, g);
    if (error < 0)
        return error;
    cfg->metric_names = calloc(cfg->n_metrics + 1, sizeof(char *));
    if (cfg->metric_names == NULL)
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    for (i = 0; i < (int)cfg->n_metrics; i++)
        cfg->metric_names[i] = cfg->metrics[i].name;
    list = config_setting_get_member(g, "outcome_constraints");
    if (list != NULL)
        error = wjr__config_parse_outcome_constraints(cfg, ctx->file, list);
    /* after them: a constrained metric is not an objective */
    if (error == 0)
        error = objective_thresholds(cfg, ctx, g);
    return error;
}
