/*
 * config_int.h - the configuration parser's shared parts: the parse
 * context, the helpers that read a setting and name file:line(:column) in
 * errors (config_get.c), and one entry per section: config_params.c,
 * config_objective.c (with config_boa.c for a metric's BOA settings),
 * config_scheduler.c, config_strategy.c (generation strategy and
 * constraints), config_script.c (script_options) and config_slurm.c.
 * config.c loads the file and calls the sections in order. The short
 * names are kept by macros so that the parser reads as before. Private.
 */
#ifndef WJR_CONFIG_INT_H
#define WJR_CONFIG_INT_H

#include <stdint.h>

#include <jansson.h>
#include <libconfig.h>

#include "study_int.h"
#include "template.h"

typedef struct parse_ctx {
    const char *file;       /* the path as the user gave it, for messages */
    int explicit_base;      /* relative paths: a folder given by the caller */
    int yaml;               /* BOA's YAML: BOA's defaults apply */
    wjr_template_vars vars; /* BOA's template variables of the file */
} parse_ctx;

#define fail_at           wjr__cfg_fail_at
#define warn_at           wjr__cfg_warn_at
#define check_keys        wjr__cfg_check_keys
#define type_error        wjr__cfg_type_error
#define need_group        wjr__cfg_need_group
#define get_string        wjr__cfg_get_string
#define get_int           wjr__cfg_get_int
#define get_double        wjr__cfg_get_double
#define get_bool          wjr__cfg_get_bool
#define get_json          wjr__cfg_get_json
#define path_join         wjr__cfg_path_join
#define is_number         wjr__cfg_is_number
#define is_integer        wjr__cfg_is_integer
#define number_of         wjr__cfg_number_of
#define scalar_json       wjr__cfg_scalar_json
#define get_string_or_int wjr__cfg_get_string_or_int

/* config_get.c */
/* WJR_ECONFIG with "<file>:<line>[:<column>]: <message>" at setting s. */
int fail_at(const parse_ctx *ctx, const config_setting_t *s, const char *fmt, ...) WJR_FORMAT(3, 4);
/* The same, as "<file>:<line>[:<column>]: <message>" at setting s. */
int warn_at(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *s, const char *fmt,
            ...) WJR_FORMAT(4, 5);
/* Every member of group s must be one of `allowed`; BOA's keys wjr does not
 * support are refused by name with what to do instead. */
int check_keys(const parse_ctx *ctx, const config_setting_t *s, const char *const *allowed);
int type_error(const parse_ctx *ctx, const config_setting_t *s, const char *what);
int need_group(const parse_ctx *ctx, const config_setting_t *s);
/* Optional members of group g; absent: *out left alone. */
int get_string(char **out, const parse_ctx *ctx, const config_setting_t *g, const char *key);
int get_int(int64_t *out, const parse_ctx *ctx, const config_setting_t *g, const char *key,
            int64_t min);
int get_double(double *out, const parse_ctx *ctx, const config_setting_t *g, const char *key,
               double min, double max);
int get_bool(int *out, const parse_ctx *ctx, const config_setting_t *g, const char *key);
/* base/rel joined and normalised lexically (rel may be absolute); malloc'd. */
char *path_join(const char *base, const char *rel);
/* The setting's type: an integer or a float / an integer. */
int is_number(const config_setting_t *s);
int is_integer(const config_setting_t *s);
/* An integer or float setting as a double. */
double number_of(const config_setting_t *s);
/* A scalar setting as a new JSON value; NULL for groups, lists and arrays. */
json_t *scalar_json(const config_setting_t *s);
/* Optional string or integer member (time = "00:05:00" or time = 5): the
 * integer as its decimal text. */
int get_string_or_int(char **out, const parse_ctx *ctx, const config_setting_t *g, const char *key);

/* The sections, each called by config.c with its group; 0 or WJR_ECONFIG
 * naming file:line. */
/* config_params.c: parameters (a group, or BOA's list). */
int wjr__cfg_parse_parameters(wjr_study_config *cfg, const parse_ctx *ctx,
                              const config_setting_t *g);
/* config_objective.c: objective (after the parameters). */
int wjr__cfg_parse_objective(wjr_study_config *cfg, const parse_ctx *ctx,
                             const config_setting_t *g);
/* config_scheduler.c: scheduler; n_trials of group g (top level or scheduler). */
int wjr__cfg_parse_scheduler(wjr_study_config *cfg, const parse_ctx *ctx,
                             const config_setting_t *g);
int wjr__cfg_get_n_trials(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g);
/* config_strategy.c: generation_strategy (seed, steps). */
int wjr__cfg_parse_generation(wjr_study_config *cfg, const parse_ctx *ctx,
                              const config_setting_t *g);
/* config_slurm.c: slurm (after the parameters: keys may name one); every
 * value checked for its key's form (slurm_values.h). */
int wjr__cfg_parse_slurm(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g);
/* config_slurm.c: script_options.setup, a string or a list of strings, one
 * shell line each, kept verbatim; a line break inside an entry is an error
 * at its line. */
int wjr__cfg_parse_setup(wjr_slurm_cfg *out, const parse_ctx *ctx, const config_setting_t *s);

/* config_boa.c */
/* A free-form member as JSON (shape 1: a mapping, 2: a list, 0: any). */
int get_json(json_t **out, const parse_ctx *ctx, const config_setting_t *g, const char *key,
             int shape);
/* One metric of objective.metrics (BOA's BOAMetric keys). */
int wjr__cfg_parse_metric(wjr_metric *metric, const parse_ctx *ctx, const config_setting_t *m,
                          int i);
/* The metrics' settings and model_options as JSON texts for the wrapper. */
int wjr__cfg_wrapper_settings(wjr_study_config *cfg);

/* config_script.c */
/* script_options: commands, working_dir, the experiment directory. */
int wjr__cfg_parse_script(wjr_study_config *cfg, const parse_ctx *ctx, const config_setting_t *g);
/* Every `{{ name }}` of the commands is trial_dir or a member of params
 * (WJR_EINVALID naming the first that is not). */
int wjr__cfg_check_command_values(const wjr_study_config *cfg, json_t *params);

/* config_strategy.c: each returns 0 or WJR_ECONFIG with file:line. */
/* objective.outcome_constraints (after the metrics are read). */
/* "METRIC <= NUMBER" or "METRIC >= NUMBER" (or Ax's one-term scaled
 * "2*METRIC <= NUMBER"): the metric (malloc'd), its side and the bound.
 * WJR_EINVALID with the message's tail (": ...") set, or WJR_ENOMEM. */
int wjr__cfg_comparison(char **metric, int *upper, double *bound, const char *text);
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
