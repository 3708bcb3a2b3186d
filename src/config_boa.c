/*
 * config_boa.c - what the configuration parser needs to know about BOA's
 * vocabulary beyond the keys it reads: the keys of BOA's configuration
 * documentation that wjr does not support, each with what to do instead
 * (so that no key of a BOA study is ever dropped silently), and free-form
 * settings (model_options, properties, metric_func_kwargs) as JSON.
 * It reads no file and checks no value.
 */
#include <stdio.h>
#include <string.h>

#include "config_boa.h"
#include "util.h"

typedef struct refused {
    const char *section; /* "" for the top level */
    const char *key;
    const char *instead;
} refused;

static const refused table[] = {
    {"", "parameter_constraints",
     "linear parameter constraints are not supported by this wjr build yet: remove them, or "
     "drive the study from your own optimizer with wjr init/submit"},
    {"", "parameter_keys",
     "nested parameter groups are not supported: declare each parameter under parameters"},
    {"", "config_path", "wjr knows the configuration's path: remove config_path"},
    {"", "optimization_options",
     "this is BOA's deprecated layout: move its parts to objective, scheduler, "
     "generation_strategy and script_options"},
    {"", "moo", "write the metrics under objective.metrics"},
    {"objective", "outcome_constraints",
     "outcome constraints are not supported by this wjr build yet: remove them, or report the "
     "constrained value as an info_only metric"},
    {"objective", "objective_thresholds",
     "multi-objective optimization is not supported: optimize one metric"},
    {"objective", "weights", "give each metric its own weight"},
    {"objective.metrics", "metric_to_eval", "name the function with metric"},
    {"parameters", "is_task", "task parameters are not supported"},
    {"parameters", "is_fidelity", "fidelity parameters are not supported"},
    {"parameters", "target_value", "fidelity parameters are not supported"},
    {"parameters", "dependents", "hierarchical search spaces are not supported"},
    {"parameters", "sort_values", "choice values are used in the order written"},
    {"generation_strategy", "use_saasbo", "name the steps (SOBOL, RANDOM) instead"},
    {"generation_strategy", "max_parallelism_cap", "use scheduler.max_pending_trials"},
    {"generation_strategy", "max_parallelism_override", "use scheduler.max_pending_trials"},
    {"generation_strategy", "random_seed", "use generation_strategy.seed"},
    {"generation_strategy", "num_initialization_trials", "give the first step's num_trials"},
    {"generation_strategy", "max_initialization_trials", "give the first step's num_trials"},
    {"generation_strategy", "no_bayesian_optimization", "name the steps (SOBOL, RANDOM)"},
    {"generation_strategy", "should_deduplicate", "SOBOL points do not repeat"},
    {"generation_strategy.steps", "max_parallelism", "use scheduler.max_pending_trials"},
    {"generation_strategy.steps", "min_trials_observed",
     "wjr moves to the next step after num_trials trials"},
    {"generation_strategy.steps", "model_kwargs", "model settings are not supported"},
    {"generation_strategy.steps", "model_gen_kwargs", "model settings are not supported"},
    {"generation_strategy.steps", "enforce_num_trials", "num_trials is always enforced"},
    {"scheduler", "trial_type", "wjr runs one-arm trials"},
    {"scheduler", "batch_size", "wjr runs one-arm trials: use run_trials_in_batches"},
    {"scheduler", "min_failed_trials_for_failure_rate_check",
     "tolerated_trial_failure_rate applies from the first failure"},
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
