/*
 * config_objective.c - the configuration's objective section: the list of
 * metrics (each read by config_boa.c with BOA's settings), names that must
 * differ, the study-wide minimize, and the outcome constraints, which
 * config_strategy.c reads once the metrics are known. It reads no file.
 */
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "util.h"

int wjr__cfg_parse_objective(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    static const char *const keys[] = {"metrics", "minimize", "outcome_constraints", NULL};
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
