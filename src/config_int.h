/*
 * config_int.h - private: the parts of configuration parsing that live in
 * config_strategy.c (generation strategy and constraints), called by
 * config.c. Each returns 0 or WJR_ECONFIG with file:line in the message.
 */
#ifndef WJR_CONFIG_INT_H
#define WJR_CONFIG_INT_H

#include <libconfig.h>

#include "study_int.h"

/* objective.outcome_constraints (after the metrics are read). */
int wjr__config_parse_outcome_constraints(wjr_study_config *cfg, const char *file,
                                          const config_setting_t *list);

/* parameter_constraints (after the parameters are read). */
int wjr__config_parse_parameter_constraints(wjr_study_config *cfg, const char *file,
                                            const config_setting_t *list);

/* Replace the steps with BOA's default: SOBOL for max(5, 2 x varying
 * parameters) trials, then GPEI; SOBOL throughout when the configuration
 * has no objective metric or no varying parameter (nothing to model). */
int wjr__config_default_steps(wjr_study_config *cfg);

/* Cross-checks of the strategy once everything is read. */
int wjr__config_check_strategy(const wjr_study_config *cfg, const char *file, const config_t *lc);

void wjr__config_strategy_free(wjr_study_config *cfg);

#endif
