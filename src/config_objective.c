/*
 * config_objective.c - the configuration's objective section: the list of
 * metrics (each read by config_boa.c with BOA's settings), names that must
 * differ, the study-wide minimize, and the outcome constraints, which
 * config_strategy.c reads once the metrics are known. It reads no file.
 */
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

/* What the objective is, where BOA and wjr could be read differently:
 * a weighted sum whose direction is not given is maximized, as BOA (Ax's
 * ScalarizedObjective) does with its YAML; several metrics without
 * weights are a multi-objective study in BOA, which wjr is not. */
static int objective_kind(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    size_t i, ranked = 0, weighted = 0;
    const char *first = NULL;

    for (i = 0; i < cfg->n_metrics; i++) {
        if (cfg->metrics[i].info_only)
            continue;
        ranked++;
        weighted += !isnan(cfg->metrics[i].weight);
        if (first == NULL)
            first = cfg->metrics[i].name;
    }
    if (weighted > 0 && cfg->objective_minimize < 0 && ctx->yaml) {
        cfg->objective_minimize = 0;
        return warn_at(cfg, ctx, g,
                       "objective: the weighted sum of the metrics is maximized, as BOA does "
                       "when objective.minimize is not given; give minimize: true to "
                       "minimize it");
    }
    if (weighted == 0 && ranked > 1)
        return warn_at(cfg, ctx, g,
                       "objective: %zu metrics without weights are a multi-objective study "
                       "in BOA; wjr optimizes the first, '%s', and records the others (give "
                       "weights to optimize their weighted sum, or mark the others info_only)",
                       ranked, first);
    return 0;
}

int wjr__cfg_parse_objective(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    static const char *const keys[] = {"metrics", "minimize", "outcome_constraints", "weights",
                                       NULL};
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
        return wjr__config_parse_outcome_constraints(cfg, ctx->file, list);
    return 0;
}
