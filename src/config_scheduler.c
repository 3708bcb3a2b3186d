/*
 * config_scheduler.c - the configuration's scheduler section: how many
 * trials (total_trials, or BOA's n_trials at the top level or here), how
 * many pending at once, batches, the tolerated failure rate, the polling
 * interval, the trials' time to live and the retries after failures of the
 * infrastructure. Errors name file:line. It runs nothing.
 */
#include <libconfig.h>

#include "config_int.h"

/* BOA's n_trials (top level or in scheduler): the study's total here. */
int wjr__cfg_get_n_trials(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    const config_setting_t *s = config_setting_get_member(g, "n_trials");
    int64_t n = -1;
    int error;

    if (s == NULL)
        return 0;
    if (cfg->total_trials >= 0)
        return fail_at(ctx, s,
                       "n_trials is given twice (at the top level and in scheduler, or with "
                       "total_trials): give it once");
    error = get_int(&n, ctx, g, "n_trials", 1);
    if (error == 0)
        cfg->total_trials = n;
    return error;
}

int wjr__cfg_parse_scheduler(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g)
{
    static const char *const keys[] = {"total_trials",
                                       "n_trials",
                                       "max_pending_trials",
                                       "run_trials_in_batches",
                                       "tolerated_trial_failure_rate",
                                       "min_failed_trials_for_failure_rate_check",
                                       "init_seconds_between_polls",
                                       "ttl_seconds_for_trials",
                                       "max_infrastructure_retries",
                                       NULL};
    int error;

    error = need_group(ctx, g);
    if (error == 0)
        error = check_keys(ctx, g, keys);
    if (error == 0)
        error = get_int(&cfg->total_trials, ctx, g, "total_trials", 1);
    if (error == 0)
        error = wjr__cfg_get_n_trials(cfg, ctx, g);
    if (error == 0)
        error = get_int(&cfg->max_pending_trials, ctx, g, "max_pending_trials", 1);
    if (error == 0)
        error = get_bool(&cfg->run_trials_in_batches, ctx, g, "run_trials_in_batches");
    if (error == 0)
        error = get_double(&cfg->tolerated_failure_rate, ctx, g, "tolerated_trial_failure_rate",
                           0.0, 1.0);
    if (error == 0)
        error = get_int(&cfg->min_failed_for_rate, ctx, g,
                        "min_failed_trials_for_failure_rate_check", 1);
    if (error == 0)
        error = get_double(&cfg->init_seconds_between_polls, ctx, g, "init_seconds_between_polls",
                           0.01, 3600.0);
    if (error == 0)
        error = get_double(&cfg->ttl_seconds, ctx, g, "ttl_seconds_for_trials", 1.0, 1e9);
    if (error == 0)
        error = get_int(&cfg->max_infra_retries, ctx, g, "max_infrastructure_retries", 0);
    return error;
}
