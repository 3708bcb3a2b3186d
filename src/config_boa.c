/*
 * config_boa.c - BOA's vocabulary in the configuration parser: the keys of
 * BOA's configuration documentation that wjr does not support, each with
 * what to do instead (so that no key of a BOA study is ever dropped
 * silently); a metric's BOA settings (metric function, metric_func_kwargs,
 * param_names, properties, noise_sd, info_only, weight), handed to the
 * script wrapper as JSON; and free-form settings (model_options,
 * properties, metric_func_kwargs) as JSON. It reads no file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_boa.h"
#include "config_int.h"
#include "metric_boa.h"
#include "util.h"

typedef struct refused {
    const char *section; /* "" for the top level */
    const char *key;
    const char *instead;
} refused;

static const refused table[] = {
    {"", "parameter_keys",
     "nested parameter groups are not supported: declare each parameter under parameters"},
    {"", "config_path", "wjr knows the configuration's path: remove config_path"},
    {"", "optimization_options",
     "this is BOA's deprecated layout: move its parts to objective, scheduler, "
     "generation_strategy and script_options"},
    {"", "moo", "write the metrics under objective.metrics"},
    {"objective.metrics", "metric_to_eval", "name the function with metric"},
    {"parameters", "is_task", "task parameters are not supported"},
    {"parameters", "is_fidelity", "fidelity parameters are not supported"},
    {"parameters", "target_value", "fidelity parameters are not supported"},
    {"parameters", "dependents", "hierarchical search spaces are not supported"},
    {"parameters", "sort_values", "choice values are used in the order written"},
    {"generation_strategy", "use_saasbo", "name the steps (SOBOL, GPEI) instead"},
    {"generation_strategy", "max_parallelism_cap", "use scheduler.max_pending_trials"},
    {"generation_strategy", "max_parallelism_override", "use scheduler.max_pending_trials"},
    {"generation_strategy", "random_seed", "use generation_strategy.seed"},
    {"generation_strategy", "num_initialization_trials", "give the first step's num_trials"},
    {"generation_strategy", "max_initialization_trials", "give the first step's num_trials"},
    {"generation_strategy", "no_bayesian_optimization", "name the steps (SOBOL, RANDOM, GPEI)"},
    {"generation_strategy", "should_deduplicate", "SOBOL points do not repeat"},
    {"generation_strategy", "enforce_sequential_optimization", "use scheduler.max_pending_trials"},
    {"generation_strategy", "num_trials", "give scheduler.total_trials and the steps' num_trials"},
    {"generation_strategy", "num_completed_initialization_trials",
     "give the first step's num_trials"},
    {"generation_strategy", "torch_device", "wjr's generators need no device"},
    {"generation_strategy", "no_winsorization", "wjr does not transform metrics"},
    {"generation_strategy", "winsorization_config", "wjr does not transform metrics"},
    {"generation_strategy", "derelativize_with_raw_status_quo", "wjr does not transform metrics"},
    {"generation_strategy", "optimization_config", "give objective"},
    {"generation_strategy", "experiment", "wjr makes the experiment from the configuration"},
    {"generation_strategy", "use_update", "model settings are not supported"},
    {"generation_strategy", "verbose", "wjr logs to wjr.log"},
    {"generation_strategy", "disable_progbar", "wjr shows its own progress"},
    {"generation_strategy", "jit_compile", "model settings are not supported"},
    {"generation_strategy.steps", "min_trials_observed",
     "wjr moves to the next step after num_trials trials"},
    {"generation_strategy.steps", "model_kwargs", "model settings are not supported"},
    {"generation_strategy.steps", "model_gen_kwargs", "model settings are not supported"},
    {"generation_strategy.steps", "enforce_num_trials", "num_trials is always enforced"},
    {"scheduler", "trial_type", "wjr runs one-arm trials"},
    {"scheduler", "batch_size", "wjr runs one-arm trials: use run_trials_in_batches"},
    {"scheduler", "log_filepath", "wjr logs to wjr.log in the experiment directory"},
    {"scheduler", "logging_level", "wjr logs everything to wjr.log"},
    {"scheduler", "min_seconds_before_poll", "use init_seconds_between_polls"},
    {"scheduler", "seconds_between_polls_backoff_factor", "use init_seconds_between_polls"},
    {"scheduler", "timeout_hours", "stop the study with wjr cancel, or give slurm.time"},
    {"scheduler", "debug_log_run_metadata", "wjr.log has every job's record"},
    {"scheduler", "early_stopping_strategy",
     "let the model report EARLY_STOPPED in trial_status.json"},
    {"scheduler", "global_stopping_strategy", "give total_trials or n_trials"},
    {"scheduler", "suppress_storage_errors_after_retries", "wjr stores no SQL"},
    {"script_options", "wrapper_name",
     "Python wrapper classes are not supported: use run_model and the other commands"},
    {"script_options", "wrapper_path",
     "Python wrapper classes are not supported: use run_model and the other commands"},
    {"script_options", "base_path", "use rel_to_config or rel_to_launch"},
};

const char *wjr_config_refused(const char *section, const char *key)
{
    size_t i;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].section, section) == 0 && strcmp(table[i].key, key) == 0)
            return table[i].instead;
    return NULL;
}

/* The section a refusal is listed under: "objective.metrics[0]" becomes
 * "objective.metrics", a parameter's own group "parameters". */
void wjr_config_section_of(char *buf, size_t size, const char *path)
{
    char *br;

    snprintf(buf, size, "%s", path);
    while ((br = strchr(buf, '[')) != NULL) {
        char *end = strchr(br, ']');
        if (end == NULL)
            break;
        memmove(br, end + 1, strlen(end + 1) + 1);
    }
    if (strncmp(buf, "parameters.", 11) == 0 || strcmp(buf, "parameters") == 0)
        snprintf(buf, size, "parameters");
}

json_t *wjr_config_setting_json(const config_setting_t *s)
{
    json_t *v = NULL, *child;
    int i, n;

    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        return json_integer((json_int_t)config_setting_get_int64(s));
    case CONFIG_TYPE_FLOAT:
        return json_real(config_setting_get_float(s));
    case CONFIG_TYPE_STRING:
        return json_string(config_setting_get_string(s));
    case CONFIG_TYPE_BOOL:
        return json_boolean(config_setting_get_bool(s));
    case CONFIG_TYPE_GROUP:
        v = json_object();
        n = config_setting_length(s);
        for (i = 0; v != NULL && i < n; i++) {
            const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
            child = wjr_config_setting_json(m);
            if (child == NULL || json_object_set_new(v, config_setting_name(m), child) < 0) {
                json_decref(v);
                return NULL;
            }
        }
        return v;
    default: /* arrays and lists */
        v = json_array();
        n = config_setting_length(s);
        for (i = 0; v != NULL && i < n; i++) {
            child = wjr_config_setting_json(config_setting_get_elem(s, (unsigned)i));
            if (child == NULL || json_array_append_new(v, child) < 0) {
                json_decref(v);
                return NULL;
            }
        }
        return v;
    }
}

/* ---- the metrics' settings ---------------------------------------------- */

/* A free-form member (mapping or list) as JSON into *out; absent: left alone. */
int get_json(json_t **out, const parse_ctx *ctx, const config_setting_t *g, const char *key,
             int shape)
{
    const config_setting_t *s = config_setting_get_member(g, key);

    if (s == NULL)
        return 0;
    if (shape == 1 && config_setting_type(s) != CONFIG_TYPE_GROUP)
        return type_error(ctx, s, "a mapping of names to values");
    if (shape == 2 && config_setting_type(s) != CONFIG_TYPE_LIST &&
        config_setting_type(s) != CONFIG_TYPE_ARRAY)
        return type_error(ctx, s, "a list");
    json_decref(*out);
    *out = wjr_config_setting_json(s);
    return *out != NULL ? 0 : wjr_error_set(WJR_ENOMEM, "out of memory");
}

/* One metric: BOA's BOAMetric keys. */
int wjr__cfg_parse_metric(wjr_metric *metric, const parse_ctx *ctx, const config_setting_t *m,
                          int i)
{
    static const char *const mkeys[] = {
        "name",        "minimize",           "lower_is_better", "metric",
        "metric_type", "noise_sd",           "info_only",       "weight",
        "properties",  "metric_func_kwargs", "param_names",     NULL};
    const config_setting_t *s;
    char *type = NULL;
    wjr_metric_func f = WJR_MF_PASSTHROUGH;
    int error;

    metric->minimize = 1; /* BOA: every metric minimizes unless told */
    metric->noise_sd = NAN;
    metric->weight = NAN;
    metric->threshold = NAN;
    error = need_group(ctx, m);
    if (error == 0)
        error = check_keys(ctx, m, mkeys);
    if (error == 0)
        error = get_string(&metric->name, ctx, m, "name");
    if (error == 0)
        error = get_string(&metric->function, ctx, m, "metric");
    if (error == 0)
        error = get_string(&type, ctx, m, "metric_type");
    if (error < 0)
        goto done;
    if (type != NULL && strcmp(type, "metric") != 0 && strcmp(type, "boa_metric") != 0 &&
        strcmp(type, "pass_through") != 0) {
        error = fail_at(ctx, config_setting_get_member(m, "metric_type"),
                        "metric_type \"%s\" is not supported by wjr: use BOA's own metrics "
                        "(metric_type: metric), or compute the value in your script",
                        type);
        goto done;
    }
    if (metric->function != NULL) {
        error = wjr_metric_func_parse(&f, metric->function);
        if (error < 0) {
            error = fail_at(ctx, config_setting_get_member(m, "metric"), "%s", wjr_error_last());
            goto done;
        }
    }
    if (metric->name == NULL && metric->function != NULL)
        metric->name = wjr_strdup(metric->function); /* BOA names it after the function */
    if (metric->name == NULL || metric->name[0] == '\0') {
        error = fail_at(ctx, m, "objective.metrics[%d] needs a name or a metric", i);
        goto done;
    }
    if (config_setting_get_member(m, "minimize") &&
        config_setting_get_member(m, "lower_is_better")) {
        error = fail_at(ctx, config_setting_get_member(m, "lower_is_better"),
                        "give minimize or lower_is_better, not both");
        goto done;
    }
    metric->minimize_given = config_setting_get_member(m, "minimize") != NULL ||
                             config_setting_get_member(m, "lower_is_better") != NULL;
    error = get_bool(&metric->minimize, ctx, m, "minimize");
    if (error == 0)
        error = get_bool(&metric->minimize, ctx, m, "lower_is_better");
    if (error == 0)
        error = get_bool(&metric->info_only, ctx, m, "info_only");
    if (error == 0)
        error = get_double(&metric->weight, ctx, m, "weight", -1e300, 1e300);
    if (error == 0)
        error = get_double(&metric->noise_sd, ctx, m, "noise_sd", 0.0, 1e300);
    if (error == 0)
        error = get_json(&metric->properties, ctx, m, "properties", 1);
    if (error == 0)
        error = get_json(&metric->func_kwargs, ctx, m, "metric_func_kwargs", 1);
    if (error == 0)
        error = get_json(&metric->param_names, ctx, m, "param_names", 2);
    if (error < 0)
        goto done;
    if (metric->func_kwargs != NULL && wjr_metric_func_check_kwargs(f, metric->func_kwargs) < 0) {
        error = fail_at(ctx, config_setting_get_member(m, "metric_func_kwargs"), "%s",
                        wjr_error_last());
        goto done;
    }
    s = config_setting_get_member(m, "param_names");
    if (s != NULL) {
        size_t k;
        for (k = 0; k < json_array_size(metric->param_names); k++)
            if (!json_is_string(json_array_get(metric->param_names, k))) {
                error = type_error(ctx, s, "a list of parameter names");
                goto done;
            }
    }
done:
    free(type);
    return error;
}

/* The metrics' BOA settings and model_options as JSON texts for the wrapper. */
int wjr__cfg_wrapper_settings(wjr_study_config *cfg)
{
    json_t *list = json_array();
    size_t i;

    for (i = 0; list != NULL && i < cfg->n_metrics; i++) {
        const wjr_metric *m = &cfg->metrics[i];
        json_t *o = json_pack("{s:s}", "name", m->name);

        if (o == NULL)
            break;
        if (m->function)
            json_object_set_new(o, "metric", json_string(m->function));
        if (m->func_kwargs)
            json_object_set(o, "metric_func_kwargs", m->func_kwargs);
        if (m->param_names)
            json_object_set(o, "param_names", m->param_names);
        if (m->properties)
            json_object_set(o, "properties", m->properties);
        if (!isnan(m->noise_sd))
            json_object_set_new(o, "noise_sd", json_real(m->noise_sd));
        json_array_append_new(list, o);
    }
    if (list == NULL || i < cfg->n_metrics) {
        json_decref(list);
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    }
    cfg->metrics_json =
        cfg->n_metrics ? json_dumps(list, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(list);
    if (cfg->model_options != NULL)
        cfg->model_options_json =
            json_dumps(cfg->model_options, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    if ((cfg->n_metrics && cfg->metrics_json == NULL) ||
        (cfg->model_options && cfg->model_options_json == NULL))
        return wjr_error_set(WJR_ENOMEM, "out of memory");
    return 0;
}
